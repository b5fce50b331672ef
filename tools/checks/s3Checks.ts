// S3: the runbook's buckets as the program set them ("Preparing S3 buckets"), Foundation's
// signing keysets (runbook "Troubleshooting") and the secrets bucket Barragem's password lives in.
import {
    GetBucketEncryptionCommand,
    GetObjectCommand,
    GetPublicAccessBlockCommand,
    HeadBucketCommand,
    ListObjectsV2Command,
    PublicAccessBlockConfiguration,
    S3Client,
} from "@aws-sdk/client-s3";
import { RUNBOOK_PUBLIC_ACCESS_BLOCK } from "../../components/bucketSet";
import { errorName, httpStatus } from "./awsAccess";
import type { Verdict } from "./runner";

/** Default encryption the program sets on every bucket (components/bucketSet.ts: SSE-S3, readable cross-account). */
export const EXPECTED_SSE_ALGORITHM = "AES256";

/** Where Foundation's signing keys live in `nu-keysets-<country>-<env>` (runbook "Troubleshooting"). */
export const KEYSETS_PREFIX = "pub/auth/sign-pem/";

const PUBLIC_ACCESS_FIELDS: ReadonlyArray<[keyof typeof RUNBOOK_PUBLIC_ACCESS_BLOCK, keyof PublicAccessBlockConfiguration]> = [
    ["blockPublicAcls", "BlockPublicAcls"],
    ["ignorePublicAcls", "IgnorePublicAcls"],
    ["blockPublicPolicy", "BlockPublicPolicy"],
    ["restrictPublicBuckets", "RestrictPublicBuckets"],
];

/** The settings of `actual` that differ from the runbook's block, as `Name is x, expected y`. */
export function publicAccessBlockDifferences(actual: PublicAccessBlockConfiguration | undefined): string[] {
    return PUBLIC_ACCESS_FIELDS.flatMap(([ours, aws]) => {
        const value = actual?.[aws] ?? false;
        const expected = RUNBOOK_PUBLIC_ACCESS_BLOCK[ours];
        return value === expected ? [] : [`${aws} is ${value}, expected ${expected}`];
    });
}

export type BucketPresence = "present" | "missing" | "forbidden";

export async function bucketPresence(s3: S3Client, bucket: string, signal: AbortSignal): Promise<BucketPresence> {
    try {
        await s3.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
        return "present";
    } catch (err) {
        if (httpStatus(err) === 404 || errorName(err) === "NotFound" || errorName(err) === "NoSuchBucket") return "missing";
        if (httpStatus(err) === 403) return "forbidden";
        throw err;
    }
}

/**
 * One row per bucket: it exists, its public access block is exactly the runbook's and its
 * default encryption is the program's. Every problem found is listed.
 */
export async function checkBucket(s3: S3Client, bucket: string, signal: AbortSignal, whenMissing?: string): Promise<Verdict> {
    const presence = await bucketPresence(s3, bucket, signal);
    if (presence === "missing") return { ok: false, detail: "bucket does not exist", remedy: whenMissing };
    if (presence === "forbidden") return { ok: false, detail: "access denied to the bucket (HeadBucket 403): wrong account or credentials?" };

    const problems: string[] = [];
    try {
        const block = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }), { abortSignal: signal });
        const diff = publicAccessBlockDifferences(block.PublicAccessBlockConfiguration);
        if (diff.length > 0) problems.push(`public access block differs from the runbook's: ${diff.join(", ")}`);
    } catch (err) {
        if (errorName(err) !== "NoSuchPublicAccessBlockConfiguration") throw err;
        problems.push("no public access block (the runbook's blocks public ACLs and policies)");
    }
    try {
        const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }), { abortSignal: signal });
        const algorithms = (encryption.ServerSideEncryptionConfiguration?.Rules ?? []).map((r) => r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm);
        if (!algorithms.includes(EXPECTED_SSE_ALGORITHM)) {
            problems.push(`default encryption is ${algorithms.filter(Boolean).join(", ") || "not set"}, expected ${EXPECTED_SSE_ALGORITHM}`);
        }
    } catch (err) {
        if (errorName(err) !== "ServerSideEncryptionConfigurationNotFoundError") throw err;
        problems.push(`no default encryption, expected ${EXPECTED_SSE_ALGORITHM}`);
    }
    if (problems.length > 0) return { ok: false, detail: problems.join("; "), remedy: "run `pulumi up` for the stack to put the settings back; find who changed them" };
    return { ok: true, detail: `exists; public access block as the runbook's; default encryption ${EXPECTED_SSE_ALGORITHM}` };
}

/** The runbook's answer when Foundation's keysets are missing, for this env. */
export function keysetsRemedy(env: string): string {
    return (
        "ask the Foundation tribe to copy the country's security keysets (their international security playbook, \"Tokens\"); " +
        `in case of doubt ask them to re-run \`aws s3 cp --profile sec-${env} --recursive /tmp/keysets/${env}/pub/auth/sign-pem/ ` +
        `s3://nu-keysets-master-${env}/all/pub/auth/sign-pem/\`. Without them services fail at start with "Object pub/auth/sign-pem/… not found on s3"`
    );
}

/** Foundation's signing keys: at least one object under `pub/auth/sign-pem/` of the country's keysets bucket. */
export async function checkKeysets(s3: S3Client, bucket: string, env: string, signal: AbortSignal): Promise<Verdict> {
    const remedy = keysetsRemedy(env);
    try {
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: KEYSETS_PREFIX, MaxKeys: 1000 }), { abortSignal: signal });
        const count = listed.KeyCount ?? listed.Contents?.length ?? 0;
        if (count === 0) return { ok: false, detail: `no signing keys under s3://${bucket}/${KEYSETS_PREFIX}`, remedy };
        return { ok: true, detail: `${count}${listed.IsTruncated ? "+" : ""} signing key${count === 1 ? "" : "s"} under ${KEYSETS_PREFIX}` };
    } catch (err) {
        if (errorName(err) === "NoSuchBucket" || httpStatus(err) === 404) return { ok: false, detail: `keysets bucket ${bucket} does not exist`, remedy };
        if (httpStatus(err) === 403) return { ok: false, detail: `access denied listing s3://${bucket}/${KEYSETS_PREFIX}`, remedy };
        throw err;
    }
}

/** The existing secrets bucket the program writes `barragem_secret_config.json` into. */
export async function checkSecretsBucket(s3: S3Client, bucket: string, key: string, signal: AbortSignal): Promise<Verdict> {
    const presence = await bucketPresence(s3, bucket, signal);
    if (presence === "present") return { ok: true, detail: `exists; the program writes ${key} into it` };
    return {
        ok: false,
        detail: presence === "missing" ? "secrets bucket does not exist" : "access denied to the secrets bucket (HeadBucket 403)",
        remedy:
            `the program does not create ${bucket}, it only writes ${key} (Barragem's {"rdb-password": …}) into it: ` +
            "ask the country account's owners (Foundation) for the bucket, or grant the deploy role access to it",
    };
}

/** Reads `{"rdb-password": "…"}` from the secret object (runbook "Spin AuroraDB"). */
export async function readBarragemPassword(s3: S3Client, bucket: string, key: string, signal: AbortSignal): Promise<string> {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    const text = (await object.Body?.transformToString()) ?? "";
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        throw new SecretShapeError(`s3://${bucket}/${key} is not JSON`);
    }
    const password = (parsed as Record<string, unknown> | null)?.["rdb-password"];
    if (typeof password !== "string" || password === "") throw new SecretShapeError(`s3://${bucket}/${key} has no "rdb-password"`);
    return password;
}

export class SecretShapeError extends Error {
    readonly transient = false;
    constructor(message: string) {
        super(message);
        this.name = "SecretShapeError";
    }
}
