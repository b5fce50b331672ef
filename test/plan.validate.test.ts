// `npm run validate:manifests -- DIR`: the manifests `--out` writes, checked offline against the
// Kubernetes API schemas (kubernetes-models), with no cluster and no kubectl. The validator is
// ESM, which jest's module system cannot load, so it runs as the command a person runs.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT_DIR } from "../tools/mockRuntime";
import { main as plan } from "../tools/plan";

// Exactly what `npm run validate:manifests` runs (package.json), with the node that runs this test.
const [command, ...loader] = (JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")).scripts["validate:manifests"] as string).split(" ");

function validate(dir: string) {
    expect(command).toBe("node");
    const r = spawnSync(process.execPath, [...loader, dir], { encoding: "utf8", timeout: 60_000, cwd: PROJECT_DIR });
    return { code: r.status, out: r.stdout, err: r.stderr };
}

async function writeManifests(stack: string): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-validate-"));
    const code = await plan(["--stack", stack, "--out", dir], { out: () => undefined, err: () => undefined });
    expect(code).toBe(0);
    return dir;
}

const yamlFiles = (dir: string) => fs.readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith(".yaml")).length;

let dirs: string[] = [];
afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

// Every kind the program writes occurs in both stack files (a shard adds no new kind).
test.each(["staging-co", "prod-co"])("every manifest written for %s is valid against the Kubernetes API schemas", async (stack) => {
    const dir = await writeManifests(stack);
    dirs.push(dir);

    const r = validate(dir);

    expect(r.err).toBe("");
    expect(r.out).toContain(`${yamlFiles(dir)} manifests in ${dir} are valid against the Kubernetes API schemas`);
    expect(r.code).toBe(0);
}, 120_000);

test("an invalid manifest is refused, naming the file and what is wrong, with exit 1", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-validate-"));
    dirs.push(dir);
    fs.cpSync(dirs[0], dir, { recursive: true }); // staging-co's valid manifests, from the test above
    const deployment = path.join(dir, "global", "deployment-alph.yaml");
    const manifest = YAML.parse(fs.readFileSync(deployment, "utf8"));
    manifest.spec.replicas = "two";
    delete manifest.spec.selector;
    fs.writeFileSync(deployment, YAML.stringify(manifest));

    const r = validate(dir);

    expect(r.code).toBe(1);
    expect(r.out).toMatch(/INVALID global\/deployment-alph\.yaml: Deployment .*spec\.replicas must be integer/);
    expect(r.out).toMatch(/INVALID global\/deployment-alph\.yaml: .*required property selector/);
    expect(r.out).toMatch(/1 problem\(s\) in \d+ manifests/);
}, 120_000);

test("unknown fields are refused as kubectl ≥ 1.27 refuses them: spec.replicsa, a top-level metdata, a field inside a container", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-validate-"));
    dirs.push(dir);
    fs.cpSync(dirs[0], dir, { recursive: true });
    const deployment = path.join(dir, "global", "deployment-alph.yaml");
    const manifest = YAML.parse(fs.readFileSync(deployment, "utf8"));
    manifest.spec.replicsa = 3;
    manifest.spec.template.spec.containers[0].imagee = "x";
    manifest.metdata = manifest.metadata;
    delete manifest.metadata;
    fs.writeFileSync(deployment, YAML.stringify(manifest));

    const r = validate(dir);

    expect(r.code).toBe(1);
    expect(r.out).toContain('spec.replicsa: unknown field "replicsa"');
    expect(r.out).toContain('spec.template.spec.containers[0].imagee: unknown field "imagee"');
    expect(r.out).toContain('metdata: unknown field "metdata"');
    expect(r.out).toContain("metadata.name is required");
});

test("every file is counted, also one that is not YAML", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-validate-"));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, "a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n");
    fs.writeFileSync(path.join(dir, "b.yaml"), ": [\n");

    const r = validate(dir);

    expect(r.code).toBe(1);
    expect(r.out).toContain("INVALID b.yaml: not YAML");
    expect(r.out).toContain("1 problem(s) in 2 manifests (2 files)");
});

test("a kind the Kubernetes API does not define is refused, not waved through", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-validate-"));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, "widget.yaml"), "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n");

    const r = validate(dir);

    expect(r.code).toBe(1);
    expect(r.out).toContain("INVALID widget.yaml: no Kubernetes API schema for example.com/v1 Widget");
});

test("without a directory of manifests it says how to write one, exit 2", () => {
    const r = validate(path.join(os.tmpdir(), "no-such-dir-for-manifests"));
    expect(r.code).toBe(2);
    expect(r.err).toContain("npm run plan -- --stack <stack> --out");
});
