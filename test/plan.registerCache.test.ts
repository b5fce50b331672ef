// The plan loader's compile cache is code that runs: a directory another user made (or can
// write) must never be read, while our own 0700 one is.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { compiledName } from "../tools/plan/diskCache";

const register = path.join(__dirname, "..", "tools", "plan", "register.js");
let tmp: string;
let script: string;
let cacheDir: string;

beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "data-infra-register-"));
    script = path.join(tmp, "hello.ts");
    fs.writeFileSync(script, 'const who: string = "compiled from source";\nconsole.log(who);\n');
    cacheDir = path.join(tmp, `data-infra-ts-${process.getuid!()}`);
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A file planted under the name the loader would look up for `script`. */
function plant(dir: string): void {
    const source = fs.readFileSync(script, "utf8");
    const options = { loader: "ts", format: "cjs", target: "node22", sourcefile: script, sourcemap: false };
    fs.writeFileSync(path.join(dir, compiledName(source, options)), 'console.log("planted");\n');
}

function runScript(compileCache = false): string {
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, ...(compileCache ? {} : { NODE_DISABLE_COMPILE_CACHE: "1" }) };
    delete env.NODE_COMPILE_CACHE;
    delete env.DATA_INFRA_STACK_TRACES;
    const result = spawnSync(process.execPath, ["-r", register, script], { env, encoding: "utf8", timeout: 60_000 });
    expect(result.stderr).toBe("");
    return result.stdout.trim();
}

test("a cache directory others can write is ignored: the planted file does not run", () => {
    fs.mkdirSync(cacheDir);
    fs.chmodSync(cacheDir, 0o777);
    plant(cacheDir);

    expect(runScript()).toBe("compiled from source");
});

test("the loader makes its cache directory 0700 and reads it back (so a planted file in our own dir would run)", () => {
    expect(runScript()).toBe("compiled from source");
    expect(fs.statSync(cacheDir).mode & 0o777).toBe(0o700);

    plant(cacheDir);
    expect(runScript()).toBe("planted");
});

test("Node's compile cache (V8 code it runs) lives in our own cache directory, never in a shared default one", () => {
    expect(runScript(true)).toBe("compiled from source");
    expect(fs.readdirSync(path.join(cacheDir, "v8")).length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(tmp, "node-compile-cache"))).toBe(false);
});

test("with a cache directory others can write, there is no compile cache at all", () => {
    fs.mkdirSync(cacheDir);
    fs.chmodSync(cacheDir, 0o777);
    expect(runScript(true)).toBe("compiled from source");
    expect(fs.existsSync(path.join(cacheDir, "v8"))).toBe(false);
    expect(fs.readdirSync(tmp).filter((f) => f !== path.basename(script) && f !== path.basename(cacheDir))).toEqual([]);
});
