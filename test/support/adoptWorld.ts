// A hand-built country for `npm run adopt`: buckets, objects and the Barragem secret in s3rver,
// tables with their indexes and tags in dynalite, for real; aws-sdk-client-mock only for what
// neither implements: s3rver answers a fixed location for every bucket and NotImplemented for
// public access block, policy, encryption, ownership controls and bucket tagging; dynalite keeps
// no PITR, SSE, deletion protection or stream and always says TTL is off; and RDS, EC2, IAM,
// Route53, SNS, CloudWatch and STS have no local server. Every command any client sends is recorded, so a test
// can prove adopt only read.
import { CloudWatchClient, DescribeAlarmsCommand, ListTagsForResourceCommand as ListAlarmTagsCommand, MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { DescribeContinuousBackupsCommand, DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, TableDescription } from "@aws-sdk/client-dynamodb";
import { DescribeSecurityGroupRulesCommand, Filter, SecurityGroupRule } from "@aws-sdk/client-ec2";
import { GetRoleCommand, GetRolePolicyCommand, IAMClient, IAMServiceException, ListAttachedRolePoliciesCommand } from "@aws-sdk/client-iam";
import {
    DBCluster,
    DBInstance,
    DescribeDBClusterParameterGroupsCommand,
    DescribeDBClustersCommand,
    DescribeDBInstancesCommand,
    DescribeDBParameterGroupsCommand,
    DescribeDBSubnetGroupsCommand,
    ListTagsForResourceCommand as ListRdsTagsCommand,
    RDSClient,
    RDSServiceException,
} from "@aws-sdk/client-rds";
import { ListHostedZonesByNameCommand, ListResourceRecordSetsCommand, ResourceRecordSet, Route53Client } from "@aws-sdk/client-route-53";
import {
    GetBucketEncryptionCommand,
    GetBucketLocationCommand,
    GetBucketOwnershipControlsCommand,
    GetBucketPolicyCommand,
    GetBucketTaggingCommand,
    GetPublicAccessBlockCommand,
    HeadBucketCommand,
    PublicAccessBlockConfiguration,
    S3Client,
    S3ServiceException,
} from "@aws-sdk/client-s3";
import { GetTopicAttributesCommand, ListTagsForResourceCommand as ListTopicTagsCommand, SNSClient, SNSServiceException } from "@aws-sdk/client-sns";
import { AssumeRoleCommand, STSClient, STSServiceException } from "@aws-sdk/client-sts";
import type { MetadataBearer } from "@smithy/types";
import { AwsStub, mockClient } from "aws-sdk-client-mock";
import { matches, mockEc2Lookups } from "./awsMocks";
import { S3RVER_CREDENTIALS } from "./awsServers";

export interface BucketSettings {
    region: string;
    publicAccessBlock?: PublicAccessBlockConfiguration;
    policy?: string;
    encryption?: string;
    ownership?: string;
    tags?: Record<string, string>;
}

export interface TableSettings {
    pitr: boolean;
    deletionProtection: boolean;
    sse: boolean;
    stream?: string;
    ttlAttribute?: string;
}

const tagList = (tags: Record<string, string> | undefined) => Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));

/** The world adopt reads; a test fills it, adopt may only look. */
export class AdoptMocks {
    /** Bucket → the settings s3rver does not keep (the bucket itself is in s3rver). */
    readonly buckets = new Map<string, BucketSettings>();
    /** Table → the fields dynalite does not keep (the table itself is in dynalite). */
    readonly tables = new Map<string, TableSettings>();
    readonly clusters = new Map<string, DBCluster>();
    readonly instances = new Map<string, DBInstance>();
    readonly subnetGroups = new Map<string, { description: string; vpcId: string; tags?: Record<string, string> }>();
    readonly clusterParameterGroups = new Map<string, { family: string; description: string; tags?: Record<string, string> }>();
    readonly parameterGroups = new Map<string, { family: string; description: string; tags?: Record<string, string> }>();
    readonly vpcs: { id: string; name: string }[] = [];
    readonly securityGroups: { id: string; name: string; vpcId: string; description: string; tags?: Record<string, string> }[] = [];
    readonly securityGroupRules: SecurityGroupRule[] = [];
    readonly roles = new Map<string, { trust: string; description?: string; attached: string[]; inline: Map<string, string>; tags?: Record<string, string> }>();
    readonly zones: { id: string; name: string; private: boolean }[] = [];
    readonly records: (ResourceRecordSet & { zoneId: string })[] = [];
    /** Topic ARN → its tags. */
    readonly topics = new Map<string, Record<string, string>>();
    readonly alarms = new Map<string, MetricAlarm & { tags?: Record<string, string> }>();
    /** Buckets whose every request is refused (403), as for a role without s3 read access. */
    readonly deniedBuckets = new Set<string>();
    /** Role ARN → the account it is in; absent means AssumeRole is refused. */
    readonly assumable = new Map<string, string>();
    /** A command name here never answers (to prove the per-call timeout). */
    readonly hang = new Set<string>();

    private readonly stubs: AwsStub<object, MetadataBearer, object>[] = [];

    /** Every command sent to any client, by name, including those that went through to s3rver and dynalite. */
    commandsSent(): string[] {
        return this.stubs.flatMap((stub) => stub.calls().map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name));
    }

    install(): void {
        const hanging = <T>(name: string, answer: () => Promise<T>): Promise<T> => (this.hang.has(name) ? new Promise<T>(() => undefined) : answer());

        const s3 = mockClient(S3Client);
        s3.send.callThrough();
        const realS3Send = (s3.send as unknown as { wrappedMethod: (this: S3Client, command: unknown) => Promise<unknown> }).wrappedMethod;
        s3.on(HeadBucketCommand).callsFake(async (input: { Bucket: string }, getClient) => {
            if (this.deniedBuckets.has(input.Bucket)) throw new S3ServiceException({ name: "Forbidden", $fault: "client", $metadata: { httpStatusCode: 403 }, message: "" });
            return realS3Send.call(getClient() as S3Client, new HeadBucketCommand(input));
        });
        // Settings s3rver does not implement; the bucket's existence is asked of s3rver first.
        const bucketSetting = <T>(name: string, read: (b: BucketSettings) => T | undefined, absent: [string, string]) =>
            (async (input: { Bucket: string }, getClient: () => S3Client) =>
                hanging(name, async () => {
                    await getClient().send(new HeadBucketCommand({ Bucket: input.Bucket }));
                    const value = read(this.buckets.get(input.Bucket) ?? { region: "us-east-1" });
                    if (value === undefined) throw new S3ServiceException({ name: absent[0], $fault: "client", $metadata: { httpStatusCode: 404 }, message: absent[1] });
                    return value;
                })) as never;
        s3.on(GetBucketLocationCommand).callsFake(
            bucketSetting("GetBucketLocationCommand", (b) => ({ LocationConstraint: b.region === "us-east-1" ? undefined : b.region }), ["NoSuchBucket", ""]),
        );
        s3.on(GetPublicAccessBlockCommand).callsFake(
            bucketSetting("GetPublicAccessBlockCommand", (b) => (b.publicAccessBlock ? { PublicAccessBlockConfiguration: { ...b.publicAccessBlock } } : undefined), [
                "NoSuchPublicAccessBlockConfiguration",
                "The public access block configuration was not found",
            ]),
        );
        s3.on(GetBucketPolicyCommand).callsFake(
            bucketSetting("GetBucketPolicyCommand", (b) => (b.policy ? { Policy: b.policy } : undefined), ["NoSuchBucketPolicy", "The bucket policy does not exist"]),
        );
        s3.on(GetBucketEncryptionCommand).callsFake(
            bucketSetting(
                "GetBucketEncryptionCommand",
                (b) => (b.encryption ? { ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: b.encryption } }] } } : undefined),
                ["ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found"],
            ),
        );
        s3.on(GetBucketTaggingCommand).callsFake(
            bucketSetting("GetBucketTaggingCommand", (b) => (b.tags && Object.keys(b.tags).length > 0 ? { TagSet: tagList(b.tags) } : undefined), ["NoSuchTagSet", "The TagSet does not exist"]),
        );
        s3.on(GetBucketOwnershipControlsCommand).callsFake(
            bucketSetting("GetBucketOwnershipControlsCommand", (b) => (b.ownership ? { OwnershipControls: { Rules: [{ ObjectOwnership: b.ownership }] } } : undefined), [
                "OwnershipControlsNotFoundError",
                "The bucket ownership controls were not found",
            ]),
        );

        const dynamodb = mockClient(DynamoDBClient);
        dynamodb.send.callThrough();
        // dynalite keeps key schema and billing mode; PITR, SSE and deletion protection come from here.
        const realSend = (dynamodb.send as unknown as { wrappedMethod: (this: DynamoDBClient, command: unknown) => Promise<{ Table?: TableDescription }> }).wrappedMethod;
        dynamodb.on(DescribeTableCommand).callsFake(async (input: { TableName: string }, getClient) => {
            const answer = await realSend.call(getClient() as DynamoDBClient, new DescribeTableCommand(input));
            const settings = this.tables.get(input.TableName);
            return {
                ...answer,
                Table: {
                    ...answer.Table,
                    DeletionProtectionEnabled: settings?.deletionProtection ?? false,
                    ...(settings?.sse ? { SSEDescription: { Status: "ENABLED", SSEType: "KMS" } } : {}),
                    ...(settings?.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: settings.stream as never } } : {}),
                },
            };
        });
        // dynalite answers DISABLED for every table.
        dynamodb.on(DescribeTimeToLiveCommand).callsFake(async (input: { TableName: string }, getClient) => {
            await realSend.call(getClient() as DynamoDBClient, new DescribeTableCommand({ TableName: input.TableName }));
            const attribute = this.tables.get(input.TableName)?.ttlAttribute;
            return { TimeToLiveDescription: attribute ? { TimeToLiveStatus: "ENABLED", AttributeName: attribute } : { TimeToLiveStatus: "DISABLED" } };
        });
        dynamodb.on(DescribeContinuousBackupsCommand).callsFake(async (input: { TableName: string }, getClient) => {
            await realSend.call(getClient() as DynamoDBClient, new DescribeTableCommand({ TableName: input.TableName }));
            const on = this.tables.get(input.TableName)?.pitr ?? false;
            return { ContinuousBackupsDescription: { ContinuousBackupsStatus: "ENABLED", PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: on ? "ENABLED" : "DISABLED" } } };
        });

        const rds = mockClient(RDSClient);
        const rdsMissing = (name: string, what: string) => new RDSServiceException({ name, $fault: "client", $metadata: { httpStatusCode: 404 }, message: `${what} not found.` });
        rds.on(DescribeDBClustersCommand).callsFake(async (input: { DBClusterIdentifier: string }) => {
            const cluster = this.clusters.get(input.DBClusterIdentifier);
            if (!cluster) throw rdsMissing("DBClusterNotFoundFault", `DBCluster ${input.DBClusterIdentifier}`);
            return { DBClusters: [cluster] };
        });
        rds.on(DescribeDBInstancesCommand).callsFake(async (input: { DBInstanceIdentifier: string }) => {
            const instance = this.instances.get(input.DBInstanceIdentifier);
            if (!instance) throw rdsMissing("DBInstanceNotFoundFault", `DBInstance ${input.DBInstanceIdentifier}`);
            return { DBInstances: [instance] };
        });
        rds.on(DescribeDBSubnetGroupsCommand).callsFake(async (input: { DBSubnetGroupName: string }) => {
            const group = this.subnetGroups.get(input.DBSubnetGroupName);
            if (!group) throw rdsMissing("DBSubnetGroupNotFoundFault", `DBSubnetGroup ${input.DBSubnetGroupName}`);
            return { DBSubnetGroups: [{ DBSubnetGroupName: input.DBSubnetGroupName, DBSubnetGroupDescription: group.description, VpcId: group.vpcId, DBSubnetGroupArn: `arn:aws:rds:us-east-1:000000000000:subgrp:${input.DBSubnetGroupName}` }] };
        });
        rds.on(DescribeDBClusterParameterGroupsCommand).callsFake(async (input: { DBClusterParameterGroupName: string }) => {
            const group = this.clusterParameterGroups.get(input.DBClusterParameterGroupName);
            if (!group) throw rdsMissing("DBParameterGroupNotFoundFault", `DBClusterParameterGroup ${input.DBClusterParameterGroupName}`);
            return {
                DBClusterParameterGroups: [
                    { DBClusterParameterGroupName: input.DBClusterParameterGroupName, DBParameterGroupFamily: group.family, Description: group.description, DBClusterParameterGroupArn: `arn:aws:rds:us-east-1:000000000000:cluster-pg:${input.DBClusterParameterGroupName}` },
                ],
            };
        });
        rds.on(DescribeDBParameterGroupsCommand).callsFake(async (input: { DBParameterGroupName: string }) => {
            const group = this.parameterGroups.get(input.DBParameterGroupName);
            if (!group) throw rdsMissing("DBParameterGroupNotFoundFault", `DBParameterGroup ${input.DBParameterGroupName}`);
            return { DBParameterGroups: [{ DBParameterGroupName: input.DBParameterGroupName, DBParameterGroupFamily: group.family, Description: group.description, DBParameterGroupArn: `arn:aws:rds:us-east-1:000000000000:pg:${input.DBParameterGroupName}` }] };
        });
        rds.on(ListRdsTagsCommand).callsFake(async (input: { ResourceName: string }) => {
            const [, kind, name] = /:(subgrp|cluster-pg|pg):(.+)$/.exec(input.ResourceName) ?? [];
            const group = { subgrp: this.subnetGroups, "cluster-pg": this.clusterParameterGroups, pg: this.parameterGroups }[kind as "pg"]?.get(name ?? "");
            if (!group) throw rdsMissing("DBParameterGroupNotFoundFault", input.ResourceName);
            return { TagList: tagList(group.tags) };
        });

        const ec2 = mockEc2Lookups(this.vpcs, this.securityGroups);
        ec2.on(DescribeSecurityGroupRulesCommand).callsFake(async (input: { Filters?: Filter[] }) => ({
            SecurityGroupRules: this.securityGroupRules.filter((r) => matches(input.Filters, { "group-id": r.GroupId ?? "" })),
        }));

        const iam = mockClient(IAMClient);
        const noSuchEntity = (what: string) => new IAMServiceException({ name: "NoSuchEntityException", $fault: "client", $metadata: { httpStatusCode: 404 }, message: `${what} cannot be found.` });
        iam.on(GetRoleCommand).callsFake(async (input: { RoleName: string }) => {
            const role = this.roles.get(input.RoleName);
            if (!role) throw noSuchEntity(`The role with name ${input.RoleName}`);
            return {
                Role: {
                    RoleName: input.RoleName,
                    Path: "/",
                    RoleId: "AROASTANDIN",
                    Arn: `arn:aws:iam::000000000000:role/${input.RoleName}`,
                    CreateDate: new Date(),
                    AssumeRolePolicyDocument: encodeURIComponent(role.trust),
                    Description: role.description,
                    Tags: tagList(role.tags),
                },
            };
        });
        iam.on(ListAttachedRolePoliciesCommand).callsFake(async (input: { RoleName: string }) => {
            const role = this.roles.get(input.RoleName);
            if (!role) throw noSuchEntity(`The role with name ${input.RoleName}`);
            return { AttachedPolicies: role.attached.map((arn) => ({ PolicyArn: arn, PolicyName: arn.split("/").pop() })) };
        });
        iam.on(GetRolePolicyCommand).callsFake(async (input: { RoleName: string; PolicyName: string }) => {
            const document = this.roles.get(input.RoleName)?.inline.get(input.PolicyName);
            if (!document) throw noSuchEntity(`The role policy with name ${input.PolicyName}`);
            return { RoleName: input.RoleName, PolicyName: input.PolicyName, PolicyDocument: encodeURIComponent(document) };
        });

        const route53 = mockClient(Route53Client);
        route53.on(ListHostedZonesByNameCommand).callsFake(async (input: { DNSName: string }) => ({
            HostedZones: this.zones.filter((z) => z.name >= input.DNSName).map((z) => ({ Id: `/hostedzone/${z.id}`, Name: z.name, CallerReference: z.id, Config: { PrivateZone: z.private } })),
            IsTruncated: false,
            MaxItems: 10,
        }));
        // Route53 lists in name then type order from StartRecordName (and StartRecordType, when given).
        route53.on(ListResourceRecordSetsCommand).callsFake(async (input: { HostedZoneId: string; StartRecordName: string; StartRecordType?: string; MaxItems?: number }) => {
            const fqdn = `${input.StartRecordName.replace(/\.$/, "")}.`;
            const key = (r: ResourceRecordSet) => `${r.Name ?? ""} ${r.Type ?? ""}`;
            const sets = this.records.filter((r) => r.zoneId === input.HostedZoneId).sort((a, b) => key(a).localeCompare(key(b)));
            const from = sets.filter((r) => key(r) >= `${fqdn} ${input.StartRecordType ?? ""}`);
            const max = input.MaxItems ?? 300;
            return { ResourceRecordSets: from.slice(0, max).map(({ zoneId: _zone, ...set }) => set), IsTruncated: from.length > max, MaxItems: max };
        });

        const sns = mockClient(SNSClient);
        sns.on(GetTopicAttributesCommand).callsFake(async (input: { TopicArn: string }) => {
            if (!this.topics.has(input.TopicArn)) throw new SNSServiceException({ name: "NotFoundException", $fault: "client", $metadata: { httpStatusCode: 404 }, message: "Topic does not exist" });
            return { Attributes: { TopicArn: input.TopicArn } };
        });
        sns.on(ListTopicTagsCommand).callsFake(async (input: { ResourceArn: string }) => ({ Tags: tagList(this.topics.get(input.ResourceArn)) }));

        const cloudwatch = mockClient(CloudWatchClient);
        cloudwatch.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames: string[] }) =>
            hanging("DescribeAlarmsCommand", async () => ({
                MetricAlarms: input.AlarmNames.flatMap((n) => {
                    const found = this.alarms.get(n);
                    if (!found) return [];
                    const { tags: _tags, ...alarm } = found;
                    return [{ ...alarm, AlarmArn: `arn:aws:cloudwatch:us-east-1:000000000000:alarm:${n}` }];
                }),
            })),
        );
        cloudwatch.on(ListAlarmTagsCommand).callsFake(async (input: { ResourceARN: string }) => ({ Tags: tagList(this.alarms.get(input.ResourceARN.split(":alarm:")[1] ?? "")?.tags) }));

        const sts = mockClient(STSClient);
        sts.on(AssumeRoleCommand).callsFake(async (input: { RoleArn: string; RoleSessionName: string }) => {
            const accountId = this.assumable.get(input.RoleArn);
            if (!accountId) {
                throw new STSServiceException({
                    name: "AccessDenied",
                    $fault: "client",
                    $metadata: { httpStatusCode: 403 },
                    message: `User is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
                });
            }
            return {
                Credentials: { AccessKeyId: S3RVER_CREDENTIALS.accessKeyId, SecretAccessKey: S3RVER_CREDENTIALS.secretAccessKey, SessionToken: "stand-in", Expiration: new Date(Date.now() + 3_600_000) },
                AssumedRoleUser: { Arn: `arn:aws:sts::${accountId}:assumed-role/${input.RoleArn.split("/").pop()}/${input.RoleSessionName}`, AssumedRoleId: "AROASTANDIN" },
            };
        });

        this.stubs.push(...([s3, dynamodb, rds, ec2, iam, route53, sns, cloudwatch, sts] as unknown as AwsStub<object, MetadataBearer, object>[]));
    }

    /** Forgets the calls recorded so far (the world's own setup is not adopt's). */
    resetHistory(): void {
        for (const stub of this.stubs) stub.resetHistory();
    }

    restore(): void {
        for (const stub of this.stubs.splice(0)) stub.restore();
    }
}
