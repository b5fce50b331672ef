// `npm run plan`: flags, files written, and how it refuses bad input (message, non-zero exit,
// no stack trace).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { listStacks, PROJECT_DIR } from "../tools/mockRuntime";
import { GRAPH_FILE, main } from "../tools/plan";
import { readPlan } from "../tools/plan/json";
import { MANIFEST_HEADER } from "../tools/plan/manifests";

interface Result {
    readonly code: number;
    readonly out: string;
    readonly err: string;
}

async function plan(...argv: string[]): Promise<Result> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { code, out: out.join("\n"), err: err.join("\n") };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "plan-cli-"));
const STACK_TRACE = /\n\s+at .+:\d+:\d+/;

describe("refusals", () => {
    test("without --stack: the usage and the stacks there are, exit 2", async () => {
        const r = await plan();
        expect(r.code).toBe(2);
        expect(r.err).toContain("--stack is required");
        expect(r.err).toContain("Usage: npm run plan -- --stack <stack>");
        expect(r.err).toContain(`Stacks here: ${listStacks().join(", ")}`);
    });

    test("an unknown flag or --diff without a baseline is a usage error", async () => {
        expect((await plan("--stack", "staging-co", "--colour")).code).toBe(2);
        const r = await plan("--stack", "staging-co", "--diff");
        expect(r.code).toBe(2);
        expect(r.err).toContain("--diff needs --against");
    });

    test("a stack without a stack file names the stacks there are, exit 1, no stack trace", async () => {
        const r = await plan("--stack", "prod-zz");
        expect(r.code).toBe(1);
        expect(r.err).toContain(`No stack file Pulumi.prod-zz.yaml for stack "prod-zz"; stacks here: ${listStacks().join(", ")}`);
        expect(r.err).not.toMatch(STACK_TRACE);
        expect(r.out).toBe("");
    });

    test("a malformed stack name is refused before any file is read", async () => {
        const r = await plan("--stack", "../secrets");
        expect(r.code).toBe(1);
        expect(r.err).toMatch(/Stack name "\.\.\/secrets" is not valid/);
    });

    test("invalid config prints every problem with key, value and what is allowed", async () => {
        const r = await plan("--stack", "staging-co", "--prototypes", "global,s99,s99x");
        expect(r.code).toBe(1);
        expect(r.err).toContain('Invalid config for stack "staging-co"');
        expect(r.err).toMatch(/data-infra:prototypes has value "s99"; allowed: /);
        expect(r.err).toMatch(/data-infra:prototypes has value "s99x"; allowed: /);
        expect(r.err).toContain("nothing was planned");
        expect(r.err).not.toContain("deployed");
        expect(r.err).not.toMatch(STACK_TRACE);
    });

    test("a missing or foreign baseline file says how to save one", async () => {
        const dir = tmp();
        const missing = await plan("--stack", "staging-co", "--diff", "--against", path.join(dir, "nope.json"));
        expect(missing.code).toBe(1);
        expect(missing.err).toMatch(/No saved plan .*nope\.json; write one with `npm run plan -- --stack staging-co --json/);
        const foreign = path.join(dir, "package.json");
        fs.writeFileSync(foreign, JSON.stringify({ name: "x" }));
        const r = await plan("--stack", "staging-co", "--against", foreign);
        expect(r.code).toBe(1);
        expect(r.err).toContain("is not a data-infra plan");
    });

    test("run as the real command, a bad stack exits 1 with the message and no stack trace", () => {
        const tsx = path.join(PROJECT_DIR, "node_modules", ".bin", "tsx");
        const r = spawnSync(tsx, ["tools/plan.ts", "--stack", "prod-zz"], { cwd: PROJECT_DIR, encoding: "utf8" });
        expect(r.status).toBe(1);
        expect(r.stderr.trim()).toBe(`No stack file Pulumi.prod-zz.yaml for stack "prod-zz"; stacks here: ${listStacks().join(", ")}`);
        expect(r.stdout).toBe("");
    });
});

describe("a plan with --json and --out", () => {
    let dir: string;
    let result: Result;
    beforeAll(async () => {
        dir = tmp();
        fs.mkdirSync(path.join(dir, "out", "global"), { recursive: true });
        fs.writeFileSync(path.join(dir, "out", "global", "stale.yaml"), `${MANIFEST_HEADER}\nkind: Old\n`);
        fs.writeFileSync(path.join(dir, "out", "global", "mine.yaml"), "kind: KeptBecauseNotOurs\n");
        result = await plan("--stack", "staging-co", "--json", path.join(dir, "plan.json"), "--out", path.join(dir, "out"));
    });

    test("prints the tree and the summary and exits 0", () => {
        expect(result.code).toBe(0);
        expect(result.out).toMatch(/^Plan of stack staging-co/);
        expect(result.out).toMatch(/Summary of staging-co: \d+ resources to create/);
        expect(result.out).toContain("Estimated cold `pulumi up`");
    });

    test("writes the JSON plan, which reads back with the stack's resources", () => {
        const saved = readPlan(fs.readFileSync(path.join(dir, "plan.json"), "utf8"), "plan.json");
        expect(saved.stack).toBe("staging-co");
        expect(result.out).toContain(`${saved.resources.length} resources to create`);
        expect(result.err).toContain(`Wrote ${path.join(dir, "plan.json")}: ${saved.resources.length} resources.`);
    });

    test("writes the graph and replaces only files an earlier --out wrote", () => {
        expect(fs.readFileSync(path.join(dir, "out", GRAPH_FILE), "utf8")).toMatch(/^%% Stack staging-co.*\nflowchart LR/);
        expect(fs.existsSync(path.join(dir, "out", "global", "stale.yaml"))).toBe(false);
        expect(fs.existsSync(path.join(dir, "out", "global", "mine.yaml"))).toBe(true);
        for (const sub of fs.readdirSync(path.join(dir, "out"))) {
            if (sub === GRAPH_FILE) continue;
            expect(["stack-wide", "global", "s0"]).toContain(sub);
        }
    });

    test("--diff against the saved plan finds no differences", async () => {
        const r = await plan("--stack", "staging-co", "--diff", "--against", path.join(dir, "plan.json"));
        expect(r.code).toBe(0);
        expect(r.out).toMatch(/^Plan diff of staging-co against .*plan\.json \(saved plan of staging-co\)/);
        expect(r.out).toMatch(/No differences: \d+ resources are the same\./);
    });

    test("--prototypes plans the stack with another list of prototypes", async () => {
        const r = await plan("--stack", "staging-co", "--prototypes", "global,s0,s1,s2", "--stats");
        expect(r.code).toBe(0);
        expect(r.out).toMatch(/\ns2 \(\d+ resources\)\n/);
        const stats = JSON.parse(/plan-stats (.*)/.exec(r.err)![1]);
        expect(stats).toMatchObject({ stack: "staging-co", prototypes: 4 });
        expect(stats.resources).toBeGreaterThan(0);
        expect(stats.maxRssKb).toBeGreaterThan(0);
    });
});
