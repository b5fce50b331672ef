// The report a person acts on (and reviews in the pull request that adds the import file):
// one row per planned resource with its verdict, the properties the next `up` changes, what to
// do about blocked ones, and each cause of a failed look said once.
import type { Surveyed } from "./survey";

export type Status = "adopt" | "update" | "import-separately" | "set-on-existing" | "blocked" | "create" | "not-checked" | "error";

export const STATUS_LABEL: Record<Status, string> = {
    adopt: "adopt",
    update: "adopt, then updated",
    "import-separately": "import separately",
    "set-on-existing": "created on an existing resource, changing it",
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
    /** What stays as it is but a reviewer should know. */
    readonly notes?: readonly string[];
    readonly problems?: readonly string[];
    readonly remedy?: string;
    readonly detail?: string;
    /** For "import separately": the command that imports it (docs/adopt.md "The Barragem password"). */
    readonly step?: string;
    /** For a failed look: its own error message (the row's `detail` is the cause shared with others). */
    readonly error?: string;
}

export interface AdoptReport {
    readonly command: "adopt";
    readonly stack: string;
    /** Nothing blocked and everything that could be looked at was. */
    readonly ok: boolean;
    readonly counts: Record<Status, number>;
    readonly importFile?: string;
    /** `--out` was given but the file was not written (something blocked or not looked at). */
    readonly importFileWithheld?: string;
    /** Provider URNs the import file refers to: they must be in the stack before `pulumi import`. */
    readonly providers: readonly string[];
    readonly rows: readonly ReportRow[];
}

/** One row per resource; `urnOf` gives the URN the engine knows it by (importFile.ts engineUrn). */
export function toRows(surveyed: readonly Surveyed[], urnOf: (urn: string) => string = (urn) => urn): ReportRow[] {
    return surveyed.map(({ target, finding, error, cause }): ReportRow => {
        const base = { urn: urnOf(target.resource.urn), type: target.resource.type, name: target.resource.name };
        // A failed look is reported under its cause (said once), with its own message kept as `error`.
        if (!finding) return { ...base, status: "error", detail: cause ?? error ?? "not looked at", ...(error && error !== cause ? { error } : {}) };
        switch (finding.status) {
            case "adopt":
                return { ...base, status: "adopt", id: finding.id, detail: finding.detail, ...(finding.notes ? { notes: finding.notes } : {}) };
            case "update":
                return { ...base, status: "update", id: finding.id, changes: finding.changes, ...(finding.notes ? { notes: finding.notes } : {}) };
            case "blocked":
                return { ...base, status: "blocked", id: finding.id, problems: finding.problems, remedy: finding.remedy };
            case "import-separately":
                return { ...base, status: "import-separately", detail: finding.detail, step: finding.step };
            case "create":
                return { ...base, status: "create", detail: finding.detail };
            case "set-on-existing":
                return { ...base, status: "set-on-existing", detail: finding.detail, changes: finding.changes };
            case "not-checked":
                return { ...base, status: "not-checked", detail: finding.reason };
        }
    });
}

export function buildReport(stack: string, rows: readonly ReportRow[], providers: readonly string[], out?: string): AdoptReport {
    const counts: Record<Status, number> = { adopt: 0, update: 0, "import-separately": 0, "set-on-existing": 0, blocked: 0, create: 0, "not-checked": 0, error: 0 };
    for (const row of rows) counts[row.status] += 1;
    const ok = counts.blocked === 0 && counts.error === 0;
    return { command: "adopt", stack, ok, counts, ...(out === undefined ? {} : ok ? { importFile: out } : { importFileWithheld: out }), providers: ok ? providers : [], rows };
}

const ORDER: readonly Status[] = ["blocked", "error", "update", "set-on-existing", "import-separately", "adopt", "create", "not-checked"];

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
            for (const note of row.notes ?? []) out.push(`      note: ${note}`);
            for (const problem of row.problems ?? []) out.push(`      ${problem}`);
            if (row.remedy) out.push(`      what to do: ${row.remedy}`);
            if (row.step) out.push(`      after \`pulumi import\`, with the deploy role: ${row.step}`);
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
        `adopt ${report.stack}: ${c.adopt} adopt, ${c.update} adopt then updated, ${c["import-separately"]} to import separately, ${c.blocked} blocked, ` +
            `${c["set-on-existing"]} created on existing resources, ${c.create} to create, ${c["not-checked"]} not checked, ${c.error} could not be checked`,
    );
    if (report.importFile) {
        const imported = c.adopt + c.update;
        out.push(`import file: ${report.importFile} (${imported} existing resource${imported === 1 ? "" : "s"})`);
    }
    if (report.importFileWithheld) out.push(`import file NOT written to ${report.importFileWithheld}: adopt writes it only when nothing is blocked and everything was looked at.`);
    if (c.blocked > 0) out.push("BLOCKED: resolve every blocked resource (see \"what to do\") and run adopt again before `pulumi import`.");
    else if (c.error > 0) out.push("Some resources could not be checked: fix the cause above and run adopt again before `pulumi import`.");
    else if (report.importFile) out.push(...nextSteps(report));
    return `${out.join("\n")}\n`;
}

/** The commands after review, in order (README "Bringing an existing country under management"). */
export function nextSteps(report: AdoptReport): string[] {
    const s = report.stack;
    const steps = [
        ...(report.providers.length > 0
            ? [`pulumi up --stack ${s} ${report.providers.map((p) => `--target '${p}'`).join(" ")} --yes   # only the providers the file refers to`]
            : []),
        // --generate-code=false: the program already declares these; --protect is the default, said out loud.
        `pulumi import --stack ${s} --file ${report.importFile} --protect --generate-code=false --yes`,
        ...report.rows.filter((r) => r.status === "import-separately" && r.step).map((r) => r.step!),
        `pulumi preview --stack ${s} --diff   # only the updates listed above and the creates, no replace`,
        `pulumi preview --stack ${s} --json > /tmp/preview.json && npm run check:replacements -- /tmp/preview.json`,
        `pulumi up --stack ${s}`,
    ];
    return ["next (docs/adopt.md): review this report in a pull request; then, with the deploy role and the stack's backend:", ...steps.map((step, i) => `  ${i + 1}. ${step}`)];
}
