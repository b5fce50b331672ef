// How a run is shown: a table for people, a JSON report for the pipeline, and progress lines
// on stderr while it runs.
import type { CheckResult, Progress } from "./runner";
import { formatMs } from "./runner";

export interface Report {
    readonly command: "verify" | "preflight";
    readonly stack: string;
    readonly ok: boolean;
    readonly passed: number;
    readonly failed: number;
    readonly startedAt: string;
    readonly durationMs: number;
    readonly results: readonly CheckResult[];
}

export function buildReport(command: Report["command"], stack: string, results: readonly CheckResult[], started: Date): Report {
    const failed = results.filter((r) => !r.ok).length;
    return {
        command,
        stack,
        ok: failed === 0,
        passed: results.length - failed,
        failed,
        startedAt: started.toISOString(),
        durationMs: Date.now() - started.getTime(),
        results,
    };
}

export function formatJson(report: Report): string {
    return `${JSON.stringify(report, null, 2)}\n`;
}

const HEADERS = ["CHECK", "TARGET", "RESULT", "DETAIL"] as const;

/** Check, target, ok/FAIL and detail, one row per check; then what to do about each failure. */
export function formatTable(report: Report): string {
    const rows = report.results.map((r) => [r.check, r.target, r.ok ? "ok" : "FAIL", r.detail]);
    const widths = [0, 1, 2].map((i) => Math.max(HEADERS[i].length, ...rows.map((row) => row[i].length)));
    const line = (cells: readonly string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c)).join("  ").trimEnd();
    const out = [line(HEADERS), line(widths.map((w) => "-".repeat(w)).concat("------")), ...rows.map(line)];

    // One line per remedy: a remedy shared by many rows (a stack never deployed) is said once.
    const byRemedy = new Map<string, CheckResult[]>();
    for (const r of report.results) if (!r.ok && r.remedy) byRemedy.set(r.remedy, [...(byRemedy.get(r.remedy) ?? []), r]);
    if (byRemedy.size > 0) {
        out.push("", "What to do:");
        for (const [remedy, rows] of byRemedy) {
            if (rows.length === 1) out.push(`  - ${rows[0].check} ${rows[0].target}: ${remedy}`);
            else out.push(`  - ${remedy}`, `    for: ${rows.map((r) => `${r.check} ${r.target}`).join(", ")}`);
        }
    }
    out.push(
        "",
        report.ok
            ? `${report.command} ${report.stack}: all ${report.results.length} checks ok (${formatMs(report.durationMs)})`
            : `${report.command} ${report.stack}: ${report.failed} of ${report.results.length} checks FAILED (${formatMs(report.durationMs)})`,
    );
    return `${out.join("\n")}\n`;
}

/** One stderr line per retry and per finished check. */
export function formatProgress(event: Progress): string {
    if (event.type === "retry") {
        return `  … ${event.check.check} ${event.check.target}: attempt ${event.attempt} failed (${event.detail}); retrying in ${formatMs(event.waitMs)}\n`;
    }
    const { result, done, total } = event;
    const width = String(total).length;
    return `[${String(done).padStart(width)}/${total}] ${result.ok ? "ok  " : "FAIL"} ${result.check} ${result.target} (${formatMs(result.durationMs)})\n`;
}
