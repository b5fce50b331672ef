// DynamoDB: every table of the stack is ACTIVE with point-in-time recovery on (SPEC "DynamoDB
// tables, per prototype"; components/table.ts).
import { DescribeContinuousBackupsCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { errorName } from "./awsAccess";
import type { Verdict } from "./runner";

export async function checkTable(dynamodb: DynamoDBClient, table: string, signal: AbortSignal): Promise<Verdict> {
    let status: string | undefined;
    try {
        const described = await dynamodb.send(new DescribeTableCommand({ TableName: table }), { abortSignal: signal });
        status = described.Table?.TableStatus;
    } catch (err) {
        if (errorName(err) === "ResourceNotFoundException") {
            return { ok: false, detail: "table does not exist", remedy: "run `pulumi up` for the stack; check the outputs are this stack's" };
        }
        throw err;
    }
    // CREATING/UPDATING clear by themselves: worth another attempt.
    if (status !== "ACTIVE") return { ok: false, detail: `status is ${status ?? "unknown"}, expected ACTIVE`, transient: status === "CREATING" || status === "UPDATING" };

    const backups = await dynamodb.send(new DescribeContinuousBackupsCommand({ TableName: table }), { abortSignal: signal });
    const pitr = backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus;
    if (pitr !== "ENABLED") {
        return {
            ok: false,
            detail: `ACTIVE, but point-in-time recovery is ${pitr ?? "off"}`,
            remedy: "the program enables point-in-time recovery: run `pulumi up` for the stack; find who turned it off",
        };
    }
    return { ok: true, detail: "ACTIVE; point-in-time recovery ENABLED" };
}
