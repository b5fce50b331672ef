// data-infra: one country stack (`<env>-<country>`) of the data platform, in the order of the
// runbook "Deployment of data infrastructure in a new country".
import * as pulumi from "@pulumi/pulumi";
import { AlertTopic } from "./components/alerts";
import { AwsProviders } from "./components/awsProviders";
import { BarragemAurora, BarragemAuroraBase } from "./components/barragemAurora";
import { BarragemSecret } from "./components/barragemSecret";
import { BucketSet } from "./components/bucketSet";
import { lookupCountryZone } from "./components/canonicalDns";
import { CustomerKey, storageKeyPolicy } from "./components/kmsKey";
import { KubernetesProviders } from "./components/kubernetesProviders";
import { PrototypeServices } from "./components/prototypeServices";
import { DataTable } from "./components/table";
import { bucketPlans } from "./stacks/bucketAccess";
import { plannedBuckets, plannedTables } from "./stacks/catalogue";
import { COUNTRY_WIDE_BUCKETS_OWNER } from "./stacks/config";
import { alertTopicName, aurora, barragemSecret, commonEtlSpecCountry, metapodVeiga } from "./stacks/naming";
import { readCountryStack, readRunRole } from "./stacks/read";
import { barragemRoleArns, serviceHosts } from "./stacks/services";

export = async function dataInfra() {
    // Stack config contract: everything is validated before the first resource exists.
    const stack = readCountryStack();
    const aws = new AwsProviders(stack, readRunRole());

    // Alerts stay off while a country is brought up (alertsEnabled).
    const alerts = new AlertTopic("alerts", { topicName: alertTopicName(stack.env), enabled: stack.alertsEnabled, provider: aws.country() });

    // Preparing S3 buckets: the country account's and nu-data's.
    const buckets = plannedBuckets(stack);
    const bucketsWithGrants = bucketPlans(stack);
    for (const account of ["country", "data"] as const) {
        new BucketSet(`${account}-buckets`, {
            buckets: bucketsWithGrants.filter((b) => b.account === account && b.ownedByThisStack),
            providerFor: (region) => aws.get(account, region),
        });
    }

    // Spin AuroraDB: what all prototypes share, then one cluster per prototype.
    const auroraBase = new BarragemAuroraBase("barragem-aurora", {
        env: stack.env,
        accountId: stack.accounts.country.id,
        engineMajor: stack.aurora.major,
        vpcName: stack.vpcName,
        kubernetesNodesSecurityGroupName: stack.kubernetesNodesSecurityGroupName,
        provider: aws.country(),
    });
    const secret = new BarragemSecret("barragem-secret", {
        secretsBucket: barragemSecret.bucket(stack.country, stack.env),
        key: barragemSecret.key,
        keyAlias: barragemSecret.keyAlias(stack.env),
        accountId: stack.accounts.country.id,
        region: stack.region,
        writerRoleArn: stack.accounts.country.deployRoleArn,
        readerRoleArns: barragemRoleArns(stack),
        verifyRoleArn: stack.accounts.country.readOnlyRoleArn,
        provider: aws.country(),
    });
    // Aurora storage under a key of ours (kmsKeyId is immutable: see docs/services.md for existing clusters).
    const storageKmsKeyArn =
        stack.aurora.storageKey === "customer-managed"
            ? new CustomerKey("barragem-aurora-storage-key", {
                  alias: aurora.storageKeyAlias(stack.env),
                  description: `Storage of Barragem's Aurora clusters (${stack.stackName})`,
                  policy: JSON.stringify(storageKeyPolicy(stack.accounts.country.id)),
                  provider: aws.country(),
              }).arn
            : stack.aurora.storageKey === "aws-managed"
              ? undefined
              : stack.aurora.storageKey;

    const tables: Record<string, Record<string, pulumi.Output<string>>> = {};
    const auroraEndpoints: Record<string, pulumi.Output<string>> = {};
    // Kept per prototype so that each prototype's services wait for exactly their own data.
    const dataTables: Record<string, Record<string, DataTable>> = {};
    const databases: Record<string, BarragemAurora> = {};
    for (const prototype of stack.prototypes) {
        // Data storage of Correnteza, Conrado, Tapir and Ouroboros.
        tables[prototype] = {};
        dataTables[prototype] = {};
        for (const table of plannedTables(stack, prototype)) {
            const created = new DataTable(table.name, {
                table,
                billing: stack.dynamodb,
                alerts: alerts.routing,
                provider: aws.country(),
            });
            dataTables[prototype][table.table] = created;
            tables[prototype][table.table] = created.tableName;
        }

        const db = new BarragemAurora(`${prototype}-barragem-aurora`, {
            env: stack.env,
            prototype,
            engineVersion: stack.aurora.engineVersion,
            instanceClass: stack.aurora.instanceClass,
            base: auroraBase,
            storageKmsKeyArn,
            masterPassword: secret.password,
            alerts: alerts.routing,
            provider: aws.country(),
        });
        auroraEndpoints[prototype] = db.endpoint;
        databases[prototype] = db;
    }

    // Spin Veiga, Correnteza, Alph, Ouroboros, Conrado, Tapir and Barragem, with their canonical
    // DNS and Barragem's segment schedule: per prototype, on that prototype's own cluster.
    const clusters = new KubernetesProviders({
        countryAccountId: stack.accounts.country.id,
        region: stack.region,
        // The role this run assumes in the country account: deploy, or the read-only preview role.
        roleArn: aws.roleArn("country"),
        clusters: stack.kubernetes,
        awsProvider: aws.country(),
        runRole: aws.role,
    });
    const zoneId = lookupCountryZone(stack.dnsZone, aws.country());
    for (const prototype of stack.prototypes) {
        const cluster = clusters.of(prototype);
        new PrototypeServices(`${prototype}-services`, {
            stack,
            prototype,
            cluster,
            tables: dataTables,
            aurora: databases[prototype],
            zoneId,
            ingress: { className: cluster.ingressClass, annotations: cluster.ingressAnnotations },
            ingressControllerNamespace: cluster.ingressControllerNamespace,
            vpcCidr: auroraBase.vpcCidr,
            secretKeyArn: secret.keyArn,
            awsProvider: aws.country(),
        });
    }

    // Hand-off outputs for common-etl-spec, Itaipu and Metapod.
    return {
        country: stack.country,
        env: stack.env,
        prototypes: stack.prototypes,
        commonEtlSpecCountry: commonEtlSpecCountry(stack.country),
        accountIds: { country: stack.accounts.country.id, data: stack.accounts.data.id },
        buckets: Object.fromEntries(buckets.map((b) => [b.role, b.name])),
        countryWideBucketsOwner: `${COUNTRY_WIDE_BUCKETS_OWNER}-${stack.country}`,
        tables,
        auroraEndpoints,
        barragemSecretKeyArn: secret.keyArn,
        barragemSecretObject: `s3://${barragemSecret.bucket(stack.country, stack.env)}/${barragemSecret.key}`,
        alertTopicArn: alerts.topicArn,
        alertsEnabled: stack.alertsEnabled,
        serviceHosts: serviceHosts(stack),
        metapodServices: { [metapodVeiga.key(stack.country)]: metapodVeiga.url(stack.env, stack.domain) },
    };
};
