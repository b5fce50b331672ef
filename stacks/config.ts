// The stack config contract (SPEC "Config contract"): every key of the `data-infra` namespace,
// its default, and the checks that turn a stack file into one frozen CountryStack.
// Validation is pure (no Pulumi runtime) so that it runs, and fails, before anything is registered.

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
