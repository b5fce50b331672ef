// Runbook "Preparing S3 buckets": the public access block exactly as the runbook sets it, default
// encryption, and the generated bucket policy that denies non-TLS access and grants no one "*".
import type { PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { actionCovers, isEveryone, Statement, statements } from "./iamDocument";
import { asArray, asStrings, isObject, known, label, Props, resourceRule, sourcesOf, stackRule } from "./values";

export const BUCKET_TYPES: readonly string[] = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
export const PUBLIC_ACCESS_BLOCK_TYPE = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
export const ENCRYPTION_TYPES: readonly string[] = [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
export const BUCKET_POLICY_TYPE = "aws:s3/bucketPolicy:BucketPolicy";

/**
 * The runbook's block, copied here on purpose rather than imported from the program: the guardrail
 * must not loosen when the program does. RestrictPublicBuckets stays false because the cross-account
 * grants need it.
 */
export const RUNBOOK_PUBLIC_ACCESS_BLOCK = {
    blockPublicAcls: true,
    ignorePublicAcls: true,
    blockPublicPolicy: true,
    restrictPublicBuckets: false,
} as const;

export const SSE_ALGORITHMS: readonly string[] = ["AES256", "aws:kms", "aws:kms:dsse"];

/** The bucket's name, when known. */
function bucketName(bucket: PolicyResource): string | undefined {
    const name = known(() => bucket.props.bucket);
    return typeof name === "string" ? name : undefined;
}

/** Whether a companion resource (block, encryption, policy) configures this bucket. */
export function configures(companion: PolicyResource, bucket: PolicyResource): boolean {
    if (sourcesOf(companion, "bucket").some((d) => d.urn === bucket.urn)) return true;
    const target = known(() => companion.props.bucket);
    return typeof target === "string" && (target === bucketName(bucket) || target === known(() => bucket.props.id));
}

function forEachBucket(args: StackValidationArgs, each: (bucket: PolicyResource, companions: PolicyResource[]) => void) {
    for (const bucket of args.resources.filter((r) => BUCKET_TYPES.includes(r.type))) {
        each(bucket, args.resources.filter((r) => r !== bucket && configures(r, bucket)));
    }
}

export const s3PublicAccessBlock = stackRule(
    {
        name: "s3-public-access-block",
        summary:
            "Every S3 bucket has a public access block, and every block is exactly the runbook's: BlockPublicAcls, IgnorePublicAcls and BlockPublicPolicy true, RestrictPublicBuckets false",
        ids: {
            checkov: ["CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55"],
            trivy: ["AVD-AWS-0094", "AVD-AWS-0086", "AVD-AWS-0087", "AVD-AWS-0091"],
            note: "RestrictPublicBuckets=false deliberately fails CKV_AWS_56 / AVD-AWS-0093: the runbook needs it for cross-account access",
        },
        fix: "Create buckets through components/bucketSet.ts (DataBucket), which adds aws.s3.BucketPublicAccessBlock with RUNBOOK_PUBLIC_ACCESS_BLOCK; never change the four flags.",
    },
    {
        validateStack: (args, reportViolation) => {
            for (const block of args.resources.filter((r) => r.type === PUBLIC_ACCESS_BLOCK_TYPE)) {
                for (const [flag, expected] of Object.entries(RUNBOOK_PUBLIC_ACCESS_BLOCK)) {
                    const value = known(() => block.props[flag]) ?? false;
                    if (value !== expected) {
                        reportViolation(`${label(block)} sets ${flag}=${String(value)}; the runbook's block has ${flag}=${expected}.`, block.urn);
                    }
                }
            }
            forEachBucket(args, (bucket, companions) => {
                if (!companions.some((c) => c.type === PUBLIC_ACCESS_BLOCK_TYPE)) {
                    reportViolation(`${label(bucket)} has no aws.s3.BucketPublicAccessBlock.`, bucket.urn);
                }
            });
        },
    },
);

function algorithmsOf(rules: unknown): unknown[] {
    return asArray(rules).map((rule) => (isObject(rule) && isObject(rule.applyServerSideEncryptionByDefault) ? rule.applyServerSideEncryptionByDefault.sseAlgorithm : undefined));
}

export const s3Encryption = stackRule(
    {
        name: "s3-encryption",
        summary: "Every S3 bucket has default server-side encryption (SSE-S3 or SSE-KMS)",
        ids: { checkov: ["CKV_AWS_19"], trivy: ["AVD-AWS-0088"] },
        fix: "Add aws.s3.BucketServerSideEncryptionConfiguration for the bucket with sseAlgorithm AES256 (what DataBucket does) or aws:kms.",
    },
    {
        validateStack: (args, reportViolation) => {
            forEachBucket(args, (bucket, companions) => {
                const configs = companions.filter((c) => ENCRYPTION_TYPES.includes(c.type));
                const inline = known(() => bucket.props.serverSideEncryptionConfiguration);
                const algorithms = [
                    ...configs.flatMap((c) => algorithmsOf(known(() => c.props.rules))),
                    ...(isObject(inline) ? algorithmsOf(inline.rule) : []),
                ];
                if (algorithms.length === 0) {
                    reportViolation(`${label(bucket)} has no default server-side encryption configuration.`, bucket.urn);
                    return;
                }
                for (const a of algorithms) {
                    if (typeof a === "string" && !SSE_ALGORITHMS.includes(a)) {
                        reportViolation(`${label(bucket)} is encrypted with "${a}"; expected one of ${SSE_ALGORITHMS.join(", ")}.`, bucket.urn);
                    } else if (a === undefined) {
                        reportViolation(`${label(bucket)} has an encryption rule without applyServerSideEncryptionByDefault.sseAlgorithm.`, bucket.urn);
                    }
                }
            });
        },
    },
);

/** Whether a statement is the runbook's "deny anything without TLS" for this bucket. */
export function deniesInsecureTransport(statement: Statement, bucket: string | undefined): boolean {
    if (statement.effect !== "Deny" || !isEveryone(statement)) return false;
    if (!statement.actions.some((a) => actionCovers(a, "s3:GetObject") && actionCovers(a, "s3:PutObject") && actionCovers(a, "s3:ListBucket"))) return false;
    const insecure = ["Bool", "BoolIfExists"].some((op) => {
        const cond = statement.condition[op];
        return isObject(cond) && String(cond["aws:SecureTransport"]) === "false";
    });
    if (!insecure) return false;
    if (bucket === undefined) return statement.resources.length > 0;
    const covers = (arn: string) => statement.resources.some((r) => actionCovers(r, arn));
    return covers(`arn:aws:s3:::${bucket}`) && covers(`arn:aws:s3:::${bucket}/any-object`);
}

function policyDocumentsOf(bucket: PolicyResource, companions: PolicyResource[]): unknown[] {
    const docs = companions.filter((c) => c.type === BUCKET_POLICY_TYPE).map((c) => known(() => c.props.policy));
    const inline = known(() => bucket.props.policy);
    if (inline !== undefined && inline !== "") docs.push(inline);
    return docs;
}

export const s3DenyInsecureTransport = stackRule(
    {
        name: "s3-deny-insecure-transport",
        summary: "Every S3 bucket's policy denies any request made without TLS (aws:SecureTransport=false), on the bucket and its objects",
        ids: {
            checkov: [],
            trivy: [],
            note: "no Checkov/Trivy Terraform check; CIS AWS Foundations 2.1.1, AWS Security Hub S3.5, AWS Config s3-bucket-ssl-requests-only",
        },
        fix: "Attach the generated bucket policy (components/bucketPolicy.ts bucketPolicyDocument): its DenyInsecureTransport statement denies s3:* on the bucket and bucket/* when aws:SecureTransport is false.",
    },
    {
        validateStack: (args, reportViolation) => {
            forEachBucket(args, (bucket, companions) => {
                const docs = policyDocumentsOf(bucket, companions);
                if (docs.length === 0) {
                    reportViolation(`${label(bucket)} has no bucket policy, so nothing denies non-TLS access.`, bucket.urn);
                    return;
                }
                // A policy computed from values unknown during preview is judged once it is known.
                if (docs.some((d) => d === undefined)) return;
                const name = bucketName(bucket);
                if (!docs.some((d) => (statements(d) ?? []).some((s) => deniesInsecureTransport(s, name)))) {
                    reportViolation(`${label(bucket)}'s policy has no statement denying s3:* on the bucket and its objects when aws:SecureTransport is false.`, bucket.urn);
                }
            });
        },
    },
);

function reportPublicPrincipal(props: Props, what: string, key: string, reportViolation: ReportViolation) {
    const doc = props[key];
    if (doc === undefined || doc === "") return;
    for (const s of statements(doc) ?? []) {
        if (s.effect === "Allow" && isEveryone(s)) {
            reportViolation(`${what} allows ${[...s.actions, ...s.notActions].join(", ") || "actions"} to Principal "*"${s.sid ? ` (statement ${s.sid})` : ""}.`);
        }
    }
}

export const s3NoPublicPrincipal = resourceRule(
    {
        name: "s3-no-public-principal",
        summary: 'No S3 bucket policy allows anything to Principal "*"',
        ids: { checkov: ["CKV_AWS_70"], trivy: [] },
        fix: 'Grant the other account by its root ARN (components/bucketPolicy.ts does) instead of "*"; "*" is only allowed in Deny statements.',
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type === BUCKET_POLICY_TYPE) reportPublicPrincipal(args.props, `Bucket policy "${args.name}"`, "policy", reportViolation);
            else if (BUCKET_TYPES.includes(args.type)) reportPublicPrincipal(args.props, `Bucket "${args.name}"`, "policy", reportViolation);
        },
    },
);

const ACCOUNT_ROOT = /^(arn:aws:iam::(\d{12}):root|(\d{12}))$/;
/** Condition keys that narrow an account's root to named principals or to the organisation. */
const NARROWING: Readonly<Record<string, readonly string[]>> = {
    "aws:PrincipalArn": ["ArnEquals", "ArnLike", "StringEquals", "StringLike"],
    "aws:PrincipalOrgID": ["StringEquals"],
};

/** The values of a statement's narrowing conditions; none when the root is left bare. */
function narrowingValues(statement: Statement): string[] {
    const values: string[] = [];
    for (const [key, operators] of Object.entries(NARROWING)) {
        for (const op of operators) {
            const cond = statement.condition[op];
            if (isObject(cond)) values.push(...asStrings(cond[key]));
        }
    }
    return values;
}

/** A pattern that names nothing narrower than the account: `*`, `arn:aws:iam::<id>:*`. */
function coversWholeAccount(value: string): boolean {
    return value === "*" || /^arn:aws:iam::(\d{12}|\*):\*$/.test(value);
}

function reportBareRoots(props: Props, what: string, reportViolation: ReportViolation) {
    const doc = props.policy;
    if (doc === undefined || doc === "") return;
    for (const s of statements(doc) ?? []) {
        if (s.effect !== "Allow") continue;
        const roots = s.principals.filter((p) => ACCOUNT_ROOT.test(p));
        if (roots.length === 0) continue;
        const values = narrowingValues(s);
        if (values.length === 0 || values.some(coversWholeAccount)) {
            reportViolation(
                `${what} grants ${roots.join(", ")} (a whole account) ${s.actions.join(", ") || "actions"}${s.sid ? ` in statement ${s.sid}` : ""} without an aws:PrincipalArn or aws:PrincipalOrgID condition naming who.`,
            );
        }
    }
}

export const s3CrossAccountNamedPrincipals = resourceRule(
    {
        name: "s3-cross-account-named-principals",
        summary: "A bucket policy never grants a bare account root: an account's root (or bare account id) as Principal must be narrowed by an aws:PrincipalArn condition naming its roles, or by aws:PrincipalOrgID",
        ids: { checkov: [], trivy: [], note: "no Checkov/Trivy equivalent; AWS IAM Access Analyzer reports such grants as cross-account access" },
        fix: "Grant through stacks/bucketAccess.ts: list the roles that need the bucket (config dataEtlRoleArns, or the service's BucketUse in stacks/services.ts); components/bucketPolicy.ts adds the ArnLike aws:PrincipalArn condition.",
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type === BUCKET_POLICY_TYPE) reportBareRoots(args.props, `Bucket policy "${args.name}"`, reportViolation);
            else if (BUCKET_TYPES.includes(args.type)) reportBareRoots(args.props, `Bucket "${args.name}"`, reportViolation);
        },
    },
);

export const RETENTION_TAG = "data-infra-retention";
export const RETENTION_KINDS: readonly string[] = ["versioned", "expires", "recomputable"];
export const VERSIONING_TYPES: readonly string[] = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
export const LIFECYCLE_TYPES: readonly string[] = [
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
];

function retentionOf(bucket: PolicyResource): unknown {
    const tags = known(() => bucket.props.tags);
    return isObject(tags) ? tags[RETENTION_TAG] : undefined;
}

function enabledRules(companions: PolicyResource[]): Props[] {
    return companions
        .filter((c) => LIFECYCLE_TYPES.includes(c.type))
        .flatMap((c) => asArray(known(() => c.props.rules)))
        .filter(isObject)
        .filter((r) => r.status === "Enabled");
}

export const s3Retention = stackRule(
    {
        name: "s3-retention",
        summary: `Every bucket declares its retention (tag ${RETENTION_TAG}: versioned, expires or recomputable) and has it: versioned buckets have versioning enabled and noncurrent versions expiring; scratch buckets expire their objects`,
        ids: { checkov: ["CKV_AWS_21", "CKV2_AWS_61"], trivy: ["AVD-AWS-0090"] },
        fix: "Set the bucket's retention in stacks/catalogue.ts (BUCKET_ROWS retention); components/bucketSet.ts adds aws.s3.BucketVersioning and aws.s3.BucketLifecycleConfiguration from it.",
    },
    {
        validateStack: (args, reportViolation) => {
            forEachBucket(args, (bucket, companions) => {
                const kind = retentionOf(bucket);
                if (typeof kind !== "string" || !RETENTION_KINDS.includes(kind)) {
                    reportViolation(`${label(bucket)} has tag ${RETENTION_TAG}=${JSON.stringify(kind)}; declare one of ${RETENTION_KINDS.join(", ")}.`, bucket.urn);
                    return;
                }
                const rules = enabledRules(companions);
                if (kind === "versioned") {
                    const versioning = companions.filter((c) => VERSIONING_TYPES.includes(c.type)).map((c) => known(() => c.props.versioningConfiguration));
                    if (!versioning.some((v) => isObject(v) && v.status === "Enabled")) {
                        reportViolation(`${label(bucket)} holds data that cannot be recomputed but has no aws.s3.BucketVersioning with status Enabled.`, bucket.urn);
                    }
                    if (!rules.some((r) => isObject(r.noncurrentVersionExpiration))) {
                        reportViolation(`${label(bucket)} is versioned without a lifecycle rule expiring noncurrent versions (they would be kept and paid for forever).`, bucket.urn);
                    }
                } else if (kind === "expires" && !rules.some((r) => isObject(r.expiration) && typeof r.expiration.days === "number" && r.expiration.days > 0)) {
                    reportViolation(`${label(bucket)} is scratch (${RETENTION_TAG}=expires) but no enabled lifecycle rule expires its objects after a number of days.`, bucket.urn);
                }
            });
        },
    },
);

export const s3CrossAccountDeleteRecoverable = stackRule(
    {
        name: "s3-cross-account-delete-recoverable",
        summary: `A bucket policy lets another principal delete only what can be got back: s3:DeleteObject on scratch buckets (${RETENTION_TAG} expires or recomputable) or on versioned buckets with versioning Enabled (a delete leaves the previous version); never s3:DeleteObjectVersion (a permanent delete) on data that cannot be recomputed`,
        ids: { checkov: [], trivy: [], note: "no Checkov/Trivy equivalent" },
        fix: "Grant read-write (put, no delete) in stacks/catalogue.ts, or read-write-delete (s3:DeleteObject only) on a scratch or versioned bucket; never s3:DeleteObjectVersion.",
    },
    {
        validateStack: (args, reportViolation) => {
            forEachBucket(args, (bucket, companions) => {
                const kind = retentionOf(bucket);
                if (kind === "expires" || kind === "recomputable") return;
                const versioned =
                    kind === "versioned" &&
                    companions.filter((c) => VERSIONING_TYPES.includes(c.type)).some((c) => {
                        const v = known(() => c.props.versioningConfiguration);
                        return isObject(v) && v.status === "Enabled";
                    });
                for (const doc of policyDocumentsOf(bucket, companions)) {
                    for (const s of statements(doc) ?? []) {
                        if (s.effect !== "Allow") continue;
                        const where = `${label(bucket)} (${RETENTION_TAG}=${String(kind)}${kind === "versioned" && !versioned ? ", versioning not Enabled" : ""}) lets ${s.principals.join(", ")}`;
                        const sid = s.sid ? ` (statement ${s.sid})` : "";
                        if (s.actions.some((a) => actionCovers(a, "s3:DeleteObjectVersion"))) {
                            reportViolation(`${where} delete object versions for good${sid}.`, bucket.urn);
                        } else if (!versioned && s.actions.some((a) => actionCovers(a, "s3:DeleteObject"))) {
                            reportViolation(`${where} delete objects${sid}.`, bucket.urn);
                        }
                    }
                }
            });
        },
    },
);
