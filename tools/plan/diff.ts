// Two plans compared resource by resource and input by input: what a reviewer reads on a pull
// request (this tree against the saved plan of the base branch) or when comparing two stacks
// (`--stack prod-co --against staging-co`). The second plan is the baseline: "added" means
// present in the plan under review and not in the baseline.
import { ENVS } from "../../stacks/config";
import { SECRET_MASK } from "../mockRuntime";
import { Plan, PlanResource } from "./types";

export interface Change {
    /** `instanceClass`, `tags.prototype`, `policy(json).Statement[0].Effect`, `options.protect`, … */
    readonly path: string;
    readonly before: unknown;
    readonly after: unknown;
}

export interface ResourceChange {
    readonly resource: PlanResource;
    readonly changes: readonly Change[];
}

export interface PlanDiff {
    readonly stack: string;
    readonly against: string;
    /** Tokens written as placeholders before comparing, e.g. `<env> = staging → prod`. */
    readonly normalized: readonly string[];
    readonly groups: readonly string[];
    readonly added: readonly PlanResource[];
    readonly removed: readonly PlanResource[];
    readonly changed: readonly ResourceChange[];
    readonly unchanged: number;
    readonly outputs: readonly Change[];
}

type Normalize = (text: string) => string;

type Rule = [RegExp, string | ((match: string) => string)];

interface Rules {
    readonly base: Rule[];
    readonly next: Rule[];
    readonly notes: string[];
}

function stackParts(stack: string): { env?: string; country?: string } {
    const m = /^([a-z]+)-([a-z]{2})$/.exec(stack);
    return m && (ENVS as readonly string[]).includes(m[1]) ? { env: m[1], country: m[2] } : {};
}

function tokenPattern(token: string): RegExp {
    return new RegExp(`(?<![A-Za-z0-9])${token.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9])`, "g");
}

function normalizer(rules: readonly Rule[]): Normalize {
    return (text) => rules.reduce((t, [re, to]) => t.replace(re, to as string), text);
}

/**
 * Values the offline runtime made up (ids, endpoints, OIDC issuers, mock ARNs) become
 * `<what they stand for>` on their side: the real cloud decides them, so they are no change.
 * One pattern for all of them (a plan has one per resource), longest first.
 */
function inventedRule(invented: Readonly<Record<string, string>> | undefined): Rule[] {
    const values = Object.keys(invented ?? {}).sort((a, b) => b.length - a.length);
    if (values.length === 0) return [];
    const escaped = values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    return [[new RegExp(`(?<![A-Za-z0-9])(?:${escaped.join("|")})(?![A-Za-z0-9])`, "g"), (m) => `<${invented![m]}>`]];
}

function addRule(rules: Rules, what: string, before: string, after: string): void {
    rules.base.push([tokenPattern(before), `<${what}>`]);
    rules.next.push([tokenPattern(after), `<${what}>`]);
    rules.notes.push(`<${what}> = ${before} → ${after}`);
}

/**
 * Two different stacks name everything after their env and country (`staging-s0-conrado`,
 * `nu-spark-static-co-staging`): those tokens are written `<env>`/`<country>` on both sides so
 * the same resource matches and only real differences remain. Same stack: nothing is rewritten.
 */
function stackRules(stack: string, against: string): Rules {
    const rules: Rules = { base: [], next: [], notes: [] };
    if (stack === against) return rules;
    const [a, b] = [stackParts(against), stackParts(stack)];
    if (a.env && b.env && a.env !== b.env) addRule(rules, "env", a.env, b.env);
    if (a.country && b.country && a.country !== b.country) addRule(rules, "country", a.country, b.country);
    rules.base.push([tokenPattern(against), "<stack>"]);
    rules.next.push([tokenPattern(stack), "<stack>"]);
    return rules;
}

function accountsOf(r: PlanResource): string[] {
    let ids = r.inputs.allowedAccountIds;
    if (typeof ids === "string") {
        try {
            ids = JSON.parse(ids);
        } catch {
            return [];
        }
    }
    return Array.isArray(ids) ? ids.map(String) : [];
}

/**
 * Between two stacks, the same provider (`aws-country-us-east-1`) pins a different account id,
 * which then appears in every ARN; those ids become `<country account>` on both sides.
 */
function accountRules(next: Plan, base: Plan, rules: Rules): void {
    const [nb, na] = [normalizer(rules.base), normalizer(rules.next)];
    const baseProviders = new Map(base.resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [nb(r.urn), r]));
    const paired = new Set<string>();
    for (const r of next.resources) {
        const before = baseProviders.get(na(r.urn));
        if (!before) continue;
        const [ids, baseIds] = [accountsOf(r), accountsOf(before)];
        ids.forEach((id, i) => {
            const was = baseIds[i];
            if (!was || was === id || paired.has(was)) return;
            paired.add(was);
            const role = /^aws-(.+)-[a-z]{2}(-gov)?-[a-z]+-\d+$/.exec(r.name)?.[1] ?? r.name;
            addRule(rules, `${role} account`, was, id);
        });
    }
}

function isRecord(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** `a.b`, or `a["oidc.eks…:sub"]` for keys that are not plain words. */
function childPath(path: string, key: string): string {
    if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key)) return path ? `${path}.${key}` : key;
    return `${path}[${JSON.stringify(key)}]`;
}

function jsonDocument(v: unknown): unknown {
    if (typeof v !== "string" || !/^\s*[[{]/.test(v)) return undefined;
    try {
        return JSON.parse(v);
    } catch {
        return undefined;
    }
}

/** `type name` of a URN (`urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>`). */
function urnLabel(urn: string, n: Normalize, withType: boolean): string {
    const parts = urn.split("::");
    const name = n(parts[parts.length - 1] ?? urn);
    const type = (parts[parts.length - 2] ?? "").split("$").pop();
    return withType && type ? `${type} ${name}` : name;
}

/** Each side's normalisation for comparing, and for showing (only made-up values become `<…>`). */
interface Sides {
    readonly nb: Normalize;
    readonly na: Normalize;
    readonly showB: Normalize;
    readonly showA: Normalize;
}

/** Compares two values under their sides' normalisation, recording each differing leaf. */
function compare(before: unknown, after: unknown, path: string, sides: Sides, out: Change[]): void {
    const { nb, na } = sides;
    const record = () => out.push({ path, before: normalized(before, sides.showB), after: normalized(after, sides.showA) });
    if (before === after) return;
    if (typeof before === "string" && typeof after === "string") {
        if (nb(before) === na(after)) return;
        const [db, da] = [jsonDocument(before), jsonDocument(after)];
        if (db !== undefined && da !== undefined) return compare(db, da, `${path}(json)`, sides, out);
        record();
        return;
    }
    if (isRecord(before) && isRecord(after)) {
        for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
            compare(before[key], after[key], childPath(path, key), sides, out);
        }
        return;
    }
    if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
        before.forEach((b, i) => compare(b, after[i], `${path}[${i}]`, sides, out));
        return;
    }
    if (Array.isArray(before) || Array.isArray(after) || isRecord(before) || isRecord(after)) {
        // Lists of different lengths, or different shapes: the whole value once, unless equal after normalising.
        if (JSON.stringify(normalized(before, nb)) !== JSON.stringify(normalized(after, na))) record();
        return;
    }
    if (before !== after) record();
}

function normalized(v: unknown, n: Normalize): unknown {
    if (typeof v === "string") return n(v);
    if (v === undefined) return v;
    if (Array.isArray(v)) return v.map((x) => normalized(x, n));
    if (isRecord(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, normalized(v[k], n)]));
    return v;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Between two stacks, a digest of text (a Deployment's `data-infra/config-sha256`) differs
 * because the text names the stack, which the placeholders cannot reach inside a hash. The
 * text itself (the ConfigMap) is compared through the placeholders, so its digest is left out.
 */
function dropDigests(changes: Change[]): void {
    for (let i = changes.length - 1; i >= 0; i--) {
        const { before, after } = changes[i];
        if (typeof before === "string" && typeof after === "string" && SHA256.test(before) && SHA256.test(after)) changes.splice(i, 1);
    }
}

export function diffPlans(next: Plan, base: Plan): PlanDiff {
    const rules = stackRules(next.stack, base.stack);
    if (next.stack !== base.stack) accountRules(next, base, rules);
    // Made-up values first, so that the stack's tokens in what they stand for are normalised too.
    const [inventedBase, inventedNext] = [inventedRule(base.invented), inventedRule(next.invented)];
    rules.base.unshift(...inventedBase);
    rules.next.unshift(...inventedNext);
    const [nb, na, notes] = [normalizer(rules.base), normalizer(rules.next), rules.notes];
    const sides: Sides = { nb, na, showB: normalizer(inventedBase), showA: normalizer(inventedNext) };
    const baseById = new Map(base.resources.map((r) => [nb(r.urn), r]));
    const nextIds = new Set(next.resources.map((r) => na(r.urn)));
    const labelBase = (urn: string | undefined, withType = true) => (urn === undefined ? undefined : urnLabel(urn, nb, withType));
    const labelNext = (urn: string | undefined, withType = true) => (urn === undefined ? undefined : urnLabel(urn, na, withType));

    const added: PlanResource[] = [];
    const changed: ResourceChange[] = [];
    let unchanged = 0;
    for (const r of next.resources) {
        const before = baseById.get(na(r.urn));
        if (!before) {
            added.push(r);
            continue;
        }
        const changes: Change[] = [];
        compare(before.inputs, r.inputs, "", sides, changes);
        if (next.stack !== base.stack) dropDigests(changes);
        const labelled: [string, unknown, unknown][] = [
            ["provider", labelBase(before.provider, false), labelNext(r.provider, false)],
            ["parent", labelBase(before.parent), labelNext(r.parent)],
            ["prototype", before.prototype, r.prototype],
            ["options.protect", before.options.protect, r.options.protect],
            ["options.retainOnDelete", before.options.retainOnDelete, r.options.retainOnDelete],
        ];
        for (const [path, b, a] of labelled) if (b !== a) changes.push({ path, before: b, after: a });
        for (const [path, b, a] of [
            ["options.dependsOn", before.options.dependsOn, r.options.dependsOn],
            ["dependencies", before.dependencies, r.dependencies],
        ] as const) {
            const [sb, sa] = [new Set(b.map(nb)), new Set(a.map(na))];
            const gone = b.filter((u) => !sa.has(nb(u))).map((u) => labelBase(u)!);
            const come = a.filter((u) => !sb.has(na(u))).map((u) => labelNext(u)!);
            if (gone.length + come.length > 0) changes.push({ path, before: gone, after: come });
        }
        if (changes.length > 0) changed.push({ resource: r, changes });
        else unchanged++;
    }
    const removed = base.resources.filter((r) => !nextIds.has(nb(r.urn)));
    const outputs: Change[] = [];
    compare(base.outputs, next.outputs, "", sides, outputs);
    const groups = [...next.groups, ...base.groups.filter((g) => !next.groups.includes(g))];
    return { stack: next.stack, against: base.stack, normalized: notes, groups, added, removed, changed, unchanged, outputs };
}

/** Fields whose values are labels (resource names), printed as they are. */
const LABELS = new Set(["provider", "parent", "prototype"]);

function shown(v: unknown, path: string): string {
    if (v === undefined) return "(absent)";
    if (v === SECRET_MASK) return SECRET_MASK;
    if (LABELS.has(path) && typeof v === "string") return v;
    const text = JSON.stringify(v);
    return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

function changeLines(c: Change): string[] {
    if (c.path === "dependencies" || c.path === "options.dependsOn") {
        const [gone, come] = [c.before as string[], c.after as string[]];
        return [...come.map((x) => `${c.path}: + ${x}`), ...gone.map((x) => `${c.path}: − ${x}`)];
    }
    return [`${c.path || "(value)"}: ${shown(c.before, c.path)} → ${shown(c.after, c.path)}`];
}

/** Changed resources of a group; resources with the very same changes share one list of them. */
function changedLines(changed: readonly ResourceChange[]): string[] {
    const bySignature = new Map<string, { resources: PlanResource[]; lines: string[] }>();
    for (const c of changed) {
        const lines = c.changes.flatMap(changeLines);
        const key = lines.join("\n");
        const entry = bySignature.get(key) ?? { resources: [], lines };
        entry.resources.push(c.resource);
        bySignature.set(key, entry);
    }
    return [...bySignature.values()].flatMap(({ resources, lines }) => [
        ...resources.map((r) => `  ~ ${r.type}  ${r.name}`),
        ...lines.map((l) => `      ${l}`),
    ]);
}

export function renderDiff(d: PlanDiff, baselineLabel = d.against): string {
    const out = [`Plan diff of ${d.stack} against ${baselineLabel} (offline: mock runtime, no cloud calls)`];
    if (d.normalized.length > 0) out.push(`The stacks differ in these tokens; they are compared as placeholders: ${d.normalized.join("; ")}.`);
    out.push("");
    for (const group of d.groups) {
        const entries = [
            ...d.added.filter((r) => r.prototype === group).map((r) => `  + ${r.type}  ${r.name}`),
            ...d.removed.filter((r) => r.prototype === group).map((r) => `  - ${r.type}  ${r.name}`),
            ...changedLines(d.changed.filter((c) => c.resource.prototype === group)),
        ];
        if (entries.length === 0) continue;
        out.push(group, ...entries, "");
    }
    if (d.outputs.length > 0) out.push("stack outputs", ...d.outputs.flatMap(changeLines).map((l) => `  ~ ${l}`), "");
    const total = d.added.length + d.removed.length + d.changed.length;
    out.push(
        total === 0 && d.outputs.length === 0
            ? `No differences: ${d.unchanged} resources are the same.`
            : `Summary: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed, ${d.unchanged} unchanged; ${d.outputs.length} stack outputs changed.`,
    );
    return `${out.join("\n")}\n`;
}
