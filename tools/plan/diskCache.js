// The plan tools' cache on disk, one directory per user under the OS temp dir, shared by the
// loader (register.js: compiled TypeScript) and `validate:manifests` (strictFields.ts: the field
// graph of the Kubernetes kinds). Plain CommonJS, because register.js loads it with `node -r`
// before any TypeScript can be compiled. Everything in it can be rebuilt: removing the directory
// is always safe.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const os = require("os");
const path = require("path");

/** `$TMPDIR/data-infra-ts-<uid>` (read when called, so a test can point TMPDIR elsewhere). */
function cacheDir() {
    return path.join(os.tmpdir(), `data-infra-ts-${process.getuid ? process.getuid() : "user"}`);
}

const usable = new Map();

/**
 * The cache holds code this process runs (and data it trusts): use it only if it is our own
 * directory that nobody else can write (made 0700 here). A directory someone else created first,
 * or one group/others can write, could hold planted files under the predictable names: then no
 * cache (undefined), and the caller computes everything itself.
 */
function ownCacheDir() {
    const dir = cacheDir();
    if (usable.has(dir)) return usable.get(dir);
    try {
        fs.mkdirSync(dir, { mode: 0o700 });
    } catch {
        // exists already (checked below), or cannot be made (no cache)
    }
    let ok = false;
    try {
        const st = fs.lstatSync(dir);
        const uid = process.getuid ? process.getuid() : st.uid;
        ok = st.isDirectory() && st.uid === uid && (st.mode & 0o022) === 0;
    } catch {
        // no directory: no cache
    }
    usable.set(dir, ok ? dir : undefined);
    return usable.get(dir);
}

/** The cached text under `name`, or undefined (not cached yet, or no usable cache directory). */
function readCached(name) {
    const dir = ownCacheDir();
    if (!dir) return undefined;
    try {
        return fs.readFileSync(path.join(dir, name), "utf8");
    } catch {
        return undefined;
    }
}

/** Keeps `text` under `name`; atomically (temp file + rename), so parallel runs never read half a file. */
function writeCached(name, text) {
    const dir = ownCacheDir();
    if (!dir) return;
    const file = path.join(dir, name);
    const temp = `${file}.${process.pid}`;
    try {
        fs.writeFileSync(temp, text, { mode: 0o600 });
        fs.renameSync(temp, file);
    } catch {
        // a read-only or full temp dir only costs the cache
        try {
            fs.rmSync(temp, { force: true });
        } catch {
            // nothing was written
        }
    }
}

/**
 * The name the loader keeps `source`'s compiled form under: its content, the esbuild options and
 * the versions of Node and esbuild (an upgraded esbuild recompiles). esbuild's version is read
 * from its package.json, so a warm start never loads esbuild itself.
 */
let esbuildVersion;
function compiledName(source, options) {
    esbuildVersion ??= require("esbuild/package.json").version;
    return `${crypto.createHash("sha1").update(source).update(JSON.stringify(options)).update(process.version).update(esbuildVersion).digest("hex")}.js`;
}

module.exports = { cacheDir, ownCacheDir, readCached, writeCached, compiledName };
