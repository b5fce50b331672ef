// A deployed-looking staging-co for verify and preflight: the outputs of the real program (the
// offline run of index.ts), and the local servers and mocks filled with what `pulumi up` would
// have created, all healthy. A test then breaks one thing.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, DeleteObjectCommand, HeadBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { RUNBOOK_PUBLIC_ACCESS_BLOCK } from "../../components/bucketSet";
import type { CountryStack } from "../../stacks/config";
import { aurora } from "../../stacks/naming";
import { loadCountryStack } from "../../tools/checks/cli";
import { parseS3Url, StackOutputs } from "../../tools/checks/outputs";
import { runProgram } from "../../tools/mockRuntime";
import type { AwsMocks } from "./awsMocks";
import { S3RVER_CREDENTIALS } from "./awsServers";

export const STACK = "staging-co";

export interface StackFixture {
    readonly stack: CountryStack;
    readonly outputs: StackOutputs;
    /** The outputs saved as `pulumi stack output --json` would. */
    readonly outputsFile: string;
    readonly dir: string;
}

/** The program's outputs for the stack, from the offline run of index.ts, saved to a temp file. */
export async function stackFixture(stackName = STACK): Promise<StackFixture> {
    const stack = loadCountryStack(stackName);
    const run = await runProgram({ stack: stackName });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "data-infra-verify-"));
    const outputsFile = path.join(dir, "outputs.json");
    fs.writeFileSync(outputsFile, JSON.stringify(run.outputs, null, 2));
    return { stack, outputs: run.outputs as unknown as StackOutputs, outputsFile, dir };
}

export function adminS3(endpoint: string): S3Client {
    return new S3Client({ endpoint, forcePathStyle: true, region: "us-east-1", credentials: S3RVER_CREDENTIALS, maxAttempts: 1 });
}

export function adminDynamo(endpoint: string): DynamoDBClient {
    return new DynamoDBClient({ endpoint, region: "us-east-1", credentials: S3RVER_CREDENTIALS, maxAttempts: 1 });
}

export async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
    try {
        await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch {
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    }
}

/** The runbook's block, as S3 spells it. */
export const RUNBOOK_BLOCK_AS_S3 = {
    BlockPublicAcls: RUNBOOK_PUBLIC_ACCESS_BLOCK.blockPublicAcls,
    IgnorePublicAcls: RUNBOOK_PUBLIC_ACCESS_BLOCK.ignorePublicAcls,
    BlockPublicPolicy: RUNBOOK_PUBLIC_ACCESS_BLOCK.blockPublicPolicy,
    RestrictPublicBuckets: RUNBOOK_PUBLIC_ACCESS_BLOCK.restrictPublicBuckets,
};

export async function writeBarragemSecret(s3: S3Client, outputs: StackOutputs, password: string): Promise<void> {
    const { bucket, key } = parseS3Url(outputs.barragemSecretObject);
    await ensureBucket(s3, bucket);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify({ "rdb-password": password }), ContentType: "application/json" }));
}

export async function removeBarragemSecret(s3: S3Client, outputs: StackOutputs): Promise<void> {
    const { bucket, key } = parseS3Url(outputs.barragemSecretObject);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

/** Everything `pulumi up` would have made for the stack, healthy; deploy roles assumable. */
export async function deployHealthyStack(
    fixture: StackFixture,
    clients: { s3: S3Client; dynamodb: DynamoDBClient },
    mocks: AwsMocks,
    databasePassword: string,
): Promise<void> {
    const { outputs, stack } = fixture;
    for (const bucket of Object.values(outputs.buckets)) {
        await ensureBucket(clients.s3, bucket);
        mocks.publicAccessBlocks.set(bucket, { ...RUNBOOK_BLOCK_AS_S3 });
        mocks.encryption.set(bucket, "AES256");
    }
    await writeBarragemSecret(clients.s3, outputs, databasePassword);

    const existing = new Set((await clients.dynamodb.send(new ListTablesCommand({}))).TableNames ?? []);
    for (const tables of Object.values(outputs.tables)) {
        for (const table of Object.values(tables)) {
            if (!existing.has(table)) {
                await clients.dynamodb.send(
                    new CreateTableCommand({
                        TableName: table,
                        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
                        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
                        BillingMode: "PAY_PER_REQUEST",
                    }),
                );
            }
            mocks.pitr.set(table, "ENABLED");
        }
    }

    mocks.clusters.clear();
    for (const [prototype, endpoint] of Object.entries(outputs.auroraEndpoints)) {
        mocks.clusters.set(aurora.clusterId(stack.env, prototype), { status: "available", endpoint });
    }
    mocks.roles.clear();
    mocks.assumed.length = 0;
    for (const account of ["country", "data"] as const) mocks.roles.set(stack.accounts[account].deployRoleArn, { accountId: stack.accounts[account].id });
}
