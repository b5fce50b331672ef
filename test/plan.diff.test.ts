// `--diff`: two plans compared resource by resource and input by input; the baseline is
// another stack or a plan saved with --json.
import { runProgram } from "../tools/mockRuntime";
import { diffPlans, renderDiff } from "../tools/plan/diff";
import { planToJson, readPlan, toPlan } from "../tools/plan/json";
import { Plan, PlanResource } from "../tools/plan/types";
import { planOf, urnOf } from "./fixtures/plans";

let staging: Plan;
let prod: Plan;
beforeAll(async () => {
    staging = toPlan(await runProgram({ stack: "staging-co" }));
    prod = toPlan(await runProgram({ stack: "prod-co" }));
});

/** A deep copy of a saved plan, as a reviewer's baseline file would be. */
const saved = (plan: Plan): Plan => readPlan(planToJson(plan), "plan.json");

function edit(plan: Plan, pick: (r: PlanResource) => boolean, change: (r: PlanResource) => PlanResource): Plan {
    let done = false;
    const resources = plan.resources.map((r) => {
        if (done || !pick(r)) return r;
        done = true;
        return change(r);
    });
    if (!done) throw new Error("nothing to edit");
    return { ...plan, resources };
}

describe("a plan against its own saved plan", () => {
    test("has no differences", () => {
        const d = diffPlans(staging, saved(staging));
        expect([d.added, d.removed, d.changed, d.outputs]).toEqual([[], [], [], []]);
        expect(d.unchanged).toBe(staging.resources.length);
        expect(renderDiff(d)).toContain(`No differences: ${staging.resources.length} resources are the same.`);
    });

    test("shows a changed input by its path, with the value before and after", () => {
        const baseline = edit(saved(staging), (r) => r.type === "aws:rds/clusterInstance:ClusterInstance", (r) => ({ ...r, inputs: { ...r.inputs, instanceClass: "db.t3.small" } }));
        const d = diffPlans(staging, baseline);
        expect(d.changed).toHaveLength(1);
        const instance = d.changed[0];
        expect(instance.changes).toEqual([{ path: "instanceClass", before: "db.t3.small", after: instance.resource.inputs.instanceClass }]);
        expect(renderDiff(d)).toMatch(new RegExp(`~ aws:rds/clusterInstance:ClusterInstance  ${instance.resource.name}\\n {6}instanceClass: "db.t3.small" → "${instance.resource.inputs.instanceClass}"`));
    });

    test("looks inside JSON documents such as bucket policies", () => {
        const baseline = edit(
            saved(staging),
            (r) => r.type === "aws:s3/bucketPolicy:BucketPolicy",
            (r) => {
                const policy = JSON.parse(r.inputs.policy as string);
                policy.Statement[0].Effect = policy.Statement[0].Effect === "Deny" ? "Allow" : "Deny";
                return { ...r, inputs: { ...r.inputs, policy: JSON.stringify(policy) } };
            },
        );
        const [change] = diffPlans(staging, baseline).changed;
        expect(change.changes.map((c) => c.path)).toEqual(["policy(json).Statement[0].Effect"]);
    });

    test("a resource only in the tree is added, one only in the baseline removed", () => {
        const table = staging.resources.find((r) => r.type === "aws:dynamodb/table:Table")!;
        const baseline = saved(staging);
        const withoutTable = { ...baseline, resources: baseline.resources.filter((r) => r.urn !== table.urn) };
        const extra = planOf("staging-co", [{ type: "aws:sns/topic:Topic", name: "old-topic" }]).resources[0];
        const d = diffPlans(staging, { ...withoutTable, resources: [...withoutTable.resources, extra] });
        expect(d.added.map((r) => r.urn)).toEqual([table.urn]);
        expect(d.removed.map((r) => r.urn)).toEqual([extra.urn]);
        const text = renderDiff(d);
        expect(text).toContain(`  + aws:dynamodb/table:Table  ${table.name}`);
        expect(text).toContain("  - aws:sns/topic:Topic  old-topic");
        expect(text).toContain("Summary: 1 added, 1 removed, 0 changed");
    });

    test("protection, provider and dependency changes are listed too", () => {
        const bucket = staging.resources.find((r) => r.type === "aws:s3/bucket:Bucket")!;
        const otherProvider = staging.resources.find((r) => r.type === "pulumi:providers:aws" && r.urn !== bucket.provider)!;
        const extraDep = staging.resources.find((r) => r.type === "aws:sns/topic:Topic")!;
        const baseline = edit(saved(staging), (r) => r.urn === bucket.urn, (r) => ({
            ...r,
            provider: otherProvider.urn,
            options: { ...r.options, protect: false },
            dependencies: [...r.dependencies, extraDep.urn],
        }));
        const [change] = diffPlans(staging, baseline).changed;
        expect(change.changes).toEqual(
            expect.arrayContaining([
                { path: "provider", before: otherProvider.name, after: staging.resources.find((r) => r.urn === bucket.provider)!.name },
                { path: "options.protect", before: false, after: true },
                { path: "dependencies", before: [`aws:sns/topic:Topic ${extraDep.name}`], after: [] },
            ]),
        );
        expect(renderDiff(diffPlans(staging, baseline))).toContain(`dependencies: − aws:sns/topic:Topic ${extraDep.name}`);
    });

    test("secret inputs are compared masked and shown as [secret]", () => {
        const baseline = edit(saved(staging), (r) => r.type === "aws:rds/cluster:Cluster", (r) => ({ ...r, inputs: { ...r.inputs, masterPassword: "not-a-secret-anymore" } }));
        const text = renderDiff(diffPlans(staging, baseline));
        expect(text).toContain('masterPassword: "not-a-secret-anymore" → [secret]');
    });
});

describe("prod-co against staging-co", () => {
    test("matches the same resource across envs and says which tokens it treats as placeholders", () => {
        const d = diffPlans(prod, staging);
        const names = (rs: readonly PlanResource[]) => rs.map((r) => r.name);
        expect(names(d.added)).not.toContain("prod-global-barragem-aurora");
        expect(names(d.removed)).not.toContain("staging-global-barragem-aurora");
        expect(d.normalized).toEqual(expect.arrayContaining(["<env> = staging → prod"]));
        expect(renderDiff(d)).toMatch(/^Plan diff of prod-co against staging-co .*\nThe stacks differ in these tokens.*<env> = staging → prod/);
    });

    test("prod adds the country-wide buckets it owns", () => {
        const added = diffPlans(prod, staging).added.filter((r) => r.type === "aws:s3/bucket:Bucket").map((r) => r.inputs.bucket);
        expect(added).toEqual(expect.arrayContaining(["nu-ds-co", "nu-tmp-co"]));
        expect(diffPlans(staging, prod).removed.filter((r) => r.type === "aws:s3/bucket:Bucket").map((r) => r.inputs.bucket)).toEqual(expect.arrayContaining(["nu-ds-co", "nu-tmp-co"]));
    });

    test("the instance class differs input by input, under each prototype", () => {
        const text = renderDiff(diffPlans(prod, staging));
        for (const prototype of ["global", "s0"]) {
            const block = text.split("\n\n").find((b) => b.startsWith(`${prototype}\n`))!;
            expect(block).toMatch(/~ aws:rds\/clusterInstance:ClusterInstance {2}prod-\w+-barragem-aurora-instance\n(.*\n)*? {6}instanceClass: "db\.t4g\.medium" → "db\.r6g\.large"/);
        }
    });

    test("an account id that differs between the stacks' providers becomes a placeholder, stated once", () => {
        const d = diffPlans(prod, staging);
        expect(d.normalized).toContain("<country account> = 400000000101 → 400000000102");
        const alarms = d.changed.filter((c) => c.resource.type === "aws:cloudwatch/metricAlarm:MetricAlarm");
        expect(alarms.flatMap((c) => c.changes).filter((c) => c.path.startsWith("alarmActions"))).toEqual([]);
    });

    test("resources with the same changes share one list of them", () => {
        const text = renderDiff(diffPlans(prod, staging));
        const line = "      provider: aws-data-us-west-2 → aws-data-us-east-1";
        expect(text.split("\n").filter((l) => l === line)).toHaveLength(1);
    });

    test("values the offline runtime made up are no change: no mock id, endpoint or OIDC issuer shows, real differences stay", () => {
        const text = renderDiff(diffPlans(prod, staging));
        const invented = [...Object.keys(staging.invented ?? {}), ...Object.keys(prod.invented ?? {})];
        // The runtime noted what it made up: the OIDC issuers of both stacks' clusters among them.
        expect(invented).toEqual(expect.arrayContaining(["MOCKSTAGINGGLOBALBLUE", "MOCKPRODGLOBALBLUE", "sg-mock-kubernetes-nodes"]));
        const changeLines = text.split("\n").slice(2); // after the title and the placeholders line
        const noise = changeLines.filter((line) => invented.some((v) => line.includes(v)) || /mock|MOCK|<[^<>]* of [^<>]*>/.test(line));
        expect(noise).toEqual([]);
        // The service roles' trust policies differ only in the made-up issuer: not changed at all.
        expect(diffPlans(prod, staging).changed.filter((c) => c.resource.type === "aws:iam/role:Role")).toEqual([]);
        expect(text).toContain('instanceClass: "db.t4g.medium" → "db.r6g.large"');
        expect(text).toContain("spec.replicas: 1 → 2");
        expect(text).toContain("provider: aws-data-us-west-2 → aws-data-us-east-1");
    });

    test("a content digest is left out between two stacks (the text it digests is compared), kept within one stack", () => {
        const isDeployment = (r: PlanResource) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "global-alph";
        const digestPath = 'spec.template.metadata.annotations["data-infra/config-sha256"]';
        const between = diffPlans(prod, staging).changed.find((c) => isDeployment(c.resource))!;
        expect(between.changes.map((c) => c.path)).not.toContain(digestPath);
        const rehashed = edit(saved(staging), isDeployment, (r) => {
            const spec = JSON.parse(JSON.stringify(r.inputs.spec));
            spec.template.metadata.annotations["data-infra/config-sha256"] = "0".repeat(64);
            return { ...r, inputs: { ...r.inputs, spec } };
        });
        expect(diffPlans(staging, rehashed).changed.flatMap((c) => c.changes.map((x) => x.path))).toEqual([digestPath]);
    });
});

describe("made-up values", () => {
    test("are shown as what they stand for when a real difference sits next to them", () => {
        const sg = staging.resources.find((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")!;
        const baseline = edit(saved(staging), (r) => r.urn === sg.urn, (r) => ({ ...r, inputs: { ...r.inputs, fromPort: 5433 } }));
        expect(sg.inputs.referencedSecurityGroupId).toBe("sg-mock-kubernetes-nodes");
        const d = diffPlans(staging, baseline);
        expect(d.changed.flatMap((c) => c.changes)).toEqual([{ path: "fromPort", before: 5433, after: 5432 }]);

        const moved = edit(saved(staging), (r) => r.urn === sg.urn, (r) => ({ ...r, inputs: { ...r.inputs, referencedSecurityGroupId: "sg-0real" } }));
        const text = renderDiff(diffPlans(staging, moved));
        expect(text).toContain("referencedSecurityGroupId: \"sg-0real\" → \"<id of the Kubernetes nodes' security group>\"");
    });

    test("a saved plan keeps the list, so a branch diff against it treats them alike", () => {
        expect(saved(staging).invented).toEqual(staging.invented);
        expect(Object.values(staging.invented ?? {})).toEqual(expect.arrayContaining(["OIDC issuer id of EKS cluster staging-global-blue"]));
        expect(JSON.stringify(staging.invented)).not.toContain("MOCK-SECRET");
    });
});

test("between two plans of a fixture stack, dependsOn changes are listed by resource", () => {
    const a = planOf("staging-co", [{ type: "aws:sns/topic:Topic", name: "t" }, { type: "aws:sns/topic:Topic", name: "u" }]);
    const b = planOf("staging-co", [{ type: "aws:sns/topic:Topic", name: "t" }, { type: "aws:sns/topic:Topic", name: "u", dependsOn: [urnOf("staging-co", "aws:sns/topic:Topic", "t")] }]);
    const text = renderDiff(diffPlans(b, a));
    expect(text).toContain("options.dependsOn: + aws:sns/topic:Topic t");
    expect(text).toContain("dependencies: + aws:sns/topic:Topic t");
});
