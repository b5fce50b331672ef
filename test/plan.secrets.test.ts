// No secret value reaches anything the plan prints or writes: the tree, the summary, the JSON,
// the manifests, the graph, the diff. The values to look for are taken from the harness's
// unmasked inputs (under mocks, the fake cloud's generated password and what is built from it).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadStackConfig, ProgramRun, runProgram } from "../tools/mockRuntime";
import { sharedRun, stackRun } from "./helpers/stacks";
import { main } from "../tools/plan";
import { diffPlans, renderDiff } from "../tools/plan/diff";
import { estimate } from "../tools/plan/estimate";
import { planToJson, toPlan } from "../tools/plan/json";
import { renderManifests } from "../tools/plan/manifests";
import { renderMermaid } from "../tools/plan/mermaid";
import { redact, secretValues } from "../tools/plan/secrets";
import { renderSummary, summarize } from "../tools/plan/summary";
import { renderTree } from "../tools/plan/tree";

const FIXTURE = path.join(__dirname, "fixtures", "k8sProgram");

/** Every text the plan can produce from a run, by name. */
function everyOutput(run: ProgramRun, other: ProgramRun): Record<string, string> {
    const plan = toPlan(run);
    const est = estimate(plan);
    const outputs: Record<string, string> = {
        tree: renderTree(plan),
        summary: renderSummary(plan, summarize(plan), est),
        json: planToJson(plan),
        graph: renderMermaid(plan, est),
        "diff against the other stack": renderDiff(diffPlans(plan, toPlan(other))),
        "diff of the other stack against this one": renderDiff(diffPlans(toPlan(other), plan)),
    };
    for (const m of renderManifests(plan).manifests) outputs[m.path] = m.yaml;
    return outputs;
}

const runs: Record<string, ProgramRun> = {};
beforeAll(async () => {
    runs["staging-co"] = await stackRun("staging-co");
    runs["prod-co"] = await stackRun("prod-co");
    runs.sixteen = await runProgram({
        stack: "staging-co",
        config: { ...loadStackConfig("staging-co"), "data-infra:prototypes": JSON.stringify(["global", ...Array.from({ length: 15 }, (_, i) => `s${i}`)]) },
    });
    runs.fixture = await runProgram({ stack: "staging-co", program: FIXTURE });
});

describe("the secret values searched for", () => {
    test("include the Aurora master password every cluster receives", () => {
        const run = runs["staging-co"];
        const cluster = run.resources.find((r) => r.type === "aws:rds/cluster:Cluster")!;
        const password = run.plainInputs.get(cluster.urn)!.masterPassword as string;
        expect(password.length).toBeGreaterThanOrEqual(6);
        expect(secretValues(run)).toContain(password);
    });

    test("include a Kubernetes Secret's data", () => {
        const run = runs.fixture;
        const secret = run.resources.find((r) => r.type === "kubernetes:core/v1:Secret")!;
        const token = (run.plainInputs.get(secret.urn)!.stringData as Record<string, string>).token;
        expect(secretValues(run)).toContain(token);
    });
});

describe.each([
    ["staging-co", "prod-co"],
    ["prod-co", "staging-co"],
    ["sixteen", "staging-co"],
    ["fixture", "staging-co"],
])("every output of %s", (name, other) => {
    test("contains no secret value", () => {
        const secrets = [...secretValues(runs[name]), ...secretValues(runs[other])];
        expect(secrets.length).toBeGreaterThan(0);
        for (const [output, text] of Object.entries(everyOutput(runs[name], runs[other]))) {
            for (const secret of secrets) {
                if (text.includes(secret)) throw new Error(`${output} of ${name} contains a secret value`);
            }
        }
    });
});

test("the command's printed output and every file it writes contain no secret value", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-secrets-"));
    const printed: string[] = [];
    const io = { out: (t: string) => printed.push(t), err: (t: string) => printed.push(t) };
    expect(await main(["--stack", "staging-co", "--json", path.join(dir, "plan.json"), "--out", path.join(dir, "out")], io, undefined, sharedRun)).toBe(0);
    expect(await main(["--stack", "staging-co", "--diff", "--against", "prod-co"], io, undefined, sharedRun)).toBe(0);
    const files = (fs.readdirSync(dir, { recursive: true }) as string[]).map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).isFile());
    expect(files.length).toBeGreaterThanOrEqual(2);
    const secrets = [...secretValues(runs["staging-co"]), ...secretValues(runs["prod-co"])];
    for (const text of [...printed, ...files.map((f) => fs.readFileSync(f, "utf8"))]) {
        for (const secret of secrets) expect(text.includes(secret)).toBe(false);
    }
});

describe("redact", () => {
    test("masks a secret value that leaked into a text, also JSON-escaped, and counts it", () => {
        const secret = 'pa"ss-word-123';
        const text = `plain ${secret} and json ${JSON.stringify({ v: secret })}`;
        const result = redact(text, [secret]);
        expect(result.text).not.toContain("pass-word");
        expect(result.text).not.toContain('ss-word-123');
        expect(result.leaks).toBe(2);
    });

    test("leaves a text without secrets as it is", () => {
        expect(redact("nothing here", ["s3cr3t-value"])).toEqual({ text: "nothing here", leaks: 0 });
    });
});

test("a secret that reaches a plain input is masked everywhere, reported as a leak, and fails the command", async () => {
    const program = path.join(__dirname, "fixtures", "leakyProgram");
    const run = await sharedRun({ stack: "staging-co", program });
    const secrets = secretValues(run);
    const topic = run.resources.find((r) => r.type === "aws:sns/topic:Topic")!;
    expect(secrets).toContain(topic.inputs.displayName);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-leak-"));
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["--stack", "staging-co", "--json", path.join(dir, "plan.json")], { out: (t) => out.push(t), err: (t) => err.push(t) }, program, sharedRun);
    expect(code).toBe(1);
    expect(err.join("\n")).toMatch(/SECRET LEAK: \d+ secret value\(s\) reached .*plan\.json/);
    const written = fs.readFileSync(path.join(dir, "plan.json"), "utf8");
    expect(JSON.parse(written).resources.find((r: { type: string }) => r.type === "aws:sns/topic:Topic").inputs.displayName).toBe("[secret]");
    for (const text of [...out, written]) for (const secret of secrets) expect(text.includes(secret)).toBe(false);
});
