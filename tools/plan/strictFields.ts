// Unknown fields, as `kubectl apply` (≥ 1.27, server-side field validation "Strict") refuses
// them: `spec.replicsa`, a top-level `metdata`. kubernetes-models' validators leave objects
// open, so every field of a manifest is walked against the same package's TypeScript
// declarations of the API types (generated from the same OpenAPI definitions), with the
// TypeScript compiler the project already has. Maps (`labels`) stay open, as in the API.
//
// Loading TypeScript and building that program is most of a run (~0.9 s of ~1.5 s, profiled), so
// what the walk needs of the checker is turned into a plain field graph once and kept in the
// plan tools' disk cache (diskCache.js), keyed by the package versions and the kinds: a warm run
// loads no TypeScript at all.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type * as TS from "typescript";
import { readCached, writeCached } from "./diskCache";

export interface KindRef {
    readonly apiVersion: string;
    readonly kind: string;
}

/** Bump when FieldNode/FieldGraph or the way they are built changes: older cache files are then ignored. */
export const GRAPH_FORMAT = 1;

/** What the walk needs of one type (after getNonNullableType), other types by their index in `nodes`. */
export interface FieldNode {
    /** any/unknown: anything goes below. */
    readonly any?: true;
    /** The element type, when a member of the union is an array. */
    readonly array?: number;
    /**
     * The object member of the union (not an array): "open" when it has neither properties nor a
     * string index signature (`x-kubernetes-preserve-unknown-fields`), else both.
     */
    readonly object?: "open" | { readonly props: Readonly<Record<string, number>>; readonly index?: number };
}

export interface FieldGraph {
    readonly format: number;
    /** `apiVersion/kind` → its node. */
    readonly kinds: Readonly<Record<string, number>>;
    readonly nodes: readonly FieldNode[];
}

/** The directory of an installed package, looked up as Node does (its `exports` may hide package.json from require.resolve). */
function packageDir(name: string, from: string): string | undefined {
    for (let dir = from; ; dir = path.dirname(dir)) {
        const candidate = path.join(dir, "node_modules", name);
        if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
        if (path.dirname(dir) === dir) return undefined;
    }
}

function modelsDir(): string {
    const dir = packageDir("kubernetes-models", __dirname);
    if (!dir) throw new Error("kubernetes-models is not installed (npm ci)");
    return dir;
}

function packageJson(dir: string | undefined): { version?: string; dependencies?: Record<string, string> } {
    return dir ? JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) : {};
}

/**
 * The cache file's name (`strict-fields-<hash>.json`) for `kinds` (`apiVersion/kind`), hashed from
 * everything the graph is built from: the format, this file, the kinds, the versions of TypeScript,
 * kubernetes-models and its own dependencies (ObjectMeta is declared in
 * @kubernetes-models/apimachinery, whose version can move on its own).
 */
export function graphCacheName(kinds: readonly string[], dir = modelsDir()): string {
    const models = packageJson(dir);
    const dependencies = Object.keys(models.dependencies ?? {})
        .sort()
        .map((name) => `${name}@${packageJson(packageDir(name, dir)).version}`);
    // This file's own text too: a change to how the graph is built rebuilds it without anyone
    // remembering to bump GRAPH_FORMAT.
    const builder = crypto.createHash("sha256").update(fs.readFileSync(__filename)).digest("hex");
    const key = { format: GRAPH_FORMAT, builder, models: models.version, dependencies, typescript: packageJson(packageDir("typescript", __dirname)).version, kinds: [...kinds].sort() };
    return `strict-fields-${crypto.createHash("sha256").update(JSON.stringify(key)).digest("hex")}.json`;
}

/** A cache file is used only if it is a whole graph of this format whose every node reference holds. */
function isFieldGraph(value: unknown): value is FieldGraph {
    if (value === null || typeof value !== "object") return false;
    const { format, kinds, nodes } = value as Record<string, unknown>;
    if (format !== GRAPH_FORMAT || !Array.isArray(nodes) || kinds === null || typeof kinds !== "object") return false;
    const ref = (id: unknown) => Number.isInteger(id) && (id as number) >= 0 && (id as number) < nodes.length;
    const optionalRef = (id: unknown) => id === undefined || ref(id);
    return (
        Object.values(kinds).every(ref) &&
        nodes.every((node: unknown) => {
            if (node === null || typeof node !== "object") return false;
            const { any, array, object } = node as Record<string, unknown>;
            if ((any !== undefined && any !== true) || !optionalRef(array)) return false;
            if (object === undefined || object === "open") return true;
            if (object === null || typeof object !== "object") return false;
            const { props, index } = object as Record<string, unknown>;
            return props !== null && typeof props === "object" && Object.values(props).every(ref) && optionalRef(index);
        })
    );
}

/** The field graph of `kinds` (each with a declaration in `dir`), from one TypeScript program over all of them. */
function buildGraph(dir: string, kinds: readonly KindRef[]): FieldGraph {
    // Loaded here only: a warm run never needs it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require("typescript") as typeof TS;
    const root = path.join(dir, "__data_infra_strict__.ts");
    const source = kinds.map((k, i) => `import type { I${k.kind} as T${i} } from ${JSON.stringify(path.join(dir, k.apiVersion, `${k.kind}.js`))};\nexport type K${i} = T${i};`).join("\n");
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
    const moduleSymbol = checker.getSymbolAtLocation(file);
    const exports = moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : [];

    const nodes: FieldNode[] = [];
    const ids = new Map<TS.Type, number>();
    /** The node of `type`; its id is taken before its members are visited, so recursive types (JSONSchemaProps) end. */
    const nodeOf = (type: TS.Type): number => {
        const t = checker.getNonNullableType(type);
        const known = ids.get(t);
        if (known !== undefined) return known;
        const id = nodes.length;
        ids.set(t, id);
        nodes.push({});
        if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) {
            nodes[id] = { any: true };
            return id;
        }
        const members = t.isUnion() ? t.types : [t];
        const node: { array?: number; object?: FieldNode["object"] } = {};
        const array = members.find((m) => checker.isArrayType(m));
        if (array) node.array = nodeOf(checker.getTypeArguments(array as TS.TypeReference)[0]);
        const object = members.find((m) => m.flags & ts.TypeFlags.Object && !checker.isArrayType(m));
        if (object) {
            const index = checker.getIndexInfoOfType(object, ts.IndexKind.String);
            const props = object.getProperties();
            if (props.length === 0 && !index) node.object = "open";
            else {
                const byName: Record<string, number> = Object.create(null);
                for (const prop of props) byName[prop.name] = nodeOf(checker.getTypeOfSymbol(prop));
                node.object = index ? { props: byName, index: nodeOf(index.type) } : { props: byName };
            }
        }
        nodes[id] = node;
        return id;
    };

    const byKind: Record<string, number> = {};
    kinds.forEach((k, i) => {
        const symbol = exports.find((e) => e.name === `K${i}`);
        if (symbol) byKind[`${k.apiVersion}/${k.kind}`] = nodeOf(checker.getDeclaredTypeOfSymbol(symbol));
    });
    return { format: GRAPH_FORMAT, kinds: byKind, nodes };
}

/** The graph from the cache, or built (and cached) when there is none, it does not parse, or is of another format. */
function fieldGraph(dir: string, kinds: readonly KindRef[]): FieldGraph {
    const name = graphCacheName(kinds.map((k) => `${k.apiVersion}/${k.kind}`), dir);
    const cached = readCached(name);
    if (cached !== undefined) {
        try {
            const graph: unknown = JSON.parse(cached);
            if (isFieldGraph(graph)) return graph;
        } catch {
            // a damaged file: built again below, and replaced
        }
    }
    const graph = buildGraph(dir, kinds);
    writeCached(name, JSON.stringify(graph));
    return graph;
}

/** A walker per kind, over the field graph of every kind. */
export function strictFieldChecker(kinds: readonly KindRef[]): (ref: KindRef, obj: unknown) => string[] {
    const dir = modelsDir();
    const unique = [...new Map(kinds.map((k) => [`${k.apiVersion}/${k.kind}`, k])).values()].filter((k) => fs.existsSync(path.join(dir, k.apiVersion, `${k.kind}.d.ts`)));
    if (unique.length === 0) return () => [];
    const { kinds: roots, nodes } = fieldGraph(dir, unique);

    const walk = (value: unknown, id: number, at: string, out: string[]): void => {
        if (value === null || typeof value !== "object") return;
        const node = nodes[id];
        if (node.any) return;
        if (Array.isArray(value)) {
            const element = node.array;
            if (element === undefined) return;
            value.forEach((v, i) => walk(v, element, `${at}[${i}]`, out));
            return;
        }
        const object = node.object;
        if (object === undefined || object === "open") return; // "open": an open object in the API (`x-kubernetes-preserve-unknown-fields`)
        for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
            const where = at ? `${at}.${key}` : key;
            // Own properties only: a parsed graph's `props` inherits `constructor`, `toString`, ….
            if (Object.hasOwn(object.props, key)) walk(v, object.props[key], where, out);
            else if (object.index !== undefined) walk(v, object.index, where, out);
            else out.push(`${where}: unknown field "${key}"`);
        }
    };

    return (ref, obj) => {
        const kind = `${ref.apiVersion}/${ref.kind}`;
        if (!Object.hasOwn(roots, kind)) return [];
        const out: string[] = [];
        walk(obj, roots[kind], "", out);
        return out;
    };
}
