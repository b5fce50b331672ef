// `npm run plan -- --stack <s> --summary`: the plan on one screen (≤ 60 lines, even for 16
// prototypes): counts per prototype × kind, the estimate and what needs attention.
import { main } from "../tools/plan";
import { brief, describeCrossing, isExpectedCrossing, kindOf, renderBrief } from "../tools/plan/brief";
import { estimate } from "../tools/plan/estimate";
import { toPlan } from "../tools/plan/json";
import { renderEstimate, summarize } from "../tools/plan/summary";
import { Plan } from "../tools/plan/types";
import { runProgram } from "../tools/mockRuntime";
import { configFrom, prototypesWithShards, runWithShards } from "./helpers/stacks";

async function plan(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join("\n"), err: err.join("\n") };
}

const SIXTEEN = prototypesWithShards(15);

describe("--summary of a 16-prototype stack", () => {
    let sixteen: Plan;
    let text: string;
    beforeAll(async () => {
        sixteen = toPlan(await runWithShards(15));
        text = renderBrief(sixteen, summarize(sixteen), estimate(sixteen));
    }, 120_000);

    test("fits one screen: 60 lines or fewer", () => {
        expect(sixteen.groups).toHaveLength(17); // stack-wide + 16 prototypes
        expect(text.trimEnd().split("\n").length).toBeLessThanOrEqual(60);
    });

    test("has one row per prototype whose counts add up to the cloud resources of that prototype", () => {
        const b = brief(sixteen, estimate(sixteen));
        const cloud = sixteen.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
        for (const prototype of SIXTEEN) {
            const row = b.matrix.find((m) => m.group === prototype)!;
            expect(row.total).toBe(cloud.filter((r) => r.prototype === prototype).length);
            expect(text).toMatch(new RegExp(`^  ${prototype}\\s+${row.total}\\s`, "m"));
        }
        const total = b.matrix.find((m) => m.group === "total")!;
        expect(total.total).toBe(cloud.length);
        // Tapir and Ouroboros tables exist on global only: global has more tables than a shard.
        expect(b.matrix.find((m) => m.group === "global")!.byKind.DynamoDB).toBe(6);
        expect(b.matrix.find((m) => m.group === "s14")!.byKind.DynamoDB).toBe(4);
    });

    test("prints the estimate in one line", () => {
        const est = estimate(sixteen);
        const line = text.split("\n").filter((l) => l.startsWith("Estimated cold `pulumi up`:"));
        expect(line).toHaveLength(1);
        expect(line[0]).toContain(`${est.chain.length} steps`);
    });
});

test("each type lands in the kind a reader expects", () => {
    expect(kindOf("aws:s3/bucketPolicy:BucketPolicy")).toBe("S3");
    expect(kindOf("aws:rds/clusterInstance:ClusterInstance")).toBe("Aurora");
    expect(kindOf("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")).toBe("network");
    expect(kindOf("aws:cloudwatch/metricAlarm:MetricAlarm")).toBe("alarms");
    expect(kindOf("kubernetes:batch/v1:CronJob")).toBe("k8s");
    expect(kindOf("random:index/randomPassword:RandomPassword")).toBe("other");
});

describe("staging-co through the command", () => {
    let full: { code: number; out: string };
    let summary: { code: number; out: string };
    beforeAll(async () => {
        [full, summary] = [await plan("--stack", "staging-co"), await plan("--stack", "staging-co", "--summary")];
    }, 120_000);

    test("with alerts off it says so under needs attention, and names the secret inputs without their values", () => {
        expect(summary.code).toBe(0);
        expect(summary.out).toMatch(/Needs attention:\n {2}- alerts are off: \d+ of \d+ alarms notify nobody \(data-infra:alertsEnabled is false\)/);
        expect(summary.out).toContain("masterPassword");
        expect(summary.out).not.toContain("MOCK-SECRET");
    });

    test("Tapir's expected wait for Conrado is named by short names, outside needs attention", () => {
        const attention = summary.out.slice(summary.out.indexOf("Needs attention"));
        expect(summary.out).toMatch(/Expected cross-prototype waits: \d+ \(Tapir feeds each prototype's tables\), e\.g\. global-tapir \(Deployment\) waits for staging-s0-(conrado|serving-layer-schemas) \(DynamoDB table\)/);
        expect(attention).not.toMatch(/cross prototypes|tapir/);
        expect(summary.out).not.toContain("urn:pulumi:");
        const waits = summary.out.split("\n").find((l) => l.startsWith("Expected cross-prototype waits"))!;
        expect(waits.length).toBeLessThanOrEqual(160);
    });

    test("the full tree words Tapir's waits as the summary does: expected, not as serialising prototypes", () => {
        expect(full.out).toMatch(/\n {2}Expected cross-prototype waits: \d+ \(Tapir feeds each prototype's tables\), e\.g\. global-tapir \(Deployment\) waits for staging-s0-/);
        expect(full.out).not.toMatch(/serialise/);
    });

    test("Kubernetes objects are counted per cluster, one per prototype (no kubeconfig context is configured)", () => {
        expect(summary.out).toMatch(/ · kubernetes \d+ on 2 clusters · /);
    });

    test("every type of the plan has a typical creation time: nothing is estimated by guess", () => {
        expect(summary.out).not.toContain("estimate guesses");
    });

    test("resources on no account are named, not counted as `no account: default provider 1`", () => {
        expect(summary.out).not.toContain("no account: default provider");
        expect(summary.out).toMatch(/no cloud account \(default provider\): barragem-secret-master-password \(RandomPassword\)/);
    });

    test("the full tree stays the default; --summary prints no tree", () => {
        expect(full.out).toContain("Summary of staging-co");
        expect(full.out.split("\n").length).toBeGreaterThan(200);
        expect(summary.out).not.toContain("Summary of staging-co");
        expect(summary.out).toContain("Cloud resources per prototype and kind:");
    });
});

test("with alerts on, the alerts line is gone", async () => {
    const p = toPlan(await runProgram({ stack: "staging-co", config: configFrom("staging-co", { "data-infra:alertsEnabled": "true" }) }));
    expect(brief(p, estimate(p)).attention.some((a) => a.startsWith("alerts are off"))).toBe(false);
}, 120_000);

test("the program's warnings head the needs-attention list", () => {
    const p = toPlan({ stack: "x", resources: [], invokes: [], outputs: {}, secretOutputs: [], plainInputs: new Map(), warnings: [], invented: {} });
    const attention = brief(p, estimate(p), ["data-infra:foo is deprecated"]).attention;
    expect(attention[0]).toBe("warning: data-infra:foo is deprecated");
});

test("--summary with --diff is a usage error", async () => {
    const r = await plan("--stack", "staging-co", "--summary", "--diff", "--against", "prod-co");
    expect(r.code).toBe(2);
    expect(r.err).toContain("--summary and --diff");
});

test("a crossing other than Tapir's is still flagged under needs attention, by short names", () => {
    const urn = (type: string, name: string) => `urn:pulumi:staging-co::data-infra::data-infra:x:Comp$${type}::${name}`;
    const unexpected = { from: urn("kubernetes:apps/v1:Deployment", "global-veiga"), to: urn("aws:dynamodb/table:Table", "staging-s0-conrado") };
    const expected = { from: urn("kubernetes:apps/v1:Deployment", "global-tapir"), to: urn("aws:dynamodb/table:Table", "staging-s0-conrado") };
    const p = toPlan({ stack: "x", resources: [], invokes: [], outputs: {}, secretOutputs: [], plainInputs: new Map(), warnings: [], invented: {} });
    const est = { ...estimate(p), crossPrototype: [expected, unexpected] };

    expect(isExpectedCrossing(expected)).toBe(true);
    expect(isExpectedCrossing(unexpected)).toBe(false);
    expect(brief(p, est).attention).toEqual(["1 unexpected dependency crosses prototypes and serialises them: global-veiga (Deployment) waits for staging-s0-conrado (DynamoDB table)"]);
    expect(describeCrossing(expected)).toBe("global-tapir (Deployment) waits for staging-s0-conrado (DynamoDB table)");
    // The full tree's estimate says both, in the same words.
    expect(renderEstimate(est)).toEqual(
        expect.arrayContaining([
            "  Expected cross-prototype waits: 1 (Tapir feeds each prototype's tables), e.g. global-tapir (Deployment) waits for staging-s0-conrado (DynamoDB table)",
            "  1 unexpected dependency crosses prototypes and serialises them: global-veiga (Deployment) waits for staging-s0-conrado (DynamoDB table)",
        ]),
    );
});

test("--summary with --prototypes points to the full tree of the same prototypes", async () => {
    const r = await plan("--stack", "staging-co", "--summary", "--prototypes", "global,s0,s1");
    expect(r.out).toContain("The full tree: npm run plan -- --stack staging-co --prototypes global,s0,s1 (without --summary)");
}, 120_000);
