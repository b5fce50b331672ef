// `npm run plan -- --stack <s> --summary`: the plan on one screen (at most 60 lines, also for
// 16 prototypes): cloud resources per prototype × kind, where they land, the estimate, and what
// needs a person's attention before `pulumi up`. The full tree stays the default output.
import { CrossPrototypeDependency, Estimate, formatDuration } from "./estimate";
import { Summary } from "./summary";
import { Plan, PlanResource } from "./types";

/** Kinds of cloud resource, in column order: a type's package/module decides its kind. */
export const KINDS = ["S3", "DynamoDB", "Aurora", "IAM", "network", "DNS", "alarms", "k8s", "other"] as const;
export type Kind = (typeof KINDS)[number];

const AWS_MODULE_KIND: Record<string, Kind> = {
    s3: "S3",
    dynamodb: "DynamoDB",
    rds: "Aurora",
    iam: "IAM",
    ec2: "network",
    vpc: "network",
    route53: "DNS",
    cloudwatch: "alarms",
    sns: "alarms",
};

export function kindOf(type: string): Kind {
    const [pkg, module] = type.split(":");
    if (pkg === "kubernetes") return "k8s";
    if (pkg === "aws") return AWS_MODULE_KIND[module.split("/")[0]] ?? "other";
    return "other";
}

const isCloud = (r: PlanResource) => r.custom && !r.type.startsWith("pulumi:providers:");

export interface Brief {
    /** Rows per prototype group, then the total: counts of cloud resources by kind. */
    readonly matrix: readonly { readonly group: string; readonly total: number; readonly byKind: Readonly<Record<Kind, number>> }[];
    /** Kinds that occur, in column order (empty columns are left out). */
    readonly kinds: readonly Kind[];
    /** What a person should look at before `pulumi up`, one line each. */
    readonly attention: readonly string[];
}

function zero(): Record<Kind, number> {
    return Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
}

/**
 * Where a change needs a person: the program's own warnings, alerts off, secrets, resources
 * outside the explicit providers, guesses in the estimate.
 */
export function needsAttention(plan: Plan, est: Estimate, warnings: readonly string[] = []): string[] {
    const out: string[] = warnings.map((w) => `warning: ${w}`);
    const alarms = plan.resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm");
    const silent = alarms.filter((r) => r.inputs.actionsEnabled === false);
    if (silent.length > 0) {
        out.push(
            `alerts are off: ${silent.length} of ${alarms.length} alarms notify nobody (data-infra:alertsEnabled is false); ` +
                "turn them on once the services are healthy",
        );
    }
    const secret = plan.resources.filter((r) => r.secretInputs.length > 0);
    if (secret.length > 0) {
        const names = secret.map((r) => `${r.name} (${r.secretInputs.join(", ")})`);
        out.push(`secrets: ${secret.length} resources take secret inputs, stored encrypted in the state: ${shortList(names, 3)}`);
    }
    if (plan.secretOutputs.length > 0) out.push(`secret outputs: ${shortList([...plan.secretOutputs], 4)} (shown only with --show-secrets)`);
    const unplaced = plan.resources.filter((r) => isCloud(r) && !r.provider && r.type.startsWith("aws:"));
    if (unplaced.length > 0) {
        out.push(`${unplaced.length} AWS resources use the default provider (the caller's account): ${shortList(unplaced.map((r) => `${r.type} ${r.name}`), 3)}`);
    }
    const { unexpected } = crossings(est);
    if (unexpected) out.push(unexpected);
    if (est.assumedTypes.length > 0) out.push(`estimate guesses for ${est.assumedTypes.length} types without a typical time: ${shortList(est.assumedTypes, 3)}`);
    return out;
}

/**
 * The one crossing the design expects (docs/services.md "Tapir feeds every prototype's
 * Conrado", docs/plan.md): Tapir on global waits for every prototype's `conrado` and
 * `serving-layer-schemas` tables. Any other crossing needs a look.
 */
export function isExpectedCrossing(d: CrossPrototypeDependency): boolean {
    const from = urnParts(d.from);
    const to = urnParts(d.to);
    return /(^|-)tapir$/.test(from.name) && to.type === "aws:dynamodb/table:Table" && /-(conrado|serving-layer-schemas)$/.test(to.name);
}

/**
 * What the tree and the summary say of cross-prototype dependencies, in one wording: the
 * expected ones (Tapir's) as a count with an example, any other as needing a look.
 */
export function crossings(est: Estimate): { expected?: string; unexpected?: string } {
    const expected = est.crossPrototype.filter(isExpectedCrossing);
    const unexpected = est.crossPrototype.filter((d) => !isExpectedCrossing(d));
    return {
        ...(expected.length > 0 ? { expected: `Expected cross-prototype waits: ${expected.length} (Tapir feeds each prototype's tables), e.g. ${describeCrossing(expected[0])}` } : {}),
        ...(unexpected.length > 0
            ? {
                  unexpected: `${unexpected.length} unexpected ${unexpected.length === 1 ? "dependency crosses prototypes and serialises them" : "dependencies cross prototypes and serialise them"}: ${shortList(unexpected.map(describeCrossing), 2)}`,
              }
            : {}),
    };
}

/** `global-tapir (Deployment) waits for staging-s0-conrado (DynamoDB table)`: names, not URNs. */
export function describeCrossing(d: CrossPrototypeDependency): string {
    return `${shortName(d.from)} waits for ${shortName(d.to)}`;
}

const MODULE_LABEL: Record<string, string> = { dynamodb: "DynamoDB", s3: "S3", rds: "RDS", iam: "IAM", ec2: "EC2", vpc: "VPC", route53: "Route 53", cloudwatch: "CloudWatch", sns: "SNS", kms: "KMS" };

/** A resource's name and kind from its URN (`staging-s0-conrado (DynamoDB table)`). */
export function shortName(urn: string): string {
    const { type, name } = urnParts(urn);
    const [pkg, module = "", typeName = type] = type.split(":");
    if (pkg !== "aws") return `${name} (${typeName})`;
    const mod = module.split("/")[0];
    return `${name} (${MODULE_LABEL[mod] ?? mod} ${typeName.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()})`;
}

function urnParts(urn: string): { type: string; name: string } {
    // urn:pulumi:<stack>::<project>::<parent types $>type::<name>
    const parts = urn.split("::");
    const types = (parts[2] ?? "").split("$");
    return { type: types[types.length - 1], name: parts.slice(3).join("::") };
}

function shortList(items: readonly string[], max: number): string {
    return items.length <= max ? items.join(", ") : `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

export function brief(plan: Plan, est: Estimate, warnings: readonly string[] = []): Brief {
    const rows = new Map<string, Record<Kind, number>>(plan.groups.map((g) => [g, zero()]));
    const total = zero();
    for (const r of plan.resources.filter(isCloud)) {
        const kind = kindOf(r.type);
        const row = rows.get(r.prototype) ?? zero();
        row[kind]++;
        rows.set(r.prototype, row);
        total[kind]++;
    }
    const sum = (byKind: Record<Kind, number>) => KINDS.reduce((n, k) => n + byKind[k], 0);
    const matrix = [...rows].map(([group, byKind]) => ({ group, total: sum(byKind), byKind })).filter((row) => row.total > 0);
    return {
        matrix: [...matrix, { group: "total", total: sum(total), byKind: total }],
        kinds: KINDS.filter((k) => total[k] > 0),
        attention: needsAttention(plan, est, warnings),
    };
}

function columns(rows: readonly (readonly string[])[]): string[] {
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    // Names left-aligned, counts right-aligned.
    return rows.map((r) => "  " + r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ").trimEnd());
}

/** `fullCommand`: how to get the full tree of this same plan (keeps `--prototypes` when it was given). */
export function renderBrief(plan: Plan, summary: Summary, est: Estimate, b: Brief = brief(plan, est), fullCommand = `npm run plan -- --stack ${plan.stack}`): string {
    const header = ["prototype", "cloud", ...b.kinds];
    const rows = b.matrix.map((row) => [row.group, String(row.total), ...b.kinds.map((k) => (row.byKind[k] === 0 ? "·" : String(row.byKind[k])))]);
    const accounts = new Map<string, string[]>();
    for (const p of summary.byPlacement) {
        const key = p.account === "kubernetes" ? "kubernetes" : p.account;
        accounts.set(key, [...(accounts.get(key) ?? []), p.account === "kubernetes" ? `${p.count}` : `${p.region} ${p.count}`]);
    }
    // Resources with no provider of the program's own (random's passwords): named, not "no account".
    const unplacedNames = plan.resources.filter((r) => isCloud(r) && !r.account && !r.provider).map((r) => `${r.name} (${r.type.split(":").pop()})`);
    const placement = [...accounts]
        .filter(([account]) => account !== "no account")
        .map(([account, parts]) =>
            account === "kubernetes" ? `kubernetes ${parts.map(Number).reduce((a, n) => a + n, 0)} on ${parts.length} cluster${parts.length === 1 ? "" : "s"}` : `${account}: ${parts.join(", ")}`,
        );
    if (unplacedNames.length > 0) placement.push(`no cloud account (default provider): ${shortList(unplacedNames, 3)}`);
    const { expected } = crossings(est);
    const last = est.chain[est.chain.length - 1];
    const lines = [
        `Plan of ${plan.stack} (offline): ${summary.total} resources — ${summary.cloud} in the cloud, ${summary.providers} providers, ${summary.components} components`,
        "",
        "Cloud resources per prototype and kind:",
        ...columns([header, ...rows]),
        "",
        `Where: ${placement.join(" · ")}`,
        `Kept safe: ${summary.protected} protected · ${summary.retainedOnDelete} retained on delete · ${summary.withSecretInputs} with secret inputs`,
        `Estimated cold \`pulumi up\`: ${formatDuration(est.criticalPathSeconds)} (longest chain, ${est.chain.length} steps, ends with ${last ? `${last.type} ${last.name}` : "nothing"}); ` +
            `${formatDuration(est.serialSeconds)} one at a time`,
        ...(expected ? [expected] : []),
        "",
        ...(b.attention.length > 0 ? ["Needs attention:", ...b.attention.map((a) => `  - ${a}`)] : ["Needs attention: nothing found"]),
        "",
        `The full tree: ${fullCommand} (without --summary)`,
    ];
    return `${lines.join("\n")}\n`;
}
