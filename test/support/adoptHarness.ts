// What every `npm run adopt` test starts from: s3rver and dynalite running, the SDK pointed at
// them, aws-sdk-client-mock for the rest (adoptWorld.ts), staging-co's plan and its adopt targets,
// and a scratch directory; and adopt run against it with short bounds and ambient credentials.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import { adopt } from "../../tools/adopt";
import { adoptTargets, AdoptTarget } from "../../tools/adopt/targets";
import { loadCountryStack } from "../../tools/checks/cli";
import type { ProgramRun } from "../../tools/mockRuntime";
import { sharedRun, stackRun } from "../helpers/stacks";
import { AdoptMocks } from "./adoptWorld";
import { startDynamoServer, startS3Server } from "./awsServers";
import { adminDynamo, adminS3, STACK } from "./stackWorld";
import { captureIo, useTestEnvironment } from "./testEnv";

/** Short bounds: a local server answers at once, and a test of a failure should not wait. */
export const FAST = ["--timeout", "5", "--attempts", "2", "--backoff", "0.05"];

export interface AdoptHarness {
    readonly s3: S3Client;
    readonly dynamodb: DynamoDBClient;
    readonly mocks: AdoptMocks;
    readonly run: ProgramRun;
    readonly targets: AdoptTarget[];
    /** A scratch directory, removed by close(). */
    readonly dir: string;
    close(): Promise<void>;
}

export async function startAdoptHarness(): Promise<AdoptHarness> {
    const [s3Server, dynamoServer] = await Promise.all([startS3Server(), startDynamoServer()]);
    const restoreEnv = useTestEnvironment({ AWS_ENDPOINT_URL_S3: s3Server.endpoint, AWS_ENDPOINT_URL_DYNAMODB: dynamoServer.endpoint });
    const mocks = new AdoptMocks();
    mocks.install();
    const s3 = adminS3(s3Server.endpoint);
    const dynamodb = adminDynamo(dynamoServer.endpoint);
    const run = await stackRun(STACK);
    const targets = adoptTargets(run, loadCountryStack(STACK));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "data-infra-adopt-"));
    return {
        s3,
        dynamodb,
        mocks,
        run,
        targets,
        dir,
        close: async () => {
            restoreEnv();
            mocks.restore();
            s3.destroy();
            dynamodb.destroy();
            await Promise.all([s3Server.close(), dynamoServer.close()]);
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

/** The planned resource of this type and name, with where it lives. */
export function targetIn(targets: readonly AdoptTarget[], type: string, name: string): AdoptTarget {
    const found = targets.find((t) => t.resource.type === type && t.resource.name === name);
    if (!found) throw new Error(`no planned ${type} ${name}`);
    return found;
}

/** `npm run adopt -- --stack staging-co --credentials ambient <FAST> <extra>`, in process. */
export async function runAdopt(...extra: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const captured = captureIo();
    const code = await adopt(["--stack", STACK, "--credentials", "ambient", ...FAST, ...extra], captured.io, sharedRun);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}
