// Jest's transform for this project's TypeScript: esbuild, as the npm scripts' loader
// (tools/plan/register.js) uses, instead of ts-jest. Both only strip types (tsconfig's
// `isolatedModules`; type-checking is `npm test`'s `tsc --noEmit`), but ts-jest loads TypeScript
// into every jest worker and transpiles each file with it: about 0.3 s per worker and 10-40 ms per
// file on a cold cache, against ~1 ms per file here. Inline source maps keep failures pointing
// at the .ts lines. No test relies on ts-jest's hoisting of `jest.mock` (none calls it).
"use strict";
const crypto = require("crypto");
const esbuild = require("esbuild");

const OPTIONS = { loader: "ts", format: "cjs", target: "node22", sourcemap: "inline" };

module.exports = {
    process(source, filename) {
        return { code: esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename }).code };
    },
    // Jest instruments the transformed code for --coverage itself, and keys its cache only by this:
    // whether the code is instrumented must be part of it.
    getCacheKey(source, filename, options) {
        return crypto
            .createHash("sha1")
            .update(source)
            .update(filename)
            .update(JSON.stringify(OPTIONS))
            .update(esbuild.version)
            .update(String(Boolean(options && options.instrument)))
            .digest("hex");
    },
};
