// Runbook "Preparing S3 buckets": each bucket with the runbook's public access block, default
// encryption, owner-enforced objects, a generated policy granting the other account's named
// principals, and its retention: versioning with noncurrent-version expiry for data that cannot be
// recomputed, expiry for scratch (stacks/catalogue.ts decides per bucket).
// @pulumi/aws 7: aws.s3.Bucket is the current bucket resource (BucketV2 is its deprecated alias),
// and versioning and lifecycle are their own resources (the inline arguments are deprecated).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BucketPlan } from "../stacks/bucketAccess";
import type { Retention } from "../stacks/catalogue";
import { bucketPolicyDocument } from "./bucketPolicy";

/**
 * Exactly the runbook's block: everything public is blocked except RestrictPublicBuckets, which
 * has to stay false for the cross-account grants to work.
 */
export const RUNBOOK_PUBLIC_ACCESS_BLOCK = {
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: true,
    restrictPublicBuckets: false,
} as const;

/** Incomplete multipart uploads are never data: abort them after a week on every bucket with a lifecycle. */
export const ABORT_INCOMPLETE_UPLOADS_DAYS = 7;

/** The lifecycle rules of a retention, or none. Pure, for the tests and docs. */
export function lifecycleRules(retention: Retention): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
    const abort = { abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_INCOMPLETE_UPLOADS_DAYS } };
    switch (retention.kind) {
        case "versioned":
            return [{ id: "expire-noncurrent-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: retention.noncurrentVersionDays }, ...abort }];
        case "expires":
            return [{ id: "expire-scratch", status: "Enabled", filter: {}, expiration: { days: retention.days }, ...abort }];
        case "recomputable":
            return [];
    }
}

export interface DataBucketArgs {
    readonly bucket: BucketPlan;
    readonly provider: aws.Provider;
}

export class DataBucket extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;

    constructor(name: string, args: DataBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("data-infra:s3:DataBucket", name, {}, opts);
        const { bucket: planned, provider } = args;
        const child = { parent: this, provider };

        // Buckets hold the platform's data: never deleted by Pulumi, even after unprotecting.
        const bucket = new aws.s3.Bucket(
            name,
            { bucket: planned.name, forceDestroy: false, tags: { "data-infra-role": planned.role, "data-infra-retention": planned.retention.kind } },
            { ...child, protect: true, retainOnDelete: true },
        );
        const block = new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, { bucket: bucket.id, ...RUNBOOK_PUBLIC_ACCESS_BLOCK }, child);
        // SSE-S3 rather than KMS: objects must stay readable by the other account without key grants.
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
            child,
        );
        // Objects written cross-account belong to the bucket owner, so grants keep working.
        new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
        new aws.s3.BucketPolicy(
            `${name}-policy`,
            {
                bucket: bucket.id,
                policy: JSON.stringify(bucketPolicyDocument({ bucket: planned.name, grants: planned.grants })),
            },
            { ...child, dependsOn: [block] },
        );
        // Versioning first: a noncurrent-version rule on an unversioned bucket has nothing to do.
        const versioning =
            planned.retention.kind === "versioned"
                ? [new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, child)]
                : [];
        const rules = lifecycleRules(planned.retention);
        if (rules.length > 0) {
            new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, { bucket: bucket.id, rules }, { ...child, dependsOn: versioning });
        }

        this.bucketName = bucket.bucket;
        this.arn = bucket.arn;
        this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
    }
}

export interface BucketSetArgs {
    readonly buckets: readonly BucketPlan[];
    /** Provider of the set's account in a region. */
    readonly providerFor: (region: string) => aws.Provider;
}

/** The buckets one account holds for a country stack. */
export class BucketSet extends pulumi.ComponentResource {
    readonly buckets: Readonly<Record<string, DataBucket>>;

    constructor(name: string, args: BucketSetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("data-infra:s3:BucketSet", name, {}, opts);
        const buckets: Record<string, DataBucket> = {};
        for (const planned of args.buckets) {
            buckets[planned.role] = new DataBucket(planned.name, { bucket: planned, provider: args.providerFor(planned.region) }, { parent: this });
        }
        this.buckets = buckets;
        this.registerOutputs({});
    }
}
