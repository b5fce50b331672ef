// Runbook "Preparing S3 buckets": each bucket with the runbook's public access block, default
// encryption, owner-enforced objects and a generated cross-account policy.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PlannedBucket } from "../stacks/catalogue";
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

export interface DataBucketArgs {
    readonly bucket: PlannedBucket;
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
            { bucket: planned.name, forceDestroy: false, tags: { "data-infra-role": planned.role } },
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
                policy: JSON.stringify(
                    bucketPolicyDocument({ bucket: planned.name, granteeAccountId: planned.granteeAccountId, access: planned.granteeAccess }),
                ),
            },
            { ...child, dependsOn: [block] },
        );

        this.bucketName = bucket.bucket;
        this.arn = bucket.arn;
        this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
    }
}

export interface BucketSetArgs {
    readonly buckets: readonly PlannedBucket[];
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
