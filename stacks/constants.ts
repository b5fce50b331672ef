// The fixed facts of the config contract that both the schema (config.ts, schema.ts) and the
// naming rules (naming.ts) need. It imports nothing, so naming.ts never depends on config.ts.

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

/** Defaults of the services' keys (documented in the config schema, stacks/schema.ts). */
export const SERVICE_DEFAULTS = {
    namespace: "data-infra",
    /** An ingress-nginx controller whose Service is an internal NLB (service.beta.kubernetes.io/aws-load-balancer-scheme: internal). */
    ingressClass: "nginx-internal",
    /** Where that controller runs: the only namespace allowed into the services. */
    ingressControllerNamespace: "ingress-nginx",
    segmentCron: "*/5 * * * *",
    /** curl mirrored into the stack's registry (docs/services.md "Images"): `<imageRegistry>/<segmentImage>`. */
    segmentImage: "curlimages/curl:8.11.1",
    requests: { cpu: "500m", memory: "2Gi" },
    limits: { cpu: "2", memory: "2Gi" },
} as const;

/** Scratch buckets whose expiry is config (`bucketExpiryDays`), with their defaults in days. */
export const BUCKET_EXPIRY_DEFAULTS = { tmp: 30, "spark-tmp-raw": 7, "metapod-ephemeral": 30 } as const;
export type ExpiryKey = keyof typeof BUCKET_EXPIRY_DEFAULTS;
/** Days a replaced or deleted version of a versioned bucket's object is kept. */
export const NONCURRENT_VERSION_EXPIRY_DEFAULT = 90;
/** Role names every account has for the program: the deploy role, and the read-only preview role (docs/iam). */
export const DEPLOY_ROLE_NAME = "data-infra-deploy";
export const PREVIEW_ROLE_NAME = "data-infra-preview";
/** The read-only role `npm run verify` uses in each account (docs/verify.md); the only other reader of Barragem's secret key. */
export const READ_ONLY_ROLE_NAME = "data-infra-read-only";
/** The nu-data ETL role that country buckets grant by default (config `dataEtlRoleArns`). */
export const DATA_ETL_ROLE_NAME = "data-infra-etl";
/** Aurora's storage key: the stack creates a customer-managed key, or keeps RDS's AWS-managed key (clusters that exist already). */
export const AURORA_STORAGE_KEYS = ["customer-managed", "aws-managed"] as const;
