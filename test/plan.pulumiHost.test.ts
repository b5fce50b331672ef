// `pulumi preview`/`up` load index.ts through Pulumi's Node.js host, which type-checks it a second
// time unless PULUMI_NODEJS_TRANSPILE_ONLY=true: every workflow that runs Pulumi says so, and the
// host reads that variable and transpiles this project's files one by one.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT_DIR } from "../tools/mockRuntime";

const WORKFLOWS = path.join(PROJECT_DIR, ".github", "workflows");
const runsPulumi = (text: string) => /pulumi\/actions@|\bpulumi (up|preview|refresh)\b/.test(text);

test("every workflow that runs Pulumi skips the host's second type-check", () => {
    const files = fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));
    const withPulumi = files.filter((f) => runsPulumi(fs.readFileSync(path.join(WORKFLOWS, f), "utf8")));
    expect(withPulumi.length).toBeGreaterThan(0);
    for (const file of withPulumi) {
        const doc = YAML.parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));
        expect([file, doc.env?.PULUMI_NODEJS_TRANSPILE_ONLY]).toEqual([file, "true"]);
    }
});

test("the SDK's Node.js host decides type-checking by PULUMI_NODEJS_TRANSPILE_ONLY", () => {
    const run = fs.readFileSync(require.resolve("@pulumi/pulumi/cmd/run/run.js"), "utf8");
    expect(run).toMatch(/process\.env\["PULUMI_NODEJS_TRANSPILE_ONLY"\]/);
    expect(run).toMatch(/transpileOnly = transpileOnlyEnv === "true"/);
});

test("staging-co loads and runs through the host's own ts-node in transpile-only mode", () => {
    // tsconfig's rootDir: without it TypeScript 6 refuses files compiled one by one (TS5011).
    const r = spawnSync(process.execPath, [path.join(PROJECT_DIR, "tools", "plan", "pulumiHostLoad.js"), "staging-co"], {
        cwd: PROJECT_DIR,
        encoding: "utf8",
        timeout: 120_000,
        env: { ...process.env, PULUMI_NODEJS_TRANSPILE_ONLY: "true", TS_NODE_CACHE: "false" },
    });
    expect(r.stderr).toMatch(/host-load \{.*"resources":\d+.*"transpileOnly":true/);
    expect(r.status).toBe(0);
}, 120_000);
