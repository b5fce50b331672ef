// Progress on stderr while adopt runs: one line per resource looked at, with its verdict.
import { formatProgress } from "../checks/report";
import { formatMs, Progress } from "../checks/runner";

export { formatMs };

export function formatProgressLine(event: Progress): string {
    // Retries, and a prerequisite that failed (the runner's cause line), read as everywhere else.
    if (event.type === "retry" || event.type === "cause") return formatProgress(event);
    const { result, done, total } = event;
    const width = String(total).length;
    const verdict = result.ok ? result.detail : "COULD NOT CHECK";
    return `[${String(done).padStart(width)}/${total}] ${verdict.padEnd(11)} ${result.check} ${result.target} (${formatMs(result.durationMs)})${result.ok ? "" : `: ${result.detail}`}\n`;
}
