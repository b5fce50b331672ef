// A customer-managed KMS key (issue "secrets at rest under a key we control"): we decide, in its
// key policy, who may use it; AWS-managed keys (aws/s3, aws/rds) let every principal of the account
// whose IAM policy allows it. Rotated yearly by KMS; protected, since data encrypted under a
// deleted key is gone.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface CustomerKeyArgs {
    /** `alias/<name>`, so that people find the key by what it protects. */
    readonly alias: string;
    readonly description: string;
    /** The key policy (JSON). */
    readonly policy: pulumi.Input<string>;
    readonly provider: aws.Provider;
}

export class CustomerKey extends pulumi.ComponentResource {
    readonly arn: pulumi.Output<string>;

    constructor(name: string, args: CustomerKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("data-infra:kms:CustomerKey", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const key = new aws.kms.Key(
            name,
            { description: args.description, enableKeyRotation: true, deletionWindowInDays: 30, policy: args.policy },
            { ...child, protect: true },
        );
        new aws.kms.Alias(`${name}-alias`, { name: args.alias, targetKeyId: key.keyId }, child);
        this.arn = key.arn;
        this.registerOutputs({ arn: this.arn });
    }
}

/**
 * Key administration: manage the key, not encrypt or decrypt with it. Not `kms:Create*`: that
 * includes kms:CreateGrant, with which an administrator could hand itself Decrypt. kms:PutKeyPolicy
 * stays (the deploy role updates the policy, and KMS refuses a new key whose creator could not), so
 * administration is limited to the deploy role and the account root (break-glass), not every
 * principal of the account: whoever holds it could rewrite the policy to read.
 */
export const KEY_ADMINISTRATION_ACTIONS = [
    "kms:CreateAlias",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
];
export const KEY_USE_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"];

export interface KeyStatement {
    Sid: string;
    Effect: "Allow";
    Principal: { AWS: string };
    Action: string[];
    Resource: "*";
    Condition?: Record<string, Record<string, string | string[]>>;
}

function accountRoot(accountId: string) {
    return { AWS: `arn:aws:iam::${accountId}:root` };
}

/**
 * Barragem's secret file key: the account administers it; only the deploy role (which writes the
 * file), Barragem's roles (which read it) and the verify role (which logs in to Aurora with the
 * password, docs/verify.md) may decrypt, the readers through S3 only. Principals are named by
 * `aws:PrincipalArn` so the policy is valid before the roles exist.
 */
export function secretKeyPolicy(args: { accountId: string; region: string; writerRoleArn: string; readerRoleArns: readonly string[]; verifyRoleArn: string }) {
    const statements: KeyStatement[] = [
        {
            Sid: "KeyAdministration",
            Effect: "Allow",
            Principal: accountRoot(args.accountId),
            Action: KEY_ADMINISTRATION_ACTIONS,
            Resource: "*",
            Condition: { ArnEquals: { "aws:PrincipalArn": [args.writerRoleArn, `arn:aws:iam::${args.accountId}:root`] } },
        },
        {
            Sid: "DeployRoleWritesTheSecret",
            Effect: "Allow",
            Principal: accountRoot(args.accountId),
            Action: KEY_USE_ACTIONS,
            Resource: "*",
            Condition: { ArnEquals: { "aws:PrincipalArn": args.writerRoleArn } },
        },
        {
            Sid: "BarragemReadsTheSecret",
            Effect: "Allow",
            Principal: accountRoot(args.accountId),
            Action: ["kms:Decrypt"],
            Resource: "*",
            Condition: {
                ArnEquals: { "aws:PrincipalArn": [...args.readerRoleArns] },
                StringEquals: { "kms:ViaService": `s3.${args.region}.amazonaws.com` },
            },
        },
        {
            // The documented exception (docs/guardrails.md): verify's `SELECT 1` needs the password.
            Sid: "VerifyReadsTheSecret",
            Effect: "Allow",
            Principal: accountRoot(args.accountId),
            Action: ["kms:Decrypt"],
            Resource: "*",
            Condition: {
                ArnEquals: { "aws:PrincipalArn": args.verifyRoleArn },
                StringEquals: { "kms:ViaService": `s3.${args.region}.amazonaws.com` },
            },
        },
    ];
    return { Version: "2012-10-17", Statement: statements };
}

/** Aurora's storage key: the account's IAM decides (RDS uses it through grants made by the deploy role). */
export function storageKeyPolicy(accountId: string) {
    const statements: KeyStatement[] = [
        { Sid: "AccountIamDecides", Effect: "Allow", Principal: accountRoot(accountId), Action: ["kms:*"], Resource: "*" },
    ];
    return { Version: "2012-10-17", Statement: statements };
}
