// One read-only look per resource type: does the planned resource exist under its physical
// name, under which id does `pulumi import` know it (the "Import" section of each @pulumi/aws
// resource page), and what would the next `pulumi up` change or replace. Only Get/Describe/
// List/Head calls: adopt never writes (test/adopt.test.ts checks every call sent).
import { DescribeAlarmsCommand, ListTagsForResourceCommand as ListAlarmTagsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeContinuousBackupsCommand, DescribeTableCommand, DescribeTimeToLiveCommand, ListTagsOfResourceCommand } from "@aws-sdk/client-dynamodb";
import { DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import { GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand } from "@aws-sdk/client-iam";
import {
    DescribeDBClusterParameterGroupsCommand,
    DescribeDBClustersCommand,
    DescribeDBInstancesCommand,
    DescribeDBParameterGroupsCommand,
    DescribeDBSubnetGroupsCommand,
    ListTagsForResourceCommand as ListRdsTagsCommand,
} from "@aws-sdk/client-rds";
import { ListHostedZonesByNameCommand, ListResourceRecordSetsCommand } from "@aws-sdk/client-route-53";
import {
    GetBucketEncryptionCommand,
    GetBucketLocationCommand,
    GetBucketOwnershipControlsCommand,
    GetBucketPolicyCommand,
    GetBucketTaggingCommand,
    GetPublicAccessBlockCommand,
    HeadObjectCommand,
    S3Client,
} from "@aws-sdk/client-s3";
import { GetTopicAttributesCommand, ListTagsForResourceCommand as ListTopicTagsCommand } from "@aws-sdk/client-sns";
import type { CountryStack } from "../../stacks/config";
import type { AwsAccess } from "../checks/awsAccess";
import { findVpcId } from "../checks/networkChecks";
import { bucketPresence } from "../checks/s3Checks";
import { barragemSecret } from "../../stacks/naming";
import { Differences, Finding, isNotFound, normalizePolicy, show, tagMap } from "./findings";
import { AdoptTarget, isStandInValue } from "./targets";

/** Waits for `pending` unless `signal` aborts first (the shared work itself goes on for the others). */
function waitFor<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
        pending.then(
            (value) => {
                signal.removeEventListener("abort", onAbort);
                resolve(value);
            },
            (err) => {
                signal.removeEventListener("abort", onAbort);
                reject(err);
            },
        );
    });
}

/**
 * Lookups several probes share, done once per run (a failure is looked up again next time).
 * Each runs under its own timeout, never under the signal of the probe that happened to ask
 * first: that probe's timeout or abort must not fail the lookup for every other probe waiting on it.
 */
export class SharedLookups {
    private readonly cache = new Map<string, Promise<unknown>>();

    constructor(
        private readonly stack: CountryStack,
        private readonly access: AwsAccess,
        private readonly timeoutMs: number,
    ) {}

    private once<T>(key: string, signal: AbortSignal, lookup: (own: AbortSignal) => Promise<T>): Promise<T> {
        let pending = this.cache.get(key) as Promise<T> | undefined;
        if (!pending) {
            pending = lookup(AbortSignal.timeout(this.timeoutMs));
            pending.catch(() => this.cache.delete(key));
            this.cache.set(key, pending);
        }
        return waitFor(pending, signal);
    }

    /** The `<env>-<stack-id>-vpc` the program places Aurora into (as preflight finds it). */
    vpcId(signal: AbortSignal): Promise<string | undefined> {
        return this.once("vpc", signal, (own) => findVpcId(this.access.ec2(), this.stack.vpcName, own));
    }

    /** The country's hosted zone of the stack's visibility, private by default (what the program's getZone finds). */
    zoneId(signal: AbortSignal): Promise<string | undefined> {
        return this.once("zone", signal, async (own) => {
            const domain = `${this.stack.dnsZone.name.replace(/\.$/, "")}.`;
            const answer = await this.access.route53().send(new ListHostedZonesByNameCommand({ DNSName: domain, MaxItems: 10 }), { abortSignal: own });
            const zone = (answer.HostedZones ?? []).find((z) => z.Name === domain && (z.Config?.PrivateZone ?? false) === this.stack.dnsZone.private);
            return zone?.Id?.replace(/^\/hostedzone\//, "");
        });
    }

    /** A security group by name in the stack's VPC. */
    securityGroupId(name: string, signal: AbortSignal): Promise<string | undefined> {
        return this.once(`sg/${name}`, signal, async (own) => {
            const vpcId = await this.vpcId(own);
            const answer = await this.access
                .ec2()
                .send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: [name] }, { Name: "vpc-id", Values: [vpcId ?? ""] }] }), { abortSignal: own });
            return answer.SecurityGroups?.[0]?.GroupId;
        });
    }

    /** Whether the hand-made Barragem secret object is there (HeadObject: its content is never read here). */
    barragemSecretExists(signal: AbortSignal): Promise<boolean> {
        return this.once("barragem-secret", signal, async (own) => {
            try {
                await this.access
                    .s3("country", this.stack.region)
                    .send(new HeadObjectCommand({ Bucket: barragemSecret.bucket(this.stack.country, this.stack.env), Key: barragemSecret.key }), { abortSignal: own });
                return true;
            } catch (err) {
                if (isNotFound(err)) return false;
                throw err;
            }
        });
    }
}

/** The command that imports the Barragem password (docs/adopt.md "The Barragem password"). */
export function passwordImportStep(stack: CountryStack): string {
    return `npm run adopt -- --stack ${stack.stackName} --import-password   # reads ${secretObjectName(stack)} and imports the password, never printing it`;
}

export function secretObjectName(stack: CountryStack): string {
    return `s3://${barragemSecret.bucket(stack.country, stack.env)}/${barragemSecret.key}`;
}

export interface ProbeContext {
    readonly stack: CountryStack;
    readonly access: AwsAccess;
    readonly lookups: SharedLookups;
}

type Probe = (target: AdoptTarget, ctx: ProbeContext, signal: AbortSignal) => Promise<Finding>;

const str = (value: unknown): string => String(value ?? "");

/** Kubernetes objects: only where a cluster is reachable, which adopt does not assume. */
export const NO_CLUSTER_ACCESS = "no cluster access (adopt reads AWS only); `pulumi up` creates it, or fails if the name is taken: check with kubectl first";

const REPLACE_REMEDY = {
    bucket:
        "a bucket cannot move region or account: empty it into a new bucket and delete this one by hand (or keep it and point the program at another name), then run adopt again",
    table: "a table's key schema cannot change: export its items (e.g. DynamoDB export to S3), delete the table by hand, let `pulumi up` create it, import the items; then run adopt again",
    cluster:
        "an Aurora cluster's engine, subnet group, encryption or master user cannot change in place: snapshot it, delete it by hand (deletion protection off first) and let `pulumi up` create the program's, restoring the data; or change the stack config to what exists; then run adopt again",
    instance: "recreate the instance by hand inside the program's cluster (or fix the config to what exists), then run adopt again",
    parameterGroup:
        "parameter groups cannot change family or description: delete this one by hand once no cluster uses it (or rename it), let `pulumi up` create the program's, then run adopt again",
    securityGroup: "a security group's description cannot change: move its users to a new group and delete this one by hand, then run adopt again",
    generic: "change it by hand to what the program declares (or delete it so that `pulumi up` creates it), then run adopt again",
};

/**
 * A bucket's setting, imported by bucket name. A missing bucket means `pulumi up` creates both;
 * a setting missing on an existing bucket is a change to that bucket (`whenAbsent` says what it does).
 */
async function s3Sub(
    target: AdoptTarget,
    ctx: ProbeContext,
    signal: AbortSignal,
    whenAbsent: string,
    read: (s3: S3Client, bucket: string, options: { abortSignal: AbortSignal }) => Promise<Differences>,
): Promise<Finding> {
    const bucket = str(target.inputs.bucket);
    try {
        return (await read(ctx.access.s3(target.account, target.region), bucket, { abortSignal: signal })).finding(bucket, REPLACE_REMEDY.generic);
    } catch (err) {
        if (!isNotFound(err)) throw err;
        if ((err as Error).name === "NoSuchBucket" || (err as Error).name === "NotFound") return { status: "create", detail: `no bucket ${bucket}` };
        return { status: "set-on-existing", detail: `not set on the existing bucket ${bucket}`, changes: [whenAbsent] };
    }
}

/** What BucketOwnerEnforced does to a bucket that had ACLs on. */
const ACLS_OFF =
    "ACLs are disabled: access other accounts (or the bucket's own writers) get through object or bucket ACLs stops; check who relies on them first";

/** The answer of a read, or undefined when the thing does not exist (the API's not-found error or an empty answer). */
async function lookUp<T>(read: () => Promise<T | undefined>): Promise<T | undefined> {
    try {
        return await read();
    } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
    }
}

function missing(what: string): Finding {
    return { status: "create", detail: `no ${what}` };
}

/** A parameter group (cluster or instance): its family and description are fixed at creation. */
async function parameterGroup(
    t: AdoptTarget,
    ctx: ProbeContext,
    signal: AbortSignal,
    what: string,
    describe: (name: string) => Promise<{ family?: string; description?: string; arn?: string } | undefined>,
): Promise<Finding> {
    const name = str(t.inputs.name);
    const group = await lookUp(() => describe(name));
    if (!group) return missing(`${what} ${name}`);
    return new Differences()
        .replace("family", group.family, t.inputs.family)
        .replace("description", group.description, t.inputs.description)
        .tags(await rdsTags(ctx, group.arn, signal), t.tags)
        .finding(name, REPLACE_REMEDY.parameterGroup);
}

/**
 * AWS owns an Aurora cluster's minor version (auto minor upgrades; the program's cluster ignores
 * `engineVersion` changes), so any minor of the configured major adopts as it is. Another major is
 * blocked: the program's parameter groups are of the configured major's family and it never
 * upgrades majors itself (docs/services.md). Returns the pair to compare: equal (nothing to
 * report) unless the cluster runs another major.
 */
export function engineVersionForReplace(actual: unknown, planned: unknown): [string, string] {
    const [aMajor] = String(actual ?? "").split(".").map(Number);
    const [pMajor] = String(planned ?? "").split(".").map(Number);
    if (actual === undefined || planned === undefined || [aMajor, pMajor].some((n) => !Number.isFinite(n))) return ["", ""];
    return aMajor === pMajor ? ["", ""] : [`${String(actual)} (set data-infra:auroraEngineVersion: "${String(actual)}" to keep it)`, String(planned)];
}

/**
 * A cluster's storage key never changes in place (a new key is a new cluster). A hand-built cluster
 * under RDS's `aws/rds` key, while the program would create its own key, is blocked with the config
 * that keeps it (`auroraStorageKey: aws-managed`). With aws-managed the program declares no key.
 */
export function storageKeyForReplace(actual: unknown, planned: unknown): [string, string] {
    if (planned === undefined || actual === planned) return ["", ""];
    return [`${show(actual)} (set data-infra:auroraStorageKey: aws-managed, or that key's ARN, to keep it)`, String(planned)];
}

export const PROBES: Readonly<Record<string, Probe>> = {
    "aws:s3/bucket:Bucket": async (t, ctx, signal) => {
        const bucket = str(t.inputs.bucket);
        const s3 = ctx.access.s3(t.account, t.region);
        const presence = await bucketPresence(s3, bucket, signal);
        if (presence === "missing") return missing(`bucket ${bucket}`);
        // A 403 is the role's permissions or another account's bucket: a cause said once for all such rows, not a verdict per bucket.
        if (presence === "forbidden") throw Object.assign(new Error(`HeadBucket ${bucket}: 403`), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
        const location = await s3.send(new GetBucketLocationCommand({ Bucket: bucket }), { abortSignal: signal });
        const region = location.LocationConstraint || "us-east-1";
        return new Differences()
            .replace("region", region, t.region)
            .tags(await s3Tags(s3, bucket, signal), t.tags)
            .finding(bucket, REPLACE_REMEDY.bucket);
    },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (t, ctx, signal) =>
        s3Sub(t, ctx, signal, "public access block: (none) → the program's: public ACLs and public policies on the bucket stop working", async (s3, bucket, options) => {
            const c = (await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }), options)).PublicAccessBlockConfiguration ?? {};
            return new Differences()
                .update("blockPublicAcls", c.BlockPublicAcls, t.inputs.blockPublicAcls)
                .update("ignorePublicAcls", c.IgnorePublicAcls, t.inputs.ignorePublicAcls)
                .update("blockPublicPolicy", c.BlockPublicPolicy, t.inputs.blockPublicPolicy)
                .update("restrictPublicBuckets", c.RestrictPublicBuckets, t.inputs.restrictPublicBuckets);
        }),
    "aws:s3/bucketPolicy:BucketPolicy": (t, ctx, signal) =>
        s3Sub(t, ctx, signal, "policy: (none) → the program's (TLS-only, cross-account grants)", async (s3, bucket, options) => {
            const policy = (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }), options)).Policy;
            const diff = new Differences();
            if (normalizePolicy(policy) !== normalizePolicy(str(t.inputs.policy))) diff.update("policy", "another policy", "the program's (TLS-only, cross-account grants)");
            return diff;
        }),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (t, ctx, signal) =>
        s3Sub(t, ctx, signal, "default encryption: (none) → the program's (new objects only)", async (s3, bucket, options) => {
            const rules = (await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }), options)).ServerSideEncryptionConfiguration?.Rules ?? [];
            const planned = (t.inputs.rules as { applyServerSideEncryptionByDefault?: { sseAlgorithm?: string } }[] | undefined) ?? [];
            return new Differences().update(
                "sseAlgorithm",
                rules[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
                planned[0]?.applyServerSideEncryptionByDefault?.sseAlgorithm,
            );
        }),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (t, ctx, signal) => {
        const planned = (t.inputs.rule as { objectOwnership?: string } | undefined)?.objectOwnership;
        const aclsOff = planned === "BucketOwnerEnforced" ? `: ${ACLS_OFF}` : "";
        return s3Sub(t, ctx, signal, `objectOwnership: (not set, ACLs on) → ${show(planned)}${aclsOff}`, async (s3, bucket, options) => {
            const actual = (await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }), options)).OwnershipControls?.Rules?.[0]?.ObjectOwnership;
            const diff = new Differences();
            if (actual !== planned && planned !== undefined) diff.change(`objectOwnership: ${show(actual)} → ${planned}${actual !== "BucketOwnerEnforced" ? aclsOff : ""}`);
            return diff;
        });
    },
    "aws:s3/bucketObjectv2:BucketObjectv2": async (t, ctx, signal) => {
        const bucket = str(t.inputs.bucket);
        const key = str(t.inputs.key);
        try {
            await ctx.access.s3(t.account, t.region).send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
        } catch (err) {
            if (isNotFound(err)) return missing(`object s3://${bucket}/${key}`);
            throw err;
        }
        // The content is the master password: rewritten as the program writes it, with the imported password or a new one.
        return {
            status: "update",
            id: `${bucket}/${key}`,
            changes: [
                'content: rewritten as {"rdb-password": …} with the imported password; a NEW password if the password is not imported first (see "import separately")',
                `tags: set to ${Object.entries(t.tags).map(([k, v]) => `${k}=${v}`).join(", ")} (object tags not read)`,
            ],
        };
    },

    "aws:dynamodb/table:Table": async (t, ctx, signal) => {
        const name = str(t.inputs.name);
        const dynamodb = ctx.access.dynamodb();
        const table = await lookUp(async () => (await dynamodb.send(new DescribeTableCommand({ TableName: name }), { abortSignal: signal })).Table);
        if (!table) return missing(`table ${name}`);
        const backups = await dynamodb.send(new DescribeContinuousBackupsCommand({ TableName: name }), { abortSignal: signal });
        const key = (type: string) => table?.KeySchema?.find((k) => k.KeyType === type)?.AttributeName;
        const attributeType = (attr: string | undefined) => table?.AttributeDefinitions?.find((a) => a.AttributeName === attr)?.AttributeType;
        const planned = (t.inputs.attributes as { name: string; type: string }[] | undefined) ?? [];
        const diff = new Differences()
            .replace("hashKey", key("HASH"), t.inputs.hashKey)
            .replace("rangeKey", key("RANGE"), t.inputs.rangeKey ?? null);
        // A key attribute the table does not have at all is already the key difference above.
        for (const attr of planned) if (attributeType(attr.name) !== undefined) diff.replace(`attribute ${attr.name} type`, attributeType(attr.name), attr.type);
        diff
            .update("billingMode", table?.BillingModeSummary?.BillingMode ?? "PROVISIONED", t.inputs.billingMode)
            .update(
                "pointInTimeRecovery.enabled",
                backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus === "ENABLED",
                (t.inputs.pointInTimeRecovery as { enabled?: boolean } | undefined)?.enabled,
            )
            .update("deletionProtectionEnabled", table?.DeletionProtectionEnabled, t.inputs.deletionProtectionEnabled)
            .update(
                "serverSideEncryption.enabled",
                table?.SSEDescription?.Status === "ENABLED",
                (t.inputs.serverSideEncryption as { enabled?: boolean } | undefined)?.enabled,
            );
        // Indexes: a local index exists only from creation (a difference replaces the table); a
        // global one the program does not declare is deleted by the next up.
        const names = (indexes: readonly { IndexName?: string }[] | undefined) => (indexes ?? []).map((i) => i.IndexName ?? "").sort();
        const plannedNames = (key: string) => ((t.inputs[key] as { name: string }[] | undefined) ?? []).map((i) => i.name).sort();
        diff.replace("localSecondaryIndexes", names(table.LocalSecondaryIndexes).join(", ") || "(none)", plannedNames("localSecondaryIndexes").join(", ") || "(none)");
        const extraGsis = names(table.GlobalSecondaryIndexes).filter((n) => !plannedNames("globalSecondaryIndexes").includes(n));
        if (extraGsis.length > 0) diff.change(`globalSecondaryIndexes: the next up DELETES ${extraGsis.join(", ")} (not in the program): queries on them fail`);
        // stream_enabled unset in the program is false: the provider turns a stream off.
        if (table.StreamSpecification?.StreamEnabled && t.inputs.streamEnabled !== true) {
            diff.change(`streamEnabled: true → false: the next up turns the stream (${table.StreamSpecification.StreamViewType ?? "?"}) off; its consumers stop`);
        }
        // A ttl block absent from the program leaves TTL as it is (the provider does not turn it off).
        const ttl = (await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: name }), { abortSignal: signal })).TimeToLiveDescription;
        if (ttl?.TimeToLiveStatus === "ENABLED" && t.inputs.ttl === undefined) diff.note(`TTL on ${ttl.AttributeName ?? "?"} stays on: the program does not manage it`);
        const tags = table.TableArn ? tagMap((await dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: table.TableArn }), { abortSignal: signal })).Tags) : undefined;
        return diff.tags(tags, t.tags).finding(name, REPLACE_REMEDY.table);
    },

    "aws:rds/cluster:Cluster": async (t, ctx, signal) => {
        const id = str(t.inputs.clusterIdentifier);
        const cluster = await lookUp(async () => (await ctx.access.rds().send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }), { abortSignal: signal })).DBClusters?.[0]);
        if (!cluster) return missing(`Aurora cluster ${id}`);
        return new Differences()
            .replace("engine", cluster.Engine, t.inputs.engine)
            .replace("engineMode", cluster.EngineMode ?? "provisioned", t.inputs.engineMode)
            .replace("dbSubnetGroupName", cluster.DBSubnetGroup, t.inputs.dbSubnetGroupName)
            .replace("storageEncrypted", cluster.StorageEncrypted, t.inputs.storageEncrypted)
            .replace("masterUsername", cluster.MasterUsername, t.inputs.masterUsername)
            .replace("databaseName", cluster.DatabaseName, t.inputs.databaseName)
            .replace("engineVersion", ...engineVersionForReplace(cluster.EngineVersion, t.inputs.engineVersion))
            .replace("kmsKeyId", ...storageKeyForReplace(cluster.KmsKeyId, t.inputs.kmsKeyId))
            .update("port", cluster.Port, t.inputs.port)
            .update("backupRetentionPeriod", cluster.BackupRetentionPeriod, t.inputs.backupRetentionPeriod)
            .update("deletionProtection", cluster.DeletionProtection, t.inputs.deletionProtection)
            .update("iamDatabaseAuthenticationEnabled", cluster.IAMDatabaseAuthenticationEnabled, t.inputs.iamDatabaseAuthenticationEnabled)
            .update("dbClusterParameterGroupName", cluster.DBClusterParameterGroup, t.inputs.dbClusterParameterGroupName)
            .update("copyTagsToSnapshot", cluster.CopyTagsToSnapshot, t.inputs.copyTagsToSnapshot)
            .update("vpcSecurityGroupIds", (cluster.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId), await plannedGroupIds(t.inputs.vpcSecurityGroupIds, ctx, signal))
            // The program's password is generated unless the hand-set one is imported (docs/adopt.md "The Barragem password").
            .change(
                (await ctx.lookups.barragemSecretExists(signal))
                    ? `masterPassword: the hand-set one → a NEW generated password, unless the password is imported first (${passwordImportStep(ctx.stack).split("   #")[0]}); ` +
                          "without it Barragem loses its database"
                    : `masterPassword: the hand-set one → a NEW generated password (there is no ${secretObjectName(ctx.stack)} to import it from): ` +
                          "Barragem must read the new one from that object, which the first up writes",
            )
            // Inputs AWS does not keep: the import cannot read them, the next up records the program's (no change in AWS).
            .change(t.inputs.finalSnapshotIdentifier ? `finalSnapshotIdentifier, skipFinalSnapshot: recorded in the state only (AWS does not keep them; nothing changes in AWS)` : undefined)
            .tags(tagMap(cluster.TagList), t.tags)
            .finding(id, REPLACE_REMEDY.cluster);
    },
    "aws:rds/clusterInstance:ClusterInstance": async (t, ctx, signal) => {
        const id = str(t.inputs.identifier);
        const instance = await lookUp(async () => (await ctx.access.rds().send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }), { abortSignal: signal })).DBInstances?.[0]);
        if (!instance) return missing(`Aurora instance ${id}`);
        return new Differences()
            .replace("clusterIdentifier", instance.DBClusterIdentifier, t.inputs.clusterIdentifier)
            .replace("engine", instance.Engine, t.inputs.engine)
            .replace("dbSubnetGroupName", instance.DBSubnetGroup?.DBSubnetGroupName, t.inputs.dbSubnetGroupName)
            .update("instanceClass", instance.DBInstanceClass, t.inputs.instanceClass)
            .update("publiclyAccessible", instance.PubliclyAccessible, t.inputs.publiclyAccessible)
            .update("autoMinorVersionUpgrade", instance.AutoMinorVersionUpgrade, t.inputs.autoMinorVersionUpgrade)
            .update("performanceInsightsEnabled", instance.PerformanceInsightsEnabled, t.inputs.performanceInsightsEnabled)
            .update("monitoringInterval", instance.MonitoringInterval, t.inputs.monitoringInterval)
            .update("dbParameterGroupName", instance.DBParameterGroups?.[0]?.DBParameterGroupName, t.inputs.dbParameterGroupName)
            // The runbook's role is rds-barragem-aurora-enhanced-monitoring; the program's is <env>-…: the next up moves the instance to it.
            .update("monitoringRoleArn", instance.MonitoringRoleArn, t.inputs.monitoringRoleArn)
            .tags(tagMap(instance.TagList), t.tags)
            .finding(id, REPLACE_REMEDY.instance);
    },
    "aws:rds/subnetGroup:SubnetGroup": async (t, ctx, signal) => {
        const name = str(t.inputs.name);
        const group = await lookUp(async () => (await ctx.access.rds().send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: name }), { abortSignal: signal })).DBSubnetGroups?.[0]);
        if (!group) return missing(`DB subnet group ${name}`);
        const vpcId = await ctx.lookups.vpcId(signal);
        // The program takes every subnet of the VPC (getSubnets): compare the VPC, not the subnet ids it can only guess offline.
        return new Differences()
            .update("description", group?.DBSubnetGroupDescription, t.inputs.description)
            .update("subnetIds (VPC)", group?.VpcId, vpcId)
            .tags(await rdsTags(ctx, group.DBSubnetGroupArn, signal), t.tags)
            .finding(name, REPLACE_REMEDY.generic);
    },
    // Cluster and instance parameter groups differ only in the call that describes them.
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": (t, ctx, signal) =>
        parameterGroup(t, ctx, signal, "cluster parameter group", async (name) => {
            const group = (await ctx.access.rds().send(new DescribeDBClusterParameterGroupsCommand({ DBClusterParameterGroupName: name }), { abortSignal: signal }))
                .DBClusterParameterGroups?.[0];
            return group && { family: group.DBParameterGroupFamily, description: group.Description, arn: group.DBClusterParameterGroupArn };
        }),
    "aws:rds/parameterGroup:ParameterGroup": (t, ctx, signal) =>
        parameterGroup(t, ctx, signal, "parameter group", async (name) => {
            const group = (await ctx.access.rds().send(new DescribeDBParameterGroupsCommand({ DBParameterGroupName: name }), { abortSignal: signal })).DBParameterGroups?.[0];
            return group && { family: group.DBParameterGroupFamily, description: group.Description, arn: group.DBParameterGroupArn };
        }),

    "aws:ec2/securityGroup:SecurityGroup": async (t, ctx, signal) => {
        const name = str(t.inputs.name);
        const vpcId = await ctx.lookups.vpcId(signal);
        const answer = await ctx.access
            .ec2()
            .send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: [name] }, { Name: "vpc-id", Values: [vpcId ?? ""] }] }), { abortSignal: signal });
        const group = answer.SecurityGroups?.[0];
        if (!group?.GroupId) return missing(`security group ${name} in ${ctx.stack.vpcName}`);
        return new Differences()
            .replace("description", group.Description, t.inputs.description)
            .tags(tagMap(group.Tags), t.tags)
            .finding(group.GroupId, REPLACE_REMEDY.securityGroup);
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": async (t, ctx, signal) => {
        const groupName = str(t.inputs.securityGroupId);
        const groupId = await ctx.lookups.securityGroupId(groupName, signal);
        if (!groupId) return missing(`security group ${groupName}, so no rule`);
        const nodesId = await ctx.lookups.securityGroupId(ctx.stack.kubernetesNodesSecurityGroupName, signal);
        // Without the nodes' group there is no rule of the program's to find (any tcp 5432 rule is someone else's).
        if (nodesId === undefined) {
            return missing(
                `security group ${ctx.stack.kubernetesNodesSecurityGroupName} in ${ctx.stack.vpcName}, so no rule from it ` +
                    "(pulumi up fails looking it up: check data-infra:kubernetesNodesSecurityGroupName)",
            );
        }
        const rules = await ctx.access.ec2().send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }), { abortSignal: signal });
        const rule = (rules.SecurityGroupRules ?? []).find(
            (r) =>
                !r.IsEgress &&
                r.IpProtocol === t.inputs.ipProtocol &&
                r.FromPort === t.inputs.fromPort &&
                r.ToPort === t.inputs.toPort &&
                r.ReferencedGroupInfo?.GroupId === nodesId,
        );
        if (!rule?.SecurityGroupRuleId) return missing(`ingress rule ${str(t.inputs.ipProtocol)} ${str(t.inputs.fromPort)} from ${ctx.stack.kubernetesNodesSecurityGroupName} on ${groupName}`);
        return new Differences()
            .update("description", rule.Description, t.inputs.description)
            .tags(tagMap(rule.Tags), t.tags)
            .finding(rule.SecurityGroupRuleId, REPLACE_REMEDY.generic);
    },

    "aws:iam/role:Role": async (t, ctx, signal) => {
        const name = str(t.inputs.name);
        const role = await lookUp(async () => (await ctx.access.iam().send(new GetRoleCommand({ RoleName: name }), { abortSignal: signal })).Role);
        if (!role) return missing(`IAM role ${name}`);
        const planned = str(t.inputs.assumeRolePolicy);
        const diff = new Differences().update("description", role?.Description, t.inputs.description);
        // A trust policy naming a cluster's OIDC issuer is only known once the cluster is read: compared only when the plan knows it.
        if (!isStandInValue(planned) && !/MOCK/.test(planned) && normalizePolicy(role?.AssumeRolePolicyDocument) !== normalizePolicy(planned)) {
            diff.update("assumeRolePolicy", "another trust policy", "the program's");
        }
        return diff.tags(tagMap(role.Tags), t.tags).finding(name, REPLACE_REMEDY.generic);
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": async (t, ctx, signal) => {
        const role = str(t.inputs.role);
        const policyArn = str(t.inputs.policyArn);
        try {
            const attached = await ctx.access.iam().send(new ListAttachedRolePoliciesCommand({ RoleName: role }), { abortSignal: signal });
            if (!(attached.AttachedPolicies ?? []).some((p) => p.PolicyArn === policyArn)) return missing(`attachment of ${policyArn} to ${role}`);
        } catch (err) {
            if (isNotFound(err)) return missing(`IAM role ${role}, so no attachment`);
            throw err;
        }
        return { status: "adopt", id: `${role}/${policyArn}`, detail: "attached" };
    },
    "aws:iam/rolePolicy:RolePolicy": async (t, ctx, signal) => {
        const role = str(t.inputs.role);
        const name = str(t.inputs.name);
        const document = await lookUp(async () => (await ctx.access.iam().send(new GetRolePolicyCommand({ RoleName: role, PolicyName: name }), { abortSignal: signal })).PolicyDocument);
        if (!document) return missing(`inline policy ${name} on ${role}`);
        const diff = new Differences();
        if (normalizePolicy(document) !== normalizePolicy(str(t.inputs.policy))) diff.update("policy", "another policy", "the program's (least privilege)");
        return diff.finding(`${role}:${name}`, REPLACE_REMEDY.generic);
    },

    "aws:route53/record:Record": async (t, ctx, signal) => {
        const name = str(t.inputs.name).replace(/\.$/, "");
        const type = str(t.inputs.type);
        const zoneId = await ctx.lookups.zoneId(signal);
        if (!zoneId) return missing(`public hosted zone ${ctx.stack.domain}, so no record`);
        // Every record at the name, whatever its type: a CNAME cannot share its name with any other record.
        const answer = await ctx.access
            .route53()
            .send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: name, MaxItems: 100 }), { abortSignal: signal });
        const atName = (answer.ResourceRecordSets ?? []).filter((r) => r.Name?.replace(/\.$/, "") === name);
        const record = atName.find((r) => r.Type === type);
        const others = atName.filter((r) => r.Type !== type);
        if (others.length > 0 && (type === "CNAME" || others.some((r) => r.Type === "CNAME"))) {
            const what = others.map((r) => `${r.Type}${r.AliasTarget ? ` alias to ${r.AliasTarget.DNSName ?? "?"}` : ""}`).join(", ");
            return {
                status: "blocked",
                id: `${zoneId}_${name}_${others[0].Type}`,
                problems: [`${name} has ${what} where the program makes a ${type} record: a CNAME cannot share its name with other records, so pulumi up fails creating it`],
                remedy:
                    `delete the ${others.map((r) => r.Type).join("/")} record at ${name} by hand when the program's ${type} may take over (the name stops resolving in between: do it in a maintenance window), ` +
                    "or change the program's record; then run adopt again",
            };
        }
        if (!record) return missing(`${type} record ${name} in ${ctx.stack.domain}`);
        const values = (record.ResourceRecords ?? []).map((r) => r.Value);
        const diff = new Differences().update("ttl", record.TTL, t.inputs.ttl);
        // Records pointing at a load balancer the plan can only name offline are compared by type and TTL only.
        if (!isStandInValue(t.inputs.records)) diff.update("records", values, t.inputs.records);
        return diff.finding(`${zoneId}_${name}_${type}`, REPLACE_REMEDY.generic);
    },
    "aws:sns/topic:Topic": async (t, ctx, signal) => {
        const arn = `arn:aws:sns:${t.region}:${ctx.stack.accounts[t.account].id}:${str(t.inputs.name)}`;
        try {
            await ctx.access.sns().send(new GetTopicAttributesCommand({ TopicArn: arn }), { abortSignal: signal });
        } catch (err) {
            if (isNotFound(err)) return missing(`SNS topic ${str(t.inputs.name)}`);
            throw err;
        }
        const tags = tagMap((await ctx.access.sns().send(new ListTopicTagsCommand({ ResourceArn: arn }), { abortSignal: signal })).Tags);
        return new Differences().tags(tags, t.tags).finding(arn, REPLACE_REMEDY.generic, "exists");
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": async (t, ctx, signal) => {
        const name = str(t.inputs.name);
        const alarm = (await ctx.access.cloudwatch().send(new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ["MetricAlarm"] }), { abortSignal: signal }))
            .MetricAlarms?.[0];
        if (!alarm) return missing(`alarm ${name}`);
        return new Differences()
            .update("actionsEnabled", alarm.ActionsEnabled, t.inputs.actionsEnabled)
            .update("comparisonOperator", alarm.ComparisonOperator, t.inputs.comparisonOperator)
            .update("threshold", alarm.Threshold, t.inputs.threshold)
            .update("evaluationPeriods", alarm.EvaluationPeriods, t.inputs.evaluationPeriods)
            .update("alarmActions", alarm.AlarmActions, t.inputs.alarmActions)
            .tags(alarm.AlarmArn ? tagMap((await ctx.access.cloudwatch().send(new ListAlarmTagsCommand({ ResourceARN: alarm.AlarmArn }), { abortSignal: signal })).Tags) : undefined, t.tags)
            .finding(name, REPLACE_REMEDY.generic);
    },

    /**
     * The master password exists only as the hand-made secret object. It is imported in its own
     * step with the deploy role, never through the committed import file (docs/adopt.md).
     */
    "random:index/randomPassword:RandomPassword": async (t, ctx, signal) => {
        if (!(await ctx.lookups.barragemSecretExists(signal))) return { status: "create", detail: `no ${secretObjectName(ctx.stack)}: generated by the first up` };
        return {
            status: "import-separately",
            detail: `the hand-set password is in ${secretObjectName(ctx.stack)}: import it after \`pulumi import\`, before any up, or the first up replaces it`,
            step: passwordImportStep(ctx.stack),
        };
    },
};

/** The program's security groups, by id where they exist, else by the name up gives the one it creates. */
async function plannedGroupIds(planned: unknown, ctx: ProbeContext, signal: AbortSignal): Promise<string[] | undefined> {
    if (!Array.isArray(planned)) return undefined;
    return Promise.all(planned.map(async (name) => (await ctx.lookups.securityGroupId(String(name), signal)) ?? `${String(name)} (created by up)`));
}

async function s3Tags(s3: S3Client, bucket: string, signal: AbortSignal): Promise<Record<string, string>> {
    try {
        return tagMap((await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }), { abortSignal: signal })).TagSet);
    } catch (err) {
        if ((err as Error).name === "NoSuchTagSet") return {};
        throw err;
    }
}

async function rdsTags(ctx: ProbeContext, arn: string | undefined, signal: AbortSignal): Promise<Record<string, string> | undefined> {
    if (!arn) return undefined;
    return tagMap((await ctx.access.rds().send(new ListRdsTagsCommand({ ResourceName: arn }), { abortSignal: signal })).TagList);
}

/** What adopt concludes without asking anything: Kubernetes objects, generated values. */
export function unprobed(target: AdoptTarget): Finding | undefined {
    if (PROBES[target.resource.type]) return undefined;
    if (target.resource.type.startsWith("kubernetes:")) return { status: "not-checked", reason: NO_CLUSTER_ACCESS };
    if (target.resource.type.startsWith("random:")) return { status: "create", detail: "generated by Pulumi, nothing in the cloud to import" };
    return { status: "not-checked", reason: `adopt does not know how to look for a ${target.resource.type} yet: check by hand before \`pulumi up\`` };
}
