// aws-sdk-client-mock, only for the AWS calls no local server implements:
//   S3 GetPublicAccessBlock and GetBucketEncryption (s3rver answers NotImplemented),
//   DynamoDB DescribeContinuousBackups (dynalite does not know it; DynamoDB Local has no PITR),
//   RDS DescribeDBClusters, EC2 DescribeVpcs/DescribeSecurityGroups, EKS DescribeCluster,
//   Route 53 ListHostedZonesByName/GetHostedZone, STS AssumeRole (no local server).
// Every other S3 and DynamoDB call goes through to s3rver and dynalite. The S3 and DynamoDB
// answers first ask the real server whether the bucket or table exists, so a missing one is
// missing everywhere.
import { DescribeContinuousBackupsCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeSecurityGroupsCommand, DescribeVpcsCommand, EC2Client, Filter } from "@aws-sdk/client-ec2";
import { DescribeAccessEntryCommand, DescribeClusterCommand, EKSClient, ListAssociatedAccessPoliciesCommand, ResourceNotFoundException } from "@aws-sdk/client-eks";
import { GetOpenIDConnectProviderCommand, IAMClient, NoSuchEntityException } from "@aws-sdk/client-iam";
import { DBClusterNotFoundFault, DescribeDBClustersCommand, RDSClient } from "@aws-sdk/client-rds";
import {
    GetBucketEncryptionCommand,
    GetPublicAccessBlockCommand,
    HeadBucketCommand,
    PublicAccessBlockConfiguration,
    S3Client,
    S3ServiceException,
} from "@aws-sdk/client-s3";
import { GetHostedZoneCommand, ListHostedZonesByNameCommand, NoSuchHostedZone, Route53Client } from "@aws-sdk/client-route-53";
import { AssumeRoleCommand, STSClient, STSServiceException } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { S3RVER_CREDENTIALS } from "./awsServers";

export interface StandInCluster {
    status: string;
    endpoint: string;
    /** `16.8`; absent: DescribeDBClusters gives no EngineVersion. */
    engineVersion?: string;
}

export interface StandInZone {
    /** Without `/hostedzone/`. */
    readonly id: string;
    /** With the final dot, as Route 53 spells it. */
    readonly name: string;
    readonly private: boolean;
    /** The VPCs a private zone is associated with (GetHostedZone's `VPCs`). */
    readonly vpcs?: readonly { readonly id: string; readonly region: string }[];
}

export type RoleAnswer = { readonly accountId: string } | { readonly refuse: string };

export class AwsMocks {
    /** Bucket → its public access block; absent means none. */
    readonly publicAccessBlocks = new Map<string, PublicAccessBlockConfiguration>();
    /** Bucket → default SSE algorithm; absent means none. */
    readonly encryption = new Map<string, string>();
    /** Table → point-in-time recovery status; absent means DISABLED (AWS's default). */
    readonly pitr = new Map<string, "ENABLED" | "DISABLED">();
    /** Cluster identifier → state. */
    readonly clusters = new Map<string, StandInCluster>();
    readonly vpcs: { id: string; name: string }[] = [];
    readonly securityGroups: { id: string; name: string; vpcId: string }[] = [];
    /** EKS cluster name → status (`ACTIVE`, `CREATING`…); absent means no such cluster. */
    readonly eksClusters = new Map<string, string>();
    /** Each EKS cluster's authentication mode (DescribeCluster's accessConfig); API when not set. */
    readonly eksAuthModes = new Map<string, string>();
    /** EKS access entries by `<cluster> <principal ARN>`: the Kubernetes groups and access policy names. */
    readonly eksAccessEntries = new Map<string, { groups: string[]; policies: string[]; namespaces?: string[] }>();
    /** IAM OIDC providers by ARN (GetOpenIDConnectProvider): each EKS cluster's issuer needs one. */
    readonly oidcProviders = new Set<string>();
    readonly hostedZones: StandInZone[] = [];
    /** Role ARN → how AssumeRole answers; absent means AccessDenied. */
    readonly roles = new Map<string, RoleAnswer>();
    /** Role ARNs assumed, in order. */
    readonly assumed: string[] = [];

    private readonly stubs: { restore(): void }[] = [];

    install(): void {
        const s3 = mockClient(S3Client);
        s3.send.callThrough();
        s3.on(GetPublicAccessBlockCommand).callsFake(async (input: { Bucket: string }, getClient) => {
            await getClient().send(new HeadBucketCommand({ Bucket: input.Bucket }));
            const block = this.publicAccessBlocks.get(input.Bucket);
            if (!block) throw s3Error("NoSuchPublicAccessBlockConfiguration", 404, "The public access block configuration was not found");
            return { PublicAccessBlockConfiguration: { ...block } };
        });
        s3.on(GetBucketEncryptionCommand).callsFake(async (input: { Bucket: string }, getClient) => {
            await getClient().send(new HeadBucketCommand({ Bucket: input.Bucket }));
            const algorithm = this.encryption.get(input.Bucket);
            if (!algorithm) throw s3Error("ServerSideEncryptionConfigurationNotFoundError", 404, "The server side encryption configuration was not found");
            return { ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: algorithm } }] } };
        });

        const dynamodb = mockClient(DynamoDBClient);
        dynamodb.send.callThrough();
        dynamodb.on(DescribeContinuousBackupsCommand).callsFake(async (input: { TableName: string }, getClient) => {
            await getClient().send(new DescribeTableCommand({ TableName: input.TableName }));
            return {
                ContinuousBackupsDescription: {
                    ContinuousBackupsStatus: "ENABLED",
                    PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: this.pitr.get(input.TableName) ?? "DISABLED" },
                },
            };
        });

        const rds = mockClient(RDSClient);
        rds.on(DescribeDBClustersCommand).callsFake(async (input: { DBClusterIdentifier?: string }) => {
            const id = input.DBClusterIdentifier ?? "";
            const cluster = this.clusters.get(id);
            if (!cluster) throw new DBClusterNotFoundFault({ $metadata: { httpStatusCode: 404 }, message: `DBCluster ${id} not found.` });
            return { DBClusters: [{ DBClusterIdentifier: id, Status: cluster.status, Endpoint: cluster.endpoint, Engine: "aurora-postgresql", EngineVersion: cluster.engineVersion }] };
        });

        const eks = mockClient(EKSClient);
        eks.on(DescribeClusterCommand).callsFake(async (input: { name: string }) => {
            const status = this.eksClusters.get(input.name);
            if (!status) throw new ResourceNotFoundException({ $metadata: { httpStatusCode: 404 }, message: `No cluster found for name: ${input.name}.` });
            // A cluster being created has no endpoint, CA or issuer yet; one that exists has them, UPDATING included.
            const made = status !== "CREATING" && status !== "PENDING";
            return {
                cluster: {
                    name: input.name,
                    status,
                    arn: `arn:aws:eks:us-east-1:000000000000:cluster/${input.name}`,
                    ...(made ? { endpoint: `https://${eksIssuerId(input.name)}.gr7.us-east-1.eks.amazonaws.com`, certificateAuthority: { data: "U1RBTkQtSU4=" } } : {}),
                    ...(made ? { identity: { oidc: { issuer: eksIssuer(input.name) } } } : {}),
                    accessConfig: { authenticationMode: this.eksAuthModes.get(input.name) ?? "API" },
                },
            };
        });
        const entry = (clusterName: string, principalArn: string) => {
            const found = this.eksAccessEntries.get(`${clusterName} ${principalArn}`);
            if (!found) throw new ResourceNotFoundException({ $metadata: { httpStatusCode: 404 }, message: `The specified access entry resource is not found on cluster ${clusterName}.` });
            return found;
        };
        eks.on(DescribeAccessEntryCommand).callsFake(async (input: { clusterName: string; principalArn: string }) => ({
            accessEntry: { clusterName: input.clusterName, principalArn: input.principalArn, kubernetesGroups: entry(input.clusterName, input.principalArn).groups, type: "STANDARD" },
        }));
        eks.on(ListAssociatedAccessPoliciesCommand).callsFake(async (input: { clusterName: string; principalArn: string }) => ({
            clusterName: input.clusterName,
            principalArn: input.principalArn,
            associatedAccessPolicies: entry(input.clusterName, input.principalArn).policies.map((p) => {
                const namespaces = entry(input.clusterName, input.principalArn).namespaces;
                return { policyArn: `arn:aws:eks::aws:cluster-access-policy/${p}`, accessScope: namespaces ? { type: "namespace", namespaces } : { type: "cluster" } };
            }),
        }));

        const iam = mockClient(IAMClient);
        iam.on(GetOpenIDConnectProviderCommand).callsFake(async (input: { OpenIDConnectProviderArn: string }) => {
            if (!this.oidcProviders.has(input.OpenIDConnectProviderArn)) {
                throw new NoSuchEntityException({ $metadata: { httpStatusCode: 404 }, message: `OpenIDConnect Provider not found for arn ${input.OpenIDConnectProviderArn}` });
            }
            return { Url: input.OpenIDConnectProviderArn.split("oidc-provider/")[1], ClientIDList: ["sts.amazonaws.com"] };
        });

        const route53 = mockRoute53(this.hostedZones);

        const ec2 = mockEc2Lookups(this.vpcs, this.securityGroups);

        const sts = mockClient(STSClient);
        sts.on(AssumeRoleCommand).callsFake(async (input: { RoleArn: string; RoleSessionName: string }) => {
            const answer = this.roles.get(input.RoleArn);
            if (!answer || "refuse" in answer) {
                throw new STSServiceException({
                    name: "AccessDenied",
                    $fault: "client",
                    $metadata: { httpStatusCode: 403 },
                    message: answer && "refuse" in answer ? answer.refuse : `User is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
                });
            }
            this.assumed.push(input.RoleArn);
            const roleName = input.RoleArn.split("/").pop();
            return {
                // s3rver checks signatures against its one key pair, so the role hands that out.
                Credentials: { ...toSts(S3RVER_CREDENTIALS), SessionToken: "stand-in-session", Expiration: new Date(Date.now() + 3_600_000) },
                AssumedRoleUser: { Arn: `arn:aws:sts::${answer.accountId}:assumed-role/${roleName}/${input.RoleSessionName}`, AssumedRoleId: "AROASTANDIN" },
            };
        });

        this.stubs.push(s3, dynamodb, rds, ec2, eks, iam, route53, sts);
    }

    /** Puts the real clients back (afterAll). */
    restore(): void {
        for (const stub of this.stubs.splice(0)) stub.restore();
    }
}

function toSts(c: { accessKeyId: string; secretAccessKey: string }) {
    return { AccessKeyId: c.accessKeyId, SecretAccessKey: c.secretAccessKey };
}

function s3Error(name: string, status: number, message: string): S3ServiceException {
    return new S3ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: status }, message });
}

/**
 * Route 53's zone listing as AWS answers it: ListHostedZonesByName in name order from DNSName
 * (then by id), MaxItems at a time; GetHostedZone by id.
 */
function mockRoute53(zones: readonly StandInZone[]) {
    const route53 = mockClient(Route53Client);
    const out = (z: StandInZone) => ({ Id: `/hostedzone/${z.id}`, Name: z.name, CallerReference: z.id, Config: { PrivateZone: z.private } });
    route53.on(ListHostedZonesByNameCommand).callsFake(async (input: { DNSName?: string; HostedZoneId?: string; MaxItems?: number }) => {
        const sorted = [...zones].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
        const from = sorted.filter((z) => !input.DNSName || z.name > input.DNSName || (z.name === input.DNSName && (!input.HostedZoneId || z.id >= input.HostedZoneId)));
        const max = input.MaxItems ?? 100;
        const page = from.slice(0, max);
        const next = from[max];
        return { HostedZones: page.map(out), IsTruncated: next !== undefined, MaxItems: max, ...(next ? { NextDNSName: next.name, NextHostedZoneId: next.id } : {}) };
    });
    route53.on(GetHostedZoneCommand).callsFake(async (input: { Id: string }) => {
        const zone = zones.find((z) => z.id === input.Id.replace(/^\/hostedzone\//, ""));
        if (!zone) throw new NoSuchHostedZone({ $metadata: { httpStatusCode: 404 }, message: `No hosted zone found with ID: ${input.Id}` });
        return { HostedZone: out(zone), ...(zone.private ? { VPCs: (zone.vpcs ?? []).map((v) => ({ VPCId: v.id, VPCRegion: v.region })) } : {}) };
    });
    return route53;
}

export interface StandInSecurityGroup {
    readonly id: string;
    readonly name: string;
    readonly vpcId: string;
    readonly description?: string;
    readonly tags?: Record<string, string>;
}

/** EC2 as the program and the checks look it up: VPCs by Name tag, security groups by name and VPC. */
export function mockEc2Lookups(vpcs: readonly { id: string; name: string }[], securityGroups: readonly StandInSecurityGroup[]) {
    const ec2 = mockClient(EC2Client);
    ec2.on(DescribeVpcsCommand).callsFake(async (input: { Filters?: Filter[] }) => ({
        Vpcs: vpcs.filter((v) => matches(input.Filters, { "tag:Name": v.name })).map((v) => ({ VpcId: v.id, Tags: [{ Key: "Name", Value: v.name }] })),
    }));
    ec2.on(DescribeSecurityGroupsCommand).callsFake(async (input: { Filters?: Filter[] }) => ({
        SecurityGroups: securityGroups
            .filter((g) => matches(input.Filters, { "group-name": g.name, "vpc-id": g.vpcId }))
            .map((g) => ({ GroupId: g.id, GroupName: g.name, VpcId: g.vpcId, Description: g.description, Tags: Object.entries(g.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) })),
    }));
    return ec2;
}

/** EC2-style filters: every filter must match one of its values. */
export function matches(filters: Filter[] | undefined, fields: Record<string, string>): boolean {
    return (filters ?? []).every((f) => f.Name !== undefined && f.Values !== undefined && f.Values.includes(fields[f.Name] ?? "\u0000"));
}

/** The stand-in issuer of an EKS cluster: what DescribeCluster answers, and what its IAM OIDC provider is named after. */
export function eksIssuer(cluster: string): string {
    return `https://oidc.eks.us-east-1.amazonaws.com/id/${eksIssuerId(cluster)}`;
}

function eksIssuerId(cluster: string): string {
    return cluster.toUpperCase().replace(/[^A-Z0-9]/g, "");
}
