// The stack as one picture: a Mermaid flowchart with a node per component (the leaf resources
// would make it unreadable), grouped in one subgraph per prototype, and an arrow A --> B when
// something in B waits for something in A (creation order). The longest chain is drawn thick.
import { Estimate, formatDuration, waitsFor } from "./estimate";
import { Plan, PlanResource } from "./types";

export interface GraphNode {
    readonly id: string;
    /** The component (or, for a resource without one, the resource itself). */
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly prototype: string;
    /** Cloud resources the node stands for. */
    readonly resources: number;
}

export interface Graph {
    readonly nodes: readonly GraphNode[];
    /** [from, to] node ids: `to` waits for `from`. */
    readonly edges: readonly (readonly [string, string])[];
}

const isProvider = (r: PlanResource) => r.type.startsWith("pulumi:providers:");

/** The component a custom resource is drawn in: its nearest component ancestor, or itself. */
function ownerOf(r: PlanResource, byUrn: ReadonlyMap<string, PlanResource>): PlanResource {
    for (let at = r.parent ? byUrn.get(r.parent) : undefined; at; at = at.parent ? byUrn.get(at.parent) : undefined) if (!at.custom) return at;
    return r;
}

/** Components aggregated from the resource graph; providers are left out (every node has one). */
export function componentGraph(plan: Plan): Graph {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const waits = waitsFor(plan);
    const drawn = plan.resources.filter((r) => r.custom && !isProvider(r));
    const owners = new Map(drawn.map((r) => [r.urn, ownerOf(r, byUrn)]));
    const ids = new Map<string, string>();
    const nodes: GraphNode[] = [];
    const counts = new Map<string, number>();
    for (const r of drawn) {
        const owner = owners.get(r.urn)!;
        counts.set(owner.urn, (counts.get(owner.urn) ?? 0) + 1);
        if (ids.has(owner.urn)) continue;
        ids.set(owner.urn, `n${ids.size + 1}`);
    }
    for (const [urn, id] of ids) {
        const owner = byUrn.get(urn)!;
        nodes.push({ id, urn, type: owner.type, name: owner.name, prototype: owner.prototype, resources: counts.get(urn) ?? 0 });
    }
    const edges = new Map<string, readonly [string, string]>();
    for (const r of drawn) {
        const to = ids.get(owners.get(r.urn)!.urn)!;
        for (const dep of waits.get(r.urn) ?? []) {
            const owner = owners.get(dep);
            if (!owner) continue; // a provider
            const from = ids.get(owner.urn)!;
            if (from !== to) edges.set(`${from}>${to}`, [from, to]);
        }
    }
    return { nodes, edges: [...edges.values()] };
}

function label(text: string): string {
    return text.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

function groupId(group: string): string {
    return `g_${group.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

export function renderMermaid(plan: Plan, est?: Estimate): string {
    const graph = componentGraph(plan);
    const critical = new Set<string>();
    if (est) {
        const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
        for (const step of est.chain) {
            const owner = ownerOf(byUrn.get(step.urn)!, byUrn);
            const node = graph.nodes.find((n) => n.urn === owner.urn);
            if (node) critical.add(node.id);
        }
    }
    const lines = [
        `%% Stack ${plan.stack}: components by prototype; A --> B means B waits for A. Rendered by \`npm run plan -- --out\`.`,
        "flowchart LR",
    ];
    for (const group of plan.groups) {
        const members = graph.nodes.filter((n) => n.prototype === group);
        if (members.length === 0) continue;
        lines.push(`  subgraph ${groupId(group)}["${label(group)}"]`);
        for (const n of members) {
            const kind = n.type.split(":").pop();
            const text = [kind ?? n.type, n.name, `${n.resources} resource${n.resources === 1 ? "" : "s"}`].map(label).join("<br/>");
            lines.push(`    ${n.id}["${text}"]`);
        }
        lines.push("  end");
    }
    graph.edges.forEach(([from, to]) => lines.push(`  ${from} ${critical.has(from) && critical.has(to) ? "==>" : "-->"} ${to}`));
    if (critical.size > 0 && est) {
        lines.push(`  classDef critical stroke:#c00,stroke-width:3px`);
        lines.push(`  class ${[...critical].join(",")} critical`);
        lines.push(`  %% longest chain: ${formatDuration(est.criticalPathSeconds)}`);
    }
    return `${lines.join("\n")}\n`;
}
