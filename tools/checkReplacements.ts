// `npm run check:replacements -- <preview.json>`: refuses a deployment whose preview would
// replace a protected resource. Reads `pulumi preview --json` (its `steps`, each with `op`,
// `urn` and the `oldState`/`newState` that carry `protect`). The engine itself stops a replace
// of a resource that stays protected, but it lets one through when the same change also drops
// `protect` from the program (pulumi/pulumi#8873): after an import (docs/adopt.md) that is
// exactly the mistake that would delete a country's data. The deploy workflow runs this before
// every `pulumi up`.
import * as fs from "fs";

/** Steps of a replacement: the new copy, the swap, the deletion of the old one. */
export const REPLACEMENT_OPS = new Set(["replace", "create-replacement", "delete-replaced", "import-replacement", "discard-replaced"]);

interface PreviewState {
    readonly type?: string;
    readonly id?: string;
    readonly protect?: boolean;
}

interface PreviewStep {
    readonly op?: string;
    readonly urn?: string;
    readonly oldState?: PreviewState;
    readonly newState?: PreviewState;
    readonly replaceReasons?: readonly string[];
}

interface PreviewDiagnostic {
    readonly urn?: string;
    readonly message?: string;
    readonly severity?: string;
}

export interface Refusal {
    readonly urn: string;
    readonly id?: string;
    readonly reasons: readonly string[];
}

export class PreviewFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PreviewFileError";
    }
}

/** Parses `pulumi preview --json` output, refusing anything else (an empty or failed preview is not a pass). */
export function parsePreview(text: string, source: string): { steps: PreviewStep[]; diagnostics: PreviewDiagnostic[] } {
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        throw new PreviewFileError(`${source} is not JSON: expected the output of \`pulumi preview --json\``);
    }
    const doc = parsed as { steps?: unknown; diagnostics?: unknown };
    if (doc === null || typeof doc !== "object" || !Array.isArray(doc.steps)) {
        throw new PreviewFileError(`${source} has no "steps": expected the output of \`pulumi preview --json\``);
    }
    return { steps: doc.steps as PreviewStep[], diagnostics: Array.isArray(doc.diagnostics) ? (doc.diagnostics as PreviewDiagnostic[]) : [] };
}

/** One refusal per protected resource the preview would replace (its steps collapsed into one). */
export function protectedReplacements(steps: readonly PreviewStep[]): Refusal[] {
    const byUrn = new Map<string, Refusal>();
    for (const step of steps) {
        if (!step.op || !REPLACEMENT_OPS.has(step.op) || !step.urn) continue;
        if (step.oldState?.protect !== true && step.newState?.protect !== true) continue;
        const known = byUrn.get(step.urn);
        const reasons = [...new Set([...(known?.reasons ?? []), ...(step.replaceReasons ?? [])])];
        byUrn.set(step.urn, { urn: step.urn, id: known?.id ?? step.oldState?.id, reasons });
    }
    return [...byUrn.values()];
}

/** The engine's own refusal (a replace of a resource that stays protected) is reported the same way. */
export function protectionErrors(diagnostics: readonly PreviewDiagnostic[]): PreviewDiagnostic[] {
    return diagnostics.filter((d) => d.severity === "error" && /marked for protection/.test(d.message ?? ""));
}

export function checkReplacements(files: readonly string[], out: (text: string) => void): number {
    if (files.length === 0) {
        out("usage: npm run check:replacements -- <preview.json> …   (the output of `pulumi preview --json`)\n");
        return 2;
    }
    let refused = 0;
    for (const file of files) {
        let preview;
        try {
            preview = parsePreview(fs.readFileSync(file, "utf8"), file);
        } catch (err) {
            out(`${(err as Error).message}\n`);
            return 2;
        }
        const refusals = protectedReplacements(preview.steps);
        const engine = protectionErrors(preview.diagnostics).filter((d) => !refusals.some((r) => r.urn === d.urn));
        for (const r of refusals) {
            out(`REFUSED: ${file}: the preview replaces protected ${r.urn}${r.id ? ` (id ${r.id})` : ""}${r.reasons.length > 0 ? ` because of ${r.reasons.join(", ")}` : ""}\n`);
        }
        for (const d of engine) out(`REFUSED: ${file}: ${d.urn ?? ""} ${(d.message ?? "").trim()}\n`);
        refused += refusals.length + engine.length;
    }
    if (refused > 0) {
        out(
            `\n${refused} protected resource${refused === 1 ? "" : "s"} would be replaced: deleting the original loses its data. ` +
                "Change the program or the stack config back to what exists (adopt's report names the property), " +
                "or, if the replacement is really wanted, do it by hand as docs/adopt.md \"Blocked resources\" says.\n",
        );
        return 1;
    }
    out(`no protected resource is replaced (${files.join(", ")})\n`);
    return 0;
}

if (require.main === module) {
    process.exit(checkReplacements(process.argv.slice(2), (text) => process.stdout.write(text)));
}
