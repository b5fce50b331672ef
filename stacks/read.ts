// The one place that reads Pulumi's config: the raw `data-infra:*` values and the stack name,
// handed to the pure validation in config.ts.
import * as pulumi from "@pulumi/pulumi";
import { CountryStack, NAMESPACE, parseCountryStack } from "./config";

export function readCountryStack(): CountryStack {
    const all = pulumi.runtime.allConfig();
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(all)) if (key.startsWith(`${NAMESPACE}:`)) raw[key] = value;
    return parseCountryStack(pulumi.getStack(), raw);
}
