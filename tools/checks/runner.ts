// Runs checks with the bounds an unattended pipeline needs: a timeout on every attempt, a few
// retries with exponential back-off for what may still be starting, a cap on the whole run,
// and a progress event for every retry and every finished check.
//
// What many checks share (the caller's credentials, an account's role, an API endpoint, a
// host) is a Prerequisite: probed once per run, within short bounds of its own (PROBE_LIMITS),
// before the checks that need it. When one fails it is reported once, as the cause, and the
// checks that need it are skipped for that cause instead of each failing, retrying and
// guessing a remedy of its own.

/** What one attempt of a check found. */
export interface Verdict {
    readonly ok: boolean;
    /** One line for the table: what was found, or what is wrong. */
    readonly detail: string;
    /** What to do about a failure, quoting the runbook where it has the answer. */
    readonly remedy?: string;
    /** A failure that may clear by itself (a service or cluster still starting): worth another attempt. */
    readonly transient?: boolean;
    /**
     * A prerequisite's failure that is really another thing's (`endpoint 127.0.0.1:9` when STS
     * there does not answer): reported under that name, so one dead endpoint is one cause.
     */
    readonly causeIs?: {
        readonly check: string;
        readonly target: string;
        /** The cause's detail and remedy once every prerequisite that failed as it is known (`12 hosts do not resolve`). */
        readonly summary?: (members: readonly { readonly target: string; readonly kind?: string }[], first: string) => { detail: string; remedy: string };
    };
    /**
     * Prerequisites failing with the same key (`service ECONNREFUSED`) are one cause: the first
     * one's row, saying how many more failed the same way.
     */
    readonly foldKey?: string;
}

export interface Check {
    /** The kind of thing checked (`bucket`, `table`, `service`…); also what `--skip` names. */
    readonly check: string;
    /** The thing checked: a bucket name, a table name, a URL… */
    readonly target: string;
    /** One attempt. Must stop work when `signal` aborts; the runner stops waiting for it either way. */
    run(signal: AbortSignal): Promise<Verdict>;
    /** What must hold before this check can say anything (credentials, a role, an endpoint). */
    readonly needs?: readonly Prerequisite[];
    /** This row shows that prerequisite's own probe (preflight's deploy-role rows): one probe, one row. */
    readonly is?: Prerequisite;
}

/**
 * Something many checks depend on, probed once per run. Its probe fails only for its own
 * reason (no credentials, role refused, endpoint silent), never for what a check looks at.
 */
export interface Prerequisite {
    /** Unique within a run: prerequisites with the same id are the same thing, probed once. */
    readonly id: string;
    /** Shown as the CHECK of the row when it fails (`credentials`, `role`, `endpoint`, `deploy-role`). */
    readonly check: string;
    readonly target: string;
    /** What kind of thing it is (`service`, `database`), for a cause that folds many of them. */
    readonly kind?: string;
    readonly needs?: readonly Prerequisite[];
    probe(signal: AbortSignal): Promise<Verdict>;
}

export interface CheckResult {
    readonly check: string;
    readonly target: string;
    readonly ok: boolean;
    readonly detail: string;
    readonly remedy?: string;
    readonly attempts: number;
    readonly durationMs: number;
    /** Not run because this failed prerequisite (`<check> <target>`) is the cause; not ok. */
    readonly skippedFor?: string;
    /** A failed prerequisite: how many checks were skipped because of it; ownRow when it is one of the command's rows. */
    readonly cause?: { readonly dependents: number; readonly ownRow: boolean };
}

/**
 * Bounds of one prerequisite probe. Worst case for a silent endpoint: two attempts of 5 s and
 * one wait of 1 s, all inside the 12 s budget that every probe of a run shares; after that, the
 * checks that need it are skipped at once. So a run against a dead endpoint ends in ~12 s.
 */
export const PROBE_LIMITS = { attemptTimeoutMs: 5_000, attempts: 2, backoffMs: 1_000, budgetMs: 12_000 } as const;

export interface RunLimits {
    /** Each attempt is abandoned after this long. */
    readonly attemptTimeoutMs: number;
    /** Attempts per check, retries included (a failure that is not transient is never retried). */
    readonly attempts: number;
    /** Wait before the first retry; doubles for each further one. */
    readonly backoffMs: number;
    /** The longest single wait between attempts. */
    readonly maxBackoffMs: number;
    /** The whole run: past it, nothing new is attempted and what is still running is abandoned. */
    readonly totalTimeoutMs: number;
    /** Checks running at the same time. */
    readonly concurrency: number;
}

export const DEFAULT_LIMITS: RunLimits = {
    attemptTimeoutMs: 10_000,
    attempts: 4,
    backoffMs: 2_000,
    maxBackoffMs: 15_000,
    totalTimeoutMs: 300_000,
    concurrency: 8,
};

export type Progress =
    | { readonly type: "retry"; readonly check: Pick<Check, "check" | "target">; readonly attempt: number; readonly detail: string; readonly waitMs: number }
    | { readonly type: "done"; readonly result: CheckResult; readonly done: number; readonly total: number }
    | { readonly type: "cause"; readonly result: CheckResult };

/** Thrown into an attempt when its own timeout or the run's cap ends it. */
export class CheckTimeout extends Error {
    constructor(readonly kind: "attempt" | "total", readonly ms: number) {
        super(kind === "attempt" ? `no answer within ${formatMs(ms)}` : `stopped: the run's time cap of ${formatMs(ms)} was reached`);
        this.name = "CheckTimeout";
    }
}

export function formatMs(ms: number): string {
    return ms < 1000 ? `${Math.round(ms)} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * Runs every check and returns one result per check, in the order given. Never throws for a
 * check: a thrown error is that check's failure. Resolves by the total cap at the latest
 * (plus the time a check needs to notice an abort, which the runner does not wait for).
 */
export async function runChecks(
    checks: readonly Check[],
    limits: RunLimits = DEFAULT_LIMITS,
    onProgress: (event: Progress) => void = () => undefined,
): Promise<CheckResult[]> {
    const started = Date.now();
    const deadline = started + limits.totalTimeoutMs;
    // Aborted when the cap is reached, so that waits and attempts in flight end at once.
    const cap = new AbortController();
    const capTimer = setTimeout(() => cap.abort(new CheckTimeout("total", limits.totalTimeoutMs)), limits.totalTimeoutMs);
    const prerequisites = new Prerequisites(limits, Math.min(deadline, started + PROBE_LIMITS.budgetMs), deadline, cap.signal, onProgress);

    const results: CheckResult[] = new Array(checks.length);
    let next = 0;
    let done = 0;
    const worker = async () => {
        while (next < checks.length) {
            const index = next++;
            const check = checks[index];
            const result = check.is
                ? await prerequisites.asRow(check.is, check)
                : await prerequisites
                      .firstFailure(check.needs ?? [])
                      .then((blocked) => (blocked === CAPPED ? notRun(check, limits) : blocked ? skipped(check, blocked) : runOne(check, limits, deadline, cap.signal, onProgress)));
            results[index] = result;
            done += 1;
            onProgress({ type: "done", result, done, total: checks.length });
        }
    };
    try {
        await Promise.all(Array.from({ length: Math.max(1, Math.min(limits.concurrency, checks.length)) }, worker));
    } finally {
        clearTimeout(capTimer);
    }
    // Each failed prerequisite once, saying how many checks it held up: first, unless a row is it.
    const key = (r: { check: string; target: string }) => `${r.check} ${r.target}`;
    const dependents = (cause: CheckResult) => results.filter((r) => r.skippedFor === key(cause)).length;
    const rows = new Set(results.map(key));
    const causes = prerequisites.failures().filter((cause) => !rows.has(key(cause)));
    const final = (r: CheckResult) => prerequisites.folded(r);
    const withCount = (r: CheckResult, ownRow: boolean): CheckResult => ({ ...r, cause: { dependents: dependents(r), ownRow } });
    return [...causes.map((r) => withCount(final(r), false)), ...results.map((r) => (prerequisites.isFailure(r) ? withCount(final(r), true) : r))];
}

function skipped(check: Pick<Check, "check" | "target">, cause: CheckResult): CheckResult {
    return {
        check: check.check,
        target: check.target,
        ok: false,
        detail: `skipped: ${cause.check} ${cause.target} failed`,
        attempts: 0,
        durationMs: 0,
        skippedFor: `${cause.check} ${cause.target}`,
    };
}

/** A check the run's total cap kept from running: not a failure of what it checks. */
function notRun(check: Pick<Check, "check" | "target">, limits: RunLimits): CheckResult {
    return { check: check.check, target: check.target, ...capped({ ok: false, detail: "" }, limits, 0), attempts: 0, durationMs: 0 };
}

/**
 * A prerequisite whose probe the run's total cap cut short: nothing is known about it, so it is no
 * cause, and what needs it is "not run" for the cap, as a check that never started is.
 */
const CAPPED = "capped";

interface Outcome {
    /** The probe's own result (absent when a need failed first or the cap came first). */
    readonly own?: CheckResult;
    /** The root cause, if a probe failed. */
    readonly cause?: CheckResult;
    readonly capped?: true;
}

/** Probes each prerequisite once per run (its own needs first) and remembers the outcome. */
class Prerequisites {
    /** Per id: what its probe found out. */
    private readonly outcomes = new Map<string, Promise<Outcome>>();
    private readonly failed: CheckResult[] = [];
    /** Per failed cause: what failed as it, and how to say so once all are known. */
    private readonly folds = new Map<CheckResult, { members: { target: string; kind?: string }[]; kind?: string; foldKey?: string; summary?: NonNullable<Verdict["causeIs"]>["summary"] }>();

    constructor(
        private readonly limits: RunLimits,
        /** The probes' own budget, within the run's cap. */
        private readonly deadline: number,
        private readonly runDeadline: number,
        private readonly cap: AbortSignal,
        private readonly onProgress: (event: Progress) => void,
    ) {}

    /** The root cause among `needs` that failed, if any (the first in order), or CAPPED. */
    async firstFailure(needs: readonly Prerequisite[]): Promise<CheckResult | typeof CAPPED | undefined> {
        // In order, stopping at the first failure: what comes after it is not probed for nothing.
        for (const p of needs) {
            const { cause, capped } = await this.settle(p);
            if (capped) return CAPPED;
            if (cause) return cause;
        }
        return undefined;
    }

    /** A row that is the prerequisite itself: its probe's result, or skipped for what it needed. */
    async asRow(p: Prerequisite, row: Pick<Check, "check" | "target">): Promise<CheckResult> {
        const { own, cause, capped } = await this.settle(p);
        if (capped) return notRun(row, this.limits);
        if (own) return { ...own, check: row.check, target: row.target };
        return skipped(row, cause!);
    }

    failures(): CheckResult[] {
        return [...this.failed];
    }

    isFailure(r: CheckResult): boolean {
        return this.failed.some((f) => f.check === r.check && f.target === r.target);
    }

    /** A failed cause as reported at the end: with the count of what failed the same way. */
    folded(r: CheckResult): CheckResult {
        const cause = this.failed.find((f) => f.check === r.check && f.target === r.target);
        const fold = cause && this.folds.get(cause);
        if (!cause || !fold) return r;
        if (fold.summary) return { ...r, ...fold.summary(fold.members, cause.detail) };
        if (fold.members.length <= 1) return r;
        const more = fold.members.slice(1);
        const what = fold.kind ? `${fold.kind} host${more.length === 1 ? "" : "s"}` : `prerequisite${more.length === 1 ? "" : "s"}`;
        return { ...r, detail: `${r.detail}; ${more.length} more ${what} failed the same way (${more.map((m) => m.target).join(", ")})` };
    }

    private settle(p: Prerequisite): Promise<Outcome> {
        let outcome = this.outcomes.get(p.id);
        if (!outcome) {
            outcome = this.probe(p);
            this.outcomes.set(p.id, outcome);
        }
        return outcome;
    }

    private async probe(p: Prerequisite): Promise<Outcome> {
        const upstream = await this.firstFailure(p.needs ?? []);
        if (upstream === CAPPED) return { capped: true };
        if (upstream) return { cause: upstream };
        const probeLimits: RunLimits = {
            ...this.limits,
            attemptTimeoutMs: Math.min(this.limits.attemptTimeoutMs, PROBE_LIMITS.attemptTimeoutMs),
            attempts: Math.min(this.limits.attempts, PROBE_LIMITS.attempts),
            backoffMs: Math.min(this.limits.backoffMs, PROBE_LIMITS.backoffMs),
            maxBackoffMs: PROBE_LIMITS.backoffMs,
            totalTimeoutMs: PROBE_LIMITS.budgetMs,
        };
        let causeIs: Verdict["causeIs"];
        let foldKey: string | undefined;
        const run = async (signal: AbortSignal) => {
            const verdict = await p.probe(signal);
            causeIs = verdict.causeIs;
            foldKey = verdict.foldKey;
            return verdict;
        };
        // No retry lines for a probe: its cause is one line, however many attempts it took.
        const result = await runOne({ check: p.check, target: p.target, run }, probeLimits, this.deadline, this.cap, () => undefined);
        if (result.ok) return { own: result };
        if (this.cap.aborted || Date.now() >= this.runDeadline) return { capped: true };
        const own = causeIs ? { ...result, check: causeIs.check, target: causeIs.target } : result;
        const member = { target: p.target, kind: p.kind };
        // Two prerequisites failing as the same thing (one dead endpoint, names that do not resolve) are one cause.
        const same =
            this.failed.find((f) => f.check === own.check && f.target === own.target) ??
            (foldKey === undefined ? undefined : this.failed.find((f) => this.folds.get(f)?.foldKey === foldKey));
        if (same) {
            const fold = this.folds.get(same);
            const folds = fold && (fold.summary !== undefined || (foldKey !== undefined && fold.foldKey === foldKey));
            if (fold && folds && !fold.members.some((m) => m.target === member.target)) fold.members.push(member);
            return { own, cause: same };
        }
        this.failed.push(own);
        this.folds.set(own, { members: [member], kind: p.kind, foldKey, summary: causeIs?.summary });
        this.onProgress({ type: "cause", result: own });
        return { own, cause: own };
    }
}

async function runOne(
    check: Check,
    limits: RunLimits,
    deadline: number,
    cap: AbortSignal,
    onProgress: (event: Progress) => void,
): Promise<CheckResult> {
    const started = Date.now();
    let attempts = 0;
    let last: Verdict = { ok: false, detail: "not attempted" };
    const finish = (verdict: Verdict): CheckResult => ({
        check: check.check,
        target: check.target,
        ok: verdict.ok,
        detail: attempts > 1 && !verdict.ok ? `${verdict.detail} (after ${attempts} attempts)` : verdict.detail,
        ...(verdict.remedy !== undefined && !verdict.ok ? { remedy: verdict.remedy } : {}),
        attempts,
        durationMs: Date.now() - started,
    });

    const capReached = () => cap.aborted || Date.now() >= deadline;
    let stoppedByCap = false;
    while (attempts < Math.max(1, limits.attempts)) {
        // The deadline itself decides, not only the cap's timer, which may fire a moment late.
        if (capReached()) {
            stoppedByCap = true;
            break;
        }
        attempts += 1;
        const outcome = await attempt(check, Math.min(limits.attemptTimeoutMs, deadline - Date.now()), cap);
        last = outcome.verdict;
        stoppedByCap = outcome.stoppedByCap;
        if (stoppedByCap || last.ok || !last.transient || attempts >= limits.attempts) break;
        const backoffMs = Math.min(limits.maxBackoffMs, limits.backoffMs * 2 ** (attempts - 1));
        // A retry that would start at or past the deadline is not made: waiting out the rest of the
        // run only to race the cap's timer would leave the outcome to timer precision.
        if (Date.now() + backoffMs >= deadline) {
            stoppedByCap = true;
            break;
        }
        const waitMs = backoffMs;
        onProgress({ type: "retry", check, attempt: attempts, detail: last.detail, waitMs });
        await sleep(waitMs, cap);
    }
    return finish(stoppedByCap ? capped(last, limits, attempts) : last);
}

function capped(last: Verdict, limits: RunLimits, attempts: number): Verdict {
    const reached = `the run's time cap of ${formatMs(limits.totalTimeoutMs)} was reached`;
    if (attempts === 0) return { ok: false, detail: `not run: ${reached}` };
    const before = last.detail.includes(reached) ? "" : `; last attempt: ${last.detail}`;
    return { ok: false, detail: `stopped: ${reached}${before}`, remedy: last.remedy };
}

async function attempt(check: Check, timeoutMs: number, cap: AbortSignal): Promise<{ verdict: Verdict; stoppedByCap: boolean }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new CheckTimeout("attempt", timeoutMs)), Math.max(0, timeoutMs));
    const onCap = () => controller.abort(cap.reason);
    cap.addEventListener("abort", onCap, { once: true });
    try {
        const running = check.run(controller.signal);
        // A check that ignores its signal must not hold the run: stop waiting on abort regardless.
        running.catch(() => undefined);
        return { verdict: await Promise.race([running, rejectOnAbort(controller.signal)]), stoppedByCap: false };
    } catch (err) {
        if (controller.signal.aborted) {
            const reason = controller.signal.reason;
            return {
                verdict: { ok: false, detail: reason instanceof Error ? reason.message : String(reason), transient: true },
                stoppedByCap: reason instanceof CheckTimeout && reason.kind === "total",
            };
        }
        return { verdict: { ok: false, detail: describeError(err), transient: isTransientError(err) }, stoppedByCap: false };
    } finally {
        clearTimeout(timer);
        cap.removeEventListener("abort", onCap);
    }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
    return new Promise((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        if (signal.aborted || ms <= 0) return resolve();
        const timer = setTimeout(done, ms);
        function done() {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            resolve();
        }
        signal.addEventListener("abort", done, { once: true });
    });
}

/** `Name: message (cause)` for SDK, network and system errors, without stack traces. */
export function describeError(err: unknown): string {
    if (!(err instanceof Error)) return String(err);
    const code = (err as { code?: string }).code;
    const name = err.name && err.name !== "Error" && err.name !== "TypeError" ? err.name : undefined;
    let text = err.message || code || "error";
    if (name && !text.startsWith(name)) text = `${name}: ${text}`;
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof Error && cause.message && !text.includes(cause.message)) text += ` (${cause.message})`;
    else if (code && !text.includes(code)) text += ` (${code})`;
    return text;
}

const TRANSIENT_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT"]);
const TRANSIENT_NAMES = new Set(["ThrottlingException", "Throttling", "RequestLimitExceeded", "SlowDown", "ServiceUnavailable", "InternalError", "TimeoutError"]);

/** Network-level failures and throttling: the kind that a later attempt may not meet. */
export function isTransientError(err: unknown): boolean {
    let current: unknown = err;
    for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
        const e = current as Error & { code?: string; $retryable?: unknown; transient?: unknown };
        if (e.transient === true) return true;
        if (e.transient === false) return false;
        if ((e.code && TRANSIENT_CODES.has(e.code)) || TRANSIENT_NAMES.has(e.name) || e.$retryable) return true;
        current = (current as { cause?: unknown }).cause;
    }
    return false;
}
