// The stack outputs verify works from: index.ts's hand-off outputs, as `pulumi stack output
// --json --show-secrets` prints them, read from the CLI or from a saved file.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ENVS, Env } from "../../stacks/config";
import type { Environment } from "./endpoints";

export interface StackOutputs {
    readonly country: string;
    readonly env: Env;
    readonly prototypes: readonly string[];
    /** Bucket role → name, the country-wide buckets included. */
    readonly buckets: Readonly<Record<string, string>>;
    /** The stack that creates the country-wide buckets (`prod-<country>`). */
    readonly countryWideBucketsOwner?: string;
    /** Prototype → table → physical name. */
    readonly tables: Readonly<Record<string, Readonly<Record<string, string>>>>;
    /** Prototype → Aurora cluster endpoint. */
    readonly auroraEndpoints: Readonly<Record<string, string>>;
    /** `s3://nu-secrets-<country>-<env>/barragem_secret_config.json`. */
    readonly barragemSecretObject: string;
    /** Prototype → service → canonical DNS name; absent from stacks deployed before the services existed. */
    readonly serviceHosts?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** Outputs that cannot be used, with every problem listed. */
export class OutputsError extends Error {
    constructor(readonly source: string, readonly problems: readonly string[]) {
        super(`Stack outputs from ${source} cannot be used:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "OutputsError";
    }
}

/** Checks the shape of parsed outputs and returns them typed; throws OutputsError listing every problem. */
export function parseStackOutputs(raw: unknown, source: string): StackOutputs {
    const problems: string[] = [];
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new OutputsError(source, ["expected a JSON object of stack outputs"]);
    const o = raw as Record<string, unknown>;
    const str = (key: string) => {
        if (typeof o[key] !== "string" || o[key] === "") problems.push(`${key}: expected a non-empty string, got ${show(o[key])}`);
    };
    const stringMap = (value: unknown, at: string): void => {
        if (!isObject(value)) {
            problems.push(`${at}: expected an object of names, got ${show(value)}`);
            return;
        }
        for (const [k, v] of Object.entries(value)) if (typeof v !== "string" || v === "") problems.push(`${at}.${k}: expected a name, got ${show(v)}`);
    };
    const nestedMap = (key: string, required: boolean): void => {
        const value = o[key];
        if (value === undefined && !required) return;
        if (!isObject(value)) {
            problems.push(`${key}: expected an object per prototype, got ${show(value)}`);
            return;
        }
        for (const [prototype, inner] of Object.entries(value)) stringMap(inner, `${key}.${prototype}`);
    };

    str("country");
    if (!(ENVS as readonly unknown[]).includes(o.env)) problems.push(`env: expected one of ${ENVS.join(", ")}, got ${show(o.env)}`);
    if (!Array.isArray(o.prototypes) || o.prototypes.some((p) => typeof p !== "string")) problems.push(`prototypes: expected a list of names, got ${show(o.prototypes)}`);
    stringMap(o.buckets, "buckets");
    nestedMap("tables", true);
    stringMap(o.auroraEndpoints, "auroraEndpoints");
    str("barragemSecretObject");
    if (typeof o.barragemSecretObject === "string" && !/^s3:\/\/[^/]+\/.+/.test(o.barragemSecretObject)) {
        problems.push(`barragemSecretObject: expected s3://<bucket>/<key>, got ${show(o.barragemSecretObject)}`);
    }
    nestedMap("serviceHosts", false);
    if (o.countryWideBucketsOwner !== undefined) str("countryWideBucketsOwner");
    for (const key of ["buckets", "auroraEndpoints", "barragemSecretObject"]) {
        if (JSON.stringify(o[key] ?? "").includes("[secret]")) problems.push(`${key}: holds "[secret]": save the outputs with --show-secrets`);
    }
    if (problems.length > 0) throw new OutputsError(source, problems);
    return o as unknown as StackOutputs;
}

export function stackNameOf(outputs: StackOutputs): string {
    return `${outputs.env}-${outputs.country}`;
}

export function parseS3Url(url: string): { bucket: string; key: string } {
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
    if (!match) throw new Error(`not an s3://<bucket>/<key> URL: ${url}`);
    return { bucket: match[1], key: match[2] };
}

/** How long `pulumi stack output` may take before verify gives up on it. */
const PULUMI_TIMEOUT_MS = 120_000;

/**
 * The outputs of `stack`: from `file` when given, else from `pulumi stack output --json
 * --show-secrets --stack <stack>` when the CLI is on PATH.
 */
export async function loadStackOutputs(stack: string, file: string | undefined, env: Environment): Promise<StackOutputs> {
    if (file !== undefined) {
        let text: string;
        try {
            text = fs.readFileSync(file, "utf8");
        } catch (err) {
            throw new OutputsError(file, [`cannot read the file: ${(err as Error).message}`]);
        }
        return parseStackOutputs(parseJson(text, file), file);
    }
    const pulumi = findOnPath("pulumi", env);
    if (pulumi === undefined) {
        throw new OutputsError("the Pulumi CLI", [
            `the pulumi CLI is not on PATH: pass --outputs FILE, a saved \`pulumi stack output --json --show-secrets --stack ${stack}\``,
        ]);
    }
    const args = ["stack", "output", "--json", "--show-secrets", "--stack", stack];
    const source = `\`pulumi ${args.join(" ")}\``;
    const text = await new Promise<string>((resolve, reject) =>
        execFile(pulumi, args, { timeout: PULUMI_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, env: { ...env } as NodeJS.ProcessEnv }, (err, stdout, stderr) =>
            err ? reject(new OutputsError(source, [`failed: ${String(stderr).trim() || err.message}`])) : resolve(stdout),
        ),
    );
    return parseStackOutputs(parseJson(text, source), source);
}

function parseJson(text: string, source: string): unknown {
    try {
        return JSON.parse(text);
    } catch (err) {
        throw new OutputsError(source, [`not JSON: ${(err as Error).message}`]);
    }
}

export function findOnPath(command: string, env: Environment): string | undefined {
    for (const dir of (env.PATH ?? "").split(path.delimiter)) {
        if (!dir) continue;
        const candidate = path.join(dir, command);
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            if (fs.statSync(candidate).isFile()) return candidate;
        } catch {
            // not here
        }
    }
    return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function show(value: unknown): string {
    if (value === undefined) return "nothing";
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
