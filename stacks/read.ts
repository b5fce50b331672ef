// The one place that reads what the program runs with: the raw `data-infra:*` config values and
// the stack name (handed to the pure validation in config.ts), and the role switch
// DATA_INFRA_ROLE (which role the providers assume in each account).
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

/**
 * Which role the program's providers assume in each account: `deploy` (the default; `pulumi up`
 * from the staging/prod environments) or `preview` (read-only: pull-request previews and the
 * nightly drift check, docs/guardrails.md "Who may deploy").
 */
export const RUN_ROLES = ["deploy", "preview"] as const;
export type RunRole = (typeof RUN_ROLES)[number];
export const RUN_ROLE_ENV = "DATA_INFRA_ROLE";

/** The role switch from the environment; anything but unset, `deploy` or `preview` is refused. */
export function readRunRole(env: Readonly<Record<string, string | undefined>> = process.env): RunRole {
    const value = env[RUN_ROLE_ENV];
    if (value === undefined || value === "") return "deploy";
    if ((RUN_ROLES as readonly string[]).includes(value)) return value as RunRole;
    throw new Error(`${RUN_ROLE_ENV} has value ${JSON.stringify(value)}; allowed: ${RUN_ROLES.join(" | ")} (unset means deploy)`);
}
