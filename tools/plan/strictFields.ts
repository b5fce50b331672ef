// Unknown fields, as `kubectl apply` (≥ 1.27, server-side field validation "Strict") refuses
// them: `spec.replicsa`, a top-level `metdata`. kubernetes-models' validators leave objects
// open, so every field of a manifest is walked against the same package's TypeScript
// declarations of the API types (generated from the same OpenAPI definitions), with the
// TypeScript compiler the project already has. Maps (`labels`) stay open, as in the API.
import * as fs from "fs";
import * as path from "path";
import type * as TS from "typescript";

export interface KindRef {
    readonly apiVersion: string;
    readonly kind: string;
}

/** kubernetes-models' package directory (its `exports` hide package.json from require.resolve). */
function modelsDir(): string {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        const candidate = path.join(dir, "node_modules", "kubernetes-models");
        if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
        if (path.dirname(dir) === dir) throw new Error("kubernetes-models is not installed (npm ci)");
    }
}

/** A walker per kind, from one TypeScript program over every kind's declaration. */
export function strictFieldChecker(kinds: readonly KindRef[]): (ref: KindRef, obj: unknown) => string[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require("typescript") as typeof TS;
    const dir = modelsDir();
    const unique = [...new Map(kinds.map((k) => [`${k.apiVersion}/${k.kind}`, k])).values()].filter((k) => fs.existsSync(path.join(dir, k.apiVersion, `${k.kind}.d.ts`)));
    if (unique.length === 0) return () => [];
    const root = path.join(dir, "__data_infra_strict__.ts");
    const source = unique.map((k, i) => `import type { I${k.kind} as T${i} } from ${JSON.stringify(path.join(dir, k.apiVersion, `${k.kind}.js`))};\nexport type K${i} = T${i};`).join("\n");
    const options: TS.CompilerOptions = { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, noEmit: true, skipLibCheck: true, types: [] };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    host.readFile = (f) => (f === root ? source : readFile(f));
    host.fileExists = (f) => f === root || fileExists(f);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (f, lang, ...rest) => (f === root ? ts.createSourceFile(f, source, lang) : getSourceFile(f, lang, ...rest));
    const program = ts.createProgram([root], options, host);
    const checker = program.getTypeChecker();
    const file = program.getSourceFile(root)!;
    const types = new Map<string, TS.Type>();
    const moduleSymbol = checker.getSymbolAtLocation(file);
    const exports = moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : [];
    unique.forEach((k, i) => {
        const symbol = exports.find((e) => e.name === `K${i}`);
        if (symbol) types.set(`${k.apiVersion}/${k.kind}`, checker.getDeclaredTypeOfSymbol(symbol));
    });

    const walk = (value: unknown, type: TS.Type, at: string, out: string[]): void => {
        if (value === null || typeof value !== "object") return;
        const t = checker.getNonNullableType(type);
        if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
        const members = t.isUnion() ? t.types : [t];
        if (Array.isArray(value)) {
            const array = members.find((m) => checker.isArrayType(m));
            if (!array) return;
            const element = checker.getTypeArguments(array as TS.TypeReference)[0];
            value.forEach((v, i) => walk(v, element, `${at}[${i}]`, out));
            return;
        }
        const object = members.find((m) => m.flags & ts.TypeFlags.Object && !checker.isArrayType(m));
        if (!object) return;
        const index = checker.getIndexInfoOfType(object, ts.IndexKind.String);
        const props = object.getProperties();
        if (props.length === 0 && !index) return; // an open object in the API (`x-kubernetes-preserve-unknown-fields`)
        for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
            const where = at ? `${at}.${key}` : key;
            const prop = object.getProperty(key);
            if (prop) walk(v, checker.getTypeOfSymbol(prop), where, out);
            else if (index) walk(v, index.type, where, out);
            else out.push(`${where}: unknown field "${key}"`);
        }
    };

    return (ref, obj) => {
        const type = types.get(`${ref.apiVersion}/${ref.kind}`);
        if (!type) return [];
        const out: string[] = [];
        walk(obj, type, "", out);
        return out;
    };
}
