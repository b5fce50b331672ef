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
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const os = require("os");
const path = require("path");

// Node >= 22.1: V8 code cache on disk (under the OS temp dir), keyed by file content.
if (typeof Module.enableCompileCache === "function" && !process.env.NODE_DISABLE_COMPILE_CACHE) Module.enableCompileCache();

const debugging = process.env.DATA_INFRA_STACK_TRACES === "1";
const nodeModules = `${path.sep}node_modules${path.sep}`;

// Compiled files are kept by content hash (like tsx does), so a warm plan starts no esbuild.
const cacheDir = path.join(os.tmpdir(), `data-infra-ts-${process.getuid ? process.getuid() : "user"}`);
let esbuild;
let cacheUsable;

/**
 * The cache is code this process runs: use it only if it is our own directory that nobody else
 * can write (made 0700 here). A directory someone else created first, or one group/others can
 * write, could hold planted files under the predictable names: then no cache, only esbuild.
 */
function ownCacheDir() {
    if (cacheUsable !== undefined) return cacheUsable;
    try {
        fs.mkdirSync(cacheDir, { mode: 0o700 });
    } catch {
        // exists already (checked below), or cannot be made (no cache)
    }
    try {
        const st = fs.lstatSync(cacheDir);
        const uid = process.getuid ? process.getuid() : st.uid;
        cacheUsable = st.isDirectory() && st.uid === uid && (st.mode & 0o022) === 0;
    } catch {
        cacheUsable = false;
    }
    return cacheUsable;
}

function transpile(source, filename) {
    // Source maps only when stack traces are wanted: mapping every captured trace costs time.
    const options = { loader: "ts", format: "cjs", target: "node22", sourcefile: filename, sourcemap: debugging ? "inline" : false };
    const key = crypto.createHash("sha1").update(source).update(JSON.stringify(options)).update(process.version).digest("hex");
    const cached = path.join(cacheDir, `${key}.js`);
    const useCache = ownCacheDir();
    if (useCache) {
        try {
            return fs.readFileSync(cached, "utf8");
        } catch {
            // not compiled yet
        }
    }
    esbuild ??= require("esbuild");
    const { code } = esbuild.transformSync(source, options);
    if (!useCache) return code;
    try {
        const temp = `${cached}.${process.pid}`;
        fs.writeFileSync(temp, code, { mode: 0o600 });
        fs.renameSync(temp, cached); // atomic: parallel plans never read half a file
    } catch {
        // a read-only temp dir only costs the cache
    }
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
