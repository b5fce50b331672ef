// `npm run validate:manifests -- DIR`: the manifests `--out` writes, checked offline against the
// Kubernetes API schemas (kubernetes-models), with no cluster and no kubectl. The validator is
// ESM, which jest's module system cannot load, so it runs as the command a person runs.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT_DIR } from "../tools/mockRuntime";
import { main as plan } from "../tools/plan";
import { GRAPH_FORMAT, graphCacheName } from "../tools/plan/strictFields";
import { npmScript } from "./helpers/npmScript";

// Exactly what `npm run validate:manifests` runs (package.json), with the node that runs this test.
function validate(dir: string, env: NodeJS.ProcessEnv = process.env, preload: readonly string[] = []) {
    const r = npmScript("validate:manifests", [dir], { cwd: PROJECT_DIR, env, nodeArgs: preload, timeout: 60_000 });
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

/** A copy of staging-co's valid manifests (written by the first test) with `edit` applied to the Deployment in `file`. */
function stagingWith(edit: (manifest: any) => void, file = "global/deployment-alph.yaml", dir?: string): string {
    if (!dir) {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-validate-"));
        dirs.push(dir);
        fs.cpSync(dirs[0], dir, { recursive: true });
    }
    const deployment = path.join(dir, file);
    const manifest = YAML.parse(fs.readFileSync(deployment, "utf8"));
    edit(manifest);
    fs.writeFileSync(deployment, YAML.stringify(manifest));
    return dir;
}

/** The line the command prints about `file` ("" if none). */
const lineOf = (out: string, file: string) => out.split("\n").find((l) => l.startsWith(`INVALID ${file}: `)) ?? "";

/** What ajv's validators catch: a wrong type, a missing required field. */
function breakTypes(manifest: any): void {
    manifest.spec.replicas = "two";
    delete manifest.spec.selector;
}
function expectBrokenTypesReported(out: string, file: string): void {
    expect(lineOf(out, file)).toMatch(/^INVALID \S+: Deployment .*spec\.replicas must be integer/);
    expect(lineOf(out, file)).toContain("required property selector");
}

/** What only the unknown-field walk catches. */
function addUnknownFields(manifest: any): void {
    manifest.spec.replicsa = 3;
    manifest.spec.template.spec.containers[0].imagee = "x";
    manifest.spec.template.spec.constructor = 1;
    manifest.metdata = manifest.metadata;
    delete manifest.metadata;
}
function expectUnknownFieldsReported(out: string, file: string): void {
    const line = lineOf(out, file);
    expect(line).toContain('spec.replicsa: unknown field "replicsa"');
    expect(line).toContain('spec.template.spec.containers[0].imagee: unknown field "imagee"');
    expect(line).toContain('metdata: unknown field "metdata"');
    expect(line).toContain("metadata.name is required");
    // A name every JavaScript object has is no field of the API either.
    expect(line).toContain('spec.template.spec.constructor: unknown field "constructor"');
}

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
    const dir = stagingWith(breakTypes);

    const r = validate(dir);

    expect(r.code).toBe(1);
    expectBrokenTypesReported(r.out, "global/deployment-alph.yaml");
    expect(r.out).toMatch(/1 problem\(s\) in \d+ manifests/);
}, 120_000);

test("unknown fields are refused as kubectl ≥ 1.27 refuses them: spec.replicsa, a top-level metdata, a field inside a container, `constructor`", () => {
    const dir = stagingWith(addUnknownFields);

    const r = validate(dir);

    expect(r.code).toBe(1);
    expectUnknownFieldsReported(r.out, "global/deployment-alph.yaml");
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

// The unknown-field walk needs a field graph that takes TypeScript ~1 s to build: it is kept in the
// plan tools' disk cache, $TMPDIR/data-infra-ts-<uid>, and trusted only there (ours, 0700).
describe("the field graph cache", () => {
    let tmp: string;
    let cacheDir: string;
    beforeEach(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-validate-cache-"));
        cacheDir = path.join(tmp, `data-infra-ts-${process.getuid!()}`);
    });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    // TMPDIR moves the caches; Node's own compile cache stays where it was (it only saves time).
    const env = () => ({ ...process.env, TMPDIR: tmp, NODE_COMPILE_CACHE: path.join(os.tmpdir(), "node-compile-cache") });

    /** One ConfigMap with a misspelt label map: a small graph (v1/ConfigMap), quick to build. */
    function configMapDir(): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-validate-"));
        dirs.push(dir);
        fs.writeFileSync(path.join(dir, "a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labls:\n    app: a\ndata:\n  k: v\n");
        return dir;
    }
    const labls = 'INVALID a.yaml: ConfigMap metadata.labls: unknown field "labls"';

    /** A graph under the name the command looks up for v1/ConfigMap that lets every field through. */
    function plant(format = GRAPH_FORMAT): string {
        const file = path.join(cacheDir, graphCacheName(["v1/ConfigMap"]));
        fs.writeFileSync(file, JSON.stringify({ format, kinds: { "v1/ConfigMap": 0 }, nodes: [{ any: true }] }));
        return file;
    }

    test("a warm run reports the same problems as a cold one, and loads no TypeScript", () => {
        const dir = stagingWith(breakTypes);
        stagingWith(addUnknownFields, "s0/deployment-alph.yaml", dir);

        const cold = validate(dir, env());
        // A warm run that loaded TypeScript would say so on stderr (and differ from the cold one).
        const noTypescript = path.join(tmp, "no-typescript.js");
        fs.writeFileSync(noTypescript, 'process.on("exit", () => { for (const f of Object.keys(require.cache)) if (f.includes("/node_modules/typescript/")) return console.error("TypeScript was loaded:", f); });\n');
        const warm = validate(dir, env(), ["-r", noTypescript]);

        expectBrokenTypesReported(cold.out, "global/deployment-alph.yaml");
        expectUnknownFieldsReported(cold.out, "s0/deployment-alph.yaml");
        expect(cold.out).toMatch(/2 problem\(s\) in \d+ manifests/);
        expect(warm).toEqual(cold);
        expect(fs.readdirSync(cacheDir).filter((f) => f.startsWith("strict-fields-"))).toHaveLength(1);
    }, 120_000);

    test("a cache file that does not parse, or is of another format, is ignored and replaced", () => {
        const dir = configMapDir();
        fs.mkdirSync(cacheDir, { mode: 0o700 });
        const file = plant();
        fs.writeFileSync(file, '{"format": 1, "kinds": {"v1/ConfigMap": 0}, "nodes": [{"an');

        const damaged = validate(dir, env());

        expect(damaged.out).toContain(labls);
        expect(JSON.parse(fs.readFileSync(file, "utf8")).format).toBe(GRAPH_FORMAT);

        plant(GRAPH_FORMAT + 1);
        const older = validate(dir, env());

        expect(older.out).toContain(labls);
        expect(older.code).toBe(1);
        expect(JSON.parse(fs.readFileSync(file, "utf8")).format).toBe(GRAPH_FORMAT);
    }, 60_000);

    test("a graph of this format in our own 0700 directory is what a run uses (so a planted one would be)", () => {
        const dir = configMapDir();
        fs.mkdirSync(cacheDir, { mode: 0o700 });
        plant();

        const r = validate(dir, env());

        expect(r.out).not.toContain("labls");
        expect(r.code).toBe(0);
    });

    test("a cache directory others can write is not used: a graph planted there changes nothing", () => {
        const dir = configMapDir();
        fs.mkdirSync(cacheDir);
        fs.chmodSync(cacheDir, 0o777);
        const file = plant();

        const r = validate(dir, env());

        expect(r.out).toContain(labls);
        expect(r.code).toBe(1);
        expect(JSON.parse(fs.readFileSync(file, "utf8")).nodes).toEqual([{ any: true }]); // not replaced either
        expect(fs.readdirSync(cacheDir)).toEqual([path.basename(file)]);
    }, 60_000);
});
