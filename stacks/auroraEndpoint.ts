// Barragem's `rdb-unqualified-endpoint-url` (runbook "Spin Barragem"): the Aurora *instance*
// endpoint without its `<env>-<prototype>-` prefix, which Barragem puts back per prototype itself.
// Pure, so that it is tested on a realistic endpoint without any Pulumi runtime.
import type { Env } from "./config";
import { aurora, prototypeScoped } from "./naming";

/**
 * `staging-s0-barragem-aurora-instance.cabc123.us-east-1.rds.amazonaws.com` on (staging, s0) is
 * `barragem-aurora-instance.cabc123.us-east-1.rds.amazonaws.com`. An endpoint that is not this
 * prototype's instance endpoint is refused: handing Barragem another prototype's database, or the
 * cluster endpoint, would send its segments to the wrong place.
 */
export function unqualifiedInstanceEndpoint(env: Env, prototype: string, instanceEndpoint: string): string {
    const prefix = prototypeScoped(env, prototype, "");
    const expected = `${aurora.instanceId(env, prototype)}.`;
    if (!instanceEndpoint.startsWith(expected)) {
        throw new Error(
            `Aurora endpoint "${instanceEndpoint}" is not the endpoint of instance ${aurora.instanceId(env, prototype)} ` +
                `(expected "${expected}<host>.<region>.rds.amazonaws.com"); Barragem on ${prototype} needs its own prototype's instance endpoint`,
        );
    }
    return instanceEndpoint.slice(prefix.length);
}
