// How a run is shown: a table for people, a JSON report for the pipeline, and progress lines
// on stderr while it runs.
import type { CheckResult, Progress } from "./runner";
import { formatMs } from "./runner";

export interface Report {
    readonly command: "verify" | "preflight";
    readonly stack: string;
    readonly ok: boolean;
    readonly passed: number;
    /** Rows that failed, the causes included (a failed prerequisite is a row of its own). */
    readonly failed: number;
    /** Checks not run because a prerequisite failed (each says which in `skippedFor`). */
    readonly skipped: number;
    readonly startedAt: string;
    readonly durationMs: number;
    readonly results: readonly CheckResult[];
}

export function buildReport(command: Report["command"], stack: string, results: readonly CheckResult[], started: Date): Report {
    const skipped = results.filter((r) => r.skippedFor !== undefined).length;
    const failed = results.filter((r) => !r.ok).length - skipped;
    return {
        command,
        stack,
        ok: failed === 0 && skipped === 0,
        passed: results.length - failed - skipped,
        failed,
        skipped,
        startedAt: started.toISOString(),
        durationMs: Date.now() - started.getTime(),
        results,
    };
}

export function formatJson(report: Report): string {
    return `${JSON.stringify(report, null, 2)}\n`;
}

const HEADERS = ["CHECK", "TARGET", "RESULT", "DETAIL"] as const;

/**
 * Check, target, ok/FAIL and detail, one row per check; checks skipped for a failed
 * prerequisite are one line per cause, not one row each; then what to do about each failure.
 */
export function formatTable(report: Report): string {
    const shown = report.results.filter((r) => r.skippedFor === undefined);
    // When something failed, the rows that passed are one line by kind: the failures fit on a screen.
    const passed = report.ok ? [] : shown.filter((r) => r.ok);
    const rows = shown.filter((r) => !passed.includes(r)).map((r) => [r.check, r.target, r.ok ? "ok" : r.cause ? "CAUSE" : "FAIL", r.detail]);
    const widths = [0, 1, 2].map((i) => Math.max(HEADERS[i].length, ...rows.map((row) => row[i].length)));
    const line = (cells: readonly string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c)).join("  ").trimEnd();
    const out = [line(HEADERS), line(widths.map((w) => "-".repeat(w)).concat("------")), ...rows.map(line)];

    if (passed.length > 0) out.push("", `passed: ${checks(passed.length)} (${countByCheck(passed)})`);

    const skippedBy = new Map<string, CheckResult[]>();
    for (const r of report.results) if (r.skippedFor !== undefined) skippedBy.set(r.skippedFor, [...(skippedBy.get(r.skippedFor) ?? []), r]);
    if (skippedBy.size > 0) out.push("");
    for (const [cause, rows] of skippedBy) out.push(`skipped, because ${cause} failed: ${checks(rows.length)} (${countByCheck(rows)})`);

    // One line per remedy: a remedy shared by many rows (a stack never deployed) is said once.
    const byRemedy = new Map<string, CheckResult[]>();
    for (const r of shown) if (!r.ok && r.remedy) byRemedy.set(r.remedy, [...(byRemedy.get(r.remedy) ?? []), r]);
    if (byRemedy.size > 0) {
        out.push("", "What to do:");
        for (const [remedy, rows] of byRemedy) {
            if (rows.length === 1) out.push(`  - ${rows[0].check} ${rows[0].target}: ${remedy}`);
            else out.push(`  - ${remedy}`, `    for: ${rows.map((r) => `${r.check} ${r.target}`).join(", ")}`);
        }
    }
    // Causes the runner added before the rows are not checks of the command.
    const own = report.results.filter((r) => !(r.cause && !r.cause.ownRow));
    const total = own.length;
    const rowsFailed = own.filter((r) => !r.ok && r.skippedFor === undefined).length;
    const causes = report.results.filter((r) => r.cause);
    const because = `because ${causes.length === 1 ? `${causes[0].check} ${causes[0].target}` : `the ${causes.length} causes above`} failed`;
    const head = `${report.command} ${report.stack}:`;
    const took = `(${formatMs(report.durationMs)})`;
    let summary: string;
    if (report.ok) summary = total === 1 ? `${head} the 1 check is ok ${took}` : `${head} all ${total} checks ok ${took}`;
    else if (rowsFailed === 0) summary = `${head} FAILED: ${report.skipped} of ${checks(total)} skipped ${because} ${took}`;
    else summary = `${head} ${rowsFailed} of ${checks(total)} FAILED${report.skipped > 0 ? `, ${report.skipped} skipped ${because}` : ""} ${took}`;
    out.push("", summary);
    return `${out.join("\n")}\n`;
}

/** `1 check`, `2 checks`. */
function checks(n: number): string {
    return `${n} check${n === 1 ? "" : "s"}`;
}

/** `bucket 20, table 12, service 5`: how many of each kind of check. */
function countByCheck(rows: readonly CheckResult[]): string {
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.check, (counts.get(r.check) ?? 0) + 1);
    return [...counts].map(([check, n]) => `${check} ${n}`).join(", ");
}

/** One stderr line per retry, per finished check and per failed prerequisite; none per skipped check. */
export function formatProgress(event: Progress): string {
    if (event.type === "retry") {
        return `  … ${event.check.check} ${event.check.target}: attempt ${event.attempt} failed (${event.detail}); retrying in ${formatMs(event.waitMs)}\n`;
    }
    if (event.type === "cause") {
        return `CAUSE ${event.result.check} ${event.result.target}: ${event.result.detail}; the checks that need it are skipped\n`;
    }
    const { result, done, total } = event;
    if (result.skippedFor !== undefined) return "";
    const width = String(total).length;
    return `[${String(done).padStart(width)}/${total}] ${result.ok ? "ok  " : "FAIL"} ${result.check} ${result.target} (${formatMs(result.durationMs)})\n`;
}
