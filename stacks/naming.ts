// Every physical name of the runbook, computed in exactly one place.
import type { Env } from "./config";

/** `<env>-<prototype>-<thing>`: the runbook's per-prototype naming (tables, clusters, DNS labels). */
export function prototypeScoped(env: Env, prototype: string, thing: string): string {
    return `${env}-${prototype}-${thing}`;
}

/** DynamoDB table `<env>-<prototype>-<table>` (SPEC "DynamoDB tables"). */
export function tableName(env: Env, prototype: string, table: string): string {
    return prototypeScoped(env, prototype, table);
}

/** Barragem's Aurora names (runbook "Spin AuroraDB"). */
export const aurora = {
    clusterId: (env: Env, prototype: string) => prototypeScoped(env, prototype, "barragem-aurora"),
    instanceId: (env: Env, prototype: string) => `${prototypeScoped(env, prototype, "barragem-aurora")}-instance`,
    securityGroup: (env: Env, prototype: string) => prototypeScoped(env, prototype, "barragem-aurora"),
    subnetGroup: (env: Env) => `barragem-${env}`,
    family: (major: number) => `aurora-postgresql${major}`,
    clusterParameterGroup: (env: Env, major: number) => `${env}-barragem-aurora-postgres${major}-cluster`,
    instanceParameterGroup: (env: Env, major: number) => `${env}-barragem-aurora-postgres${major}-instance`,
    /** The runbook's hand-made `rds-barragem-aurora-enhanced-monitoring`, per env since IAM names are account-wide. */
    monitoringRole: (env: Env) => `${env}-rds-barragem-aurora-enhanced-monitoring`,
    finalSnapshot: (env: Env, prototype: string) => `${prototypeScoped(env, prototype, "barragem-aurora")}-final`,
};

/** The existing secrets bucket and the object Barragem reads its password from. */
export const barragemSecret = {
    bucket: (country: string, env: Env) => `nu-secrets-${country}-${env}`,
    key: "barragem_secret_config.json",
};

/** Foundation's signing keysets (runbook "Troubleshooting"). */
export function keysetsBucket(country: string, env: Env): string {
    return `nu-keysets-${country}-${env}`;
}

/** common-etl-spec's country keyword (runbook "Preparing Services"). */
export function commonEtlSpecCountry(country: string): string {
    return `:metapod.dataset.country/${country}`;
}

/** SNS topic the alarms notify once alerts are switched on. */
export function alertTopicName(env: Env): string {
    return `data-infra-alerts-${env}`;
}

export function s3BucketArn(bucket: string): string {
    return `arn:aws:s3:::${bucket}`;
}

export function accountRootArn(accountId: string): string {
    return `arn:aws:iam::${accountId}:root`;
}
