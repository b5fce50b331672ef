// Looks at every planned resource once, bounded like preflight (tools/checks/runner.ts: a
// timeout per attempt, retries for what may clear, a cap on the whole run, progress events),
// and collects one finding per resource.
import type { AwsAccess } from "../checks/awsAccess";
import { Check, CheckResult, describeError, Progress, RunLimits, runChecks } from "../checks/runner";
import type { CountryStack } from "../../stacks/config";
import type { ProgramRun } from "../mockRuntime";
import { ACCESS_DENIED_CAUSE, Finding, isAccessDenied } from "./findings";
import { PROBES, SharedLookups, unprobed } from "./probes";
import { adoptTargets, AdoptTarget } from "./targets";

/**
 * When the first looks all fail for one reason (no credentials, an endpoint that does not
 * answer), the rest would only fail the same way, each after its retries: stop asking and
 * say the cause once.
 */
export class Breaker {
    private successes = 0;
    private readonly causes = new Map<string, number>();
    cause?: string;

    constructor(private readonly threshold = 8) {}

    succeeded(): void {
        this.successes += 1;
    }

    failed(err: unknown): void {
        // Refusals name each resource in their message: one cause all the same.
        const cause = isAccessDenied(err) ? ACCESS_DENIED_CAUSE : describeError(err);
        this.causes.set(cause, (this.causes.get(cause) ?? 0) + 1);
        if (this.successes === 0 && this.causes.size === 1 && this.causes.get(cause)! >= this.threshold) this.cause = cause;
    }
}

/** The detail of a look the breaker skipped. */
export const SKIPPED = "not looked at: every earlier look failed the same way";

export interface Surveyed {
    readonly target: AdoptTarget;
    /** Undefined when the look failed (then `error` says why). */
    readonly finding?: Finding;
    readonly error?: string;
    /** The cause a failed look is reported under, once for all the looks it stopped (not a message naming each resource). */
    readonly cause?: string;
}

export function shortType(type: string): string {
    return type.split(":").pop() ?? type;
}

export async function survey(
    run: ProgramRun,
    stack: CountryStack,
    access: AwsAccess,
    limits: RunLimits,
    onProgress: (event: Progress) => void = () => undefined,
    breaker = new Breaker(),
): Promise<Surveyed[]> {
    const targets = adoptTargets(run, stack);
    const lookups = new SharedLookups(stack, access, limits.attemptTimeoutMs);
    const found = new Map<AdoptTarget, Finding>();
    const denied = new Set<AdoptTarget>();
    const checks: Check[] = [];
    const byCheck = new Map<Check, AdoptTarget>();
    for (const target of targets) {
        const known = unprobed(target);
        if (known) {
            found.set(target, known);
            continue;
        }
        const probe = PROBES[target.resource.type];
        const check: Check = {
            check: shortType(target.resource.type),
            target: target.resource.name,
            run: async (signal) => {
                if (breaker.cause) return { ok: false, detail: SKIPPED };
                let finding: Finding;
                try {
                    finding = await probe(target, { stack, access, lookups }, signal);
                } catch (err) {
                    breaker.failed(err);
                    if (isAccessDenied(err)) denied.add(target);
                    throw err;
                }
                breaker.succeeded();
                found.set(target, finding);
                return { ok: true, detail: finding.status };
            },
        };
        checks.push(check);
        byCheck.set(check, target);
    }
    const results: CheckResult[] = await runChecks(checks, limits, onProgress);
    const failed = new Map<AdoptTarget, string>();
    results.forEach((result, i) => {
        if (!result.ok) failed.set(byCheck.get(checks[i])!, result.detail);
    });
    return targets.map((target) => {
        const error = failed.get(target);
        if (error === undefined) return { target, finding: found.get(target) };
        return { target, error, cause: denied.has(target) ? ACCESS_DENIED_CAUSE : error };
    });
}
