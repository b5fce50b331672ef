// The config contract of the `data-infra` namespace, declared once with zod 4. From this one
// declaration come: the validation of a stack's config (stacks/config.ts turns it into the frozen
// CountryStack), the README's config reference (CONFIG_KEYS in config.ts, tools/configReference.ts)
// and the JSON Schema of `Pulumi.<stack>.yaml` that editors use (schema/stack-config.schema.json,
// `npm run schema`).
//
// Each schema here describes a value as the stack file holds it; Pulumi hands the program lists and
// objects as JSON text, which config.ts parses before this schema sees it. Every schema carries its
// own "what is allowed" as its error, so a refusal reads `<key> has value <v>; allowed: <error>`.
//
// To add a key: add it to CONFIG_SHAPE with `documented(schema, {default, meaning})` (a static
// default goes in the schema with `.default()`, one that depends on other keys in config.ts's
// toCountryStack), add its field to CountryStack, then `npm run schema` and paste
// `npx tsx tools/configReference.ts` into the README; tests fail until both are done.
import { z } from "zod";
import {
    ALL_PROTOTYPES,
    AURORA_STORAGE_KEYS,
    BUCKET_EXPIRY_DEFAULTS,
    DATA_ETL_ROLE_NAME,
    ENVS,
    HOME_REGION,
    MIN_AURORA_MAJOR,
    NAMESPACE,
    NONCURRENT_VERSION_EXPIRY_DEFAULT,
    PREVIEW_ROLE_NAME,
    READ_ONLY_ROLE_NAME,
    SERVICE_DEFAULTS,
    WORKLOADS,
} from "./constants";

/** What the README's config reference says of a key besides its name and whether it is required. */
export interface KeyDoc {
    /** The default as the README shows it ("—" when there is none). */
    readonly default: string;
    readonly meaning: string;
}

/** Docs of the top-level keys: the README table and the JSON Schema's descriptions read them. */
export const KEY_DOCS = z.registry<KeyDoc>();

function documented<T extends z.ZodType>(schema: T, doc: KeyDoc): T {
    KEY_DOCS.add(schema, doc);
    return schema;
}

/** Param that marks the catchall of a closed object; it carries the keys that object knows. */
export const UNKNOWN_KEY_PARAM = "knownKeys";

/**
 * An object that refuses keys it does not declare, one problem per unknown key (so a misspelt
 * `verison` never passes silently and can be answered with "did you mean `version`?").
 */
function closed<S extends z.core.$ZodLooseShape>(shape: S, allowed: string, unknownAllowed = `one of the fields ${Object.keys(shape).join(", ")}`) {
    // The known keys travel with the issue so that config.ts can suggest the closest one.
    const unknownKey = z.custom<unknown>(() => false, { error: unknownAllowed, params: { [UNKNOWN_KEY_PARAM]: Object.keys(shape) } });
    return z.object(shape, { error: allowed }).catchall(unknownKey);
}

function isUnknownKeyMarker(schema: z.core.$ZodType): boolean {
    const def = schema._zod.def as { type: string; params?: Record<string, unknown> };
    return def.type === "custom" && def.params?.[UNKNOWN_KEY_PARAM] !== undefined;
}

/** A string matching `re`; anything else is refused with `allowed`. */
function matching(re: RegExp, allowed: string) {
    return z.string({ error: allowed }).regex(re, { error: allowed });
}

function duplicates(values: readonly unknown[]): unknown[] {
    return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
}

/** A non-empty list without repeats that may have to include one value (prototypes: global). */
function distinctList<T extends z.ZodType>(item: T, allowed: string, once: string, mustInclude?: { value: string; allowed: string }) {
    return z
        .array(item, { error: allowed })
        .min(1, { error: allowed })
        .superRefine(
            (values, ctx) => {
                for (const d of duplicates(values)) ctx.addIssue({ code: "custom", message: once, input: d });
                if (mustInclude && !(values as unknown[]).includes(mustInclude.value)) ctx.addIssue({ code: "custom", message: mustInclude.allowed, input: values });
            },
            // Also when an item was refused: `[s15, s15]` is one unknown prototype, repeated, without global.
            { when: (payload) => Array.isArray(payload.value) && payload.value.length > 0 },
        )
        .meta({ uniqueItems: true, ...(mustInclude ? { contains: { const: mustInclude.value } } : {}) });
}

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A Route53 hosted zone id as the console and the API show it (`Z0123456789ABCDEFGHIJ`), without `/hostedzone/`. */
export const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
export const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** A registry host (a dotted name or localhost, optional port), optionally with a path prefix: `<account>.dkr.ecr.<region>.amazonaws.com`. */
const REGISTRY_HOST = "(?:[a-z0-9-]+(?:\\.[a-z0-9-]+)+|localhost)(?::\\d+)?";
const IMAGE_PATH = "[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*";
export const IMAGE_REGISTRY = new RegExp(`^${REGISTRY_HOST}(?:\\/${IMAGE_PATH})?$`);
/** A repository that names its registry: a bare `nu-veiga` would be pulled from Docker Hub. */
export const IMAGE_REPOSITORY = new RegExp(`^${REGISTRY_HOST}\\/${IMAGE_PATH}$`);
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;
const DATABASE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const CPU = /^(\d+m|\d+(\.\d{1,3})?)$/;
const MEMORY = /^(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const RESERVED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];
export const ACCOUNT_ID = /^\d{12}$/;
export const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/[\w+=,.@/-]+$/;
export const OIDC_PROVIDER_ARN = /^arn:aws:iam::(\d{12}):oidc-provider\/[a-z0-9.-]+(\/[A-Za-z0-9._-]+)*$/;

/** CPU quantity in millicores. */
export function millicores(cpu: string): number {
    return cpu.endsWith("m") ? Number(cpu.slice(0, -1)) : Math.round(Number(cpu) * 1000);
}

/** Memory quantity in bytes. */
export function bytes(memory: string): number {
    const [, digits, unit] = MEMORY.exec(memory)!;
    const factor: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
    return Number(digits) * (unit ? factor[unit] : 1);
}

export const ALLOWED = {
    country: "two lowercase letters (ISO 3166-1 alpha-2), e.g. co",
    accountId: "a 12-digit AWS account id, quoted in YAML (\"012345678901\")",
    capacity: "a positive whole number when dynamodbBillingMode is PROVISIONED, unset otherwise",
    nonEmptyName: "a non-empty name",
    databases: (group: string) =>
        `a non-empty list of distinct database names (lowercase, digits, dashes), those of Tempo's barragem-process-next-segment-${group} task`,
};

const accountId = () => matching(ACCOUNT_ID, ALLOWED.accountId);
const roleArn = () => matching(ROLE_ARN, "an IAM role ARN in that account (arn:aws:iam::<account id>:role/<name>)").optional();
const capacity = () =>
    z.union([z.int({ error: ALLOWED.capacity }).positive({ error: ALLOWED.capacity }), matching(/^[1-9]\d*$/, ALLOWED.capacity)], { error: ALLOWED.capacity }).optional();
const nonEmptyName = () => matching(/\S/, ALLOWED.nonEmptyName);
const daysAllowed = "a whole number of days from 1 to 3650";
/** Days as the stack file holds them: a number in an object, text as a top-level key (Pulumi's raw form). */
const days = (fallback: number) =>
    z
        .union([z.int({ error: daysAllowed }), matching(/^\d+$/, daysAllowed)], { error: daysAllowed })
        .transform(Number)
        .pipe(z.int().min(1, { error: daysAllowed }).max(3650, { error: daysAllowed }))
        .default(fallback);

function quantity(what: "CPU" | "memory") {
    const re = what === "CPU" ? CPU : MEMORY;
    const allowed = what === "CPU" ? "a positive CPU quantity such as 500m or 2" : "a positive memory quantity such as 512Mi or 2Gi";
    const positive = (v: string) => (what === "CPU" ? millicores(v) : bytes(v)) > 0;
    // A bare number (`cpu: 3`) is the same quantity as its text.
    return z
        .union([matching(re, allowed), z.number({ error: allowed }).positive({ error: allowed })], { error: allowed })
        .transform(String)
        .pipe(z.string().regex(re, { error: allowed }).refine(positive, { error: allowed }));
}

function resources(kind: "requests" | "limits") {
    return closed(
        { cpu: quantity("CPU").default(SERVICE_DEFAULTS[kind].cpu), memory: quantity("memory").default(SERVICE_DEFAULTS[kind].memory) },
        "an object {cpu, memory}",
    ).prefault({});
}

const workloadSize = () =>
    closed(
        { replicas: z.int({ error: "a whole number from 1 to 50" }).min(1, { error: "a whole number from 1 to 50" }).max(50, { error: "a whole number from 1 to 50" }).optional(), requests: resources("requests"), limits: resources("limits") },
        "an object {replicas, requests, limits}",
    )
        .superRefine(
            (size, ctx) => {
                const valid = (kind: "requests" | "limits", field: "cpu" | "memory") => isClean(ctx.issues, kind, field);
                for (const [field, amount] of [["cpu", millicores], ["memory", bytes]] as const) {
                    if (!valid("requests", field) || !valid("limits", field)) continue;
                    if (amount(size.limits[field]) < amount(size.requests[field])) {
                        ctx.addIssue({ code: "custom", path: ["limits", field], input: size.limits[field], message: `at least requests.${field} (${size.requests[field]})` });
                    }
                }
            },
            { when: (payload) => payload.value !== null && typeof payload.value === "object" && !Array.isArray(payload.value) },
        )
        .prefault({});

const VERSION_ALLOWED = "a pinned image tag (letters, digits, _ . -; up to 128 characters, never latest) or a digest sha256:<64 hex digits>";
const REPOSITORY_ALLOWED =
    "an image repository with its registry host and without tag, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/nu-veiga (a bare name is pulled from Docker Hub)";

const imageRef = (workload: string) =>
    closed(
        {
            version: z
                .string({
                    error: (issue) =>
                        issue.input === undefined
                            ? `the image tag to run, as a string (runbook <image-version-as-string>; nu registry list-images nu-${workload})`
                            : "a string: quote the version in YAML so that 1.10 stays 1.10 (with the CLI: `pulumi config set --path --type string …`)",
                })
                .refine((v) => IMAGE_DIGEST.test(v) || (IMAGE_TAG.test(v) && v !== "latest"), { error: VERSION_ALLOWED }),
            repository: matching(IMAGE_REPOSITORY, REPOSITORY_ALLOWED).optional(),
        },
        "an object {version, repository}",
    // A workload left out is parsed as `{}`, so it is reported as its missing version.
    ).prefault({} as never);

const workloadList = WORKLOADS.join(", ");

const clusterAllowed = "an object with context, namespace, eksClusterName, oidcProviderArn, ingressClass, ingressAnnotations, ingressControllerNamespace";
/** One prototype's cluster; defaults (which depend on env and stackId) are filled in by config.ts. */
const kubernetesCluster = closed(
    {
        context: matching(/\S/, "a kubeconfig context name").optional(),
        namespace: matching(DNS_LABEL, `a namespace this stack creates and owns: a DNS label, not ${RESERVED_NAMESPACES.join(", ")}`)
            .refine((v) => !RESERVED_NAMESPACES.includes(v), { error: `a namespace this stack creates and owns: a DNS label, not ${RESERVED_NAMESPACES.join(", ")}` })
            .optional(),
        eksClusterName: matching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, "an EKS cluster name").optional(),
        oidcProviderArn: matching(
            OIDC_PROVIDER_ARN,
            "an IAM OIDC provider ARN in the country account (arn:aws:iam::<countryAccountId>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>)",
        ).optional(),
        ingressClass: matching(DNS_LABEL, "an IngressClass name (DNS label)").optional(),
        ingressAnnotations: z
            .record(matching(/^([a-z0-9.-]+\/)?[A-Za-z0-9._-]{1,63}$/, "an annotation name"), z.string({ error: "an annotation value, as a string" }), {
                error: "an object of annotations, e.g. {alb.ingress.kubernetes.io/scheme: internal}",
            })
            .optional(),
        ingressControllerNamespace: matching(DNS_LABEL, "the namespace of the ingress controller (DNS label)").optional(),
    },
    clusterAllowed,
);

const databases = (group: "global" | "shards") => distinctList(matching(DATABASE, ALLOWED.databases(group)), ALLOWED.databases(group), "each database once");

const pinnedImage = (image: string): boolean => {
    const match = /^(.+?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@sha256:[a-f0-9]{64})$/.exec(image);
    return match !== null && IMAGE_REPOSITORY.test(match[1]) && match[2] !== "latest";
};
const cronAllowed = "a five-field cron expression in UTC, e.g. */5 * * * *";
const scheduleImageAllowed =
    "an image with its registry host and a pinned tag or digest that has /bin/sh and curl, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/curlimages/curl:8.11.1";
const KMS_KEY_ARN = /^arn:aws:kms:[a-z]{2}(-[a-z]+)+-\d:\d{12}:key\/[A-Za-z0-9-]+$/;
const storageKeyAllowed = `${AURORA_STORAGE_KEYS.join(" | ")} | a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)`;

const instanceClassDefault = "`db.r6g.large` (prod), `db.t4g.medium` (staging)";

/**
 * Every key of the namespace, in the README's order (required keys first). Values as the stack
 * file holds them; defaults that depend on other keys (env, stackId, account ids) are applied by
 * config.ts and documented here.
 */
export const CONFIG_SHAPE = {
    country: documented(matching(/^[a-z]{2}$/, ALLOWED.country), { default: "—", meaning: "ISO 3166-1 alpha-2 code, lowercase (`co`)." }),
    env: documented(z.enum(ENVS, { error: ENVS.join(" | ") }), { default: "—", meaning: "`staging` or `prod`; the stack must be named `<env>-<country>`." }),
    prototypes: documented(
        distinctList(
            z.enum(ALL_PROTOTYPES as [string, ...string[]], { error: `one of ${ALL_PROTOTYPES.join(", ")} (shards run s0…s14)` }),
            `a list of distinct prototypes that includes global, each one of ${ALL_PROTOTYPES.join(", ")}`,
            "each prototype once",
            { value: "global", allowed: "a list that includes global (it hosts veiga, ouroboros and tapir)" },
        ),
        { default: "—", meaning: "List of prototypes: `global` plus any of `s0`…`s14`, no duplicates." },
    ),
    countryAccountId: documented(accountId(), { default: "—", meaning: "12-digit id of the country's AWS account for this env." }),
    dataAccountId: documented(accountId(), { default: "—", meaning: "12-digit id of the central `nu-data` account." }),
    domain: documented(matching(DOMAIN, "the country's DNS domain in lowercase, e.g. nu.com.co"), {
        default: "—",
        meaning: "The country's DNS domain (`nu.com.co`): the canonical names are `<env>-<prototype>-<service>.<domain>`, in the zone `dnsZone`.",
    }),
    images: documented(
        closed(
            Object.fromEntries(WORKLOADS.map((w) => [w, imageRef(w)])) as Record<(typeof WORKLOADS)[number], ReturnType<typeof imageRef>>,
            `an object with {version} per workload (${workloadList})`,
            `one of the workloads ${workloadList}`,
        ).meta({ required: [...WORKLOADS] }),
        {
            default: "— (`repository` defaults to `<imageRegistry>/nu-<workload>`)",
            meaning: `Per workload (${workloadList}): \`{version, repository}\`; \`version\` is the runbook's \`<image-version-as-string>\`, a quoted tag (never \`latest\`) or a digest \`sha256:<hex>\`; a \`repository\` names its registry host (a bare name would be pulled from Docker Hub).`,
        },
    ),
    barragemSchedule: documented(
        closed(
            {
                databases: closed({ global: databases("global"), shards: databases("shards").optional() }, "an object {global: [...], shards: [...]}"),
                cron: z
                    .string({ error: cronAllowed })
                    .refine((v) => {
                        const fields = v.trim().split(/\s+/);
                        return fields.length === 5 && fields.every((f) => /^[0-9A-Za-z*/,?-]+$/.test(f));
                    }, { error: cronAllowed })
                    .default(SERVICE_DEFAULTS.segmentCron),
                image: z.string({ error: scheduleImageAllowed }).refine(pinnedImage, { error: scheduleImageAllowed }).optional(),
            },
            "an object {databases: {global: [...], shards: [...]}, cron, image}",
        ),
        {
            default: `— (\`cron\`: \`${SERVICE_DEFAULTS.segmentCron}\`, \`image\`: \`<imageRegistry>/${SERVICE_DEFAULTS.segmentImage}\`)`,
            meaning: "Barragem's segment processing (Tempo's barragem-process-next-segment tasks): `{databases: {global: [...], shards: [...]}, cron, image}`; one request per database and run; `shards` is required when the stack has shards.",
        },
    ),
    imageRegistry: documented(matching(IMAGE_REGISTRY, "a registry host with an optional path, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com").optional(), {
        default: "`<countryAccountId>.dkr.ecr.<region>.amazonaws.com` (ECR of the country account)",
        meaning: "Registry every image is pulled from unless its `repository` names another: `images.<workload>.repository` defaults to `<imageRegistry>/nu-<workload>`, the segment schedule's image to `<imageRegistry>/curlimages/curl:8.11.1`.",
    }),
    dnsZone: documented(
        closed(
            {
                name: matching(DOMAIN, "a hosted zone name in lowercase, e.g. nu.com.co").optional(),
                private: z.boolean({ error: "true | false" }).default(true),
                publicReason: z.string({ error: "text: why this country's canonical names may be public (the reviewed exception)" }).optional(),
                id: matching(HOSTED_ZONE_ID, "a hosted zone id, e.g. Z0123456789ABCDEFGHIJ").optional(),
            },
            "an object {name, private, publicReason, id}",
        ).prefault({}),
        {
            default: "`{name: <domain>, private: true}`, no `id`",
            meaning: "Route53 hosted zone of the canonical names, in the country account: the country's private zone (associated with its VPC). `private: false` (the public zone) is refused unless `publicReason` says why: the reviewed exception to `dns-private-zone` (docs/guardrails.md). `id` picks the zone when two zones of that name and visibility exist (a private zone per VPC); it is then used as given, not looked up.",
        },
    ),
    countryDeployRoleArn: documented(roleArn(), { default: "`arn:aws:iam::<countryAccountId>:role/data-infra-deploy`", meaning: "Role Pulumi assumes in the country account." }),
    dataDeployRoleArn: documented(roleArn(), { default: "`arn:aws:iam::<dataAccountId>:role/data-infra-deploy`", meaning: "Role Pulumi assumes in the nu-data account." }),
    countryPreviewRoleArn: documented(roleArn(), {
        default: `\`arn:aws:iam::<countryAccountId>:role/${PREVIEW_ROLE_NAME}\``,
        meaning: "Read-only role the program assumes in the country account when `DATA_INFRA_ROLE=preview` (pull-request previews, nightly drift; docs/guardrails.md).",
    }),
    countryReadOnlyRoleArn: documented(roleArn(), {
        default: `\`arn:aws:iam::<countryAccountId>:role/${READ_ONLY_ROLE_NAME}\``,
        meaning: "Read-only role `npm run verify` uses in the country account (the pipeline's verify jobs); Barragem's secret key lets it decrypt the secret file through S3 only, so verify can log in to Aurora (docs/guardrails.md).",
    }),
    dataPreviewRoleArn: documented(roleArn(), {
        default: `\`arn:aws:iam::<dataAccountId>:role/${PREVIEW_ROLE_NAME}\``,
        meaning: "Read-only role the program assumes in the nu-data account when `DATA_INFRA_ROLE=preview`.",
    }),
    dataEtlRoleArns: documented(
        distinctList(matching(ROLE_ARN, "an IAM role ARN in the nu-data account (arn:aws:iam::<dataAccountId>:role/<name>)"), "a non-empty list of distinct IAM role ARNs of the nu-data account", "each role once").optional(),
        {
            default: `\`[arn:aws:iam::<dataAccountId>:role/${DATA_ETL_ROLE_NAME}]\``,
            meaning: "The nu-data ETL roles the country buckets' policies grant (by `aws:PrincipalArn`, never the whole account; docs/guardrails.md \"Buckets\").",
        },
    ),
    bucketExpiryDays: documented(
        closed(
            Object.fromEntries(Object.entries(BUCKET_EXPIRY_DEFAULTS).map(([k, v]) => [k, days(v)])) as Record<keyof typeof BUCKET_EXPIRY_DEFAULTS, ReturnType<typeof days>>,
            `an object {${Object.keys(BUCKET_EXPIRY_DEFAULTS).join(", ")}} of days`,
        ).prefault({}),
        {
            default: Object.entries(BUCKET_EXPIRY_DEFAULTS).map(([k, v]) => `\`${k}\` ${v}`).join(", "),
            meaning: "Days after which the objects of the scratch buckets expire: `tmp` (`nu-tmp-<country>`), `spark-tmp-raw` (`nu-spark-tmp-raw-<country>-<env>`), `metapod-ephemeral` (`nu-spark-metapod-ephemeral-*`).",
        },
    ),
    noncurrentVersionExpiryDays: documented(days(NONCURRENT_VERSION_EXPIRY_DEFAULT), {
        default: `\`${NONCURRENT_VERSION_EXPIRY_DEFAULT}\``,
        meaning: "Days a replaced or deleted version of an object is kept in the versioned buckets (data that cannot be recomputed).",
    }),
    region: documented(matching(/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region name such as us-east-1").default(HOME_REGION), {
        default: `\`${HOME_REGION}\``,
        meaning: "Region of the country account's tables, Aurora clusters and services.",
    }),
    stackId: documented(matching(/^[a-z][a-z0-9-]{0,30}$/, "lowercase letters, digits and dashes, starting with a letter (e.g. blue)").default("blue"), {
        default: "`blue`",
        meaning: "Blue/green colour of the running services and of the VPC.",
    }),
    clearances: documented(
        distinctList(
            matching(/^[a-z]+$/, "lowercase letters only"),
            "a list of distinct lowercase clearances that includes pii (e.g. [general, pii])",
            "each clearance once",
            { value: "pii", allowed: "a list of distinct lowercase clearances that includes pii (e.g. [general, pii])" },
        ).default(["general", "pii"]),
        { default: "`[general, pii]`", meaning: "Clearances of the metapod buckets; must include `pii` (Tapir's partitions bucket)." },
    ),
    auroraEngineVersion: documented(
        matching(/^\d+\.\d+$/, `an Aurora PostgreSQL version <major>.<minor> with major ≥ ${MIN_AURORA_MAJOR} (earlier majors are end-of-life)`)
            .refine((v) => Number(v.split(".")[0]) >= MIN_AURORA_MAJOR, {
                error: `an Aurora PostgreSQL version <major>.<minor> with major ≥ ${MIN_AURORA_MAJOR} (earlier majors are end-of-life)`,
            })
            .default("16.8"),
        { default: "`16.8`", meaning: `Aurora PostgreSQL version \`<major>.<minor>\`, major ≥ ${MIN_AURORA_MAJOR}.` },
    ),
    auroraStorageKey: documented(
        z
            .string({ error: storageKeyAllowed })
            .refine((v) => (AURORA_STORAGE_KEYS as readonly string[]).includes(v) || KMS_KEY_ARN.test(v), { error: storageKeyAllowed })
            .default("customer-managed"),
        {
            default: "`customer-managed`",
            meaning:
                "Key of the Aurora clusters' storage: `customer-managed` (a key the stack creates), `aws-managed` (RDS's `aws/rds`, for clusters that exist already) or a KMS key ARN. Immutable on a cluster: changing it means a new cluster.",
        },
    ),
    auroraInstanceClass: documented(matching(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "an RDS instance class such as db.r6g.large").optional(), {
        default: instanceClassDefault,
        meaning: "Instance class of each prototype's Barragem instance.",
    }),
    vpcName: documented(nonEmptyName().optional(), { default: "`<env>-<stackId>-vpc`", meaning: "Name tag of the VPC that holds the Aurora clusters." }),
    kubernetesNodesSecurityGroupName: documented(nonEmptyName().default("prod-long-lived-resources-kubernetes-nodes-sg"), {
        default: "`prod-long-lived-resources-kubernetes-nodes-sg`",
        meaning: "Security group of the Kubernetes nodes; the only source allowed into Aurora.",
    }),
    alertsEnabled: documented(z.union([z.boolean(), z.enum(["true", "false"])], { error: "true | false" }).default("false"), {
        default: "`false`",
        meaning: "Turns CloudWatch alarm actions on. Keep off while a country is brought up.",
    }),
    dynamodbBillingMode: documented(z.enum(["PAY_PER_REQUEST", "PROVISIONED"], { error: "PAY_PER_REQUEST | PROVISIONED" }).default("PAY_PER_REQUEST"), {
        default: "`PAY_PER_REQUEST`",
        meaning: "`PAY_PER_REQUEST` or `PROVISIONED` for every table.",
    }),
    dynamodbReadCapacity: documented(capacity(), { default: "— (required when PROVISIONED)", meaning: "Read capacity units per table when provisioned." }),
    dynamodbWriteCapacity: documented(capacity(), { default: "— (required when PROVISIONED)", meaning: "Write capacity units per table when provisioned." }),
    kubernetesClusters: documented(z.record(z.string(), kubernetesCluster, { error: "an object keyed by prototype, e.g. {s0: {context: …}}" }).optional(), {
        default: `per prototype: \`eksClusterName\` \`<env>-<prototype>-<stackId>\` (endpoint, CA and OIDC provider looked up from it), no \`context\`, \`namespace\` \`${SERVICE_DEFAULTS.namespace}\`, \`ingressClass\` \`${SERVICE_DEFAULTS.ingressClass}\`, \`ingressAnnotations\` none, \`ingressControllerNamespace\` \`${SERVICE_DEFAULTS.ingressControllerNamespace}\``,
        meaning:
            "Per prototype: the EKS cluster its services run on (reached with `aws eks get-token` under the country's deploy role), a kubeconfig `context` that replaces that lookup, the IAM OIDC provider their roles trust, and the internal ingress (class, annotations, controller namespace).",
    }),
    workloads: documented(
        closed(
            Object.fromEntries(WORKLOADS.map((w) => [w, workloadSize()])) as Record<(typeof WORKLOADS)[number], ReturnType<typeof workloadSize>>,
            `an object keyed by workload (${workloadList})`,
            `one of the workloads ${workloadList}`,
        ).prefault({}),
        {
            default: `\`replicas\` 2 in prod, 1 in staging (transactor 1); \`requests\` ${SERVICE_DEFAULTS.requests.cpu} CPU / ${SERVICE_DEFAULTS.requests.memory}; \`limits\` ${SERVICE_DEFAULTS.limits.cpu} CPU / ${SERVICE_DEFAULTS.limits.memory}`,
            meaning: "Per workload: `{replicas, requests: {cpu, memory}, limits: {cpu, memory}}`; limits at least the requests.",
        },
    ),
};

export type ConfigKey = keyof typeof CONFIG_SHAPE;

type Issues = readonly z.core.$ZodRawIssue[];
/**
 * True when no problem was reported at `path`, inside it, or on what contains it: checks that use
 * a value skip refused ones.
 */
export function isClean(issues: Issues | readonly z.core.$ZodIssue[], ...path: readonly PropertyKey[]): boolean {
    return !issues.some((i) => {
        const at = i.path ?? [];
        return at.slice(0, path.length).every((p, n) => p === path[n]);
    });
}

/**
 * Checks across keys. Each runs only when the keys it reads were accepted, so a refused value
 * never draws follow-on problems (`env: qa` is one problem, not one per derived name).
 */
function crossChecks(c: z.output<typeof CONFIG_OBJECT>, ctx: z.core.$RefinementCtx): void {
    const clean = (...path: PropertyKey[]) => isClean(ctx.issues, ...path);
    const bad = (path: PropertyKey[], input: unknown, message: string) => ctx.addIssue({ code: "custom", path, input, message });

    if (clean("countryAccountId") && clean("dataAccountId") && c.countryAccountId === c.dataAccountId) {
        bad(["dataAccountId"], c.dataAccountId, "the nu-data account, which is not the country's account");
    }
    // The lookup cannot be judged by the policy pack (it sees resources, not invokes), so a public
    // zone is refused here unless the stack file carries the reviewed reason.
    if (clean("dnsZone") && !c.dnsZone.private && (c.dnsZone.publicReason ?? "").trim().length < 10) {
        bad(["dnsZone", "private"], false, "true, or false only with dnsZone.publicReason saying why the canonical names may be public (a reviewed exception, docs/guardrails.md dns-private-zone)");
    }
    const roleKeys = [
        ["countryDeployRoleArn", "countryAccountId"],
        ["dataDeployRoleArn", "dataAccountId"],
        ["countryPreviewRoleArn", "countryAccountId"],
        ["countryReadOnlyRoleArn", "countryAccountId"],
        ["dataPreviewRoleArn", "dataAccountId"],
    ] as const;
    for (const [key, account] of roleKeys) {
        const arn = c[key];
        if (arn === undefined || !clean(key) || !clean(account)) continue;
        if (ROLE_ARN.exec(arn)?.[1] !== c[account]) bad([key], arn, `an IAM role ARN in account ${c[account]} (arn:aws:iam::${c[account]}:role/<name>)`);
    }
    if (c.dataEtlRoleArns !== undefined && clean("dataEtlRoleArns") && clean("dataAccountId")) {
        for (const arn of c.dataEtlRoleArns) {
            if (ROLE_ARN.exec(arn)?.[1] !== c.dataAccountId) bad(["dataEtlRoleArns"], arn, `an IAM role ARN in the nu-data account ${c.dataAccountId} (arn:aws:iam::${c.dataAccountId}:role/<name>)`);
        }
    }

    if (clean("dynamodbBillingMode")) {
        for (const key of ["dynamodbReadCapacity", "dynamodbWriteCapacity"] as const) {
            if (c.dynamodbBillingMode === "PROVISIONED" && c[key] === undefined) bad([key], undefined, ALLOWED.capacity);
            if (c.dynamodbBillingMode !== "PROVISIONED" && c[key] !== undefined && clean(key)) bad([key], c[key], "unset unless dynamodbBillingMode is PROVISIONED");
        }
    }

    if (clean("prototypes") && clean("kubernetesClusters")) {
        for (const [prototype, cluster] of Object.entries(c.kubernetesClusters ?? {})) {
            if (!c.prototypes.includes(prototype)) bad(["kubernetesClusters", prototype], cluster, `a prototype of this stack (${c.prototypes.join(", ")})`);
        }
    }
    if (clean("countryAccountId")) {
        for (const [prototype, cluster] of Object.entries(c.kubernetesClusters ?? {})) {
            const arn = cluster?.oidcProviderArn;
            if (typeof arn !== "string" || !clean("kubernetesClusters", prototype, "oidcProviderArn")) continue;
            if (OIDC_PROVIDER_ARN.exec(arn)?.[1] !== c.countryAccountId) {
                bad(
                    ["kubernetesClusters", prototype, "oidcProviderArn"],
                    arn,
                    `an IAM OIDC provider ARN in the country account (arn:aws:iam::${c.countryAccountId}:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>)`,
                );
            }
        }
    }
    if (clean("prototypes") && c.prototypes.some((p) => p !== "global") && clean("barragemSchedule", "databases", "shards") && c.barragemSchedule.databases.shards === undefined) {
        bad(["barragemSchedule", "databases", "shards"], undefined, ALLOWED.databases("shards"));
    }
}

/** The `data-infra` namespace as one object of bare keys (`country`, not `data-infra:country`). */
const CONFIG_OBJECT = closed(CONFIG_SHAPE, "the data-infra keys of a stack", `a documented key (${Object.keys(CONFIG_SHAPE).join(", ")})`);

/** Validates the namespace's values (lists and objects already parsed from Pulumi's JSON text). */
export const CONFIG_SCHEMA = CONFIG_OBJECT.superRefine(crossChecks, { when: () => true });

export type ParsedConfig = z.output<typeof CONFIG_SCHEMA>;

/** Top-level keys Pulumi itself writes into a stack file besides `config`. */
const STACK_FILE_KEYS = {
    secretsprovider: z.string().meta({ description: "Set by Pulumi: the secrets provider of this stack." }).optional(),
    encryptedkey: z.string().meta({ description: "Set by Pulumi: the data key of a cloud secrets provider." }).optional(),
    encryptionsalt: z.string().meta({ description: "Set by Pulumi: the salt of the passphrase secrets provider." }).optional(),
    environment: z.unknown().meta({ description: "Pulumi ESC environments imported by this stack." }).optional(),
};

/**
 * The JSON Schema of a whole `Pulumi.<stack>.yaml`: `config` holds the `data-infra:` keys of this
 * contract (unknown ones refused) and lets other namespaces (`aws:`, `pulumi:`) through.
 */
export function stackFileJsonSchema(): Record<string, unknown> {
    const namespaced = Object.fromEntries(Object.entries(CONFIG_SHAPE).map(([key, schema]) => [`${NAMESPACE}:${key}`, schema]));
    const file = z.object({ config: z.object(namespaced), ...STACK_FILE_KEYS });
    const json = z.toJSONSchema(file, {
        target: "draft-07",
        io: "input",
        unrepresentable: (ctx) => (isUnknownKeyMarker(ctx.zodSchema) ? {} : "throw"),
        override: (ctx) => {
            const doc = KEY_DOCS.get(ctx.zodSchema as unknown as z.ZodType);
            if (doc) ctx.jsonSchema.description = doc.default.startsWith("—") ? `${doc.meaning} ${doc.default.slice(1).trim()}`.trim() : `${doc.meaning} Default: ${doc.default}.`;
            // `{}` stands in for a left-out entry only so that its missing fields are reported; it is no default.
            const json = ctx.jsonSchema as { default?: unknown; required?: string[] };
            if (json.required?.length && JSON.stringify(json.default) === "{}") delete json.default;
            const def = ctx.zodSchema._zod.def as { type: string; catchall?: z.core.$ZodType };
            if (def.type === "object" && def.catchall && isUnknownKeyMarker(def.catchall)) ctx.jsonSchema.additionalProperties = false;
        },
    }) as Record<string, any>;
    const config = json.properties.config;
    // Other namespaces belong to their providers; only data-infra's keys are this contract's.
    config.patternProperties = { [`^(?!${NAMESPACE}:)[^:]+:`]: {} };
    config.additionalProperties = false;
    config.description = `Stack config. Keys of the ${NAMESPACE} namespace are documented in the README's config reference; other namespaces (aws:, pulumi:) pass through.`;
    json.additionalProperties = false;
    return {
        $schema: json.$schema,
        title: `Pulumi.<stack>.yaml of the ${NAMESPACE} project`,
        description: "Generated from stacks/schema.ts by `npm run schema`; do not edit by hand.",
        ...Object.fromEntries(Object.entries(json).filter(([k]) => k !== "$schema")),
    };
}
