// The plan's summary: how many resources, of which types, in which prototype, landing in which
// account and region, how many protected; and the estimated cold `pulumi up` time.
import { Estimate, formatDuration, UNKNOWN_TYPE_SECONDS } from "./estimate";
import { crossings } from "./brief";
import { Plan } from "./types";

export interface Count {
    readonly key: string;
    readonly count: number;
}

export interface PlacementCount {
    readonly account: string;
    readonly region: string;
    /** Provider names behind this account/region. */
    readonly providers: readonly string[];
    readonly count: number;
}

export interface Summary {
    readonly total: number;
    /** Resources the cloud creates (not components, not providers). */
    readonly cloud: number;
    readonly components: number;
    readonly providers: number;
    readonly byType: readonly Count[];
    readonly byPrototype: readonly Count[];
    readonly byPlacement: readonly PlacementCount[];
    readonly protected: number;
    readonly retainedOnDelete: number;
    readonly withSecretInputs: number;
}

const isProvider = (type: string) => type.startsWith("pulumi:providers:");

function counted(keys: readonly string[], order?: readonly string[]): Count[] {
    const counts = new Map<string, number>();
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
    const rank = (k: string) => (order?.includes(k) ? order.indexOf(k) : Number.MAX_SAFE_INTEGER);
    return [...counts]
        .map(([key, count]) => ({ key, count }))
        .sort((a, b) => (order ? rank(a.key) - rank(b.key) : b.count - a.count) || a.key.localeCompare(b.key));
}

export function summarize(plan: Plan): Summary {
    const { resources } = plan;
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const cloud = resources.filter((r) => r.custom && !isProvider(r.type));
    const placements = new Map<string, { account: string; region: string; providers: Set<string>; count: number }>();
    for (const r of cloud) {
        const account = r.account ?? "no account";
        const region = r.region ?? (r.provider ? "" : "default provider");
        const key = `${account}\u0000${region}`;
        const entry = placements.get(key) ?? { account, region, providers: new Set<string>(), count: 0 };
        entry.providers.add(r.provider ? (byUrn.get(r.provider)?.name ?? r.provider) : r.type.split(":")[0]);
        entry.count++;
        placements.set(key, entry);
    }
    return {
        total: resources.length,
        cloud: cloud.length,
        components: resources.filter((r) => !r.custom).length,
        providers: resources.filter((r) => isProvider(r.type)).length,
        byType: counted(resources.map((r) => r.type)),
        byPrototype: counted(
            resources.map((r) => r.prototype),
            plan.groups,
        ),
        byPlacement: [...placements.values()]
            .map((p) => ({ ...p, providers: [...p.providers].sort() }))
            .sort((a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region)),
        protected: resources.filter((r) => r.options.protect).length,
        retainedOnDelete: resources.filter((r) => r.options.retainOnDelete).length,
        withSecretInputs: resources.filter((r) => r.secretInputs.length > 0).length,
    };
}

function table(rows: readonly (readonly string[])[], indent = "    "): string[] {
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i].length))) ?? [];
    return rows.map((r) => indent + r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ").trimEnd());
}

export function renderSummary(plan: Plan, summary: Summary, est: Estimate): string {
    const lines = [
        `Summary of ${plan.stack}: ${summary.total} resources to create — ${summary.cloud} in the cloud, ${summary.providers} providers, ${summary.components} components`,
        `  by prototype: ${summary.byPrototype.map((c) => `${c.key} ${c.count}`).join(" · ")}`,
        `  by account / region (cloud resources):`,
        ...table(summary.byPlacement.map((p) => [p.account, p.region, String(p.count), p.providers.join(", ")])),
        `  by type:`,
        ...table(summary.byType.map((c) => [String(c.count), c.key])),
        `  protected: ${summary.protected} · retained on delete: ${summary.retainedOnDelete} · with secret inputs: ${summary.withSecretInputs}`,
        "",
        ...renderEstimate(est),
    ];
    return `${lines.join("\n")}\n`;
}

export function renderEstimate(est: Estimate): string[] {
    const lines = [
        `Estimated cold \`pulumi up\`: ${formatDuration(est.criticalPathSeconds)} (longest chain, Pulumi's default unbounded --parallel); ` +
            `${formatDuration(est.serialSeconds)} if created one at a time`,
        `  longest chain:`,
        ...est.chain.map((s) => `    ${formatDuration(s.doneAt).padStart(11)}  ${s.type} ${s.name} (+${formatDuration(s.seconds)}, ${s.prototype})`),
    ];
    const { expected, unexpected } = crossings(est);
    for (const line of [expected, unexpected]) if (line) lines.push(`  ${line}`);
    if (est.assumedTypes.length > 0) {
        lines.push(`  no typical time known for ${est.assumedTypes.join(", ")}: counted at ${UNKNOWN_TYPE_SECONDS}s each (table in tools/plan/estimate.ts)`);
    }
    return lines;
}
