// The runbook's copy/paste bucket policies, generated: deny anything without TLS, and grant the
// other account's *named* principals exactly the access their jobs or services need.
//
// A grant names the other account's root as Principal and narrows it with `aws:PrincipalArn`
// (ArnLike on the named roles) rather than naming the roles as Principal, on purpose:
// PutBucketPolicy refuses a policy whose principal role does not exist yet (the country's service
// roles are created by the same `pulumi up`), and a role named as Principal that is later
// recreated silently stops matching (AWS stores its unique id). The condition has neither problem.
import type { CrossAccountGrant } from "../stacks/bucketAccess";
import type { CrossAccountAccess } from "../stacks/catalogue";
import { accountRootArn, s3BucketArn } from "../stacks/naming";

export interface PolicyStatement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Principal: "*" | { AWS: string };
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

export const READ_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion"];
export const PUT_ACTIONS = ["s3:PutObject", "s3:AbortMultipartUpload"];
export const DELETE_ACTIONS = ["s3:DeleteObject"];
/** What a service role may do with the objects of a bucket it writes (components/serviceAccess.ts). */
export const WRITE_ACTIONS = [...PUT_ACTIONS, ...DELETE_ACTIONS];
export const LIST_ACTIONS = ["s3:ListBucket", "s3:GetBucketLocation"];

/**
 * Object actions per level of cross-account access. Deleting is only for scratch buckets, or for
 * versioned ones where a delete leaves the previous version (stacks/catalogue.ts); never
 * s3:DeleteObjectVersion, the permanent delete (policy rule s3-cross-account-delete-recoverable).
 */
export const OBJECT_ACTIONS: Readonly<Record<CrossAccountAccess, readonly string[]>> = {
    read: READ_ACTIONS,
    "read-write": [...READ_ACTIONS, ...PUT_ACTIONS],
    "read-write-delete": [...READ_ACTIONS, ...PUT_ACTIONS, ...DELETE_ACTIONS],
};

export function bucketPolicyDocument(args: { bucket: string; grants: readonly CrossAccountGrant[] }): PolicyDocument {
    const bucketArn = s3BucketArn(args.bucket);
    const objectsArn = `${bucketArn}/*`;
    const statements: PolicyStatement[] = [
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucketArn, objectsArn],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
    ];
    args.grants.forEach((grant, i) => {
        if (grant.principalArns.length === 0) throw new Error(`bucket ${args.bucket}: a grant to account ${grant.accountId} names no principal`);
        const principal = { AWS: accountRootArn(grant.accountId) };
        const named = { ArnLike: { "aws:PrincipalArn": [...grant.principalArns] } };
        const n = args.grants.length > 1 ? String(i + 1) : "";
        statements.push(
            { Sid: `CrossAccountList${n}`, Effect: "Allow", Principal: principal, Action: LIST_ACTIONS, Resource: bucketArn, Condition: named },
            {
                Sid: `CrossAccount${grant.access === "read" ? "Read" : grant.access === "read-write" ? "ReadWrite" : "ReadWriteDelete"}${n}`,
                Effect: "Allow",
                Principal: principal,
                Action: [...OBJECT_ACTIONS[grant.access]],
                Resource: objectsArn,
                Condition: named,
            },
        );
    });
    return { Version: "2012-10-17", Statement: statements };
}
