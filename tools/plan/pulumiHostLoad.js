// Loads and runs a stack's program the way Pulumi's Node.js language host loads index.ts (for
// `npm run bench`): ts-node registered exactly as @pulumi/pulumi/cmd/run/run.js does it (the
// project's TypeScript, else the SDK's vendored one; the vendored ts-node 7 unless the project
// has its own), type-checking unless PULUMI_NODEJS_TRANSPILE_ONLY=true or tsconfig's `noCheck`.
// The engine is Pulumi's mock runtime (tools/mockRuntime.ts), so no CLI or cloud is needed.
// Prints one line `host-load {…}` on stderr.
"use strict";
const path = require("path");

const started = performance.now();
const project = path.resolve(__dirname, "..", "..");
process.chdir(project);
// @internal helpers of the SDK: the same functions run.js calls.
const tsutils = require("@pulumi/pulumi/tsutils");
const tsconfig = "tsconfig.json";
const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsconfig);
const env = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
const transpileOnly = env ? env === "true" : compilerOptions.noCheck;
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const ts = require(typescriptRequire);
const nodeNext = Number(ts.version.split(".")[0]) >= 5 || /^4\.([7-9]|\d\d)/.test(ts.version);
require(tsnodeRequire).register({
    compiler: typescriptRequire,
    transpileOnly,
    project: tsconfig,
    skipProject: false,
    compilerOptions: {
        target: "ES2020",
        module: nodeNext ? "nodenext" : "commonjs",
        moduleResolution: nodeNext ? "nodenext" : "node",
        sourceMap: "true",
        ...compilerOptions,
    },
});

const stack = process.argv[2] ?? "staging-co";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runProgram } = require(path.join(project, "tools", "mockRuntime"));
runProgram({ stack }).then(
    (run) => {
        const tsNode = path.relative(project, tsnodeRequire).startsWith("node_modules") ? tsnodeRequire : "ts-node";
        process.stderr.write(
            `host-load ${JSON.stringify({ stack, resources: run.resources.length, transpileOnly: transpileOnly === true, typescript: ts.version, tsNode: path.basename(tsNode), processMs: Math.round(performance.now() - started) })}\n`,
        );
    },
    (err) => {
        process.stderr.write(`host-load failed: ${err && err.message ? err.message : String(err)}\n`);
        process.exitCode = 1;
    },
);
