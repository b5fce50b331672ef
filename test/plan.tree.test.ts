// The plan's tree and summary: what `npm run plan -- --stack <stack>` prints, grouped per
// prototype, and the rule that decides a resource's prototype.
import { loadStackConfig, runProgram } from "../tools/mockRuntime";
import { toPlan } from "../tools/plan/json";
import { prototypeOf, ResourceLike } from "../tools/plan/prototype";
import { renderSummary, summarize } from "../tools/plan/summary";
import { renderTree } from "../tools/plan/tree";
import { estimate } from "../tools/plan/estimate";
import { Plan } from "../tools/plan/types";

function r(urn: string, name: string, extra: Partial<ResourceLike> = {}): ResourceLike {
    return { urn, type: "test:index:Thing", name, inputs: {}, ...extra };
}

describe("prototypeOf", () => {
    const none = new Map<string, ResourceLike>();

    test("reads the prototype tag of an AWS resource", () => {
        expect(prototypeOf(r("a", "anything", { inputs: { tags: { prototype: "s3" } } }), none)).toBe("s3");
    });

    test("reads a Kubernetes label, also a domain-qualified one", () => {
        expect(prototypeOf(r("a", "veiga", { inputs: { metadata: { labels: { "data-infra/prototype": "global" } } } }), none)).toBe("global");
    });

    test("reads the naming rule <env>-<prototype>-… and <prototype>-…", () => {
        expect(prototypeOf(r("a", "staging-s0-conrado"), none)).toBe("s0");
        expect(prototypeOf(r("a", "global-barragem-aurora"), none)).toBe("global");
    });

    test("never takes a country, an env or a random word for a prototype", () => {
        expect(prototypeOf(r("a", "nu-spark-static-co-staging"), none)).toBe("stack-wide");
        expect(prototypeOf(r("a", "staging-barragem-aurora-postgres16-cluster", { inputs: { tags: { prototype: "s99" } } }), none)).toBe("stack-wide");
    });

    test("a Kubernetes object takes its provider's prototype", () => {
        const provider = r("p", "k8s-s1", { type: "pulumi:providers:kubernetes" });
        expect(prototypeOf(r("a", "veiga", { provider: "p" }), new Map([["p", provider]]))).toBe("s1");
    });

    test("a resource without a prototype of its own takes its nearest ancestor's", () => {
        const outer = r("outer", "s2-services");
        const inner = r("inner", "veiga", { parent: "outer" });
        expect(prototypeOf(r("leaf", "config", { parent: "inner" }), new Map([["outer", outer], ["inner", inner]]))).toBe("s2");
    });

    test("what names no prototype anywhere in its ancestry is stack-wide", () => {
        const base = r("base", "barragem-aurora");
        expect(prototypeOf(r("leaf", "barragem-staging", { parent: "base" }), new Map([["base", base]]))).toBe("stack-wide");
    });
});

/** The tree's rows of one section, as [text before the name, name, marks]. */
function section(text: string, group: string): string[] {
    const lines = text.split("\n");
    const start = lines.findIndex((l) => l.startsWith(`${group} (`));
    if (start < 0) return [];
    const end = lines.findIndex((l, i) => i > start && l.trim() === "");
    return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe.each(["staging-co", "prod-co"])("the plan of %s", (stack) => {
    let plan: Plan;
    let tree: string;
    beforeAll(async () => {
        plan = toPlan(await runProgram({ stack }));
        tree = renderTree(plan);
    });

    test("sections are stack-wide first, then the stack file's prototypes in order", () => {
        const prototypes = JSON.parse(loadStackConfig(stack)["data-infra:prototypes"]) as string[];
        const headers = tree.split("\n").filter((l) => /^[\w-]+ \(\d+ resources?\)$/.test(l)).map((l) => l.split(" ")[0]);
        expect(headers).toEqual(["stack-wide", ...prototypes]);
    });

    test("every resource is one row, in its prototype's section, with its type and name", () => {
        const rows = tree.split("\n").filter((l) => l.startsWith(" + "));
        expect(rows).toHaveLength(plan.resources.length);
        for (const resource of plan.resources) {
            const found = section(tree, resource.prototype).filter((row) => row.includes(`${resource.type} `) && new RegExp(` ${resource.name}( |$)`).test(row));
            expect(found.length).toBeGreaterThanOrEqual(1);
        }
    });

    test("every protected or retained resource is marked, and nothing else is", () => {
        const rows = tree.split("\n").filter((l) => l.startsWith(" + "));
        expect(rows.filter((l) => l.includes("[protected")).length).toBe(plan.resources.filter((x) => x.options.protect).length);
        expect(rows.filter((l) => l.includes("retained on delete")).length).toBe(plan.resources.filter((x) => x.options.retainOnDelete).length);
        const cluster = rows.find((l) => l.includes("aws:rds/cluster:Cluster"))!;
        expect(cluster).toMatch(/\[protected; secret: masterPassword\]/);
    });

    test("a component's resources are drawn under it", () => {
        const rows = section(tree, "global");
        const component = rows.findIndex((l) => l.includes("data-infra:aurora:BarragemAurora ") && l.includes(" global-barragem-aurora"));
        expect(component).toBeGreaterThanOrEqual(0);
        const children: string[] = [];
        for (const row of rows.slice(component + 1)) {
            if (!/^ \+ [│├└ ]/.test(row)) break;
            children.push(row);
        }
        expect(children.some((l) => l.includes("├─ aws:rds/cluster:Cluster") || l.includes("└─ aws:rds/cluster:Cluster"))).toBe(true);
        expect(children.some((l) => /[├└]─ aws:rds\/clusterInstance:ClusterInstance/.test(l))).toBe(true);
    });

    test("the summary counts add up and name every account and region the providers pin", () => {
        const summary = summarize(plan);
        expect(summary.byPrototype.reduce((n, c) => n + c.count, 0)).toBe(plan.resources.length);
        expect(summary.byType.reduce((n, c) => n + c.count, 0)).toBe(plan.resources.length);
        expect(summary.cloud + summary.providers + summary.components).toBe(plan.resources.length);
        expect(summary.byPlacement.reduce((n, p) => n + p.count, 0)).toBe(summary.cloud);
        const config = loadStackConfig(stack);
        const accounts = summary.byPlacement.map((p) => p.account);
        expect(accounts).toContain(config["data-infra:countryAccountId"]);
        expect(accounts).toContain(config["data-infra:dataAccountId"]);
        const text = renderSummary(plan, summary, estimate(plan));
        expect(text).toContain(`${summary.total} resources to create`);
        for (const p of summary.byPlacement) expect(text).toMatch(new RegExp(`${p.account}\\s+${p.region.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s+${p.count}\\s`));
        expect(text).toContain(`protected: ${plan.resources.filter((x) => x.options.protect).length}`);
    });

    test("the summary ends with the estimated cold pulumi up and its longest chain", () => {
        const text = renderSummary(plan, summarize(plan), estimate(plan));
        expect(text).toMatch(/Estimated cold `pulumi up`: \d+m \d\ds .* if created one at a time/);
        expect(text).toMatch(/longest chain:\n(.*\n)*.*aws:rds\/cluster:Cluster .*barragem-aurora/);
    });
});
