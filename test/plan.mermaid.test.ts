// The stack as one Mermaid picture: components as nodes, one subgraph per prototype, arrows in
// creation order aggregated from the resource dependencies, the longest chain highlighted.
import { runProgram } from "../tools/mockRuntime";
import { estimate } from "../tools/plan/estimate";
import { toPlan } from "../tools/plan/json";
import { componentGraph, renderMermaid } from "../tools/plan/mermaid";
import { Plan } from "../tools/plan/types";
import { planOf, urnOf } from "./fixtures/plans";

const u = (type: string, name: string) => urnOf("staging-co", type, name);

describe("the graph of a small plan", () => {
    const component = (name: string) => u("data-infra:test:Box", name);
    const plan = planOf("staging-co", [
        { type: "pulumi:providers:aws", name: "aws-country-us-east-1" },
        { type: "data-infra:test:Box", name: "base", custom: false },
        { type: "aws:rds/subnetGroup:SubnetGroup", name: "subnets", parent: component("base"), provider: u("pulumi:providers:aws", "aws-country-us-east-1") },
        { type: "data-infra:test:Box", name: 'db "global"', custom: false, prototype: "global" },
        { type: "aws:rds/cluster:Cluster", name: "cluster", parent: component('db "global"'), prototype: "global", dependencies: [u("aws:rds/subnetGroup:SubnetGroup", "subnets")] },
        { type: "aws:rds/clusterInstance:ClusterInstance", name: "instance", parent: component('db "global"'), prototype: "global", dependencies: [u("aws:rds/cluster:Cluster", "cluster"), u("aws:rds/subnetGroup:SubnetGroup", "subnets")] },
    ]);

    test("has a node per component, not per resource, and no provider node", () => {
        const graph = componentGraph(plan);
        expect(graph.nodes.map((n) => [n.name, n.resources])).toEqual([
            ["base", 1],
            ['db "global"', 2],
        ]);
    });

    test("aggregates resource dependencies into one arrow between components, in creation order", () => {
        const graph = componentGraph(plan);
        const [base, db] = graph.nodes;
        expect(graph.edges).toEqual([[base.id, db.id]]);
    });

    test("draws one subgraph per prototype with escaped labels and highlights the longest chain", () => {
        const text = renderMermaid(plan, estimate(plan));
        expect(text).toMatch(/^%%.*\nflowchart LR\n/);
        expect(text).toContain('subgraph g_stack_wide["stack-wide"]');
        expect(text).toContain('subgraph g_global["global"]');
        expect(text).toContain("db #quot;global#quot;");
        expect(text).not.toContain('db "global"');
        expect(text).toMatch(/class n1,n2 critical/);
        expect(text).toContain("n1 ==> n2");
    });
});

describe.each(["staging-co", "prod-co"])("the graph of %s", (stack) => {
    let plan: Plan;
    beforeAll(async () => {
        plan = toPlan(await runProgram({ stack }));
    });

    test("every node is a component (or a resource outside any), drawn in its prototype's subgraph", () => {
        const graph = componentGraph(plan);
        const components = new Set(plan.resources.filter((r) => !r.custom).map((r) => r.urn));
        expect(graph.nodes.length).toBeLessThan(plan.resources.filter((r) => r.custom).length / 2);
        // A resource outside every component stands for itself.
        const loose = new Set(plan.resources.filter((r) => r.custom && !r.parent).map((r) => r.urn));
        for (const node of graph.nodes) expect(components.has(node.urn) || loose.has(node.urn)).toBe(true);
        const text = renderMermaid(plan);
        for (const group of plan.groups) {
            const block = new RegExp(`subgraph g_${group.replace(/-/g, "_")}\\["${group}"\\]\\n((?:    .*\\n)*)  end`).exec(text);
            expect(block).not.toBeNull();
            const ids = [...block![1].matchAll(/^ {4}(n\d+)\[/gm)].map((m) => m[1]);
            expect(ids.sort()).toEqual(graph.nodes.filter((n) => n.prototype === group).map((n) => n.id).sort());
        }
    });

    test("each prototype's Aurora waits for the shared Aurora base and the password", () => {
        const graph = componentGraph(plan);
        const byName = (name: string) => graph.nodes.find((n) => n.name === name)!;
        for (const prototype of plan.groups.filter((g) => g !== "stack-wide")) {
            const db = byName(`${prototype}-barragem-aurora`);
            expect(graph.edges).toContainEqual([byName("barragem-aurora").id, db.id]);
            expect(graph.edges).toContainEqual([byName("barragem-secret").id, db.id]);
        }
    });

    test("no arrow joins two different prototypes but a shard's Conrado tables to global's Tapir, which feeds them", () => {
        const graph = componentGraph(plan);
        const node = new Map(graph.nodes.map((n) => [n.id, n]));
        for (const [from, to] of graph.edges) {
            const [a, b] = [node.get(from)!, node.get(to)!];
            if (a.prototype === "stack-wide" || b.prototype === "stack-wide" || a.prototype === b.prototype) continue;
            expect({ from: a.name, to: b.name }).toEqual({ from: expect.stringMatching(/^(staging|prod)-s\d+-(conrado|serving-layer-schemas)$/), to: "global-tapir" });
        }
    });
});
