// IAM roles for service accounts: each workload's ServiceAccount assumes its own role, which may
// touch exactly the tables and buckets of that workload (SPEC "least-privilege access to exactly
// its tables and buckets"). Every resource is an exact ARN; no action or resource is a wildcard,
// bar the `<bucket>/*` of a bucket's own objects.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AccessGrants } from "../stacks/services";
import { oidcIssuer, s3BucketArn, s3ObjectArn, s3ObjectsArn } from "../stacks/naming";
import { LIST_ACTIONS, READ_ACTIONS, WRITE_ACTIONS } from "./bucketPolicy";

export const TABLE_READ_ACTIONS = [
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
];
export const TABLE_WRITE_ACTIONS = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"];

export interface IamStatement {
    Sid: string;
    Effect: "Allow";
    Action: string[];
    Resource: string[];
}

export interface IamPolicy {
    Version: "2012-10-17";
    Statement: IamStatement[];
}

/** The role's permissions; empty when the workload touches no AWS data (Veiga). `decryptKeyArns`: KMS keys of the objects it reads (Barragem's secret file). */
export function accessPolicyDocument(grants: AccessGrants, decryptKeyArns: readonly string[] = []): IamPolicy {
    const statements: IamStatement[] = [];
    const add = (Sid: string, Action: string[], Resource: string[]) => {
        if (Resource.length > 0) statements.push({ Sid, Effect: "Allow", Action, Resource });
    };
    const tables = (access: string) => grants.tables.filter((t) => t.access === access).map((t) => t.arn);
    add("TablesReadWrite", [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS], tables("read-write"));
    add("TablesRead", TABLE_READ_ACTIONS, tables("read"));
    const buckets = (access: string) => grants.buckets.filter((b) => b.access === access).map((b) => b.name);
    add("BucketsList", LIST_ACTIONS, grants.buckets.map((b) => s3BucketArn(b.name)));
    add("BucketObjectsReadWrite", [...READ_ACTIONS, ...WRITE_ACTIONS], buckets("read-write").map(s3ObjectsArn));
    add("BucketObjectsRead", READ_ACTIONS, buckets("read").map(s3ObjectsArn));
    add("SecretFileRead", ["s3:GetObject"], grants.readObjects.map((o) => s3ObjectArn(o.bucket, o.key)));
    add("SecretFileDecrypt", ["kms:Decrypt"], [...decryptKeyArns]);
    return { Version: "2012-10-17", Statement: statements };
}

/** Only the workload's ServiceAccount, through its cluster's OIDC provider, may assume the role. */
export function trustPolicyDocument(providerArn: string, namespace: string, serviceAccount: string) {
    const issuer = oidcIssuer(providerArn);
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: providerArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
                        [`${issuer}:aud`]: "sts.amazonaws.com",
                    },
                },
            },
        ],
    };
}

export interface ServiceAccessArgs {
    readonly roleName: string;
    readonly description: string;
    readonly oidcProviderArn: pulumi.Input<string>;
    readonly namespace: string;
    readonly serviceAccount: string;
    readonly grants: AccessGrants;
    /** KMS keys the role decrypts with (the key policy must name the role too). */
    readonly decryptKeyArns?: readonly pulumi.Input<string>[];
    readonly provider: aws.Provider;
}

export class ServiceAccess extends pulumi.ComponentResource {
    readonly roleArn: pulumi.Output<string>;
    /** The role and its permissions: what a pod must not start without. */
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: ServiceAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("data-infra:k8s:ServiceAccess", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const role = new aws.iam.Role(
            args.roleName,
            {
                name: args.roleName,
                description: args.description,
                assumeRolePolicy: pulumi
                    .output(args.oidcProviderArn)
                    .apply((arn) => JSON.stringify(trustPolicyDocument(arn, args.namespace, args.serviceAccount))),
            },
            child,
        );
        this.ready = [role];
        const keys = args.decryptKeyArns ?? [];
        if (accessPolicyDocument(args.grants, keys.map(() => "key")).Statement.length > 0) {
            const policy = pulumi.all([...keys]).apply((arns) => JSON.stringify(accessPolicyDocument(args.grants, arns)));
            this.ready.push(new aws.iam.RolePolicy(`${args.roleName}-data-access`, { role: role.name, name: "data-access", policy }, child));
        }
        this.roleArn = role.arn;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
