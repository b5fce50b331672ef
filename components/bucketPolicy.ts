// The runbook's copy/paste bucket policies, generated: deny anything without TLS, and grant the
// other account exactly the access its jobs or services need.
import type { CrossAccountAccess } from "../stacks/catalogue";
import { accountRootArn, s3BucketArn } from "../stacks/naming";

export interface PolicyStatement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Principal: "*" | { AWS: string };
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

export const READ_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion"];
export const WRITE_ACTIONS = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"];
export const LIST_ACTIONS = ["s3:ListBucket", "s3:GetBucketLocation"];

export function bucketPolicyDocument(args: {
    bucket: string;
    granteeAccountId: string;
    access: CrossAccountAccess;
}): PolicyDocument {
    const bucketArn = s3BucketArn(args.bucket);
    const objectsArn = `${bucketArn}/*`;
    const grantee = { AWS: accountRootArn(args.granteeAccountId) };
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [bucketArn, objectsArn],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            { Sid: "CrossAccountList", Effect: "Allow", Principal: grantee, Action: LIST_ACTIONS, Resource: bucketArn },
            {
                Sid: args.access === "read" ? "CrossAccountRead" : "CrossAccountReadWrite",
                Effect: "Allow",
                Principal: grantee,
                Action: args.access === "read" ? READ_ACTIONS : [...READ_ACTIONS, ...WRITE_ACTIONS],
                Resource: objectsArn,
            },
        ],
    };
}
