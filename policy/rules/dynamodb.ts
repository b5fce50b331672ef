// SPEC "DynamoDB tables": point-in-time recovery and encryption on.
import { isObject, resourceRule } from "./values";

export const TABLE_TYPE = "aws:dynamodb/table:Table";

export const dynamodbPointInTimeRecovery = resourceRule(
    {
        name: "dynamodb-point-in-time-recovery",
        summary: "DynamoDB tables have point-in-time recovery on",
        ids: { checkov: ["CKV_AWS_28"], trivy: ["AVD-AWS-0024"] },
        fix: "Set pointInTimeRecovery: { enabled: true } on the aws.dynamodb.Table (components/table.ts DataTable does).",
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== TABLE_TYPE) return;
            const pitr = args.props.pointInTimeRecovery;
            if (!isObject(pitr) || pitr.enabled !== true) reportViolation(`Table "${args.name}" does not enable point-in-time recovery.`);
        },
    },
);

export const dynamodbEncryption = resourceRule(
    {
        name: "dynamodb-encryption",
        summary: "DynamoDB tables enable server-side encryption with KMS (the AWS-managed key or a customer key)",
        ids: {
            checkov: ["CKV_AWS_119"],
            trivy: ["AVD-AWS-0025"],
            note: "both also ask for a customer-managed key; the AWS-managed aws/dynamodb key is accepted here (see docs/guardrails.md)",
        },
        fix: "Set serverSideEncryption: { enabled: true } (optionally kmsKeyArn) on the aws.dynamodb.Table.",
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== TABLE_TYPE) return;
            const sse = args.props.serverSideEncryption;
            if (!isObject(sse) || sse.enabled !== true) reportViolation(`Table "${args.name}" does not enable server-side encryption.`);
        },
    },
);
