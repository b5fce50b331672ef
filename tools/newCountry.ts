// npm run new-country -- --country <cc> [--from <cc>] [--dir <project dir>]
//
// Writes Pulumi.staging-<cc>.yaml and Pulumi.prod-<cc>.yaml from an existing pair (default: the
// first country that has both), so that adding a country is copying two stack files. Every value
// that belongs to the source country is flagged:
// - the keys below are set to a "CHANGE ME: …" placeholder that validation refuses, so
//   `npm run plan`, check:policy and the pipeline fail, naming the key, until someone fills it;
// - any other value that mentions the source country, its account or its domain gets the new
//   country code and a `# CHANGE ME: check` comment.
// The written pair goes through the real parser (stacks/config.ts): the only problems allowed
// are the placeholders. Exit 0 written, 2 refused (bad code, existing country, unusable source).
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import * as YAML from "yaml";
import { ConfigError, ENVS, NAMESPACE, parseCountryStack } from "../stacks/config";
import { listStacks, loadStackConfig, PROJECT_DIR } from "./mockRuntime";

export const USAGE = `usage: npm run new-country -- --country <cc> [--from <cc>]
  --country <cc>   the new country, ISO 3166-1 alpha-2, lowercase (mx)
  --from <cc>      the existing country whose stack pair is copied (default: the first one with both files)
  --dir <dir>      the project directory (default: this project)`;

export const PLACEHOLDER = "CHANGE ME";

/** Keys whose values are always the source country's own: replaced by a placeholder validation refuses. */
export const COUNTRY_KEYS: Readonly<Record<string, (cc: string, env: string) => string>> = {
    countryAccountId: (cc, env) => `the 12-digit id of ${cc}'s ${env} AWS account`,
    domain: (cc) => `${cc}'s DNS domain, e.g. nu.com.${cc}`,
    images: () => "each workload's image version to run (nu registry list-images <repository>)",
    barragemSchedule: (cc) => `the databases of Tempo's barragem-process-next-segment tasks (resources/${cc}/tasks)`,
};

export interface NewCountryOptions {
    readonly country: string;
    readonly from?: string;
    readonly dir: string;
}

export interface Written {
    readonly file: string;
    /** The keys (namespace-qualified) left for a person to fill, with what goes there. */
    readonly toFill: readonly { key: string; hint: string }[];
    /** Keys whose values were rewritten for the new country and must be checked. */
    readonly toCheck: readonly string[];
}

export class NewCountryError extends Error {}

const placeholder = (hint: string) => `${PLACEHOLDER}: ${hint}`;

/** The countries that have both stack files in a directory. */
export function countryPairs(dir: string): string[] {
    const stacks = listStacks(dir);
    return stacks.filter((s) => s.startsWith("staging-")).map((s) => s.slice("staging-".length)).filter((c) => stacks.includes(`prod-${c}`));
}

function rewriteComment(text: string | null | undefined, rewrite: (s: string) => string): string | undefined {
    return text == null ? undefined : rewrite(text);
}

/** One stack file for the new country, from the source country's file of the same env. */
export function newStackFile(sourceText: string, args: { from: string; country: string; env: string; sourceAccountId: string; sourceDomain?: string }): { text: string; toFill: Written["toFill"]; toCheck: string[] } {
    const { from, country, env } = args;
    const doc = YAML.parseDocument(sourceText);
    const mentions = new RegExp(`(^|[^a-z0-9])${from}([^a-z0-9]|$)`);
    const rewrite = (s: string) => {
        let out = s;
        if (args.sourceDomain) out = out.split(args.sourceDomain).join("<domain>");
        return out.replace(new RegExp(`(^|[^a-z0-9])${from}(?=[^a-z0-9]|$)`, "g"), `$1${country}`);
    };

    // The source's own data key never travels: the new stack gets its own on `pulumi stack init`.
    doc.delete("encryptedkey");
    const config = doc.get("config");
    if (!YAML.isMap(config)) throw new NewCountryError(`the source stack file has no config map`);

    const toFill: { key: string; hint: string }[] = [];
    const toCheck: string[] = [];
    for (const pair of config.items) {
        const full = String(YAML.isScalar(pair.key) ? pair.key.value : pair.key);
        const key = full.startsWith(`${NAMESPACE}:`) ? full.slice(NAMESPACE.length + 1) : full;
        const keyNode = pair.key as YAML.Scalar;
        if (key === "country") {
            pair.value = doc.createNode(country);
            continue;
        }
        const hint = COUNTRY_KEYS[key]?.(country, env);
        if (hint !== undefined) {
            toFill.push({ key: full, hint });
            if (key === "images" && YAML.isMap(pair.value)) {
                for (const image of pair.value.items) {
                    if (YAML.isMap(image.value)) image.value.set("version", placeholder(`the ${String(YAML.isScalar(image.key) ? image.key.value : image.key)} version to run`));
                }
            } else if (key === "barragemSchedule" && YAML.isMap(pair.value)) {
                const databases = pair.value.get("databases");
                if (YAML.isMap(databases)) for (const group of databases.items) group.value = doc.createNode([placeholder(hint)]);
            } else {
                pair.value = doc.createNode(placeholder(hint));
            }
            keyNode.commentBefore = [rewriteComment(keyNode.commentBefore, rewrite), ` ${PLACEHOLDER}: ${hint}.`].filter(Boolean).join("\n");
            continue;
        }
        // Anything else that names the source country, its account or its domain.
        let touched = false;
        YAML.visit(pair.value as YAML.Node, {
            Scalar(_k, node) {
                if (typeof node.value !== "string") return;
                const value = node.value;
                if (mentions.test(value) || value.includes(args.sourceAccountId) || (args.sourceDomain && value.includes(args.sourceDomain))) {
                    node.value = rewrite(value).split(args.sourceAccountId).join(placeholder(`${country}'s ${env} account id`));
                    touched = true;
                }
            },
        });
        if (touched) {
            toCheck.push(full);
            keyNode.commentBefore = [rewriteComment(keyNode.commentBefore, rewrite), ` ${PLACEHOLDER}: check, this value named ${from}.`].filter(Boolean).join("\n");
        }
    }

    // Comments that speak of the source country now speak of the new one.
    YAML.visit(doc, {
        Node(_k, node) {
            const n = node as YAML.Node & { commentBefore?: string | null; comment?: string | null };
            if (n.commentBefore && !n.commentBefore.includes(PLACEHOLDER)) n.commentBefore = rewriteComment(n.commentBefore, rewrite);
            if (n.comment) n.comment = rewriteComment(n.comment, rewrite);
        },
        Pair(_k, pair) {
            const key = pair.key as YAML.Node & { commentBefore?: string | null };
            if (YAML.isNode(key) && key.commentBefore && !key.commentBefore.includes(PLACEHOLDER)) key.commentBefore = rewriteComment(key.commentBefore, rewrite);
        },
    });
    // The header is the document's comment, or (without a blank line after it) the first key's.
    const contents = doc.contents;
    const firstKey = YAML.isMap(contents) && YAML.isScalar(contents.items[0]?.key) ? (contents.items[0].key as YAML.Scalar) : undefined;
    let header = doc.commentBefore ?? "";
    if (header === "" && firstKey?.commentBefore) {
        header = firstKey.commentBefore;
        firstKey.commentBefore = undefined;
    }
    const lines = header.split("\n");
    // The editor's schema modeline stays the first line, as it is.
    const modelines = lines.filter((l) => /^\s*yaml-language-server:/.test(l));
    // The source's "<Country>, <env>." sentence names the source country: replaced by the first two lines.
    const rest = lines
        .filter((l) => !modelines.includes(l))
        .map((l) => l.replace(/^\s*[^.,]+, (staging|prod)\.\s*/, ""))
        .filter((l) => l.trim() !== "")
        .map((l) => (l.startsWith(" ") ? rewrite(l) : ` ${rewrite(l)}`));
    doc.commentBefore = [
        ...modelines,
        ` ${country}, ${env}: written by npm run new-country from Pulumi.${env}-${from}.yaml.`,
        ` Replace every "${PLACEHOLDER}" value; npm run plan and the pipeline refuse this file until then.`,
        ...rest,
    ].join("\n");
    return { text: doc.toString({ lineWidth: 0 }), toFill, toCheck };
}

/** Writes both files; refuses a bad code, an existing country or a source pair that is not valid. */
export function newCountry(options: NewCountryOptions): Written[] {
    const { country, dir } = options;
    if (!/^[a-z]{2}$/.test(country)) throw new NewCountryError(`--country has value ${JSON.stringify(country)}; allowed: two lowercase letters (ISO 3166-1 alpha-2), e.g. mx`);
    const stacks = listStacks(dir);
    const existing = stacks.filter((s) => s === `staging-${country}` || s === `prod-${country}`);
    if (existing.length > 0) throw new NewCountryError(`country ${country} already has ${existing.map((s) => `Pulumi.${s}.yaml`).join(" and ")}; edit those instead`);
    const pairs = countryPairs(dir);
    const from = options.from ?? pairs[0];
    if (from === undefined || !pairs.includes(from)) {
        throw new NewCountryError(`--from has value ${JSON.stringify(from ?? "")}; allowed: a country with both stack files (${pairs.join(", ") || "none here"})`);
    }

    const planned = ENVS.map((env) => {
        const source = `${env}-${from}`;
        let sourceStack;
        try {
            sourceStack = parseCountryStack(source, loadStackConfig(source, dir));
        } catch (e) {
            throw new NewCountryError(`the source stack file Pulumi.${source}.yaml is not valid, fix it first:\n${e instanceof Error ? e.message : String(e)}`);
        }
        const file = path.join(dir, `Pulumi.${env}-${country}.yaml`);
        const result = newStackFile(fs.readFileSync(path.join(dir, `Pulumi.${source}.yaml`), "utf8"), {
            from,
            country,
            env,
            sourceAccountId: sourceStack.accounts.country.id,
            sourceDomain: sourceStack.domain,
        });
        return { env, file, ...result };
    });

    // Through the real parser: the placeholders, and only they, must be refused.
    for (const p of planned) {
        const stack = `${p.env}-${country}`;
        const raw = rawConfigOf(p.text);
        let problems: readonly { key: string }[] = [];
        try {
            parseCountryStack(stack, raw);
        } catch (e) {
            if (!(e instanceof ConfigError)) throw e;
            problems = e.problems;
        }
        const flagged = new Set(p.toFill.map((f) => f.key.slice(NAMESPACE.length + 1)));
        const unexpected = problems.filter((pr) => !flagged.has(pr.key.split(".")[0]));
        const unrefused = [...flagged].filter((k) => !problems.some((pr) => pr.key.split(".")[0] === k));
        if (unexpected.length > 0 || unrefused.length > 0) {
            throw new NewCountryError(
                `Pulumi.${stack}.yaml would not be honest: ` +
                    (unexpected.length > 0 ? `problems besides the placeholders (${unexpected.map((u) => u.key).join(", ")})` : "") +
                    (unrefused.length > 0 ? `placeholders the parser accepts (${unrefused.join(", ")})` : "") +
                    "; nothing was written",
            );
        }
    }
    for (const p of planned) fs.writeFileSync(p.file, p.text, { flag: "wx" });
    return planned.map((p) => ({ file: p.file, toFill: p.toFill, toCheck: p.toCheck }));
}

/** A stack file's text in Pulumi's raw config form (as loadStackConfig reads files). */
export function rawConfigOf(text: string): Record<string, string> {
    const config = ((YAML.parse(text) ?? {}).config ?? {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `${NAMESPACE}:${k}`, typeof v === "string" ? v : JSON.stringify(v)]));
}

export function nextSteps(country: string, written: readonly Written[]): string {
    const lines = [`Wrote ${written.map((w) => path.basename(w.file)).join(" and ")}.`, "", `Fill every "${PLACEHOLDER}" value (validation refuses them until then):`];
    for (const w of written) {
        lines.push(`  ${path.basename(w.file)}:`);
        for (const f of w.toFill) lines.push(`    ${f.key}: ${f.hint}`);
        for (const k of w.toCheck) lines.push(`    ${k}: check (it named the source country)`);
    }
    lines.push(
        "",
        "Then:",
        `  1. npm run plan -- --stack staging-${country}                       # offline; a config error names the key`,
        `  2. npm run check:policy -- --stack staging-${country} --stack prod-${country}`,
        "  3. the account side (roles, EKS access entries, OIDC providers, private zone, ECR images and the curl",
        "     mirror): README \"Adding a country\" step 3",
        ...(["staging", "prod"] as const).map(
            (env) => `  4. pulumi stack init ${env}-${country} --secrets-provider "$(sed -n 's/^secretsprovider: *//p' Pulumi.${env}-${country}.yaml)"`,
        ),
        "     then commit the encryptedkey line each adds to its stack file: Pulumi reads the stack's data key",
        "     from it (without it, the first deploy creates the stack and stops with the line to commit)",
        "  5. open a pull request: CI checks and plans both stacks; merging deploys staging, verifies it,",
        "     and deploys prod after the prod environment's approval (README \"Adding a country\")",
    );
    return lines.join("\n");
}

export function parseNewCountryArgs(argv: readonly string[]): NewCountryOptions | string {
    try {
        const { values } = parseArgs({
            args: [...argv],
            strict: true,
            allowPositionals: false,
            options: { country: { type: "string" }, from: { type: "string" }, dir: { type: "string" }, help: { type: "boolean", short: "h" } },
        });
        if (values.help) return "";
        if (values.country === undefined) return "--country is required";
        return { country: values.country, ...(values.from !== undefined ? { from: values.from } : {}), dir: path.resolve(values.dir ?? PROJECT_DIR) };
    } catch (e) {
        return e instanceof Error ? e.message : String(e);
    }
}

export function main(argv: readonly string[], out: (t: string) => void = (t) => process.stdout.write(`${t}\n`), err: (t: string) => void = (t) => process.stderr.write(`${t}\n`)): number {
    const parsed = parseNewCountryArgs(argv);
    if (typeof parsed === "string") {
        if (parsed !== "") err(`new-country: ${parsed}`);
        (parsed === "" ? out : err)(USAGE);
        return parsed === "" ? 0 : 2;
    }
    try {
        out(nextSteps(parsed.country, newCountry(parsed)));
        return 0;
    } catch (e) {
        if (e instanceof NewCountryError) {
            err(`new-country: ${e.message}`);
            return 2;
        }
        throw e;
    }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
