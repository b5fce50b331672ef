// The stack config contract (SPEC "Config contract"): every key of the `data-infra` namespace,
// its default, and the checks that turn a stack file into one frozen CountryStack.
// Validation is pure (no Pulumi runtime) so that it runs, and fails, before anything is registered.
import { kubernetesClusterName } from "./naming";

export const NAMESPACE = "data-infra";

export const ENVS = ["staging", "prod"] as const;
export type Env = (typeof ENVS)[number];

/** Shards s0…s14; `global` is always present. */
export const SHARDS: readonly string[] = Array.from({ length: 15 }, (_, i) => `s${i}`);
export const ALL_PROTOTYPES: readonly string[] = ["global", ...SHARDS];

/** The runbook's regions: the nu-data account keeps prod in us-east-1 and staging in us-west-2. */
export const DATA_REGIONS: Readonly<Record<Env, string>> = { prod: "us-east-1", staging: "us-west-2" };
/** Country-wide buckets (names without `<env>`) live in us-east-1 (runbook table). */
export const HOME_REGION = "us-east-1";

/**
 * Bucket names without `<env>` (nu-ds-<country>, nu-tmp-<country>, …) exist once per country.
 * The prod stack owns them; the staging stack only refers to them by name. Prod, because those
 * buckets hold data that outlives any staging experiment and their policies are applied with
 * `--env prod` in the runbook.
 */
export const COUNTRY_WIDE_BUCKETS_OWNER: Env = "prod";

/** Oldest Aurora PostgreSQL major still in AWS standard support; the runbook's 10.7 is long gone. */
export const MIN_AURORA_MAJOR = 14;

/** The runbook's services ("Spin Veiga" … "Spin Barragem"); where each runs is stacks/services.ts. */
export const SERVICES = ["veiga", "correnteza", "alph", "ouroboros", "conrado", "tapir", "barragem"] as const;
export type Service = (typeof SERVICES)[number];
/** Everything that runs an image: the services and Ouroboros's Datomic transactor (runbook data storage `ouroboros-datomic`). */
export const WORKLOADS = [...SERVICES, "ouroboros-datomic"] as const;
export type Workload = (typeof WORKLOADS)[number];

/** Defaults of the services' keys (documented in CONFIG_KEYS). */
export const SERVICE_DEFAULTS = {
    namespace: "data-infra",
    ingressClass: "nginx",
    segmentCron: "*/5 * * * *",
    segmentImage: "curlimages/curl:8.11.1",
    requests: { cpu: "500m", memory: "2Gi" },
    limits: { cpu: "2", memory: "2Gi" },
} as const;

export interface KubernetesCluster {
    /** kubeconfig context of the prototype's cluster. */
    readonly context: string;
    /** Namespace this stack creates and owns on that cluster. */
    readonly namespace: string;
    /** EKS cluster whose OIDC provider the service roles trust, when oidcProviderArn is not given. */
    readonly eksClusterName: string;
    readonly oidcProviderArn?: string;
    readonly ingressClass: string;
}

export interface ImageRef {
    readonly repository: string;
    readonly version: string;
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
    readonly accounts: { readonly country: AccountConfig; readonly data: AccountConfig };
    /** True when this stack creates the country-wide (env-less) buckets. */
    readonly ownsCountryWideBuckets: boolean;
    readonly aurora: { readonly engineVersion: string; readonly major: number; readonly instanceClass: string };
    readonly vpcName: string;
    readonly kubernetesNodesSecurityGroupName: string;
    readonly alertsEnabled: boolean;
    readonly dynamodb: {
        readonly billingMode: "PAY_PER_REQUEST" | "PROVISIONED";
        readonly readCapacity?: number;
        readonly writeCapacity?: number;
    };
    /** The country's DNS domain; its Route53 zone holds the canonical names. */
    readonly domain: string;
    /** Per prototype. */
    readonly kubernetes: Readonly<Record<string, KubernetesCluster>>;
    readonly images: Readonly<Record<Workload, ImageRef>>;
    readonly workloads: Readonly<Record<Workload, WorkloadSize>>;
    readonly segmentSchedule: SegmentScheduleConfig;
}

/** One documented key of the contract. The README's config reference lists exactly these. */
export interface ConfigKeyDoc {
    readonly key: string;
    readonly required: boolean;
    readonly default: string;
    readonly meaning: string;
}

export const CONFIG_KEYS: readonly ConfigKeyDoc[] = [
    { key: "country", required: true, default: "—", meaning: "ISO 3166-1 alpha-2 code, lowercase (`co`)." },
    { key: "env", required: true, default: "—", meaning: "`staging` or `prod`; the stack must be named `<env>-<country>`." },
    { key: "prototypes", required: true, default: "—", meaning: "List of prototypes: `global` plus any of `s0`…`s14`, no duplicates." },
    { key: "countryAccountId", required: true, default: "—", meaning: "12-digit id of the country's AWS account for this env." },
    { key: "dataAccountId", required: true, default: "—", meaning: "12-digit id of the central `nu-data` account." },
    { key: "domain", required: true, default: "—", meaning: "The country's DNS domain (`nu.com.co`); its public Route53 zone gets the canonical names `<env>-<prototype>-<service>.<domain>`." },
    { key: "images", required: true, default: "— (`repository` defaults to `nu-<workload>`)", meaning: `Per workload (${WORKLOADS.join(", ")}): \`{version, repository}\`; \`version\` is the runbook's \`<image-version-as-string>\`, a quoted tag, never \`latest\`.` },
    { key: "barragemSchedule", required: true, default: `— (\`cron\`: \`${SERVICE_DEFAULTS.segmentCron}\`, \`image\`: \`${SERVICE_DEFAULTS.segmentImage}\`)`, meaning: "Barragem's segment processing (Tempo's barragem-process-next-segment tasks): `{databases: {global: [...], shards: [...]}, cron, image}`; one request per database and run; `shards` is required when the stack has shards." },
    { key: "countryDeployRoleArn", required: false, default: "`arn:aws:iam::<countryAccountId>:role/data-infra-deploy`", meaning: "Role Pulumi assumes in the country account." },
    { key: "dataDeployRoleArn", required: false, default: "`arn:aws:iam::<dataAccountId>:role/data-infra-deploy`", meaning: "Role Pulumi assumes in the nu-data account." },
    { key: "region", required: false, default: "`us-east-1`", meaning: "Region of the country account's tables, Aurora clusters and services." },
    { key: "stackId", required: false, default: "`blue`", meaning: "Blue/green colour of the running services and of the VPC." },
    { key: "clearances", required: false, default: "`[general, pii]`", meaning: "Clearances of the metapod buckets; must include `pii` (Tapir's partitions bucket)." },
    { key: "auroraEngineVersion", required: false, default: "`16.8`", meaning: `Aurora PostgreSQL version \`<major>.<minor>\`, major ≥ ${MIN_AURORA_MAJOR}.` },
    { key: "auroraInstanceClass", required: false, default: "`db.r6g.large` (prod), `db.t4g.medium` (staging)", meaning: "Instance class of each prototype's Barragem instance." },
    { key: "vpcName", required: false, default: "`<env>-<stackId>-vpc`", meaning: "Name tag of the VPC that holds the Aurora clusters." },
    { key: "kubernetesNodesSecurityGroupName", required: false, default: "`prod-long-lived-resources-kubernetes-nodes-sg`", meaning: "Security group of the Kubernetes nodes; the only source allowed into Aurora." },
    { key: "alertsEnabled", required: false, default: "`false`", meaning: "Turns CloudWatch alarm actions on. Keep off while a country is brought up." },
    { key: "dynamodbBillingMode", required: false, default: "`PAY_PER_REQUEST`", meaning: "`PAY_PER_REQUEST` or `PROVISIONED` for every table." },
    { key: "dynamodbReadCapacity", required: false, default: "— (required when PROVISIONED)", meaning: "Read capacity units per table when provisioned." },
    { key: "dynamodbWriteCapacity", required: false, default: "— (required when PROVISIONED)", meaning: "Write capacity units per table when provisioned." },
    { key: "kubernetesClusters", required: false, default: `per prototype: \`context\` and \`eksClusterName\` \`<env>-<prototype>-<stackId>\`, \`namespace\` \`${SERVICE_DEFAULTS.namespace}\`, \`ingressClass\` \`${SERVICE_DEFAULTS.ingressClass}\`, \`oidcProviderArn\` looked up from the EKS cluster`, meaning: "Per prototype: the Kubernetes cluster its services run on and the IAM OIDC provider their roles trust." },
    { key: "workloads", required: false, default: `\`replicas\` 2 in prod, 1 in staging (transactor 1); \`requests\` ${SERVICE_DEFAULTS.requests.cpu} CPU / ${SERVICE_DEFAULTS.requests.memory}; \`limits\` ${SERVICE_DEFAULTS.limits.cpu} CPU / ${SERVICE_DEFAULTS.limits.memory}`, meaning: "Per workload: `{replicas, requests: {cpu, memory}, limits: {cpu, memory}}`; limits at least the requests." },
];

export interface ConfigProblem {
    readonly key: string;
    readonly value: string | undefined;
    readonly allowed: string;
}

export class ConfigError extends Error {
    constructor(readonly stackName: string, readonly problems: readonly ConfigProblem[]) {
        super(
            `Invalid config for stack "${stackName}" (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was deployed:\n` +
                problems.map((p) => `  - ${formatProblem(p)}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

export function formatProblem(p: ConfigProblem): string {
    const value = p.value === undefined ? "is missing" : `has value ${JSON.stringify(p.value)}`;
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
    const problems: ConfigProblem[] = [];
    const bad = (key: string, value: string | undefined, allowed: string) => problems.push({ key, value, allowed });
    const get = (key: string): string | undefined => raw[`${NAMESPACE}:${key}`];

    const known = new Set(CONFIG_KEYS.map((k) => k.key));
    for (const full of Object.keys(raw).sort()) {
        if (!full.startsWith(`${NAMESPACE}:`)) continue;
        const key = full.slice(NAMESPACE.length + 1);
        if (!known.has(key)) bad(key, raw[full], `a documented key (${[...known].join(", ")})`);
    }

    const required = (key: string, allowed: string): string | undefined => {
        const value = get(key);
        if (value === undefined || value === "") bad(key, undefined, allowed);
        return value === "" ? undefined : value;
    };

    const country = required("country", "two lowercase letters (ISO 3166-1 alpha-2), e.g. co");
    if (country !== undefined && !/^[a-z]{2}$/.test(country)) bad("country", country, "two lowercase letters (ISO 3166-1 alpha-2), e.g. co");

    const envRaw = required("env", ENVS.join(" | "));
    const env = envRaw !== undefined && (ENVS as readonly string[]).includes(envRaw) ? (envRaw as Env) : undefined;
    if (envRaw !== undefined && env === undefined) bad("env", envRaw, ENVS.join(" | "));

    const prototypesAllowed = `a list of distinct prototypes that includes global, each one of ${ALL_PROTOTYPES.join(", ")}`;
    const prototypesRaw = required("prototypes", prototypesAllowed);
    const prototypes = prototypesRaw === undefined ? [] : stringList("prototypes", prototypesRaw, prototypesAllowed, bad);
    if (prototypesRaw !== undefined && prototypes.length === 0 && isJsonList(prototypesRaw)) bad("prototypes", prototypesRaw, prototypesAllowed);
    if (prototypes.length > 0) {
        for (const p of new Set(prototypes)) if (!ALL_PROTOTYPES.includes(p)) bad("prototypes", p, `one of ${ALL_PROTOTYPES.join(", ")} (shards run s0…s14)`);
        for (const d of duplicates(prototypes)) bad("prototypes", d, "each prototype once");
        if (!prototypes.includes("global")) bad("prototypes", prototypesRaw, "a list that includes global (it hosts veiga, ouroboros and tapir)");
    }

    if (env !== undefined && country !== undefined && /^[a-z]{2}$/.test(country) && stackName !== `${env}-${country}`) {
        bad("stack name", stackName, `"${env}-${country}", the stack named by this config's env and country (<env>-<country>)`);
    }

    const stackId = get("stackId") ?? "blue";
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(stackId)) bad("stackId", stackId, "lowercase letters, digits and dashes, starting with a letter (e.g. blue)");

    const clearancesAllowed = "a list of distinct lowercase clearances that includes pii (e.g. [general, pii])";
    const clearancesRaw = get("clearances");
    const clearances = clearancesRaw === undefined ? ["general", "pii"] : stringList("clearances", clearancesRaw, clearancesAllowed, bad);
    if (clearancesRaw !== undefined && isJsonList(clearancesRaw)) {
        for (const c of clearances) if (!/^[a-z]+$/.test(c)) bad("clearances", c, "lowercase letters only");
        for (const d of duplicates(clearances)) bad("clearances", d, "each clearance once");
        if (!clearances.includes("pii")) bad("clearances", clearancesRaw, clearancesAllowed);
    }

    const accountId = (key: string) => {
        const value = required(key, "a 12-digit AWS account id");
        if (value !== undefined && !/^\d{12}$/.test(value)) bad(key, value, "a 12-digit AWS account id");
        return value !== undefined && /^\d{12}$/.test(value) ? value : undefined;
    };
    const countryAccountId = accountId("countryAccountId");
    const dataAccountId = accountId("dataAccountId");
    if (countryAccountId !== undefined && countryAccountId === dataAccountId) {
        bad("dataAccountId", dataAccountId, "the nu-data account, which is not the country's account");
    }
    const deployRole = (key: string, accountIdValue: string | undefined) => {
        const value = get(key) ?? (accountIdValue === undefined ? undefined : `arn:aws:iam::${accountIdValue}:role/data-infra-deploy`);
        if (value === undefined) return "";
        const allowed = `an IAM role ARN in account ${accountIdValue ?? "<account id>"} (arn:aws:iam::<id>:role/<name>)`;
        const match = /^arn:aws:iam::(\d{12}):role\/[\w+=,.@\/-]+$/.exec(value);
        if (!match || (accountIdValue !== undefined && match[1] !== accountIdValue)) bad(key, value, allowed);
        return value;
    };
    const countryDeployRoleArn = deployRole("countryDeployRoleArn", countryAccountId);
    const dataDeployRoleArn = deployRole("dataDeployRoleArn", dataAccountId);

    const region = get("region") ?? HOME_REGION;
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) bad("region", region, "an AWS region name such as us-east-1");

    const engineVersion = get("auroraEngineVersion") ?? "16.8";
    const versionMatch = /^(\d+)\.(\d+)$/.exec(engineVersion);
    const major = versionMatch ? Number(versionMatch[1]) : NaN;
    if (!versionMatch || major < MIN_AURORA_MAJOR) {
        bad("auroraEngineVersion", engineVersion, `an Aurora PostgreSQL version <major>.<minor> with major ≥ ${MIN_AURORA_MAJOR} (earlier majors are end-of-life)`);
    }
    const instanceClass = get("auroraInstanceClass") ?? (env === "staging" ? "db.t4g.medium" : "db.r6g.large");
    if (!/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(instanceClass)) bad("auroraInstanceClass", instanceClass, "an RDS instance class such as db.r6g.large");

    const nameAllowed = "a non-empty name";
    const vpcName = get("vpcName") ?? `${env ?? "<env>"}-${stackId}-vpc`;
    if (vpcName.trim() === "") bad("vpcName", vpcName, nameAllowed);
    const nodesSg = get("kubernetesNodesSecurityGroupName") ?? "prod-long-lived-resources-kubernetes-nodes-sg";
    if (nodesSg.trim() === "") bad("kubernetesNodesSecurityGroupName", nodesSg, nameAllowed);

    const alertsRaw = get("alertsEnabled") ?? "false";
    if (alertsRaw !== "true" && alertsRaw !== "false") bad("alertsEnabled", alertsRaw, "true | false");

    const billingMode = get("dynamodbBillingMode") ?? "PAY_PER_REQUEST";
    if (billingMode !== "PAY_PER_REQUEST" && billingMode !== "PROVISIONED") bad("dynamodbBillingMode", billingMode, "PAY_PER_REQUEST | PROVISIONED");
    const capacity = (key: string): number | undefined => {
        const value = get(key);
        if (billingMode !== "PROVISIONED") {
            if (value !== undefined) bad(key, value, "unset unless dynamodbBillingMode is PROVISIONED");
            return undefined;
        }
        if (value === undefined || !/^[1-9]\d*$/.test(value)) bad(key, value, "a positive whole number when dynamodbBillingMode is PROVISIONED");
        return value === undefined ? undefined : Number(value);
    };
    const readCapacity = capacity("dynamodbReadCapacity");
    const writeCapacity = capacity("dynamodbWriteCapacity");

    const services = parseServiceKeys(get, bad, { env, stackId, prototypes, countryAccountId });

    if (problems.length > 0) throw new ConfigError(stackName, problems);

    return deepFreeze({
        stackName,
        country: country!,
        env: env!,
        prototypes: [...prototypes],
        stackId,
        clearances: [...clearances],
        region,
        dataRegion: DATA_REGIONS[env!],
        homeRegion: HOME_REGION,
        accounts: {
            country: { id: countryAccountId!, deployRoleArn: countryDeployRoleArn },
            data: { id: dataAccountId!, deployRoleArn: dataDeployRoleArn },
        },
        ownsCountryWideBuckets: env === COUNTRY_WIDE_BUCKETS_OWNER,
        aurora: { engineVersion, major, instanceClass },
        vpcName,
        kubernetesNodesSecurityGroupName: nodesSg,
        alertsEnabled: alertsRaw === "true",
        dynamodb: {
            billingMode: billingMode as "PAY_PER_REQUEST" | "PROVISIONED",
            ...(readCapacity === undefined ? {} : { readCapacity }),
            ...(writeCapacity === undefined ? {} : { writeCapacity }),
        },
        ...services,
    });
}

function isJsonList(raw: string): boolean {
    try {
        return Array.isArray(JSON.parse(raw));
    } catch {
        return false;
    }
}

function stringList(
    key: string,
    raw: string,
    allowed: string,
    bad: (key: string, value: string | undefined, allowed: string) => void,
): string[] {
    let parsed: unknown;
    try {
        parsed = JSON.parse(raw);
    } catch {
        parsed = undefined;
    }
    if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== "string")) {
        bad(key, raw, allowed);
        return [];
    }
    return parsed as string[];
}

function duplicates(values: readonly string[]): string[] {
    return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
}

function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object") {
        for (const v of Object.values(value as object)) deepFreeze(v);
        Object.freeze(value);
    }
    return value;
}

type Bad = (key: string, value: string | undefined, allowed: string) => void;

/** A value as a problem shows it: strings as they are, anything else as JSON. */
function shown(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Parses an object-valued key (or nested field); reports it and returns undefined if it is not an object. */
function objectValue(key: string, value: unknown, allowed: string, bad: Bad): Record<string, unknown> | undefined {
    let parsed = value;
    if (typeof value === "string") {
        try {
            parsed = JSON.parse(value);
        } catch {
            parsed = undefined;
        }
    }
    if (!isPlainObject(parsed)) {
        bad(key, shown(value), allowed);
        return undefined;
    }
    return parsed;
}

/** Reports fields of an object that the contract does not know (a misspelt `verison` must not pass silently). */
function onlyFields(key: string, obj: Record<string, unknown>, fields: readonly string[], bad: Bad): void {
    for (const field of Object.keys(obj).sort()) {
        if (!fields.includes(field)) bad(`${key}.${field}`, shown(obj[field]), `one of the fields ${fields.join(", ")}`);
    }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const IMAGE_REPOSITORY = /^([a-z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DATABASE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const CPU = /^(\d+m|\d+(\.\d{1,3})?)$/;
const MEMORY = /^(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const RESERVED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** CPU quantity in millicores. */
function millicores(cpu: string): number {
    return cpu.endsWith("m") ? Number(cpu.slice(0, -1)) : Math.round(Number(cpu) * 1000);
}

/** Memory quantity in bytes. */
function bytes(memory: string): number {
    const [, digits, unit] = MEMORY.exec(memory)!;
    const factor: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
    return Number(digits) * (unit ? factor[unit] : 1);
}

interface ServiceKeysContext {
    readonly env: Env | undefined;
    readonly stackId: string;
    readonly prototypes: readonly string[];
    readonly countryAccountId: string | undefined;
}

interface ServiceKeys {
    readonly domain: string;
    readonly kubernetes: Record<string, KubernetesCluster>;
    readonly images: Record<Workload, ImageRef>;
    readonly workloads: Record<Workload, WorkloadSize>;
    readonly segmentSchedule: SegmentScheduleConfig;
}

/** The keys of the services (issue "services on Kubernetes"): reported through the same `bad` as every other key. */
function parseServiceKeys(get: (key: string) => string | undefined, bad: Bad, ctx: ServiceKeysContext): ServiceKeys {
    const domainAllowed = "the country's DNS domain in lowercase, e.g. nu.com.co (the name of its public Route53 zone)";
    const domain = get("domain");
    if (domain === undefined || domain === "") bad("domain", undefined, domainAllowed);
    else if (!DOMAIN.test(domain)) bad("domain", domain, domainAllowed);

    return {
        domain: domain ?? "",
        kubernetes: parseKubernetesClusters(get("kubernetesClusters"), bad, ctx),
        images: parseImages(get("images"), bad),
        workloads: parseWorkloads(get("workloads"), bad, ctx.env),
        segmentSchedule: parseSegmentSchedule(get("barragemSchedule"), bad, ctx.prototypes),
    };
}

function parseKubernetesClusters(raw: string | undefined, bad: Bad, ctx: ServiceKeysContext): Record<string, KubernetesCluster> {
    const FIELDS = ["context", "namespace", "eksClusterName", "oidcProviderArn", "ingressClass"];
    const given = raw === undefined ? {} : objectValue("kubernetesClusters", raw, "an object keyed by prototype, e.g. {s0: {context: …}}", bad) ?? {};
    for (const prototype of Object.keys(given).sort()) {
        if (!ctx.prototypes.includes(prototype)) bad(`kubernetesClusters.${prototype}`, shown(given[prototype]), `a prototype of this stack (${ctx.prototypes.join(", ")})`);
    }
    const out: Record<string, KubernetesCluster> = {};
    for (const prototype of ctx.prototypes) {
        const key = `kubernetesClusters.${prototype}`;
        const entry = given[prototype] === undefined ? {} : objectValue(key, given[prototype], "an object with context, namespace, eksClusterName, oidcProviderArn, ingressClass", bad) ?? {};
        onlyFields(key, entry, FIELDS, bad);
        const text = (field: string, fallback: string, test: (v: string) => boolean, allowed: string): string => {
            const value = entry[field] ?? fallback;
            if (typeof value !== "string" || !test(value)) bad(`${key}.${field}`, shown(value), allowed);
            return String(value);
        };
        const defaultName = kubernetesClusterName(ctx.env ?? ("<env>" as Env), prototype, ctx.stackId);
        const context = text("context", defaultName, (v) => v.trim() !== "", "a kubeconfig context name");
        const namespace = text(
            "namespace",
            SERVICE_DEFAULTS.namespace,
            (v) => DNS_LABEL.test(v) && !RESERVED_NAMESPACES.includes(v),
            `a namespace this stack creates and owns: a DNS label, not ${RESERVED_NAMESPACES.join(", ")}`,
        );
        const eksClusterName = text("eksClusterName", defaultName, (v) => /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/.test(v), "an EKS cluster name");
        const ingressClass = text("ingressClass", SERVICE_DEFAULTS.ingressClass, (v) => DNS_LABEL.test(v), "an IngressClass name (DNS label)");
        let oidc: string | undefined;
        if (entry.oidcProviderArn !== undefined) {
            const account = ctx.countryAccountId ?? "<countryAccountId>";
            oidc = text(
                "oidcProviderArn",
                "",
                (v) => {
                    const match = /^arn:aws:iam::(\d{12}):oidc-provider\/[a-z0-9.-]+(\/[A-Za-z0-9._-]+)*$/.exec(v);
                    return match !== null && (ctx.countryAccountId === undefined || match[1] === ctx.countryAccountId);
                },
                `an IAM OIDC provider ARN in the country account (arn:aws:iam::${account}:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>)`,
            );
        }
        out[prototype] = { context, namespace, eksClusterName, ingressClass, ...(oidc === undefined ? {} : { oidcProviderArn: oidc }) };
    }
    return out;
}

function parseImages(raw: string | undefined, bad: Bad): Record<Workload, ImageRef> {
    const allowed = `an object with {version} per workload (${WORKLOADS.join(", ")})`;
    if (raw === undefined || raw === "") bad("images", undefined, allowed);
    const given = raw === undefined || raw === "" ? {} : objectValue("images", raw, allowed, bad) ?? {};
    for (const name of Object.keys(given).sort()) {
        if (!(WORKLOADS as readonly string[]).includes(name)) bad(`images.${name}`, shown(given[name]), `one of the workloads ${WORKLOADS.join(", ")}`);
    }
    const out = {} as Record<Workload, ImageRef>;
    for (const workload of WORKLOADS) {
        const key = `images.${workload}`;
        const entry = given[workload] === undefined ? {} : objectValue(key, given[workload], "an object {version, repository}", bad) ?? {};
        onlyFields(key, entry, ["version", "repository"], bad);
        const version = entry.version;
        if (version === undefined) {
            // Only report what is missing when the images key exists: a missing key is already one problem.
            if (raw !== undefined && raw !== "") bad(`${key}.version`, undefined, `the image tag to run, as a string (runbook <image-version-as-string>; nu registry list-images nu-${workload})`);
        } else if (typeof version !== "string") {
            bad(`${key}.version`, shown(version), "a string: quote the version in YAML so that 1.10 stays 1.10");
        } else if (!IMAGE_TAG.test(version) || version === "latest") {
            bad(`${key}.version`, version, "a pinned image tag (letters, digits, _ . -; up to 128 characters), never latest");
        }
        const repository = entry.repository ?? `nu-${workload}`;
        if (typeof repository !== "string" || !IMAGE_REPOSITORY.test(repository)) {
            bad(`${key}.repository`, shown(repository), "an image repository without tag, e.g. nu-veiga or <registry>/<path>/nu-veiga");
        }
        out[workload] = { repository: String(repository), version: String(version ?? "") };
    }
    return out;
}

function parseWorkloads(raw: string | undefined, bad: Bad, env: Env | undefined): Record<Workload, WorkloadSize> {
    const given = raw === undefined ? {} : objectValue("workloads", raw, `an object keyed by workload (${WORKLOADS.join(", ")})`, bad) ?? {};
    for (const name of Object.keys(given).sort()) {
        if (!(WORKLOADS as readonly string[]).includes(name)) bad(`workloads.${name}`, shown(given[name]), `one of the workloads ${WORKLOADS.join(", ")}`);
    }
    const out = {} as Record<Workload, WorkloadSize>;
    for (const workload of WORKLOADS) {
        const key = `workloads.${workload}`;
        const entry = given[workload] === undefined ? {} : objectValue(key, given[workload], "an object {replicas, requests, limits}", bad) ?? {};
        onlyFields(key, entry, ["replicas", "requests", "limits"], bad);
        const defaultReplicas = workload === "ouroboros-datomic" || env !== "prod" ? 1 : 2;
        const replicas = entry.replicas ?? defaultReplicas;
        if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 1 || replicas > 50) {
            bad(`${key}.replicas`, shown(replicas), "a whole number from 1 to 50");
        }
        const quantities = (kind: "requests" | "limits") => {
            const part = entry[kind] === undefined ? {} : objectValue(`${key}.${kind}`, entry[kind], "an object {cpu, memory}", bad) ?? {};
            onlyFields(`${key}.${kind}`, part, ["cpu", "memory"], bad);
            const cpu = String(part.cpu ?? SERVICE_DEFAULTS[kind].cpu);
            const memory = String(part.memory ?? SERVICE_DEFAULTS[kind].memory);
            const cpuOk = CPU.test(cpu) && millicores(cpu) > 0;
            const memoryOk = MEMORY.test(memory) && bytes(memory) > 0;
            if (!cpuOk) bad(`${key}.${kind}.cpu`, cpu, "a positive CPU quantity such as 500m or 2");
            if (!memoryOk) bad(`${key}.${kind}.memory`, memory, "a positive memory quantity such as 512Mi or 2Gi");
            return { cpu, memory, cpuOk, memoryOk };
        };
        const requests = quantities("requests");
        const limits = quantities("limits");
        if (requests.cpuOk && limits.cpuOk && millicores(limits.cpu) < millicores(requests.cpu)) {
            bad(`${key}.limits.cpu`, limits.cpu, `at least requests.cpu (${requests.cpu})`);
        }
        if (requests.memoryOk && limits.memoryOk && bytes(limits.memory) < bytes(requests.memory)) {
            bad(`${key}.limits.memory`, limits.memory, `at least requests.memory (${requests.memory})`);
        }
        out[workload] = {
            replicas: Number(replicas),
            requests: { cpu: requests.cpu, memory: requests.memory },
            limits: { cpu: limits.cpu, memory: limits.memory },
        };
    }
    return out;
}

function parseSegmentSchedule(raw: string | undefined, bad: Bad, prototypes: readonly string[]): SegmentScheduleConfig {
    const hasShards = prototypes.some((p) => p !== "global");
    const databasesAllowed = (group: string) =>
        `a non-empty list of distinct database names (lowercase, digits, dashes), those of Tempo's barragem-process-next-segment-${group} task`;
    if (raw === undefined || raw === "") bad("barragemSchedule", undefined, "an object {databases: {global: [...], shards: [...]}, cron, image}");
    const given = raw === undefined || raw === "" ? undefined : objectValue("barragemSchedule", raw, "an object {databases, cron, image}", bad);
    const entry = given ?? {};
    onlyFields("barragemSchedule", entry, ["databases", "cron", "image"], bad);

    const cron = entry.cron ?? SERVICE_DEFAULTS.segmentCron;
    const fields = typeof cron === "string" ? cron.trim().split(/\s+/) : [];
    if (fields.length !== 5 || !fields.every((f) => /^[0-9A-Za-z*/,?-]+$/.test(f))) {
        bad("barragemSchedule.cron", shown(cron), "a five-field cron expression in UTC, e.g. */5 * * * *");
    }
    const image = entry.image ?? SERVICE_DEFAULTS.segmentImage;
    const imageMatch = typeof image === "string" ? /^(.+?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@sha256:[a-f0-9]{64})$/.exec(image) : null;
    if (!imageMatch || !IMAGE_REPOSITORY.test(imageMatch[1]) || imageMatch[2] === "latest") {
        bad("barragemSchedule.image", shown(image), "an image with a pinned tag or digest that has /bin/sh and curl, e.g. curlimages/curl:8.11.1");
    }

    const databases = { global: [] as string[], shards: [] as string[] };
    if (given !== undefined) {
        const byGroup = entry.databases === undefined ? undefined : objectValue("barragemSchedule.databases", entry.databases, "an object {global: [...], shards: [...]}", bad);
        if (entry.databases === undefined) bad("barragemSchedule.databases", undefined, "an object {global: [...], shards: [...]}");
        if (byGroup !== undefined) {
            onlyFields("barragemSchedule.databases", byGroup, ["global", "shards"], bad);
            for (const group of ["global", "shards"] as const) {
                const key = `barragemSchedule.databases.${group}`;
                const list = byGroup[group];
                if (list === undefined) {
                    if (group === "global" || hasShards) bad(key, undefined, databasesAllowed(group));
                    continue;
                }
                if (!Array.isArray(list) || list.length === 0 || list.some((d) => typeof d !== "string" || !DATABASE.test(d))) {
                    bad(key, shown(list), databasesAllowed(group));
                    continue;
                }
                for (const d of duplicates(list as string[])) bad(key, d, "each database once");
                databases[group] = list as string[];
            }
        }
    }
    return { cron: String(cron), image: String(image), databases };
}
