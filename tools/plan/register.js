// Loader of every npm script that runs this project's TypeScript (`node -r ./tools/plan/register.js
// tools/plan.ts`, see package.json): the plan, the checks, verify, preflight, adopt, new-country.
//
// Why not tsx: tsx hooks every module resolution, also the thousands inside @pulumi/aws and the
// AWS SDK, which cost ~0.5 s of a 16-prototype plan (profiled, docs/plan.md "Speed") and made
// `npm run check:policy -- --all` take 5.8 s against 2.2 s with this loader.
// This hook only compiles this project's .ts files, with esbuild (what tsx uses too), and leaves
// resolution to Node. It also turns on Node's compile cache, so the SDK's JavaScript is compiled
// once per machine rather than once per plan. Type-checking stays with `npm test` (tsc).
"use strict";
const fs = require("fs");
const Module = require("module");
const path = require("path");
const { compiledName, ownCacheDir, readCached, writeCached } = require("./diskCache.js");

// Node >= 22.1: V8 code cache on disk, keyed by file content, in our own cache directory: V8 runs
// what it finds there, and Node's default ($TMPDIR/node-compile-cache) is shared by every user of
// the machine, so whoever runs Node first could fill it (a bastion, a shared runner). A
// NODE_COMPILE_CACHE the user set is their own choice, used as it is; no usable directory, no cache.
if (typeof Module.enableCompileCache === "function" && !process.env.NODE_DISABLE_COMPILE_CACHE) {
    if (process.env.NODE_COMPILE_CACHE) Module.enableCompileCache();
    else if (ownCacheDir()) Module.enableCompileCache(path.join(ownCacheDir(), "v8"));
}

const debugging = process.env.DATA_INFRA_STACK_TRACES === "1";
const nodeModules = `${path.sep}node_modules${path.sep}`;

// Compiled files are kept by content hash (like tsx does), so a warm plan starts no esbuild.
// The cache directory is trusted only if it is ours and nobody else can write it (diskCache.js).
let esbuild;

function transpile(source, filename) {
    // Source maps only when stack traces are wanted: mapping every captured trace costs time.
    const options = { loader: "ts", format: "cjs", target: "node22", sourcefile: filename, sourcemap: debugging ? "inline" : false };
    const name = compiledName(source, options);
    const cached = readCached(name);
    if (cached !== undefined) return cached;
    esbuild ??= require("esbuild");
    const { code } = esbuild.transformSync(source, options);
    writeCached(name, code);
    return code;
}

function compile(module, filename) {
    module._compile(transpile(fs.readFileSync(filename, "utf8"), filename), filename);
}

// `.ts` next to `.js` in the extension list, so that extensionless imports (`./plan/diff`) resolve.
for (const ext of [".ts", ".mts", ".cts"]) {
    const previous = Module._extensions[ext];
    Module._extensions[ext] = function (module, filename) {
        if (filename.includes(nodeModules) && previous) return previous(module, filename);
        return compile(module, filename);
    };
}
if (debugging) process.setSourceMapsEnabled(true);
