// The one place that reads Pulumi's config: the raw `data-infra:*` values and the stack name,
// handed to the pure validation in config.ts.
import * as pulumi from "@pulumi/pulumi";
import { configWarnings, CountryStack, NAMESPACE, parseCountryStack } from "./config";

export function readCountryStack(): CountryStack {
    const all = pulumi.runtime.allConfig();
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(all)) if (key.startsWith(`${NAMESPACE}:`)) raw[key] = value;
    const stack = parseCountryStack(pulumi.getStack(), raw);
    // Shown by `pulumi preview`/`up` (and by the offline plan); they never stop the deployment.
    for (const warning of configWarnings(stack)) pulumi.log.warn(warning);
    return stack;
}
