// The runbook's inventory as data: which buckets and tables a country stack has, where, and
// who else may use them. Components turn these rows into resources; names come from here only.
import { COUNTRY_WIDE_BUCKETS_OWNER, CountryStack } from "./config";
import { tableName } from "./naming";

export type AccountRole = "country" | "data";
export type CrossAccountAccess = "read" | "read-write";

interface BucketRow {
    /** Stable key for outputs and other components (`dataset-series`, `metapod-ephemeral-pii`, …). */
    readonly role: string;
    /** `{country}`, `{env}` and `{clearance}` are substituted. */
    readonly template: string;
    readonly account: AccountRole;
    /** `home` is us-east-1; `data` is the nu-data region of the env. */
    readonly region: "home" | "data";
    /** What the other account gets (runbook: data-account ETL reads/writes country buckets; country services use nu-data buckets). */
    readonly otherAccount: CrossAccountAccess;
}

/** The runbook's "Preparing S3 buckets" table, in its order. */
export const BUCKET_ROWS: readonly BucketRow[] = [
    { role: "ds", template: "nu-ds-{country}", account: "country", region: "home", otherAccount: "read-write" },
    { role: "dataset-series", template: "nu-spark-dataset-series-{country}-{env}", account: "country", region: "data", otherAccount: "read-write" },
    { role: "datomic-logs", template: "nu-spark-datomic-logs-{country}-{env}", account: "country", region: "data", otherAccount: "read-write" },
    // Tapir reads its partitions from the pii one; the ETL in nu-data writes them.
    { role: "metapod-ephemeral-{clearance}", template: "nu-spark-metapod-ephemeral-{clearance}-{country}-{env}", account: "data", region: "data", otherAccount: "read" },
    { role: "metapod-manual-dataset-series", template: "nu-spark-metapod-manual-dataset-series-{country}-{env}", account: "country", region: "data", otherAccount: "read-write" },
    { role: "metapod-permanent-{clearance}", template: "nu-spark-metapod-permanent-{clearance}-{country}-{env}", account: "data", region: "data", otherAccount: "read" },
    { role: "static", template: "nu-spark-static-{country}-{env}", account: "data", region: "data", otherAccount: "read" },
    { role: "tmp", template: "nu-tmp-{country}", account: "country", region: "home", otherAccount: "read-write" },
    { role: "ds-artifacts-realtime", template: "nu-ds-{country}-artifacts-realtime", account: "country", region: "home", otherAccount: "read-write" },
    { role: "ds-artifacts-batch", template: "nu-ds-{country}-artifacts-batch", account: "country", region: "home", otherAccount: "read-write" },
    { role: "ds-kubeflow", template: "nu-ds-kubeflow-{country}", account: "country", region: "home", otherAccount: "read-write" },
    { role: "spark-devel", template: "nu-spark-devel-{country}", account: "country", region: "home", otherAccount: "read-write" },
    { role: "ouroboros-partition-pointers", template: "nu-ouroboros-partition-pointers-{country}", account: "country", region: "home", otherAccount: "read-write" },
    // Raw extractions land here from the country side before the ETL picks them up.
    { role: "spark-tmp-raw", template: "nu-spark-tmp-raw-{country}-{env}", account: "data", region: "data", otherAccount: "read-write" },
];

export interface PlannedBucket {
    readonly role: string;
    readonly name: string;
    readonly account: AccountRole;
    readonly accountId: string;
    readonly region: string;
    /** The account granted cross-account access by the bucket policy. */
    readonly granteeAccountId: string;
    readonly granteeAccess: CrossAccountAccess;
    /** Names without `<env>` exist once per country. */
    readonly countryWide: boolean;
    /** Whether this stack creates it (country-wide buckets belong to the COUNTRY_WIDE_BUCKETS_OWNER env's stack). */
    readonly ownedByThisStack: boolean;
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
                granteeAccountId: stack.accounts[other].id,
                granteeAccess: row.otherAccount,
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
