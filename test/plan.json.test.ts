// `--json FILE`: every resource with what a reviewer or a script needs, secrets masked; and the
// same file read back as the baseline of `--diff --against FILE`.
import { ProgramRun, runProgram, SECRET_MASK } from "../tools/mockRuntime";
import { PlanFileError, planToJson, readPlan, toPlan } from "../tools/plan/json";
import { Plan, PLAN_FORMAT } from "../tools/plan/types";

let run: ProgramRun;
let plan: Plan;
beforeAll(async () => {
    run = await runProgram({ stack: "staging-co" });
    plan = JSON.parse(planToJson(toPlan(run))) as Plan;
});

test("has every resource of the run with type, name, parent, provider, inputs, options and dependencies", () => {
    expect(plan.format).toBe(PLAN_FORMAT);
    expect(plan.stack).toBe("staging-co");
    expect(plan.resources.map((r) => r.urn)).toEqual(run.resources.map((r) => r.urn));
    for (const [i, r] of run.resources.entries()) {
        const saved = plan.resources[i];
        expect(saved).toMatchObject({ type: r.type, name: r.name, custom: r.custom, inputs: r.inputs, dependencies: [...r.dependencies] });
        expect(saved.parent).toBe(r.parent);
        expect(saved.provider).toBe(r.provider);
        expect(saved.options).toEqual({ protect: r.protect, retainOnDelete: r.retainOnDelete, dependsOn: [...r.dependsOn] });
        expect(typeof saved.prototype).toBe("string");
    }
});

test("a bucket policy's explicit dependsOn on its public access block is kept as an option", () => {
    const policy = plan.resources.find((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy")!;
    const block = plan.resources.find((r) => r.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock" && r.parent === policy.parent)!;
    expect(policy.options.dependsOn).toEqual([block.urn]);
    expect(policy.dependencies).toContain(block.urn);
});

test("secret inputs are written as [secret] and listed by path", () => {
    const cluster = plan.resources.find((r) => r.type === "aws:rds/cluster:Cluster")!;
    expect(cluster.inputs.masterPassword).toBe(SECRET_MASK);
    expect(cluster.secretInputs).toContain("masterPassword");
    const object = plan.resources.find((r) => r.type === "aws:s3/bucketObjectv2:BucketObjectv2")!;
    expect(object.inputs.content).toBe(SECRET_MASK);
});

test("AWS resources carry the account and region of their provider", () => {
    const table = plan.resources.find((r) => r.type === "aws:dynamodb/table:Table")!;
    const provider = plan.resources.find((r) => r.urn === table.provider)!;
    expect(table.account).toBe((provider.inputs.allowedAccountIds as string[])[0]);
    expect(table.region).toBe(provider.inputs.region);
});

test("reads back to the same plan", () => {
    expect(readPlan(planToJson(plan), "plan.json")).toEqual(plan);
});

test("refuses a file that is not a saved plan, saying how to make one", () => {
    expect(() => readPlan("{not json", "x.json")).toThrow(PlanFileError);
    expect(() => readPlan(JSON.stringify({ resources: [] }), "x.json")).toThrow(/not a data-infra plan.*--json x.json/);
    const broken = { ...plan, resources: [{ urn: "u" }] };
    expect(() => readPlan(JSON.stringify(broken), "x.json")).toThrow(/resource #0 lacks/);
});
