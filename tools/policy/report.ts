// How check:policy shows an evaluation: each violation with its resource, rule and fix, then one
// summary line per stack. Text for terminals, Markdown for pull-request comments and job summaries.
import type { Evaluation, Violation } from "./evaluate";

function resourceOf(v: Violation): string {
    if (v.resourceType) return `${v.resourceType} "${v.resourceName}"`;
    return v.urn ? v.urn : "(the stack)";
}

export function summaryLine(e: Evaluation): string {
    const mandatory = e.violations.filter((v) => v.enforcementLevel === "mandatory").length;
    const advisory = e.violations.length - mandatory;
    const verdict = mandatory === 0 ? "OK" : "FAILED";
    return `${e.stack}: ${verdict}, ${mandatory} mandatory and ${advisory} advisory violation(s); ${e.rulesRun} rules checked ${e.resourcesChecked} resources.`;
}

export function formatText(e: Evaluation): string {
    const lines: string[] = [];
    for (const v of e.violations) {
        lines.push(`✗ [${v.enforcementLevel}] ${v.rule}`);
        lines.push(`    resource: ${resourceOf(v)}`);
        lines.push(`    problem:  ${v.message}`);
        if (v.fix) lines.push(`    fix:      ${v.fix}`);
    }
    lines.push(summaryLine(e));
    return lines.join("\n");
}

function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function formatMarkdown(e: Evaluation): string {
    const lines = [`### Policy check: \`${e.stack}\``, "", summaryLine(e)];
    if (e.violations.length > 0) {
        lines.push("", "| level | rule | resource | problem | fix |", "|---|---|---|---|---|");
        for (const v of e.violations) {
            lines.push(`| ${v.enforcementLevel} | \`${v.rule}\` | ${cell(resourceOf(v))} | ${cell(v.message)} | ${cell(v.fix ?? "")} |`);
        }
    }
    return lines.join("\n");
}
