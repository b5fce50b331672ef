// The plan command loads parts of the Pulumi SDK that a mock run never uses (gRPC, the Automation
// API, TypeScript) only when something touches them. Touching them must still give the real
// modules: a program or tool that uses `pulumi.automation` under the plan works as it would
// without the plan's start-up.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..");

function run(script: string): Record<string, unknown> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.JEST_WORKER_ID; // lazySdk leaves jest's own workers alone
    const result = spawnSync(process.execPath, ["-r", "./tools/plan/register.js", "-e", script], { cwd: root, env, encoding: "utf8", timeout: 60_000 });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout) as Record<string, unknown>;
}

const LOADED = `const loaded = (name) => Object.keys(require.cache).some((f) => f.includes("/node_modules/" + name + "/"));`;

test("after the plan's start-up, loading the SDK loads neither gRPC, the Automation API, tracing nor closure serialisation's helpers", () => {
    const out = run(`require("./tools/plan/lazySdk.ts"); require("@pulumi/pulumi"); ${LOADED}
        const names = ["@grpc/grpc-js", "typescript", "@opentelemetry/api", "normalize-package-data", "semver"];
        console.log(JSON.stringify({ automation: Object.keys(require.cache).some((f) => f.includes("/@pulumi/pulumi/automation/")), loaded: names.filter(loaded) }));`);
    expect(out).toEqual({ automation: false, loaded: [] });
});

test("touching them loads the real modules: pulumi.automation, gRPC status codes, the engine client", () => {
    const out = run(`require("./tools/plan/lazySdk.ts"); const pulumi = require("@pulumi/pulumi"); ${LOADED}
        const workspace = typeof pulumi.automation.LocalWorkspace.create;
        const settings = require("@pulumi/pulumi/runtime/settings");
        const errors = require("@pulumi/pulumi/errors");
        const unavailable = errors.isGrpcError({ code: 14 });
        console.log(JSON.stringify({ workspace, unavailable, grpcLoaded: loaded("@grpc/grpc-js"), channelOptions: typeof settings.grpcChannelOptions }));`);
    expect(out.workspace).toBe("function");
    expect(out.unavailable).toBe(true);
    expect(out.grpcLoaded).toBe(true);
    expect(out.channelOptions).toBe("object");
});

test("a module that exports a function still works through the SDK's default import: closure serialisation computes code paths", () => {
    // The SDK imports normalize-package-data with `__importDefault`; a program that turns a function
    // into a Lambda (closure serialisation) calls it. Run where a package.json without dependencies is.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "data-infra-lazy-"));
    try {
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "x", version: "1.0.0", dependencies: {} }));
        const env: NodeJS.ProcessEnv = { ...process.env };
        delete env.JEST_WORKER_ID;
        const script = `require(${JSON.stringify(path.join(root, "tools/plan/lazySdk.ts"))});
            const pulumi = require(${JSON.stringify(path.join(root, "node_modules/@pulumi/pulumi"))});
            pulumi.runtime.computeCodePaths().then((paths) => console.log(JSON.stringify({ ok: true, size: paths.size })), (e) => console.log(JSON.stringify({ ok: false, error: e.message })));`;
        const result = spawnSync(process.execPath, ["-r", path.join(root, "tools/plan/register.js"), "-e", script], { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
        expect(result.stderr).toBe("");
        expect(JSON.parse(result.stdout)).toEqual({ ok: true, size: 0 });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
