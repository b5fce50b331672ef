// `npm run adopt -- --stack <s> --check-state <export.json>`: the pipeline's guard before each
// `pulumi up`. adopt's survey knows which planned resources already exist in AWS; the stack's
// state (`pulumi stack export`) says which the stack manages. A resource that exists but is not
// in the state is one `up` would either fail on half-way (Aurora: DBClusterAlreadyExistsFault) or
// silently take over (S3 CreateBucket of a bucket the account already owns in us-east-1
// succeeds), after which a change or destroy of the stack touches data nobody handed over.
import * as fs from "fs";
import type { ReportRow, Status } from "./report";

/** What a stack's state holds, as `pulumi stack export` prints it. */
export interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly id?: string;
}

/** The state export cannot be read: the run stops (exit 2) before anything is looked at. */
export class StateExportError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StateExportError";
    }
}

/**
 * Reads `pulumi stack export --stack <stack>`'s JSON: `{version, deployment: {resources?: [{urn,
 * type, id?}]}}`. A destroyed stack's export has no `resources`, and a stack no `up` has saved yet
 * exports `"deployment": null`: both are an empty state. Anything else is refused with
 * the file's name: a check that read the wrong file as "nothing managed" would only fail later,
 * and one that read it as "everything managed" would let `up` through.
 */
export function readStateExport(file: string, stack: string): StateResource[] {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new StateExportError(`--check-state ${file}: cannot read it (${(err as Error).message}); make it with \`pulumi stack export --stack ${stack} > ${file}\``);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (err) {
        throw new StateExportError(`--check-state ${file}: not JSON (${(err as Error).message}); expected the output of \`pulumi stack export --stack ${stack}\``);
    }
    const notExport = (why: string) =>
        new StateExportError(`--check-state ${file}: not a stack export (${why}); expected the output of \`pulumi stack export --stack ${stack}\`: {"version": 3, "deployment": {"resources": [...]}}`);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw notExport("not a JSON object");
    if (!("deployment" in parsed)) throw notExport("no `deployment`");
    const deployment = (parsed as { deployment?: unknown }).deployment;
    // A stack that `pulumi stack init` made and no `up` has saved yet: the S3 (diy) backend keeps
    // no checkpoint, and `pulumi stack export` prints `"deployment": null`. An empty state.
    if (deployment === null) return [];
    if (typeof deployment !== "object" || Array.isArray(deployment)) throw notExport("`deployment` is not an object");
    const resources = (deployment as { resources?: unknown }).resources;
    if (resources === undefined || resources === null) return [];
    if (!Array.isArray(resources)) throw notExport("`deployment.resources` is not a list");
    return resources.map((r: unknown, i) => {
        const { urn, type, id } = (r ?? {}) as Record<string, unknown>;
        if (typeof urn !== "string" || typeof type !== "string") throw notExport(`deployment.resources[${i}] has no string \`urn\` and \`type\``);
        const stackOfUrn = urn.split("::")[0].replace(/^urn:pulumi:/, "");
        if (stackOfUrn !== stack) throw new StateExportError(`--check-state ${file}: holds stack ${JSON.stringify(stackOfUrn)}'s resources (${urn}), not ${stack}'s`);
        return { urn, type, ...(typeof id === "string" && id !== "" ? { id } : {}) };
    });
}

/** The verdicts that mean "it is there in AWS" (report.ts); `create` and `not-checked` do not. */
const EXISTS: readonly Status[] = ["adopt", "update", "blocked", "import-separately"];

/** What the state holds: by URN, and by type and id (a resource imported under another name or parent). */
function heldBy(state: readonly StateResource[]): { byUrn: (row: ReportRow) => boolean; byUrnOrId: (row: ReportRow) => boolean } {
    const urns = new Set(state.map((r) => r.urn));
    const typeIds = new Set(state.filter((r) => r.id !== undefined).map((r) => `${r.type}\u0000${r.id}`));
    const byUrn = (row: ReportRow) => urns.has(row.urn);
    return { byUrn, byUrnOrId: (row) => byUrn(row) || (row.id !== undefined && typeIds.has(`${row.type}\u0000${row.id}`)) };
}

export interface StateCheckReport {
    readonly command: "adopt --check-state";
    readonly stack: string;
    readonly stateFile: string;
    /** Nothing exists outside the state and everything could be looked at. */
    readonly ok: boolean;
    readonly unmanaged: readonly ReportRow[];
    /** Resources whose look failed: they may exist, so the check cannot pass. */
    readonly couldNotCheck: readonly ReportRow[];
    readonly remedy: readonly string[];
}

export function buildStateCheck(stack: string, stateFile: string, rows: readonly ReportRow[], state: readonly StateResource[]): StateCheckReport {
    const held = heldBy(state);
    // Every planned resource that exists in AWS but that the state does not hold.
    const outside = rows.filter((r) => EXISTS.includes(r.status) && !held.byUrnOrId(r));
    // A look that failed blocks only where a take-over is possible: a resource the state already
    // holds is the stack's own, whatever AWS answered about it (a deployed stack is not stopped
    // by one throttled or refused look).
    const couldNotCheck = rows.filter((r) => r.status === "error" && !held.byUrn(r));
    return {
        command: "adopt --check-state",
        stack,
        stateFile,
        ok: outside.length === 0 && couldNotCheck.length === 0,
        unmanaged: outside,
        couldNotCheck,
        remedy: [
            `npm run adopt -- --stack ${stack} --out import/${stack}.json`,
            `pulumi import --stack ${stack} --file import/${stack}.json --protect --generate-code=false --yes`,
        ],
    };
}

export function formatStateCheck(report: StateCheckReport): string {
    const out: string[] = [];
    const name = (row: ReportRow) => `${row.type.split(":").pop()} ${row.name}${row.id ? `  [id ${row.id}]` : ""}`;
    if (report.unmanaged.length > 0) {
        out.push(`EXISTS IN AWS, NOT IN THE STATE (${report.unmanaged.length}): \`pulumi up\` would fail on these or take them over`);
        for (const row of report.unmanaged) {
            out.push(`  ${name(row)}`);
            out.push(`      ${row.urn}`);
            if (row.status === "blocked" && row.remedy) out.push(`      BLOCKED for import: ${row.remedy}`);
            if (row.step) out.push(`      after \`pulumi import\`: ${row.step}`);
        }
        out.push("");
    }
    if (report.couldNotCheck.length > 0) {
        out.push(`COULD NOT CHECK (${report.couldNotCheck.length}): they may exist; fix the cause and run again`);
        for (const row of report.couldNotCheck) out.push(`  ${name(row)}: ${row.detail ?? ""}`);
        out.push("");
    }
    if (report.ok) {
        out.push(`adopt ${report.stack} --check-state ${report.stateFile}: every planned resource that exists in AWS is in the stack's state; \`pulumi up\` takes over nothing.`);
    } else {
        out.push(`adopt ${report.stack} --check-state ${report.stateFile}: REFUSED, ${report.unmanaged.length} exist outside the state, ${report.couldNotCheck.length} could not be checked.`);
        if (report.unmanaged.length > 0) {
            out.push(
                "what to do (docs/adopt.md \"The pipeline refuses to take over what exists\"): bring them under management first, " +
                    "review adopt's report in a pull request, then with the deploy role and the stack's backend:",
            );
            report.remedy.forEach((step, i) => out.push(`  ${i + 1}. ${step}`));
        }
    }
    return `${out.join("\n")}\n`;
}
