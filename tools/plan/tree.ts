// The plan as `pulumi preview` shows it: one tree of components and their resources, here split
// into one section per prototype ("stack-wide" first) so a reviewer reads a prototype at a time.
import { Plan, PlanResource } from "./types";

/** Marks after a resource's name: what protects it and which of its inputs are secrets. */
export function marksOf(r: PlanResource): string[] {
    const marks: string[] = [];
    if (r.options.protect) marks.push("protected");
    if (r.options.retainOnDelete) marks.push("retained on delete");
    if (r.secretInputs.length > 0) marks.push(`secret: ${r.secretInputs.join(", ")}`);
    return marks;
}

interface Row {
    readonly left: string;
    readonly name: string;
    readonly marks: readonly string[];
}

const isProvider = (r: PlanResource) => r.type.startsWith("pulumi:providers:");

export function renderTree(plan: Plan): string {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const sections: { group: string; rows: Row[] }[] = [];
    for (const group of plan.groups) {
        const members = plan.resources.filter((r) => r.prototype === group);
        if (members.length === 0) continue;
        const inGroup = new Set(members.map((r) => r.urn));
        const children = new Map<string, PlanResource[]>();
        const roots: PlanResource[] = [];
        for (const r of members) {
            if (r.parent && inGroup.has(r.parent)) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
            else roots.push(r);
        }
        roots.sort((a, b) => Number(isProvider(b)) - Number(isProvider(a)));
        const rows: Row[] = [];
        const walk = (r: PlanResource, lead: string, branch: string) => {
            const parent = r.parent ? byUrn.get(r.parent) : undefined;
            const elsewhere = branch === "" && parent ? [`under ${parent.prototype} ${parent.name}`] : [];
            rows.push({ left: `${lead}${branch}${r.type}`, name: r.name, marks: [...marksOf(r), ...elsewhere] });
            const kids = children.get(r.urn) ?? [];
            kids.forEach((kid, i) => {
                const lastKid = i === kids.length - 1;
                const nextLead = branch === "" ? lead : `${lead}${branch === "└─ " ? "   " : "│  "}`;
                walk(kid, nextLead, lastKid ? "└─ " : "├─ ");
            });
        };
        for (const root of roots) walk(root, "", "");
        sections.push({ group, rows });
    }

    const width = Math.min(70, Math.max(0, ...sections.flatMap((s) => s.rows.map((r) => r.left.length))));
    const out = [`Plan of stack ${plan.stack}: every resource \`pulumi up\` would create (offline: mock runtime, no cloud calls)`, ""];
    for (const { group, rows } of sections) {
        out.push(`${group} (${rows.length} resource${rows.length === 1 ? "" : "s"})`);
        for (const row of rows) {
            const marks = row.marks.length > 0 ? `  [${row.marks.join("; ")}]` : "";
            out.push(` + ${row.left.padEnd(width)}  ${row.name}${marks}`);
        }
        out.push("");
    }
    return `${out.join("\n")}`;
}
