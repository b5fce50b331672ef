// The runbook's services as data ("Spin Veiga" … "Spin Barragem", SPEC "Kubernetes workloads"):
// where each runs, which tables and buckets it uses, the config file it gets and the access its
// role needs. Pure: components turn these plans into resources; every name comes from naming.ts
// and catalogue.ts.
import { bucketNameByRole } from "./catalogue";
import { CountryStack, Service, Workload } from "./config";
import {
    barragemSecret,
    canonicalHost,
    dynamodbTableArn,
    iamRoleArn,
    imageReference,
    inClusterHost,
    serviceRoleName,
    stackHost,
    tableName,
} from "./naming";

export type Access = "read" | "read-write";

/**
 * A table of the catalogue (TABLE_ROWS) a workload uses. On its own prototype (the default) its
 * config key is `<table>-table`; on every prototype of the stack (Tapir feeding each prototype's
 * Conrado) it is `<table>-tables`, an object prototype → table name.
 */
interface TableUse {
    readonly table: string;
    readonly access: Access;
    readonly on?: "own-prototype" | "every-prototype";
}

/** A bucket of the catalogue (BUCKET_ROWS role) a workload uses, under the config key the runbook gives it. */
interface BucketUse {
    readonly role: string;
    readonly access: Access;
    readonly configKey: string;
    /** The runbook's config holds a list (Ouroboros's valid_input_path_buckets). */
    readonly asList?: boolean;
}

export interface ServiceRow {
    readonly workload: Workload;
    /** `app.kubernetes.io/name`: the service the workload belongs to. */
    readonly service: Service;
    readonly component: "api" | "datomic-transactor";
    readonly prototypes: "all" | "global";
    readonly runbook: string;
    readonly tables: readonly TableUse[];
    readonly buckets: readonly BucketUse[];
    /** Barragem: its prototype's Aurora endpoint under this key, and read access to its secret file. */
    readonly aurora?: { readonly configKey: string };
}

/** The service matrix (SPEC "Kubernetes workloads, per prototype"), in the runbook's order. */
export const SERVICE_ROWS: readonly ServiceRow[] = [
    { workload: "veiga", service: "veiga", component: "api", prototypes: "global", runbook: "Spin Veiga", tables: [], buckets: [] },
    {
        workload: "correnteza",
        service: "correnteza",
        component: "api",
        prototypes: "all",
        runbook: "Spin Correnteza",
        tables: [
            { table: "correnteza", access: "read-write" },
            { table: "correnteza-datomic-extraction-attempts", access: "read-write" },
        ],
        // Correnteza deploys the Datomic logs to S3.
        buckets: [{ role: "datomic-logs", access: "read-write", configKey: "datomic-logs-bucket" }],
    },
    {
        workload: "alph",
        service: "alph",
        component: "api",
        prototypes: "all",
        runbook: "Spin Alph",
        tables: [],
        // Alph writes the Avro files of non-Datomic data here.
        buckets: [{ role: "dataset-series", access: "read-write", configKey: "dataset-series-bucket" }],
    },
    {
        workload: "ouroboros",
        service: "ouroboros",
        component: "api",
        prototypes: "global",
        runbook: "Spin Ouroboros",
        // A Datomic peer reads storage; only the transactor writes it.
        tables: [{ table: "ouroboros-datomic", access: "read" }],
        buckets: [{ role: "metapod-manual-dataset-series", access: "read", configKey: "valid_input_path_buckets", asList: true }],
    },
    {
        workload: "ouroboros-datomic",
        service: "ouroboros",
        component: "datomic-transactor",
        prototypes: "global",
        runbook: "Spin Ouroboros (data storage ouroboros-datomic)",
        tables: [{ table: "ouroboros-datomic", access: "read-write" }],
        buckets: [],
    },
    {
        workload: "conrado",
        service: "conrado",
        component: "api",
        prototypes: "all",
        runbook: "Spin Conrado",
        tables: [
            { table: "conrado", access: "read-write" },
            { table: "serving-layer-schemas", access: "read-write" },
        ],
        buckets: [],
    },
    {
        workload: "tapir",
        service: "tapir",
        component: "api",
        prototypes: "global",
        runbook: "Spin Tapir",
        // Runbook "Spin Conrado": Conrado's data storage "is fed by Tapir", and those tables exist on
        // every prototype while Tapir runs on global only: the one Tapir loads every prototype's
        // Conrado (docs/services.md "Tapir feeds every prototype's Conrado").
        tables: [
            { table: "tapir", access: "read-write" },
            { table: "conrado", access: "read-write", on: "every-prototype" },
            { table: "serving-layer-schemas", access: "read-write", on: "every-prototype" },
        ],
        // Written by the ETL in nu-data; its bucket policy grants the country account read.
        buckets: [{ role: "metapod-ephemeral-pii", access: "read", configKey: "partitions-bucket" }],
    },
    {
        workload: "barragem",
        service: "barragem",
        component: "api",
        prototypes: "all",
        runbook: "Spin Barragem",
        tables: [],
        buckets: [{ role: "datomic-logs", access: "read-write", configKey: "datomic-logs-bucket" }],
        aurora: { configKey: "rdb-unqualified-endpoint-url" },
    },
];

/** IAM role ARN of a workload's ServiceAccount on a prototype (known before the role exists, e.g. for key policies). */
export function serviceRoleArn(stack: CountryStack, prototype: string, workload: Workload): string {
    return iamRoleArn(stack.accounts.country.id, serviceRoleName(stack.env, prototype, workload));
}

/** Every prototype's Barragem role: the readers of its secret file. */
export function barragemRoleArns(stack: CountryStack): string[] {
    return stack.prototypes.filter((p) => rowsOn(p).some((r) => r.workload === "barragem")).map((p) => serviceRoleArn(stack, p, "barragem"));
}

/** Every service serves HTTP here and answers the runbook's health check (`ser curl get … /api/version`). */
export const API_PORT = 8080;
export const HEALTH_CHECK_PATH = "/api/version";
export const DATOMIC_PORT = 4334;
/** The transactor's health endpoint (Datomic `ping-host`/`ping-port`). */
export const DATOMIC_HEALTH = { path: "/health", port: 9999 } as const;

/** Runbook "Schedule segments processing": what Tempo's barragem-process-next-segment task sends, per database. */
export const PROCESS_NEXT_SEGMENT = { method: "POST", path: "/api/process-next-segment" } as const;
export const SEGMENT_SCHEDULE_NAME = "barragem-process-next-segment";

export function rowsOn(prototype: string): ServiceRow[] {
    return SERVICE_ROWS.filter((row) => row.prototypes === "all" || prototype === "global");
}

/** Which services (not the transactor) run on a prototype. */
export function servicesOn(prototype: string): Service[] {
    return rowsOn(prototype)
        .filter((row) => row.component === "api")
        .map((row) => row.service);
}

/** The labels every Kubernetes object of a service carries. */
export function standardLabels(stack: CountryStack, prototype: string, service: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": service,
        "app.kubernetes.io/part-of": "data-infra",
        "data-infra/prototype": prototype,
        "data-infra/stack-id": stack.stackId,
    };
}

/** A service's country-specific config file. `E` is how the Aurora endpoint is known: a string in tests, an Output in the program. */
export type ServiceConfig<E> = Record<string, string | string[] | Record<string, string> | E>;

/** The tables (prototype and catalogue name) a use covers on a prototype's workload. */
function tablesOfUse(stack: CountryStack, prototype: string, use: TableUse): { prototype: string; table: string }[] {
    const prototypes = use.on === "every-prototype" ? stack.prototypes : [prototype];
    return prototypes.map((p) => ({ prototype: p, table: use.table }));
}

export function serviceConfig<E>(stack: CountryStack, prototype: string, row: ServiceRow, auroraEndpoint: E): ServiceConfig<E> {
    const config: ServiceConfig<E> = {};
    for (const use of row.buckets) {
        const name = bucketNameByRole(stack, use.role);
        config[use.configKey] = use.asList ? [name] : name;
    }
    for (const use of row.tables) {
        if (use.on === "every-prototype") {
            config[`${use.table}-tables`] = Object.fromEntries(tablesOfUse(stack, prototype, use).map((t) => [t.prototype, tableName(stack.env, t.prototype, t.table)]));
        } else {
            config[`${use.table}-table`] = tableName(stack.env, prototype, use.table);
        }
    }
    if (row.aurora) config[row.aurora.configKey] = auroraEndpoint;
    return config;
}

/** A directory a container writes to: an emptyDir of that container, since its root filesystem is read-only. */
export interface WritableDir {
    readonly volume: string;
    readonly path: string;
}

/** Every container may write its /tmp. */
export const TMP_DIR: WritableDir = { volume: "tmp", path: "/tmp" };
/** Where the transactor writes (Datomic's defaults, under its install directory, are not writable). */
export const TRANSACTOR_DIRS = {
    data: { volume: "datomic-data", path: "/var/lib/datomic/data" },
    log: { volume: "datomic-log", path: "/var/log/datomic" },
} as const satisfies Record<string, WritableDir>;

/** The Datomic transactor's properties: DynamoDB storage, reachable in-cluster by its Service. No secret in here. */
export function transactorProperties(stack: CountryStack, prototype: string, namespace: string): string {
    return [
        "protocol=ddb",
        `aws-dynamodb-region=${stack.region}`,
        `aws-dynamodb-table=${tableName(stack.env, prototype, "ouroboros-datomic")}`,
        "host=0.0.0.0",
        `alt-host=${inClusterHost("ouroboros-datomic", namespace)}`,
        `port=${DATOMIC_PORT}`,
        "ping-host=0.0.0.0",
        `ping-port=${DATOMIC_HEALTH.port}`,
        "memory-index-threshold=32m",
        "memory-index-max=512m",
        "object-cache-max=512m",
        `data-dir=${TRANSACTOR_DIRS.data.path}`,
        `log-dir=${TRANSACTOR_DIRS.log.path}`,
        "",
    ].join("\n");
}

export interface TableGrant {
    readonly prototype: string;
    readonly table: string;
    readonly name: string;
    readonly arn: string;
    readonly access: Access;
}

export interface BucketGrant {
    readonly name: string;
    readonly access: Access;
}

/** Exactly what a workload's role may touch. */
export interface AccessGrants {
    readonly tables: readonly TableGrant[];
    readonly buckets: readonly BucketGrant[];
    /** Single objects it may read (Barragem's secret file). */
    readonly readObjects: readonly { readonly bucket: string; readonly key: string }[];
}

export function accessGrants(stack: CountryStack, prototype: string, row: ServiceRow): AccessGrants {
    return {
        tables: row.tables.flatMap((use) =>
            tablesOfUse(stack, prototype, use).map((t) => {
                const name = tableName(stack.env, t.prototype, t.table);
                return { ...t, name, arn: dynamodbTableArn(stack.region, stack.accounts.country.id, name), access: use.access };
            }),
        ),
        buckets: row.buckets.map((use) => ({ name: bucketNameByRole(stack, use.role), access: use.access })),
        readObjects: row.aurora ? [{ bucket: barragemSecret.bucket(stack.country, stack.env), key: barragemSecret.key }] : [],
    };
}

export interface WorkloadPlan<E> {
    readonly row: ServiceRow;
    readonly prototype: string;
    /** Name of every Kubernetes object of the workload, in the prototype's namespace. */
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly image: string;
    readonly size: CountryStack["workloads"][Workload];
    readonly port: { readonly name: string; readonly number: number };
    readonly probe: { readonly path: string; readonly port: number };
    readonly configFile: { readonly name: string; readonly content: string | ServiceConfig<E> };
    readonly env: Readonly<Record<string, string>>;
    readonly roleName: string;
    readonly grants: AccessGrants;
    /** Tables (prototype, catalogue name) the workload must not start without. */
    readonly needsTables: readonly { readonly prototype: string; readonly table: string }[];
    /** The directories the container writes; everything else of its filesystem is read-only. */
    readonly writableDirs: readonly WritableDir[];
    readonly needsAurora: boolean;
    /** Canonical and `<stack-id>` names; only the services with an API have them. */
    readonly hosts?: { readonly canonical: string; readonly stack: string };
}

/** Every workload of a prototype, ready to be wired. */
export function workloadPlans<E>(stack: CountryStack, prototype: string, auroraEndpoint: E): WorkloadPlan<E>[] {
    const namespace = stack.kubernetes[prototype].namespace;
    return rowsOn(prototype).map((row) => {
        const api = row.component === "api";
        const configFile = api
            ? { name: "config.json", content: serviceConfig(stack, prototype, row, auroraEndpoint) }
            : { name: "transactor.properties", content: transactorProperties(stack, prototype, namespace) };
        const image = stack.images[row.workload];
        return {
            row,
            prototype,
            name: row.workload,
            namespace,
            labels: { ...standardLabels(stack, prototype, row.service), "app.kubernetes.io/component": row.component },
            image: imageReference(image.repository, image.version),
            size: stack.workloads[row.workload],
            port: api ? { name: "http", number: API_PORT } : { name: "datomic", number: DATOMIC_PORT },
            probe: api ? { path: HEALTH_CHECK_PATH, port: API_PORT } : { path: DATOMIC_HEALTH.path, port: DATOMIC_HEALTH.port },
            configFile,
            env: {
                NU_COUNTRY: stack.country,
                NU_ENV: stack.env,
                NU_PROTOTYPE: prototype,
                NU_STACK_ID: stack.stackId,
                CONFIG_FILE: `/etc/${row.workload}/${configFile.name}`,
            },
            roleName: serviceRoleName(stack.env, prototype, row.workload),
            grants: accessGrants(stack, prototype, row),
            needsTables: row.tables.flatMap((use) => tablesOfUse(stack, prototype, use)),
            writableDirs: api ? [TMP_DIR] : [TMP_DIR, TRANSACTOR_DIRS.data, TRANSACTOR_DIRS.log],
            needsAurora: row.aurora !== undefined,
            ...(api
                ? {
                      hosts: {
                          canonical: canonicalHost(stack.env, prototype, row.service, stack.domain),
                          stack: stackHost(stack.env, prototype, stack.stackId, row.service, stack.domain),
                      },
                  }
                : {}),
        };
    });
}

/** The databases Barragem on a prototype is asked to process (global task, or the shards task). */
export function segmentDatabases(stack: CountryStack, prototype: string): readonly string[] {
    return prototype === "global" ? stack.segmentSchedule.databases.global : stack.segmentSchedule.databases.shards;
}

/** Hand-off output: every canonical name, per prototype and service. */
export function serviceHosts(stack: CountryStack): Record<string, Record<string, string>> {
    return Object.fromEntries(
        stack.prototypes.map((prototype) => [
            prototype,
            Object.fromEntries(servicesOn(prototype).map((service) => [service, canonicalHost(stack.env, prototype, service, stack.domain)])),
        ]),
    );
}
