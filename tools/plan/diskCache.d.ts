// Types of diskCache.js (plain CommonJS, so that register.js can load it with `node -r`).
/** `$TMPDIR/data-infra-ts-<uid>`, where the plan tools keep what they can reuse between runs. */
export function cacheDir(): string;
/** That directory if it is ours and nobody else can write it (made 0700), else undefined: no cache. */
export function ownCacheDir(): string | undefined;
/** The cached text under `name`, or undefined (not cached, or no usable cache directory). */
export function readCached(name: string): string | undefined;
/** Keeps `text` under `name`, atomically (temp file + rename); a failure only costs the cache. */
export function writeCached(name: string, text: string): void;
/** The cache name of `source` compiled with esbuild `options` (content, options, Node's and esbuild's versions). */
export function compiledName(source: string, options: object): string;
