// The runbook's inventory as data: which buckets and tables a country stack has, where, and
// who else may use them. Components turn these rows into resources; names come from here only.
import { BucketRetentionConfig, COUNTRY_WIDE_BUCKETS_OWNER, CountryStack, ExpiryKey } from "./config";
import { tableName } from "./naming";

export type AccountRole = "country" | "data";
/** What another account's named principals may do with a bucket's objects (listing included). */
export type CrossAccountAccess = "read" | "read-write" | "read-write-delete";

/**
 * What happens to a bucket's objects over time (SPEC "Safety"; docs/guardrails.md "Buckets"):
 * - `versioned`: the data cannot be recomputed, so every overwrite or delete keeps the previous
 *   version, which expires after `noncurrentVersionDays`;
 * - `expires`: scratch data, deleted `expiryDays[key]` days after it was written;
 * - `recomputable`: neither (rerunnable outputs whose owners clean them up themselves).
 */
export type Retention =
    | { readonly kind: "versioned"; readonly noncurrentVersionDays: number }
    | { readonly kind: "expires"; readonly days: number }
    | { readonly kind: "recomputable" };
export type RetentionKind = Retention["kind"];

interface BucketRow {
    /** Stable key for outputs and other components (`dataset-series`, `metapod-ephemeral-pii`, …). */
    readonly role: string;
    /** `{country}`, `{env}` and `{clearance}` are substituted. */
    readonly template: string;
    readonly account: AccountRole;
    /** `home` is us-east-1; `data` is the nu-data region of the env. */
    readonly region: "home" | "data";
    /**
     * Country buckets: what the nu-data ETL roles (`dataEtlRoleArns`) may do, and why. nu-data
     * buckets grant the country account nothing here: only the country services that use them
     * (stacks/services.ts) get access, computed in stacks/bucketAccess.ts.
     */
    readonly etl?: { readonly access: CrossAccountAccess; readonly why: string };
    readonly retention: RetentionKind;
    readonly expiryKey?: ExpiryKey;
    /** Why this retention, for docs/guardrails.md's bucket table. */
    readonly retentionWhy: string;
}

/** The runbook's "Preparing S3 buckets" table, in its order. */
export const BUCKET_ROWS: readonly BucketRow[] = [
    { role: "ds", template: "nu-ds-{country}", account: "country", region: "home", etl: { access: "read-write", why: "data-science datasets the ETL reads and publishes" }, retention: "versioned", retentionWhy: "curated data-science datasets; not recomputable" },
    { role: "dataset-series", template: "nu-spark-dataset-series-{country}-{env}", account: "country", region: "data", etl: { access: "read-write-delete", why: "Alph's Avro files the ETL consumes and compacts (it deletes the compacted inputs; versioning keeps them recoverable)" }, retention: "versioned", retentionWhy: "event data Alph wrote once; not recomputable" },
    { role: "datomic-logs", template: "nu-spark-datomic-logs-{country}-{env}", account: "country", region: "data", etl: { access: "read-write", why: "Correnteza's Datomic log extractions the ETL reads (contracts)" }, retention: "versioned", retentionWhy: "the ETL's source of contracts; re-extraction is not guaranteed" },
    // Tapir reads its partitions from the pii one; the ETL in nu-data writes them.
    { role: "metapod-ephemeral-{clearance}", template: "nu-spark-metapod-ephemeral-{clearance}-{country}-{env}", account: "data", region: "data", retention: "expires", expiryKey: "metapod-ephemeral", retentionWhy: "ephemeral ETL outputs, recomputed by the next run" },
    { role: "metapod-manual-dataset-series", template: "nu-spark-metapod-manual-dataset-series-{country}-{env}", account: "country", region: "data", etl: { access: "read-write", why: "manual dataset series Metapod writes and Ouroboros reads" }, retention: "versioned", retentionWhy: "manually provided data; not recomputable" },
    { role: "metapod-permanent-{clearance}", template: "nu-spark-metapod-permanent-{clearance}-{country}-{env}", account: "data", region: "data", retention: "versioned", retentionWhy: "permanent ETL outputs other datasets depend on" },
    { role: "static", template: "nu-spark-static-{country}-{env}", account: "data", region: "data", retention: "versioned", retentionWhy: "static reference data uploaded by hand" },
    { role: "tmp", template: "nu-tmp-{country}", account: "country", region: "home", etl: { access: "read-write-delete", why: "scratch space of ETL jobs, which clean up after themselves" }, retention: "expires", expiryKey: "tmp", retentionWhy: "scratch" },
    { role: "ds-artifacts-realtime", template: "nu-ds-{country}-artifacts-realtime", account: "country", region: "home", etl: { access: "read-write", why: "real-time model artifacts published from nu-data" }, retention: "versioned", retentionWhy: "model artifacts serving depends on; training is not reproducible" },
    { role: "ds-artifacts-batch", template: "nu-ds-{country}-artifacts-batch", account: "country", region: "home", etl: { access: "read-write", why: "batch model artifacts published from nu-data" }, retention: "versioned", retentionWhy: "model artifacts; training is not reproducible" },
    { role: "ds-kubeflow", template: "nu-ds-kubeflow-{country}", account: "country", region: "home", etl: { access: "read-write", why: "Kubeflow pipeline inputs and outputs exchanged with nu-data" }, retention: "versioned", retentionWhy: "pipeline inputs are kept with their outputs" },
    { role: "spark-devel", template: "nu-spark-devel-{country}", account: "country", region: "home", etl: { access: "read-write-delete", why: "Spark development runs from nu-data, which replace their own outputs" }, retention: "recomputable", retentionWhy: "development outputs, rerunnable; their owners delete them" },
    { role: "ouroboros-partition-pointers", template: "nu-ouroboros-partition-pointers-{country}", account: "country", region: "home", etl: { access: "read-write", why: "partition pointers the ETL advances for Ouroboros" }, retention: "versioned", retentionWhy: "a lost pointer loses track of partitions" },
    { role: "spark-tmp-raw", template: "nu-spark-tmp-raw-{country}-{env}", account: "data", region: "data", retention: "expires", expiryKey: "spark-tmp-raw", retentionWhy: "raw extractions before the ETL picks them up; scratch" },
];

export interface PlannedBucket {
    readonly role: string;
    readonly name: string;
    readonly account: AccountRole;
    readonly accountId: string;
    readonly region: string;
    /** The other account of the stack (the grants of the bucket policy are to its named principals only). */
    readonly otherAccountId: string;
    /** Country buckets: the nu-data ETL's access. */
    readonly etl?: BucketRow["etl"];
    readonly retention: Retention;
    readonly retentionWhy: string;
    /** Names without `<env>` exist once per country. */
    readonly countryWide: boolean;
    /** Whether this stack creates it (country-wide buckets belong to the COUNTRY_WIDE_BUCKETS_OWNER env's stack). */
    readonly ownedByThisStack: boolean;
}

function retentionOf(row: BucketRow, days: BucketRetentionConfig): Retention {
    switch (row.retention) {
        case "versioned":
            return { kind: "versioned", noncurrentVersionDays: days.noncurrentVersionDays };
        case "expires":
            return { kind: "expires", days: days.expiryDays[row.expiryKey!] };
        case "recomputable":
            return { kind: "recomputable" };
    }
}

/** Every bucket name the country stack knows, expanded per clearance; `ownedByThisStack` says which it creates. */
export function plannedBuckets(stack: CountryStack): PlannedBucket[] {
    const out: PlannedBucket[] = [];
    for (const row of BUCKET_ROWS) {
        const clearances = row.template.includes("{clearance}") ? stack.clearances : [undefined];
        for (const clearance of clearances) {
            const fill = (s: string) =>
                s.replace("{country}", stack.country).replace("{env}", stack.env).replace("{clearance}", clearance ?? "");
            const countryWide = !row.template.includes("{env}");
            const other: AccountRole = row.account === "country" ? "data" : "country";
            out.push({
                role: fill(row.role),
                name: fill(row.template),
                account: row.account,
                accountId: stack.accounts[row.account].id,
                region: row.region === "home" ? stack.homeRegion : stack.dataRegion,
                otherAccountId: stack.accounts[other].id,
                ...(row.etl ? { etl: row.etl } : {}),
                retention: retentionOf(row, stack.bucketRetention),
                retentionWhy: row.retentionWhy,
                countryWide,
                ownedByThisStack: !countryWide || stack.env === COUNTRY_WIDE_BUCKETS_OWNER,
            });
        }
    }
    return out;
}

/** The name of a bucket by role, for config of services (one place computes names). */
export function bucketNameByRole(stack: CountryStack, role: string): string {
    const found = plannedBuckets(stack).find((b) => b.role === role);
    if (!found) throw new Error(`no bucket with role "${role}" in stack ${stack.stackName}`);
    return found.name;
}

export interface TableRow {
    readonly table: string;
    readonly prototypes: "all" | "global";
    /** Partition key; the Nimbus definitions key every data-infra table by a string `id`. */
    readonly hashKey: string;
    readonly purpose: string;
}

/** SPEC "DynamoDB tables, per prototype". */
export const TABLE_ROWS: readonly TableRow[] = [
    { table: "correnteza", prototypes: "all", hashKey: "id", purpose: "Correnteza's last-t per Datomic log" },
    { table: "correnteza-datomic-extraction-attempts", prototypes: "all", hashKey: "id", purpose: "Correnteza's extraction attempts" },
    { table: "conrado", prototypes: "all", hashKey: "id", purpose: "Conrado's serving layer rows" },
    { table: "serving-layer-schemas", prototypes: "all", hashKey: "id", purpose: "Conrado's serving layer schemas" },
    { table: "tapir", prototypes: "global", hashKey: "id", purpose: "Datasets already loaded by Tapir" },
    { table: "ouroboros-datomic", prototypes: "global", hashKey: "id", purpose: "Datomic storage for Ouroboros" },
];

export interface PlannedTable {
    readonly table: string;
    readonly prototype: string;
    readonly name: string;
    readonly hashKey: string;
    readonly purpose: string;
}

export function plannedTables(stack: CountryStack, prototype: string): PlannedTable[] {
    return TABLE_ROWS.filter((row) => row.prototypes === "all" || prototype === "global").map((row) => ({
        table: row.table,
        prototype,
        name: tableName(stack.env, prototype, row.table),
        hashKey: row.hashKey,
        purpose: row.purpose,
    }));
}
