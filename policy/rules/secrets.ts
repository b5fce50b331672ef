// What "secret-looking" means, and how a rule learns which inputs are Pulumi secrets.
//
// A property is secret-looking when its name (camelCase, snake_case, kebab-case or an env var
// name) contains one of SECRET_WORDS or SECRET_PAIRS, unless its last word says it only names or
// points at a secret (REFERENCE_WORDS: `secretsBucket`, `secretArn`, `kmsKeyId`, `tokenUrl`…).
// Only non-empty strings are judged: booleans such as `manageMasterUserPassword` and numbers such
// as `passwordLength` cannot hold a secret, nor can their text forms ("true", "60"), which is how
// providers receive their config. Tags, labels and annotations are metadata, not inputs.
//
// Which inputs are secret: the engine hands a policy's `validateResource` plain values with no
// trace of secretness (pulumi/pulumi-policy#241), but hands `remediateResource` the raw values,
// where a secret is a `Secret` instance. The offline evaluator (tools/policy) builds props the
// same raw values (secrets as `Secret`) and attaches them to plain props under SECRETS_VISIBLE.
// So: offline and in remediation we know; in the engine's validation we do not, and the rule says
// it is not applicable there.
import { Secret } from "@pulumi/policy";
import { isObject } from "./values";

export const SECRET_WORDS: readonly string[] = ["password", "passwd", "passphrase", "pwd", "secret", "secrets", "token", "tokens", "credential", "credentials"];
export const SECRET_PAIRS: readonly (readonly [string, string])[] = [
    ["private", "key"],
    ["api", "key"],
    ["signing", "key"],
];
/** A name ending in one of these refers to a secret (where it lives, what it is called), it is not one. */
export const REFERENCE_WORDS: readonly string[] = [
    "arn", "arns", "id", "ids", "name", "names", "bucket", "buckets", "path", "paths", "file", "ref", "refs",
    "version", "length", "ttl", "type", "enabled", "rotation", "url", "uri", "endpoint", "header", "prefix",
    "suffix", "count", "mode", "format", "policy", "location", "region", "source", "provider", "manager", "validation",
];
/** Maps whose keys are metadata chosen by people, not input names. */
const METADATA_KEYS = new Set(["tags", "tagsAll", "defaultTags", "labels", "annotations"]);

/** Key under which the offline evaluator attaches the raw props, secrets as `Secret` instances. */
export const SECRETS_VISIBLE = Symbol.for("data-infra.policy.secretsVisible");

/** The props to look for secrets in: the attached raw props offline, else the props themselves. */
function secretView(props: object): object {
    const attached = (props as { [SECRETS_VISIBLE]?: unknown })[SECRETS_VISIBLE];
    return attached !== null && typeof attached === "object" ? attached : props;
}

/** `masterPassword` → [master, password]; `DB_PASSWORD` → [db, password]; `APIKey` → [api, key]. */
export function words(name: string): string[] {
    return (name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? []).map((w) => w.toLowerCase());
}

export function isSecretLookingName(name: string): boolean {
    const w = words(name);
    if (w.length === 0) return false;
    if (REFERENCE_WORDS.includes(w[w.length - 1])) return false;
    if (w.some((x) => SECRET_WORDS.includes(x))) return true;
    return SECRET_PAIRS.some(([a, b]) => w.some((x, i) => x === a && w[i + 1] === b));
}

/** Raw own value, seeing through the engine's proxies (they trap `get` only) to `Secret` instances. */
function raw(obj: object, key: string): unknown {
    return Object.getOwnPropertyDescriptor(obj, key)?.value;
}

/** Empty text, booleans and numbers written as text are not secrets. */
function couldBeSecret(text: string): boolean {
    return text.trim() !== "" && !/^(true|false)$/i.test(text) && !/^-?\d+(\.\d+)?$/.test(text);
}

function isSecret(value: unknown): value is Secret {
    return value instanceof Secret;
}

/** Paths (`a.b[0].c`, the harness's notation) of every value that is a Pulumi secret. */
export function secretPaths(props: object): string[] {
    const out: string[] = [];
    const walk = (value: unknown, at: string) => {
        if (isSecret(value)) {
            out.push(at);
        } else if (Array.isArray(value)) {
            value.forEach((_, i) => walk(raw(value, String(i)), `${at}[${i}]`));
        } else if (value !== null && typeof value === "object") {
            for (const key of Object.keys(value)) walk(raw(value, key), at ? `${at}.${key}` : key);
        }
    };
    walk(secretView(props), "");
    return out;
}

export type Step = string | number;

export interface PlainSecret {
    /** Where the plain value is, for messages: `spec.template.spec.containers[0].env[1].value`. */
    readonly path: string;
    /** The same as steps; a trailing JSON_TEXT means "inside this JSON text". */
    readonly steps: readonly Step[];
    /** The secret-looking name that made it suspicious. */
    readonly name: string;
}

/** Step marking that the value before it is JSON text whose content was inspected. */
export const JSON_TEXT = "<json>";

export function renderPath(steps: readonly Step[]): string {
    let out = "";
    for (const step of steps) {
        if (typeof step === "number") out += `[${step}]`;
        else if (step === JSON_TEXT) out += JSON_TEXT;
        else out += out === "" || out.endsWith(JSON_TEXT) ? step : `.${step}`;
    }
    return out;
}

/**
 * Secret-looking inputs whose value is a plain (non-secret) string. Looks into `{name, value}`
 * pairs (Kubernetes env vars: `{name: "DB_PASSWORD", value: "…"}`) and into JSON object text
 * (a ConfigMap entry `{"rdb-password": "…"}`).
 */
export function plainSecrets(props: object): PlainSecret[] {
    const out: PlainSecret[] = [];
    const found = (steps: Step[], name: string) => out.push({ path: renderPath(steps), steps, name });
    const walk = (value: unknown, at: Step[], key: string | undefined) => {
        if (isSecret(value)) return;
        if (typeof value === "string") {
            if (!couldBeSecret(value)) return;
            if (key !== undefined && isSecretLookingName(key)) {
                found(at, key);
                return;
            }
            if (/^\s*\{/.test(value)) {
                let parsed: unknown;
                try {
                    parsed = JSON.parse(value);
                } catch {
                    return;
                }
                if (isObject(parsed)) {
                    const inner = plainSecrets(parsed);
                    for (const p of inner) found([...at, JSON_TEXT, ...p.steps], p.name);
                }
            }
            return;
        }
        if (Array.isArray(value)) {
            value.forEach((_, i) => walk(raw(value, String(i)), [...at, i], key));
            return;
        }
        if (value !== null && typeof value === "object") {
            const name = raw(value, "name");
            const envValue = raw(value, "value");
            if (typeof name === "string" && typeof envValue === "string" && couldBeSecret(envValue) && isSecretLookingName(name)) {
                found([...at, "value"], name);
            }
            for (const k of Object.keys(value)) {
                if (METADATA_KEYS.has(k)) continue;
                if (k === "value" && typeof name === "string") continue;
                walk(raw(value, k), [...at, k], k);
            }
        }
    };
    walk(secretView(props), [], undefined);
    return out;
}

/** Whether these props come with their secrets marked (the offline evaluator's). */
export function secretsVisible(props: object): boolean {
    return secretView(props) !== props;
}

/**
 * A copy of raw props with the values at `paths` made Pulumi secrets: what a remediation returns
 * so that the engine stores them encrypted. A path into JSON text secrets the whole text.
 */
export function withSecrets(props: object, paths: readonly (readonly Step[])[]): Record<string, unknown> {
    const copy = (value: unknown): unknown => {
        if (isSecret(value)) return value;
        if (Array.isArray(value)) return value.map((_, i) => copy(raw(value, String(i))));
        // Plain objects only: assets and archives must reach the engine as the objects they are.
        if (value !== null && typeof value === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
            const out: Record<string, unknown> = {};
            for (const k of Object.keys(value)) out[k] = copy(raw(value, k));
            return out;
        }
        return value;
    };
    const root = copy(props) as Record<string, unknown>;
    for (const steps of paths) {
        const jsonAt = steps.indexOf(JSON_TEXT);
        const target = jsonAt >= 0 ? steps.slice(0, jsonAt) : steps;
        if (target.length === 0) continue;
        let parent = root as Record<Step, unknown>;
        for (const step of target.slice(0, -1)) parent = parent[step] as Record<Step, unknown>;
        const last = target[target.length - 1];
        if (!isSecret(parent[last])) parent[last] = new Secret(parent[last]);
    }
    return root;
}
