// The stack config contract (SPEC "Config contract"): the frozen CountryStack a stack file turns
// into, and the parse that gets it there. The keys, their defaults and what each allows are declared
// once, in stacks/schema.ts; this module turns that schema's verdict into CountryStack or into one
// ConfigError that lists every problem at once.
// Validation is pure (no Pulumi runtime) so that it runs, and fails, before anything is registered.
import { z } from "zod";
import {
    COUNTRY_WIDE_BUCKETS_OWNER,
    DATA_ETL_ROLE_NAME,
    DATA_REGIONS,
    DEPLOY_ROLE_NAME,
    Env,
    ExpiryKey,
    HOME_REGION,
    NAMESPACE,
    PREVIEW_ROLE_NAME,
    READ_ONLY_ROLE_NAME,
    SERVICE_DEFAULTS,
    Workload,
    WORKLOADS,
} from "./constants";
import { ecrRegistry, kubernetesClusterName } from "./naming";
import { CONFIG_SCHEMA, CONFIG_SHAPE, ConfigKey, isClean, KEY_DOCS, ParsedConfig, UNKNOWN_KEY_PARAM } from "./schema";
// The errors module alone: config stays free of the Pulumi runtime.
import { RunError } from "@pulumi/pulumi/errors";

export {
    ALL_PROTOTYPES,
    COUNTRY_WIDE_BUCKETS_OWNER,
    DATA_REGIONS,
    ENVS,
    HOME_REGION,
    MIN_AURORA_MAJOR,
    NAMESPACE,
    SERVICE_DEFAULTS,
    SERVICES,
    SHARDS,
    WORKLOADS,
} from "./constants";
export type { Env, ExpiryKey, Service, Workload } from "./constants";

export interface KubernetesCluster {
    /** A kubeconfig context to use instead of building the provider from the EKS cluster; undefined by default. */
    readonly context?: string;
    /** Namespace this stack creates and owns on that cluster. */
    readonly namespace: string;
    /** EKS cluster whose OIDC provider the service roles trust, when oidcProviderArn is not given. */
    readonly eksClusterName: string;
    readonly oidcProviderArn?: string;
    /** The internal ingress: its class, the annotations it needs, and the namespace its controller runs in. */
    readonly ingressClass: string;
    readonly ingressAnnotations: Readonly<Record<string, string>>;
    readonly ingressControllerNamespace: string;
}

/**
 * The EKS cluster the program looks up for a prototype (components/kubernetesProviders.ts): for the
 * kubeconfig unless a `context` replaces it, and for the OIDC issuer unless `oidcProviderArn` is
 * given. Undefined when it needs neither; preflight checks exactly these.
 */
export function eksClusterLookedUp(cluster: KubernetesCluster): string | undefined {
    return cluster.context === undefined || cluster.oidcProviderArn === undefined ? cluster.eksClusterName : undefined;
}

export interface ImageRef {
    /** With its registry host, e.g. `<account>.dkr.ecr.<region>.amazonaws.com/nu-veiga`. */
    readonly repository: string;
    /** A tag, or a digest `sha256:<hex>`. */
    readonly version: string;
}

/** Route53 hosted zone of the canonical names. */
export interface DnsZone {
    readonly name: string;
    readonly private: boolean;
    /** The zone's id, when a lookup by name and visibility would be ambiguous. */
    readonly id?: string;
}

export interface WorkloadSize {
    readonly replicas: number;
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
}

/** Runbook "Schedule segments processing": Tempo's barragem-process-next-segment tasks. */
export interface SegmentScheduleConfig {
    readonly cron: string;
    readonly image: string;
    /** Databases of the global task and of the shards task. */
    readonly databases: { readonly global: readonly string[]; readonly shards: readonly string[] };
}

export interface AccountConfig {
    readonly id: string;
    readonly deployRoleArn: string;
    /** Read-only role assumed when DATA_INFRA_ROLE=preview (stacks/read.ts). */
    readonly previewRoleArn: string;
}

export interface CountryAccountConfig extends AccountConfig {
    /** The role `npm run verify` reads the country account with; it may decrypt Barragem's secret (through S3). */
    readonly readOnlyRoleArn: string;
}

/** How long scratch objects and old versions are kept (stacks/catalogue.ts decides which bucket is which). */
export interface BucketRetentionConfig {
    readonly expiryDays: Readonly<Record<ExpiryKey, number>>;
    readonly noncurrentVersionDays: number;
}

export interface CountryStack {
    readonly stackName: string;
    readonly country: string;
    readonly env: Env;
    readonly prototypes: readonly string[];
    readonly stackId: string;
    readonly clearances: readonly string[];
    /** Region of the country account's services: tables, Aurora, IAM-bound things. */
    readonly region: string;
    readonly dataRegion: string;
    readonly homeRegion: string;
    readonly accounts: { readonly country: CountryAccountConfig; readonly data: AccountConfig };
    /** True when this stack creates the country-wide (env-less) buckets. */
    readonly ownsCountryWideBuckets: boolean;
    readonly aurora: {
        readonly engineVersion: string;
        readonly major: number;
        readonly instanceClass: string;
        /** `customer-managed` (the stack creates the key), `aws-managed` (aws/rds) or a KMS key ARN. */
        readonly storageKey: string;
    };
    readonly vpcName: string;
    readonly kubernetesNodesSecurityGroupName: string;
    readonly alertsEnabled: boolean;
    readonly dynamodb: {
        readonly billingMode: "PAY_PER_REQUEST" | "PROVISIONED";
        readonly readCapacity?: number;
        readonly writeCapacity?: number;
    };
    /** The country's DNS domain: the canonical names end in it. */
    readonly domain: string;
    readonly dnsZone: DnsZone;
    /** Registry of every image whose repository names no other. */
    readonly imageRegistry: string;
    /** Per prototype. */
    readonly kubernetes: Readonly<Record<string, KubernetesCluster>>;
    readonly images: Readonly<Record<Workload, ImageRef>>;
    readonly workloads: Readonly<Record<Workload, WorkloadSize>>;
    readonly segmentSchedule: SegmentScheduleConfig;
    /** The nu-data ETL roles the country buckets grant (stacks/bucketAccess.ts). */
    readonly dataEtlRoleArns: readonly string[];
    readonly bucketRetention: BucketRetentionConfig;
}

/** One documented key of the contract. The README's config reference lists exactly these. */
export interface ConfigKeyDoc {
    readonly key: string;
    readonly required: boolean;
    readonly default: string;
    readonly meaning: string;
}

/** The README's config reference, read off the schema: required keys are those without a default. */
export const CONFIG_KEYS: readonly ConfigKeyDoc[] = (Object.entries(CONFIG_SHAPE) as [ConfigKey, z.ZodType][]).map(([key, schema]) => {
    const doc = KEY_DOCS.get(schema);
    if (doc === undefined) throw new Error(`stacks/schema.ts: key ${key} is not documented(); the README reference needs its default and meaning`);
    return { key, required: !schema.safeParse(undefined).success, default: doc.default, meaning: doc.meaning };
});

export interface ConfigProblem {
    /** The key as written after `data-infra:`, nested fields dotted (`images.tapir.version`); "" for the stack itself. */
    readonly key: string;
    /** The value as the stack file gives it; undefined when it is missing. */
    readonly value: string | undefined;
    /** Set when the value is not text (`2`, `true`, a list): `value` is then its JSON. */
    readonly valueType?: "number" | "boolean" | "list" | "object";
    readonly allowed: string;
    /** The whole sentence, for a problem that is not about one key (the stack's name). */
    readonly message?: string;
}

/**
 * A RunError, so that Pulumi's language host prints the message alone: any other error comes with
 * a stack trace and the error's fields, which bury the list of problems.
 */
export class ConfigError extends RunError {
    constructor(readonly stackName: string, readonly problems: readonly ConfigProblem[]) {
        super(ConfigError.text(stackName, problems, "no resource was registered"));
        this.name = "ConfigError";
    }

    /** The same report, saying what did not happen (the offline plan: "nothing was planned"). */
    report(consequence: string): string {
        return ConfigError.text(this.stackName, this.problems, consequence);
    }

    private static text(stackName: string, problems: readonly ConfigProblem[], consequence: string): string {
        return (
            `Invalid config for stack "${stackName}" (${problems.length} problem${problems.length === 1 ? "" : "s"}); ${consequence}:\n` +
            problems.map((p) => `  - ${formatProblem(p)}`).join("\n")
        );
    }
}

export function formatProblem(p: ConfigProblem): string {
    if (p.message !== undefined) return p.message;
    const value =
        p.value === undefined ? "is missing" : p.valueType === undefined ? `has value ${JSON.stringify(p.value)}` : `has the ${p.valueType} ${p.value}`;
    return `${qualified(p.key)} ${value}; allowed: ${p.allowed}`;
}

function qualified(key: string): string {
    return key.includes(":") ? key : `${NAMESPACE}:${key}`;
}

/** Raw config as Pulumi holds it: namespaced keys to strings (lists and objects as JSON text). */
export type RawConfig = Readonly<Record<string, string>>;

/**
 * Validates a stack's raw config into a frozen CountryStack, or throws one ConfigError that
 * lists every problem at once.
 */
export function parseCountryStack(stackName: string, raw: RawConfig): CountryStack {
    const values: Record<string, unknown> = {};
    for (const [full, text] of Object.entries(raw)) {
        if (!full.startsWith(`${NAMESPACE}:`)) continue;
        const key = full.slice(NAMESPACE.length + 1);
        values[key] = fromPulumi(key, text);
    }
    const result = CONFIG_SCHEMA.safeParse(values, { reportInput: true });
    const issues = result.success ? [] : result.error.issues;
    const problems = unique(issues.map(toProblem));

    // The stack's name is not a key: it is reported as what it is, once env and country are valid.
    if (isClean(issues, "env") && isClean(issues, "country") && typeof values.env === "string" && typeof values.country === "string") {
        const expected = `${values.env}-${values.country}`;
        if (stackName !== expected) {
            problems.push({
                key: "",
                value: stackName,
                allowed: expected,
                message:
                    `stack "${stackName}" does not match its config: env ${values.env} and country ${values.country} make "${expected}"; ` +
                    `rename the stack file or fix ${NAMESPACE}:env/country`,
            });
        }
    }
    if (!result.success || problems.length > 0) throw new ConfigError(stackName, problems);
    return deepFreeze(toCountryStack(stackName, result.data));
}

/**
 * What a stack file probably does not mean but might: warned about, never refused. A domain whose
 * last label is another country's two-letter code is the domain of the stack file this one was
 * copied from (country mx, domain nu.com.co); a country whose domain really ends in another code
 * (gb under .uk) can ignore it.
 */
export function configWarnings(stack: CountryStack): string[] {
    const warnings: string[] = [];
    const topLevel = stack.domain.split(".").pop() ?? "";
    if (/^[a-z]{2}$/.test(topLevel) && topLevel !== stack.country) {
        warnings.push(
            `${NAMESPACE}:domain "${stack.domain}" ends in ".${topLevel}", another country's code, but ${NAMESPACE}:country is "${stack.country}": ` +
                `was this stack file copied from the ${topLevel} stacks? The canonical names go into the Route53 zone of "${stack.domain}".`,
        );
    }
    return warnings;
}

/**
 * Pulumi's raw form back to the stack file's value: lists and objects arrive as JSON text. An
 * empty required key counts as missing.
 */
function fromPulumi(key: string, text: string): unknown {
    if (text === "" && key in CONFIG_SHAPE && CONFIG_KEYS.find((k) => k.key === key)?.required) return undefined;
    if (/^\s*[[{]/.test(text)) {
        try {
            return JSON.parse(text);
        } catch {
            // Not JSON after all: the schema refuses the text as it is.
        }
    }
    return text;
}

/** A value as a problem shows it: strings as they are, anything else as JSON. */
function shown(value: unknown): string | undefined {
    if (value === undefined) return undefined;
    return typeof value === "string" ? value : JSON.stringify(value);
}

function toProblem(issue: z.core.$ZodIssue): ConfigProblem {
    // List positions are not part of the key: `prototypes has value "s15"`.
    const path = issue.path.filter((p): p is string => typeof p === "string");
    const key = path.join(".");
    const input = (issue as { input?: unknown }).input;
    const value = shown(input);
    const valueType = typeOf(input);
    const typed = valueType === undefined ? {} : { valueType };
    const known = issue.code === "custom" ? (issue.params?.[UNKNOWN_KEY_PARAM] as string[] | undefined) : undefined;
    if (known !== undefined) {
        const guess = didYouMean(path[path.length - 1], known);
        // With a guess, the guess is what helps; without one, the list of what is allowed.
        const allowed = guess === undefined ? issue.message : `${issue.message.replace(/ \(.*\)$/, "")}; did you mean \`${guess}\`?`;
        return { key, value, allowed, ...typed };
    }
    return { key, value, allowed: issue.message, ...typed };
}

/** What a non-text value is, so that `2` and `"2"` read differently in a problem. */
function typeOf(value: unknown): ConfigProblem["valueType"] {
    if (typeof value === "number" || typeof value === "boolean") return typeof value as "number" | "boolean";
    if (Array.isArray(value)) return "list";
    if (value !== null && typeof value === "object") return "object";
    return undefined;
}

function unique(problems: ConfigProblem[]): ConfigProblem[] {
    const seen = new Set<string>();
    return problems.filter((p) => {
        const id = JSON.stringify([p.key, p.value, p.allowed]);
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
    });
}

/**
 * The known key closest to a misspelt one, if it is a plausible typo: at most one edit per four
 * characters (at least one), counting a swap of neighbours as one edit and ignoring case.
 */
export function didYouMean(key: string, known: readonly string[]): string | undefined {
    let best: { name: string; distance: number } | undefined;
    for (const name of known) {
        const distance = editDistance(key.toLowerCase(), name.toLowerCase());
        if (best === undefined || distance < best.distance) best = { name, distance };
    }
    return best !== undefined && best.distance <= Math.max(1, Math.floor(key.length / 4)) ? best.name : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
    const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.length][b.length];
}

/** The accepted config with the defaults that depend on other keys filled in. */
function toCountryStack(stackName: string, c: ParsedConfig): CountryStack {
    const env = c.env;
    const accountRole = (id: string, name = DEPLOY_ROLE_NAME) => `arn:aws:iam::${id}:role/${name}`;
    const kubernetes: Record<string, KubernetesCluster> = {};
    for (const prototype of c.prototypes) {
        const given = c.kubernetesClusters?.[prototype] ?? {};
        const name = kubernetesClusterName(env, prototype, c.stackId);
        kubernetes[prototype] = {
            ...(given.context === undefined ? {} : { context: given.context }),
            namespace: given.namespace ?? SERVICE_DEFAULTS.namespace,
            eksClusterName: given.eksClusterName ?? name,
            ingressClass: given.ingressClass ?? SERVICE_DEFAULTS.ingressClass,
            ingressAnnotations: { ...(given.ingressAnnotations ?? {}) },
            ingressControllerNamespace: given.ingressControllerNamespace ?? SERVICE_DEFAULTS.ingressControllerNamespace,
            ...(given.oidcProviderArn === undefined ? {} : { oidcProviderArn: given.oidcProviderArn }),
        };
    }
    const imageRegistry = c.imageRegistry ?? ecrRegistry(c.countryAccountId, c.region);
    const images = {} as Record<Workload, ImageRef>;
    const workloads = {} as Record<Workload, WorkloadSize>;
    for (const workload of WORKLOADS) {
        images[workload] = { repository: c.images[workload].repository ?? `${imageRegistry}/nu-${workload}`, version: c.images[workload].version };
        const size = c.workloads[workload];
        workloads[workload] = {
            replicas: size.replicas ?? (workload === "ouroboros-datomic" || env !== "prod" ? 1 : 2),
            requests: { cpu: size.requests.cpu, memory: size.requests.memory },
            limits: { cpu: size.limits.cpu, memory: size.limits.memory },
        };
    }
    const [major] = c.auroraEngineVersion.split(".");
    const capacity = (value: number | string | undefined) => (value === undefined ? {} : { value: Number(value) });
    const read = capacity(c.dynamodbReadCapacity);
    const write = capacity(c.dynamodbWriteCapacity);
    return {
        stackName,
        country: c.country,
        env,
        prototypes: [...c.prototypes],
        stackId: c.stackId,
        clearances: [...c.clearances],
        region: c.region,
        dataRegion: DATA_REGIONS[env],
        homeRegion: HOME_REGION,
        accounts: {
            country: {
                id: c.countryAccountId,
                deployRoleArn: c.countryDeployRoleArn ?? accountRole(c.countryAccountId),
                previewRoleArn: c.countryPreviewRoleArn ?? accountRole(c.countryAccountId, PREVIEW_ROLE_NAME),
                readOnlyRoleArn: c.countryReadOnlyRoleArn ?? accountRole(c.countryAccountId, READ_ONLY_ROLE_NAME),
            },
            data: {
                id: c.dataAccountId,
                deployRoleArn: c.dataDeployRoleArn ?? accountRole(c.dataAccountId),
                previewRoleArn: c.dataPreviewRoleArn ?? accountRole(c.dataAccountId, PREVIEW_ROLE_NAME),
            },
        },
        ownsCountryWideBuckets: env === COUNTRY_WIDE_BUCKETS_OWNER,
        aurora: {
            engineVersion: c.auroraEngineVersion,
            major: Number(major),
            instanceClass: c.auroraInstanceClass ?? (env === "staging" ? "db.t4g.medium" : "db.r6g.large"),
            storageKey: c.auroraStorageKey,
        },
        vpcName: c.vpcName ?? `${env}-${c.stackId}-vpc`,
        kubernetesNodesSecurityGroupName: c.kubernetesNodesSecurityGroupName,
        alertsEnabled: c.alertsEnabled === true || c.alertsEnabled === "true",
        dynamodb: {
            billingMode: c.dynamodbBillingMode,
            ...("value" in read ? { readCapacity: read.value } : {}),
            ...("value" in write ? { writeCapacity: write.value } : {}),
        },
        domain: c.domain,
        dnsZone: { name: c.dnsZone.name ?? c.domain, private: c.dnsZone.private, ...(c.dnsZone.id !== undefined ? { id: c.dnsZone.id } : {}) },
        imageRegistry,
        kubernetes,
        images,
        workloads,
        segmentSchedule: {
            cron: c.barragemSchedule.cron,
            image: c.barragemSchedule.image ?? `${imageRegistry}/${SERVICE_DEFAULTS.segmentImage}`,
            databases: { global: [...c.barragemSchedule.databases.global], shards: [...(c.barragemSchedule.databases.shards ?? [])] },
        },
        dataEtlRoleArns: [...(c.dataEtlRoleArns ?? [accountRole(c.dataAccountId, DATA_ETL_ROLE_NAME)])],
        bucketRetention: { expiryDays: { ...c.bucketExpiryDays }, noncurrentVersionDays: c.noncurrentVersionExpiryDays },
    };
}

function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object") {
        for (const v of Object.values(value as object)) deepFreeze(v);
        Object.freeze(value);
    }
    return value;
}
