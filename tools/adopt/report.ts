// The report a person acts on (and reviews in the pull request that adds the import file):
// one row per planned resource with its verdict, the properties the next `up` changes, what to
// do about blocked ones, and each cause of a failed look said once.
import type { Surveyed } from "./survey";

export type Status = "adopt" | "update" | "blocked" | "create" | "not-checked" | "error";

export const STATUS_LABEL: Record<Status, string> = {
    adopt: "adopt",
    update: "adopt, then updated",
    blocked: "BLOCKED",
    create: "create",
    "not-checked": "not checked",
    error: "COULD NOT CHECK",
};

export interface ReportRow {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly status: Status;
    readonly id?: string;
    readonly changes?: readonly string[];
    readonly problems?: readonly string[];
    readonly remedy?: string;
    readonly detail?: string;
}

export interface AdoptReport {
    readonly command: "adopt";
    readonly stack: string;
    /** Nothing blocked and everything that could be looked at was. */
    readonly ok: boolean;
    readonly counts: Record<Status, number>;
    readonly importFile?: string;
    /** Provider URNs the import file refers to: they must be in the stack before `pulumi import`. */
    readonly providers: readonly string[];
    readonly rows: readonly ReportRow[];
}

export function toRows(surveyed: readonly Surveyed[]): ReportRow[] {
    return surveyed.map(({ target, finding, error }): ReportRow => {
        const base = { urn: target.resource.urn, type: target.resource.type, name: target.resource.name };
        if (!finding) return { ...base, status: "error", detail: error ?? "not looked at" };
        switch (finding.status) {
            case "adopt":
                return { ...base, status: "adopt", id: finding.id, detail: finding.detail };
            case "update":
                return { ...base, status: "update", id: finding.id, changes: finding.changes };
            case "blocked":
                return { ...base, status: "blocked", id: finding.id, problems: finding.problems, remedy: finding.remedy };
            case "create":
                return { ...base, status: "create", detail: finding.detail };
            case "not-checked":
                return { ...base, status: "not-checked", detail: finding.reason };
        }
    });
}

export function buildReport(stack: string, rows: readonly ReportRow[], providers: readonly string[], importFile?: string): AdoptReport {
    const counts: Record<Status, number> = { adopt: 0, update: 0, blocked: 0, create: 0, "not-checked": 0, error: 0 };
    for (const row of rows) counts[row.status] += 1;
    return { command: "adopt", stack, ok: counts.blocked === 0 && counts.error === 0, counts, importFile, providers, rows };
}

const ORDER: readonly Status[] = ["blocked", "error", "update", "adopt", "create", "not-checked"];

/** The report as text: the resources that exist first, then what `up` creates, then what was not looked at. */
export function formatReport(report: AdoptReport, describe = (row: ReportRow) => `${row.type.split(":").pop()} ${row.name}`): string {
    const out: string[] = [];
    const rowsOf = (status: Status) => report.rows.filter((r) => r.status === status);
    for (const status of ORDER) {
        const rows = rowsOf(status);
        if (rows.length === 0 || status === "error" || status === "not-checked") continue;
        out.push(`${STATUS_LABEL[status]} (${rows.length}):`);
        for (const row of rows) {
            out.push(`  ${describe(row)}${row.id ? `  [id ${row.id}]` : row.detail ? `  (${row.detail})` : ""}`);
            for (const change of row.changes ?? []) out.push(`      next up changes ${change}`);
            for (const problem of row.problems ?? []) out.push(`      ${problem}`);
            if (row.remedy) out.push(`      what to do: ${row.remedy}`);
        }
        out.push("");
    }

    // Failed looks and unchecked kinds: each cause once, with what it applies to.
    for (const status of ["error", "not-checked"] as const) {
        const byCause = new Map<string, ReportRow[]>();
        for (const row of rowsOf(status)) byCause.set(row.detail ?? "", [...(byCause.get(row.detail ?? "") ?? []), row]);
        for (const [cause, rows] of byCause) {
            out.push(`${STATUS_LABEL[status]} (${rows.length}): ${cause}`);
            out.push(`  ${rows.length <= 6 ? rows.map(describe).join(", ") : `${rows.slice(0, 5).map(describe).join(", ")} and ${rows.length - 5} more`}`);
            out.push("");
        }
    }

    const c = report.counts;
    out.push(
        `adopt ${report.stack}: ${c.adopt} adopt, ${c.update} adopt then updated, ${c.blocked} blocked, ${c.create} to create, ` +
            `${c["not-checked"]} not checked, ${c.error} could not be checked`,
    );
    if (report.importFile) {
        const imported = c.adopt + c.update + c.blocked;
        out.push(`import file: ${report.importFile} (${imported} existing resource${imported === 1 ? "" : "s"})`);
    }
    if (c.blocked > 0) out.push("BLOCKED: resolve every blocked resource (see \"what to do\") and run adopt again before `pulumi import`.");
    else if (c.error > 0) out.push("Some resources could not be checked: fix the cause above and run adopt again before `pulumi import`.");
    else if (report.importFile && report.providers.length > 0) {
        out.push(
            "next (docs/adopt.md): review this report in a pull request; create the providers the file refers to with " +
                `\`pulumi up --stack ${report.stack} ${report.providers.map((p) => `--target '${p}'`).join(" ")}\`; ` +
                `then \`pulumi import --stack ${report.stack} --file ${report.importFile}\`, then \`pulumi preview\` (no replace), then \`pulumi up\``,
        );
    }
    return `${out.join("\n")}\n`;
}
