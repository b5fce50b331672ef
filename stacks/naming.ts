// Every physical name of the runbook, computed in exactly one place.
import type { Env } from "./constants";

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
    /** Alias of the customer-managed key of the clusters' storage. */
    storageKeyAlias: (env: Env) => `alias/${env}-barragem-aurora-storage`,
};

/**
 * Barragem's `rdb-unqualified-endpoint-url` (runbook "Spin Barragem"): the *instance* endpoint
 * without its `<env>-<prototype>-` prefix, which Barragem puts back per prototype itself.
 * `staging-s0-barragem-aurora-instance.cabc123.us-east-1.rds.amazonaws.com` on (staging, s0) is
 * `barragem-aurora-instance.cabc123.us-east-1.rds.amazonaws.com`. Anything but this prototype's
 * instance endpoint is refused: Barragem would process another database's segments.
 */
export function unqualifiedInstanceEndpoint(env: Env, prototype: string, instanceEndpoint: string): string {
    const expected = `${aurora.instanceId(env, prototype)}.`;
    if (!instanceEndpoint.startsWith(expected)) {
        throw new Error(
            `Aurora endpoint "${instanceEndpoint}" is not the endpoint of instance ${aurora.instanceId(env, prototype)} ` +
                `(expected "${expected}<host>.<region>.rds.amazonaws.com"); Barragem on ${prototype} needs its own prototype's instance endpoint`,
        );
    }
    return instanceEndpoint.slice(prototypeScoped(env, prototype, "").length);
}

/** The existing secrets bucket and the object Barragem reads its password from. */
export const barragemSecret = {
    bucket: (country: string, env: Env) => `nu-secrets-${country}-${env}`,
    key: "barragem_secret_config.json",
    /** Alias of the customer-managed key the object is encrypted with. */
    keyAlias: (env: Env) => `alias/${env}-barragem-secret`,
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

/** Every object of a bucket, for IAM statements on object actions. */
export function s3ObjectsArn(bucket: string): string {
    return `${s3BucketArn(bucket)}/*`;
}

/** One object, e.g. Barragem's secret file. */
export function s3ObjectArn(bucket: string, key: string): string {
    return `${s3BucketArn(bucket)}/${key}`;
}

export function dynamodbTableArn(region: string, accountId: string, table: string): string {
    return `arn:aws:dynamodb:${region}:${accountId}:table/${table}`;
}

/** Runbook `update-canonical-dns`: the name other systems use, `<env>-<prototype>-<service>.<domain>`. */
export function canonicalHost(env: Env, prototype: string, service: string, domain: string): string {
    return `${prototypeScoped(env, prototype, service)}.${domain}`;
}

/** The `<stack-id>` deployment's own name, which the canonical name points at: `<env>-<prototype>-<stack-id>-<service>.<domain>`. */
export function stackHost(env: Env, prototype: string, stackId: string, service: string, domain: string): string {
    return `${prototypeScoped(env, prototype, `${stackId}-${service}`)}.${domain}`;
}

/** Metapod's `services` entry for the country's Veiga (runbook "Checking Blueprint interaction"). */
export const metapodVeiga = {
    key: (country: string) => `veiga-${country}`,
    url: (env: Env, domain: string) => `https://${canonicalHost(env, "global", "veiga", domain)}/api`,
};

/** Default kubeconfig context and EKS cluster name of a prototype: `<env>-<prototype>-<stack-id>`. */
export function kubernetesClusterName(env: Env, prototype: string, stackId: string): string {
    return prototypeScoped(env, prototype, stackId);
}

/** IAM role a workload's ServiceAccount assumes: `<env>-<prototype>-<workload>`. */
export function serviceRoleName(env: Env, prototype: string, workload: string): string {
    return prototypeScoped(env, prototype, workload);
}

/** A role's ARN, known before the role exists (key policies name roles by ARN). */
export function iamRoleArn(accountId: string, roleName: string): string {
    return `arn:aws:iam::${accountId}:role/${roleName}`;
}

/** The private ECR registry of an account in a region: where images are pulled from by default. */
export function ecrRegistry(accountId: string, region: string): string {
    return `${accountId}.dkr.ecr.${region}.amazonaws.com`;
}

/** What the kubelet pulls: `<repository>:<tag>`, or `<repository>@sha256:<hex>` for a digest. */
export function imageReference(repository: string, version: string): string {
    return version.startsWith("sha256:") ? `${repository}@${version}` : `${repository}:${version}`;
}

/** IAM OIDC provider of an EKS cluster, from its issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/<id>`). */
export function oidcProviderArn(accountId: string, issuerUrl: string): string {
    return `arn:aws:iam::${accountId}:oidc-provider/${issuerUrl.replace(/^https:\/\//, "")}`;
}

/** The issuer part of an OIDC provider ARN: the prefix of its `:sub` and `:aud` condition keys. */
export function oidcIssuer(providerArn: string): string {
    return providerArn.replace(/^arn:aws:iam::\d{12}:oidc-provider\//, "");
}

/** Datomic transactor's in-cluster address, which it advertises to peers through storage. */
export function inClusterHost(name: string, namespace: string): string {
    return `${name}.${namespace}.svc.cluster.local`;
}
