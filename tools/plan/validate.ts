// `npm run validate:manifests -- DIR`: checks the manifests `npm run plan -- --out DIR` wrote
// against the Kubernetes API's own schemas, offline (no cluster, no kubectl). The schemas and
// their validators come from the npm package `kubernetes-models` (generated from the Kubernetes
// OpenAPI definitions); a kind it does not know is refused rather than waved through.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { strictFieldChecker } from "./strictFields";

export interface ManifestProblem {
    readonly file: string;
    /** Index of the document in a multi-document file. */
    readonly document: number;
    readonly message: string;
}

export interface ValidationResult {
    /** Documents looked at, those that are not YAML included. */
    readonly checked: number;
    /** Files read, every one counted (also those that failed to parse). */
    readonly files: number;
    readonly problems: readonly ManifestProblem[];
}

/** Every .yaml/.yml file under `dir`, sorted. */
export function manifestFiles(dir: string): string[] {
    const out: string[] = [];
    const walk = (d: string) => {
        for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
            const full = path.join(d, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (/\.ya?ml$/.test(entry.name)) out.push(full);
        }
    };
    walk(dir);
    return out.sort();
}

/** `kubernetes-models/<group>/<version>/<Kind>` for an object's apiVersion and kind (core group: `v1/<Kind>`). */
export function modelModule(apiVersion: string, kind: string): string {
    return `kubernetes-models/${apiVersion}/${kind}`;
}

type ModelClass = new (data: unknown) => { validate(): void };

// The package is ESM-only; a variable specifier keeps TypeScript (CommonJS output) from rewriting it.
const importModule = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<Record<string, unknown>>;

async function modelFor(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
    if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
    try {
        const mod = await importModule(modelModule(apiVersion, kind));
        return mod[kind] as ModelClass | undefined;
    } catch {
        return undefined;
    }
}

/** Plain words for ajv's errors: `spec.replicas must be integer`. */
function describe(error: unknown): string {
    const errors = (error as { errors?: { instancePath?: string; message?: string; params?: Record<string, unknown> }[] }).errors;
    if (!Array.isArray(errors) || errors.length === 0) return (error as Error).message ?? String(error);
    return errors
        .map((e) => {
            const at = (e.instancePath ?? "").replace(/^\//, "").replace(/\//g, ".") || "(object)";
            const extra = e.params?.missingProperty ? ` (${e.params.missingProperty})` : e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : "";
            return `${at} ${e.message ?? "is invalid"}${extra}`;
        })
        .join("; ");
}

export async function validateManifests(files: readonly string[], relativeTo = process.cwd()): Promise<ValidationResult> {
    const problems: ManifestProblem[] = [];
    let checked = 0;
    const parsed = files.map((full) => ({ full, file: path.relative(relativeTo, full) || full, docs: YAML.parseAllDocuments(fs.readFileSync(full, "utf8")) }));
    const objects = parsed.flatMap(({ docs }) => docs.filter((d) => d.errors.length === 0).map((d) => d.toJS() as Record<string, unknown> | null));
    const kinds = objects.filter((o): o is Record<string, unknown> => o !== null && typeof o.apiVersion === "string" && typeof o.kind === "string");
    const unknownFields = strictFieldChecker(kinds.map((o) => ({ apiVersion: o.apiVersion as string, kind: o.kind as string })));
    for (const { file, docs } of parsed) {
        for (const [index, doc] of docs.entries()) {
            if (doc.errors.length > 0) {
                checked++;
                problems.push({ file, document: index, message: `not YAML: ${doc.errors[0].message}` });
                continue;
            }
            const obj = doc.toJS() as Record<string, unknown> | null;
            if (obj === null) continue; // an empty document (comments only)
            checked++;
            const { apiVersion, kind } = obj;
            if (typeof apiVersion !== "string" || typeof kind !== "string") {
                problems.push({ file, document: index, message: "apiVersion and kind must be strings" });
                continue;
            }
            const Model = await modelFor(apiVersion, kind);
            if (!Model) {
                problems.push({ file, document: index, message: `no Kubernetes API schema for ${apiVersion} ${kind} (not a built-in kind of the API kubernetes-models covers)` });
                continue;
            }
            const found: string[] = [];
            try {
                new Model(obj).validate();
            } catch (error) {
                found.push(describe(error));
            }
            const name = (obj.metadata as { name?: unknown } | undefined)?.name;
            if (typeof name !== "string" || name === "") found.push("metadata.name is required (kubectl apply needs a name)");
            found.push(...unknownFields({ apiVersion, kind }, obj));
            if (found.length > 0) problems.push({ file, document: index, message: `${kind} ${found.join("; ")}` });
        }
    }
    return { checked, files: files.length, problems };
}

export function renderValidation(result: ValidationResult, dir: string): string {
    const lines = result.problems.map((p) => `INVALID ${p.file}${p.document > 0 ? ` (document ${p.document + 1})` : ""}: ${p.message}`);
    lines.push(
        result.problems.length === 0
            ? `${result.checked} manifests in ${dir} are valid against the Kubernetes API schemas (kubernetes-models, unknown fields refused).`
            : `${result.problems.length} problem(s) in ${result.checked} manifests (${result.files} files) in ${dir}.`,
    );
    return `${lines.join("\n")}\n`;
}

export const USAGE = "usage: npm run validate:manifests -- DIR   (DIR as written by `npm run plan -- --stack <stack> --out DIR`)";

/** The one argument, a directory; or what is wrong with the arguments. */
export function parseValidateArgs(argv: readonly string[]): { dir: string } | string {
    const [dir] = argv;
    return !dir || argv.length > 1 || dir.startsWith("-") ? USAGE : { dir };
}

/** Exit code: 0 every manifest valid, 1 a manifest is not, 2 nothing to validate. */
export async function main(argv: readonly string[], out = (t: string) => process.stdout.write(t), err = (t: string) => process.stderr.write(t)): Promise<number> {
    const parsed = parseValidateArgs(argv);
    if (typeof parsed === "string") {
        err(`${parsed}\n`);
        return 2;
    }
    const { dir } = parsed;
    const full = path.resolve(process.env.INIT_CWD ?? process.cwd(), dir);
    if (!fs.existsSync(full) || !fs.statSync(full).isDirectory()) {
        err(`${dir} is not a directory; write the manifests first: npm run plan -- --stack <stack> --out ${dir}\n`);
        return 2;
    }
    const files = manifestFiles(full);
    if (files.length === 0) {
        err(`no .yaml manifests under ${dir}\n`);
        return 2;
    }
    const result = await validateManifests(files, full);
    out(renderValidation(result, dir));
    return result.problems.length === 0 ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    });
}
