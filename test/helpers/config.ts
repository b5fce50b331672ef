// A minimal valid raw config for the pure config tests, and helpers to break it.
import { ConfigError, parseCountryStack, RawConfig, WORKLOADS } from "../../stacks/config";

export const VALID_CONFIG: RawConfig = {
    "data-infra:country": "co",
    "data-infra:env": "staging",
    "data-infra:prototypes": JSON.stringify(["global", "s0"]),
    "data-infra:countryAccountId": "400000000101",
    "data-infra:dataAccountId": "400000000900",
    "data-infra:domain": "nu.com.co",
    "data-infra:images": JSON.stringify(Object.fromEntries(WORKLOADS.map((w) => [w, { version: "1.0.0" }]))),
    "data-infra:barragemSchedule": JSON.stringify({ databases: { global: ["ouroboros"], shards: ["acquisition"] } }),
};

/** The ConfigError a config is refused with; fails the test if it is accepted. */
export function configProblems(stack: string, raw: RawConfig): ConfigError {
    try {
        parseCountryStack(stack, raw);
    } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
    }
    throw new Error("expected a ConfigError");
}

export function withoutKey(raw: RawConfig, key: string): RawConfig {
    const copy: Record<string, string> = { ...raw };
    delete copy[`data-infra:${key}`];
    return copy;
}
