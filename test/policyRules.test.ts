// Each guardrail against a minimal compliant and minimal violating resource set: if a rule stopped
// catching its case, its "catches" test fails; if it started flagging good infrastructure, its
// "accepts" test fails. The first test makes sure no rule is left without cases.
import { bucketPolicyDocument } from "../components/bucketPolicy";
import { Rule, RULES } from "../policy/rules";
import { evaluate } from "../tools/policy/evaluate";
import { awsProvider, MinimalResource, minimalStack, urnOf } from "../tools/policy/minimal";

interface Case {
    readonly title: string;
    readonly resources: readonly MinimalResource[];
    readonly config?: Record<string, Record<string, unknown>>;
}
interface Violating extends Case {
    /** Name of the resource the violation must be reported on, and what its message says. */
    readonly on: string;
    readonly says: RegExp;
}
interface RuleCases {
    readonly compliant: readonly Case[];
    readonly violating: readonly Violating[];
}

const PROVIDER = awsProvider();

// ---------- S3 ----------
const BUCKET = "nu-spark-static-co-staging";
const bucket = (extra: Partial<MinimalResource> = {}): MinimalResource => ({
    type: "aws:s3/bucket:Bucket",
    name: BUCKET,
    inputs: { bucket: BUCKET },
    protect: true,
    provider: PROVIDER.urn,
    ...extra,
});
const BUCKET_URN = urnOf("aws:s3/bucket:Bucket", BUCKET);
const runbookBlock = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: false };
const block = (flags: Record<string, unknown> = runbookBlock, byName = false): MinimalResource => ({
    type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    name: `${BUCKET}-public-access`,
    inputs: { bucket: byName ? BUCKET : `${BUCKET}-id`, ...flags },
    dependencies: byName ? [] : [BUCKET_URN],
});
const encryption = (algorithm = "AES256"): MinimalResource => ({
    type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    name: `${BUCKET}-encryption`,
    inputs: { bucket: `${BUCKET}-id`, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: algorithm } }] },
    dependencies: [BUCKET_URN],
});
const generatedPolicy = JSON.stringify(
    bucketPolicyDocument({ bucket: BUCKET, grants: [{ accountId: "400000000101", principalArns: ["arn:aws:iam::400000000101:role/staging-global-tapir"], access: "read", why: "Tapir" }] }),
);
const bucketPolicy = (policy: unknown = generatedPolicy): MinimalResource => ({
    type: "aws:s3/bucketPolicy:BucketPolicy",
    name: `${BUCKET}-policy`,
    inputs: { bucket: `${BUCKET}-id`, policy },
    dependencies: [BUCKET_URN],
});
const policyDoc = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const denyTls = (resources: string[]) => ({
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: resources,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
});
const guardedBucket = [bucket(), block(), encryption(), bucketPolicy()];
const taggedBucket = (retention: string) => bucket({ inputs: { bucket: BUCKET, tags: { "data-infra-retention": retention } } });
const versioning = (status = "Enabled"): MinimalResource => ({
    type: "aws:s3/bucketVersioning:BucketVersioning",
    name: `${BUCKET}-versioning`,
    inputs: { bucket: `${BUCKET}-id`, versioningConfiguration: { status } },
    dependencies: [BUCKET_URN],
});
const lifecycle = (...rules: object[]): MinimalResource => ({
    type: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    name: `${BUCKET}-lifecycle`,
    inputs: { bucket: `${BUCKET}-id`, rules },
    dependencies: [BUCKET_URN],
});
const noncurrentRule = { id: "expire-noncurrent-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 90 } };
const expiryRule = { id: "expire-scratch", status: "Enabled", filter: {}, expiration: { days: 7 } };
const rootGrant = (condition?: object, actions: string[] = ["s3:GetObject"]) => ({
    Sid: "Grant",
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::400000000900:root" },
    Action: actions,
    Resource: `arn:aws:s3:::${BUCKET}/*`,
    ...(condition ? { Condition: condition } : {}),
});
const etlRole = { ArnLike: { "aws:PrincipalArn": ["arn:aws:iam::400000000900:role/data-infra-etl"] } };

// ---------- Aurora ----------
const PASSWORD = { type: "random:index/randomPassword:RandomPassword", name: "barragem-secret-master-password", inputs: { length: 32 } };
const PASSWORD_URN = urnOf(PASSWORD.type, PASSWORD.name);
const clusterInputs = {
    clusterIdentifier: "staging-global-barragem-aurora",
    engine: "aurora-postgresql",
    storageEncrypted: true,
    deletionProtection: true,
    backupRetentionPeriod: 7,
    iamDatabaseAuthenticationEnabled: false,
    masterUsername: "postgres",
    masterPassword: "[secret]",
    tags: { prototype: "global", service: "barragem" },
};
const cluster = (inputs: Record<string, unknown> = {}, extra: Partial<MinimalResource> = {}): MinimalResource => ({
    type: "aws:rds/cluster:Cluster",
    name: "staging-global-barragem-aurora",
    inputs: { ...clusterInputs, ...inputs },
    secretInputs: ["masterPassword"],
    protect: true,
    provider: PROVIDER.urn,
    dependencies: [PASSWORD_URN],
    ...extra,
});
const instance = (inputs: Record<string, unknown> = {}): MinimalResource => ({
    type: "aws:rds/clusterInstance:ClusterInstance",
    name: "staging-global-barragem-aurora-instance",
    inputs: {
        identifier: "staging-global-barragem-aurora-instance",
        publiclyAccessible: false,
        monitoringInterval: 60,
        monitoringRoleArn: "arn:aws:iam::400000000101:role/staging-rds-barragem-aurora-enhanced-monitoring",
        performanceInsightsEnabled: true,
        ...inputs,
    },
});

// ---------- DynamoDB ----------
const table = (inputs: Record<string, unknown> = {}): MinimalResource => ({
    type: "aws:dynamodb/table:Table",
    name: "staging-global-tapir",
    inputs: { name: "staging-global-tapir", pointInTimeRecovery: { enabled: true }, serverSideEncryption: { enabled: true }, ...inputs },
    protect: true,
});

// ---------- Network ----------
const ingressRule = (inputs: Record<string, unknown>): MinimalResource => ({
    type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    name: "staging-global-barragem-aurora-ingress",
    inputs: { securityGroupId: "sg-aurora", ipProtocol: "tcp", fromPort: 5432, toPort: 5432, ...inputs },
});
const fromNodes = { referencedSecurityGroupId: "sg-mock-kubernetes-nodes" };

// ---------- IAM ----------
const tableArn = "arn:aws:dynamodb:us-east-1:400000000101:table/staging-global-tapir";
const rolePolicy = (...statements: object[]): MinimalResource => ({
    type: "aws:iam/rolePolicy:RolePolicy",
    name: "tapir-access",
    inputs: { role: "staging-global-tapir", policy: policyDoc(...statements) },
});
const readTable = { Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:Query"], Resource: [tableArn] };

// ---------- Kubernetes ----------
const container = (extra: Record<string, unknown> = {}) => ({
    name: "tapir",
    image: "nu-tapir:1.0.0",
    readinessProbe: { httpGet: { path: "/api/version", port: 8080 } },
    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    securityContext: { runAsNonRoot: true, runAsUser: 10001, allowPrivilegeEscalation: false },
    ...extra,
});
const podSpec = (extra: Record<string, unknown> = {}, containerExtra: Record<string, unknown> = {}) => ({ containers: [container(containerExtra)], ...extra });
const deployment = (pod: Record<string, unknown> = podSpec()): MinimalResource => ({
    type: "kubernetes:apps/v1:Deployment",
    name: "global-tapir",
    inputs: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "tapir" }, spec: { template: { spec: pod } } },
});
const cronJob = (pod: Record<string, unknown>): MinimalResource => ({
    type: "kubernetes:batch/v1:CronJob",
    name: "global-barragem-segments",
    inputs: { apiVersion: "batch/v1", kind: "CronJob", spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: { spec: pod } } } } },
});
const { readinessProbe: _probe, ...jobContainer } = container({ name: "process-next-segment" });
const namespace = (name = "data-infra"): MinimalResource => ({ type: "kubernetes:core/v1:Namespace", name: `global-namespace-${name}`, inputs: { metadata: { name } } });
const networkPolicy = (spec: Record<string, unknown>, ns = "data-infra", name = "default-deny"): MinimalResource => ({
    type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    name: `global-network-${name}`,
    inputs: { metadata: { name, namespace: ns }, spec },
});
const denyAll = { podSelector: { matchLabels: {} }, policyTypes: ["Ingress", "Egress"] };
const k8sIngress = (metadata: Record<string, unknown>, className?: string): MinimalResource => ({
    type: "kubernetes:networking.k8s.io/v1:Ingress",
    name: "global-veiga",
    inputs: { metadata: { name: "veiga", ...metadata }, spec: { ...(className ? { ingressClassName: className } : {}), rules: [{ host: "staging-global-veiga.nu.com.co" }] } },
});

const replicated = (replicas: number): MinimalResource => ({
    type: "kubernetes:apps/v1:Deployment",
    name: "global-tapir",
    inputs: { metadata: { name: "tapir", namespace: "data-infra" }, spec: { replicas, template: { metadata: { labels: { app: "tapir", tier: "api" } }, spec: podSpec() } } },
});
const pdb = (matchLabels: Record<string, string>, ns = "data-infra"): MinimalResource => ({
    type: "kubernetes:policy/v1:PodDisruptionBudget",
    name: "global-tapir-pdb",
    inputs: { metadata: { name: "tapir", namespace: ns }, spec: { maxUnavailable: 1, selector: { matchLabels } } },
});

// ---------- DNS ----------
const zone = (inputs: Record<string, unknown>): MinimalResource => ({ type: "aws:route53/zone:Zone", name: "country-zone", inputs: { name: "nu.com.co", ...inputs } });

// ---------- Trust ----------
const ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/ABC";
const OIDC = `arn:aws:iam::400000000101:oidc-provider/${ISSUER}`;
const role = (...statements: object[]): MinimalResource => ({ type: "aws:iam/role:Role", name: "staging-global-tapir", inputs: { assumeRolePolicy: policyDoc(...statements) } });
const irsa = (condition: Record<string, unknown>) => ({ Effect: "Allow", Principal: { Federated: OIDC }, Action: "sts:AssumeRoleWithWebIdentity", Condition: condition });
const monitoring = (condition?: Record<string, unknown>) => ({
    Effect: "Allow",
    Principal: { Service: "monitoring.rds.amazonaws.com" },
    Action: "sts:AssumeRole",
    ...(condition ? { Condition: condition } : {}),
});

const CASES: Record<string, RuleCases> = {
    "s3-public-access-block": {
        compliant: [
            { title: "the runbook's block on the bucket", resources: guardedBucket },
            { title: "a block that names the bucket by name", resources: [bucket(), block(runbookBlock, true)] },
        ],
        violating: [
            { title: "a bucket without a block", resources: [bucket()], on: BUCKET, says: /no aws\.s3\.BucketPublicAccessBlock/ },
            {
                title: "RestrictPublicBuckets turned on",
                resources: [bucket(), block({ ...runbookBlock, restrictPublicBuckets: true })],
                on: `${BUCKET}-public-access`,
                says: /restrictPublicBuckets=true.*restrictPublicBuckets=false/,
            },
            {
                title: "BlockPublicPolicy left unset (AWS default false)",
                resources: [bucket(), block({ blockPublicAcls: true, ignorePublicAcls: true })],
                on: `${BUCKET}-public-access`,
                says: /blockPublicPolicy=false/,
            },
        ],
    },
    "s3-encryption": {
        compliant: [
            { title: "SSE-S3 configuration", resources: guardedBucket },
            { title: "SSE-KMS configuration", resources: [bucket(), encryption("aws:kms")] },
            {
                title: "inline configuration on the bucket",
                resources: [bucket({ inputs: { bucket: BUCKET, serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } } } } })],
            },
        ],
        violating: [
            { title: "no encryption configuration", resources: [bucket(), block()], on: BUCKET, says: /no default server-side encryption/ },
            { title: "an unknown algorithm", resources: [bucket(), encryption("none")], on: BUCKET, says: /encrypted with "none"/ },
        ],
    },
    "s3-deny-insecure-transport": {
        compliant: [
            { title: "the generated bucket policy", resources: guardedBucket },
            {
                title: "a deny on s3:* for the bucket and its objects",
                resources: [bucket(), bucketPolicy(policyDoc(denyTls([`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`])))],
            },
        ],
        violating: [
            { title: "no bucket policy", resources: [bucket()], on: BUCKET, says: /no bucket policy/ },
            {
                title: "a policy with only grants",
                resources: [bucket(), bucketPolicy(policyDoc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::400000000900:root" }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/*` }))],
                on: BUCKET,
                says: /aws:SecureTransport/,
            },
            {
                title: "a deny that covers the objects but not the bucket",
                resources: [bucket(), bucketPolicy(policyDoc(denyTls([`arn:aws:s3:::${BUCKET}/*`])))],
                on: BUCKET,
                says: /aws:SecureTransport/,
            },
        ],
    },
    "s3-no-public-principal": {
        compliant: [{ title: "the generated policy (its Principal * is a Deny)", resources: guardedBucket }],
        violating: [
            {
                title: 'an Allow to Principal "*"',
                resources: [bucket(), bucketPolicy(policyDoc({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/*` }))],
                on: `${BUCKET}-policy`,
                says: /s3:GetObject to Principal "\*"/,
            },
            {
                title: 'an Allow to {AWS: "*"}',
                resources: [bucketPolicy(policyDoc({ Effect: "Allow", Principal: { AWS: ["*"] }, Action: ["s3:PutObject"], Resource: `arn:aws:s3:::${BUCKET}/*` }))],
                on: `${BUCKET}-policy`,
                says: /Principal "\*"/,
            },
        ],
    },
    "s3-cross-account-named-principals": {
        compliant: [
            { title: "the generated policy (root narrowed by aws:PrincipalArn to named roles)", resources: guardedBucket },
            { title: "a root narrowed to the organisation", resources: [bucket(), bucketPolicy(policyDoc(rootGrant({ StringEquals: { "aws:PrincipalOrgID": "o-abc123" } })))] },
            { title: "a named role as Principal", resources: [bucket(), bucketPolicy(policyDoc({ ...rootGrant(), Principal: { AWS: "arn:aws:iam::400000000900:role/data-infra-etl" } }))] },
        ],
        violating: [
            { title: "a bare :root grant", resources: [bucket(), bucketPolicy(policyDoc(rootGrant()))], on: `${BUCKET}-policy`, says: /grants arn:aws:iam::400000000900:root \(a whole account\) s3:GetObject in statement Grant without an aws:PrincipalArn/ },
            { title: "a bare account id as Principal", resources: [bucket(), bucketPolicy(policyDoc({ ...rootGrant(), Principal: { AWS: "400000000900" } }))], on: `${BUCKET}-policy`, says: /400000000900 \(a whole account\)/ },
            {
                title: "a root narrowed to every principal of the account",
                resources: [bucket(), bucketPolicy(policyDoc(rootGrant({ ArnLike: { "aws:PrincipalArn": "arn:aws:iam::400000000900:*" } })))],
                on: `${BUCKET}-policy`,
                says: /a whole account/,
            },
        ],
    },
    "s3-retention": {
        compliant: [
            { title: "a versioned bucket whose noncurrent versions expire", resources: [taggedBucket("versioned"), versioning(), lifecycle(noncurrentRule)] },
            { title: "a scratch bucket whose objects expire", resources: [taggedBucket("expires"), lifecycle(expiryRule)] },
            { title: "a recomputable bucket without either", resources: [taggedBucket("recomputable")] },
        ],
        violating: [
            { title: "a bucket that declares no retention", resources: [bucket()], on: BUCKET, says: /tag data-infra-retention=undefined; declare one of versioned, expires, recomputable/ },
            { title: "versioned data without versioning", resources: [taggedBucket("versioned"), lifecycle(noncurrentRule)], on: BUCKET, says: /no aws\.s3\.BucketVersioning with status Enabled/ },
            { title: "versioning suspended", resources: [taggedBucket("versioned"), versioning("Suspended"), lifecycle(noncurrentRule)], on: BUCKET, says: /no aws\.s3\.BucketVersioning with status Enabled/ },
            { title: "versioned without noncurrent expiry", resources: [taggedBucket("versioned"), versioning()], on: BUCKET, says: /without a lifecycle rule expiring noncurrent versions/ },
            { title: "scratch that never expires", resources: [taggedBucket("expires"), lifecycle({ ...expiryRule, status: "Disabled" })], on: BUCKET, says: /no enabled lifecycle rule expires its objects/ },
        ],
    },
    "s3-cross-account-delete-recoverable": {
        compliant: [
            { title: "read-write without delete on versioned data", resources: [taggedBucket("versioned"), bucketPolicy(policyDoc(rootGrant(etlRole, ["s3:GetObject", "s3:PutObject"])))] },
            { title: "delete on a scratch bucket", resources: [taggedBucket("expires"), bucketPolicy(policyDoc(rootGrant(etlRole, ["s3:DeleteObject"])))] },
            { title: "delete (a delete marker) on a bucket with versioning Enabled", resources: [taggedBucket("versioned"), versioning(), bucketPolicy(policyDoc(rootGrant(etlRole, ["s3:PutObject", "s3:DeleteObject"])))] },
        ],
        violating: [
            {
                title: "delete granted on data tagged versioned whose versioning is not Enabled",
                resources: [taggedBucket("versioned"), versioning("Suspended"), bucketPolicy(policyDoc(rootGrant(etlRole, ["s3:PutObject", "s3:DeleteObject"])))],
                on: BUCKET,
                says: /data-infra-retention=versioned, versioning not Enabled\) lets arn:aws:iam::400000000900:root delete objects \(statement Grant\)/,
            },
            {
                title: "a permanent delete (s3:DeleteObjectVersion) on versioned data",
                resources: [taggedBucket("versioned"), versioning(), bucketPolicy(policyDoc(rootGrant(etlRole, ["s3:DeleteObject", "s3:DeleteObjectVersion"])))],
                on: BUCKET,
                says: /lets arn:aws:iam::400000000900:root delete object versions for good \(statement Grant\)/,
            },
            { title: "s3:Delete* on an untagged bucket", resources: [bucket(), bucketPolicy(policyDoc(rootGrant(etlRole, ["s3:Delete*"])))], on: BUCKET, says: /delete object versions for good/ },
            { title: "s3:DeleteObject on an untagged bucket", resources: [bucket(), bucketPolicy(policyDoc(rootGrant(etlRole, ["s3:DeleteObject"])))], on: BUCKET, says: /retention=undefined\) lets .* delete objects/ },
        ],
    },
    "aurora-storage-encrypted": {
        compliant: [{ title: "storageEncrypted true", resources: [cluster()] }],
        violating: [
            { title: "storageEncrypted false", resources: [cluster({ storageEncrypted: false })], on: "staging-global-barragem-aurora", says: /storageEncrypted/ },
            { title: "storageEncrypted unset", resources: [cluster({ storageEncrypted: undefined })], on: "staging-global-barragem-aurora", says: /storageEncrypted/ },
        ],
    },
    "aurora-deletion-protection": {
        compliant: [{ title: "deletionProtection true", resources: [cluster()] }],
        violating: [{ title: "deletionProtection false", resources: [cluster({ deletionProtection: false })], on: "staging-global-barragem-aurora", says: /deletionProtection/ }],
    },
    "aurora-backup-retention": {
        compliant: [
            { title: "7 days", resources: [cluster()] },
            { title: "35 days", resources: [cluster({ backupRetentionPeriod: 35 })] },
        ],
        violating: [
            { title: "1 day", resources: [cluster({ backupRetentionPeriod: 1 })], on: "staging-global-barragem-aurora", says: /for 1 day\(s\)/ },
            { title: "unset (AWS default 1 day)", resources: [cluster({ backupRetentionPeriod: undefined })], on: "staging-global-barragem-aurora", says: /default 1 day/ },
        ],
    },
    "aurora-iam-auth": {
        compliant: [
            { title: "IAM auth on", resources: [cluster({ iamDatabaseAuthenticationEnabled: true, tags: { service: "tapir" } })] },
            { title: "off for barragem, the runbook's exception", resources: [cluster()] },
        ],
        violating: [
            {
                title: "off for a service that is not an exception",
                resources: [cluster({ tags: { service: "conrado" } })],
                on: "staging-global-barragem-aurora",
                says: /service "conrado" is not an exception/,
            },
            { title: "off without a service tag", resources: [cluster({ tags: {} })], on: "staging-global-barragem-aurora", says: /no service tag/ },
            {
                title: "off for barragem once the exception is withdrawn in the rule's config",
                resources: [cluster()],
                config: { "aurora-iam-auth": { exemptServices: [] } },
                on: "staging-global-barragem-aurora",
                says: /service "barragem" is not an exception/,
            },
        ],
    },
    "aurora-instance-not-public": {
        compliant: [
            { title: "publiclyAccessible false", resources: [instance()] },
            { title: "publiclyAccessible unset (private by default)", resources: [instance({ publiclyAccessible: undefined })] },
        ],
        violating: [{ title: "publiclyAccessible true", resources: [instance({ publiclyAccessible: true })], on: "staging-global-barragem-aurora-instance", says: /publicly accessible/ }],
    },
    "aurora-enhanced-monitoring": {
        compliant: [{ title: "every 60 s with the monitoring role", resources: [instance()] }],
        violating: [
            { title: "interval 0", resources: [instance({ monitoringInterval: 0 })], on: "staging-global-barragem-aurora-instance", says: /no enhanced monitoring/ },
            { title: "no monitoring role", resources: [instance({ monitoringRoleArn: undefined })], on: "staging-global-barragem-aurora-instance", says: /no monitoringRoleArn/ },
        ],
    },
    "aurora-performance-insights": {
        compliant: [{ title: "performance insights on", resources: [instance()] }],
        violating: [{ title: "performance insights off", resources: [instance({ performanceInsightsEnabled: false })], on: "staging-global-barragem-aurora-instance", says: /performanceInsightsEnabled/ }],
    },
    "aurora-master-password-generated": {
        compliant: [
            { title: "from a RandomPassword", resources: [PASSWORD, cluster()] },
            {
                title: "from a RandomPassword through another resource",
                resources: [
                    PASSWORD,
                    { type: "data-infra:aurora:BarragemSecret", name: "barragem-secret", custom: false, dependencies: [PASSWORD_URN] },
                    cluster({}, { dependencies: [urnOf("data-infra:aurora:BarragemSecret", "barragem-secret")] }),
                ],
            },
            { title: "managed by RDS in Secrets Manager", resources: [cluster({ masterPassword: undefined, manageMasterUserPassword: true }, { dependencies: [], secretInputs: [] })] },
        ],
        violating: [
            {
                title: "a password written in the program (secret-wrapped by the SDK, but not generated)",
                resources: [PASSWORD, cluster({}, { dependencies: [] })],
                on: "staging-global-barragem-aurora",
                says: /does not come from a random\.RandomPassword/,
            },
        ],
    },
    "dynamodb-point-in-time-recovery": {
        compliant: [{ title: "PITR on", resources: [table()] }],
        violating: [
            { title: "PITR off", resources: [table({ pointInTimeRecovery: { enabled: false } })], on: "staging-global-tapir", says: /point-in-time recovery/ },
            { title: "PITR unset", resources: [table({ pointInTimeRecovery: undefined })], on: "staging-global-tapir", says: /point-in-time recovery/ },
        ],
    },
    "dynamodb-encryption": {
        compliant: [{ title: "SSE on", resources: [table()] }],
        violating: [{ title: "SSE unset", resources: [table({ serverSideEncryption: undefined })], on: "staging-global-tapir", says: /server-side encryption/ }],
    },
    "sg-no-public-ingress": {
        compliant: [
            { title: "PostgreSQL from the nodes' security group", resources: [ingressRule(fromNodes)] },
            { title: "HTTPS from a private range", resources: [ingressRule({ fromPort: 443, toPort: 443, cidrIpv4: "10.0.0.0/8" })] },
        ],
        violating: [
            {
                title: "ingress rule from 0.0.0.0/0",
                resources: [ingressRule({ fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" })],
                on: "staging-global-barragem-aurora-ingress",
                says: /port 443 from 0\.0\.0\.0\/0/,
            },
            {
                title: "inline ingress from ::/0",
                resources: [{ type: "aws:ec2/securityGroup:SecurityGroup", name: "open", inputs: { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::/0"] }] } }],
                on: "open",
                says: /ingress\[0\] accepts port 22 from ::\/0/,
            },
            {
                title: "security group rule from 0.0.0.0/0",
                resources: [{ type: "aws:ec2/securityGroupRule:SecurityGroupRule", name: "open-rule", inputs: { type: "ingress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] } }],
                on: "open-rule",
                says: /all ports from 0\.0\.0\.0\/0/,
            },
        ],
    },
    "sg-database-ports-from-security-groups": {
        compliant: [
            { title: "PostgreSQL from the nodes' security group", resources: [ingressRule(fromNodes)] },
            { title: "a non-database port from a CIDR", resources: [ingressRule({ fromPort: 443, toPort: 443, cidrIpv4: "10.0.0.0/8" })] },
            { title: "egress rules are not ingress", resources: [{ type: "aws:ec2/securityGroupRule:SecurityGroupRule", name: "egress", inputs: { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["10.0.0.0/8"] } }] },
        ],
        violating: [
            { title: "PostgreSQL from a private CIDR", resources: [ingressRule({ cidrIpv4: "10.0.0.0/8" })], on: "staging-global-barragem-aurora-ingress", says: /5432 to 10\.0\.0\.0\/8/ },
            {
                title: "all traffic from a CIDR covers the database ports",
                resources: [{ type: "aws:ec2/securityGroup:SecurityGroup", name: "wide", inputs: { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["172.16.0.0/12"] }] } }],
                on: "wide",
                says: /5432, 3306/,
            },
            { title: "PostgreSQL without any source", resources: [ingressRule({})], on: "staging-global-barragem-aurora-ingress", says: /without naming a source security group/ },
        ],
    },
    "iam-no-wildcards": {
        compliant: [
            { title: "exact actions on exact ARNs", resources: [rolePolicy(readTable)] },
            { title: 'a Deny on "*" is fine', resources: [rolePolicy(readTable, { Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } })] },
        ],
        violating: [
            { title: 'Action "*"', resources: [rolePolicy({ Effect: "Allow", Action: "*", Resource: [tableArn] })], on: "tapir-access", says: /Action "\*"/ },
            { title: 'Resource "*"', resources: [rolePolicy({ Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: "*" })], on: "tapir-access", says: /Resource "\*"/ },
            { title: "NotAction", resources: [rolePolicy({ Effect: "Allow", NotAction: ["iam:*"], Resource: [tableArn] })], on: "tapir-access", says: /NotAction/ },
            {
                title: "a standalone policy",
                resources: [{ type: "aws:iam/policy:Policy", name: "broad", inputs: { policy: policyDoc({ Effect: "Allow", Action: "s3:*", Resource: "*" }) } }],
                on: "broad",
                says: /Resource "\*"/,
            },
            {
                title: "an inline policy of a role",
                resources: [{ type: "aws:iam/role:Role", name: "tapir", inputs: { inlinePolicies: [{ name: "all", policy: policyDoc({ Effect: "Allow", Action: "*:*", Resource: [tableArn] }) }] } }],
                on: "tapir",
                says: /inline policy all .*Action "\*:\*"/,
            },
        ],
    },
    "k8s-no-privileged-or-host-namespaces": {
        compliant: [{ title: "an ordinary pod", resources: [deployment()] }],
        violating: [
            { title: "a privileged container", resources: [deployment(podSpec({}, { securityContext: { runAsNonRoot: true, privileged: true } }))], on: "global-tapir", says: /"tapir" is privileged/ },
            { title: "the host network", resources: [deployment(podSpec({ hostNetwork: true }))], on: "global-tapir", says: /hostNetwork: true/ },
            { title: "the host PID namespace in a CronJob", resources: [cronJob({ hostPID: true, containers: [jobContainer] })], on: "global-barragem-segments", says: /hostPID: true/ },
        ],
    },
    "k8s-run-as-non-root": {
        compliant: [
            { title: "runAsNonRoot on the container", resources: [deployment()] },
            { title: "runAsNonRoot on the pod", resources: [deployment(podSpec({ securityContext: { runAsNonRoot: true } }, { securityContext: {} }))] },
        ],
        violating: [
            { title: "runAsNonRoot unset", resources: [deployment(podSpec({}, { securityContext: {} }))], on: "global-tapir", says: /does not set runAsNonRoot/ },
            { title: "runAsUser 0", resources: [deployment(podSpec({}, { securityContext: { runAsNonRoot: true, runAsUser: 0 } }))], on: "global-tapir", says: /runAsUser: 0/ },
            {
                title: "a root init container",
                resources: [deployment({ ...podSpec(), initContainers: [{ name: "migrate", image: "nu-tapir:1.0.0" }] })],
                on: "global-tapir",
                says: /"migrate" does not set runAsNonRoot/,
            },
        ],
    },
    "k8s-resources": {
        compliant: [{ title: "requests and limits", resources: [deployment()] }],
        violating: [
            {
                title: "no CPU limit",
                resources: [deployment(podSpec({}, { resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "512Mi" } } }))],
                on: "global-tapir",
                says: /has no limits\.cpu/,
            },
            { title: "no resources at all", resources: [cronJob({ containers: [{ ...jobContainer, resources: undefined }] })], on: "global-barragem-segments", says: /requests\.cpu, requests\.memory, limits\.cpu, limits\.memory/ },
        ],
    },
    "k8s-readiness-probe": {
        compliant: [
            { title: "a Deployment with a readiness probe", resources: [deployment()] },
            { title: "a CronJob without one (runs to completion)", resources: [cronJob({ containers: [jobContainer] })] },
        ],
        violating: [{ title: "a Deployment without one", resources: [deployment(podSpec({}, { readinessProbe: undefined }))], on: "global-tapir", says: /no readinessProbe/ }],
    },
    "k8s-read-only-root-filesystem": {
        compliant: [
            { title: "a read-only root filesystem", resources: [deployment(podSpec({}, { securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true } }))] },
            { title: "a CronJob with one", resources: [cronJob({ containers: [{ ...jobContainer, securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true } }] })] },
        ],
        violating: [
            { title: "readOnlyRootFilesystem unset", resources: [deployment()], on: "global-tapir", says: /"tapir" does not set readOnlyRootFilesystem: true/ },
            {
                title: "readOnlyRootFilesystem false on an init container",
                resources: [
                    deployment({
                        ...podSpec({}, { securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true } }),
                        initContainers: [{ name: "migrate", image: "x", securityContext: { readOnlyRootFilesystem: false } }],
                    }),
                ],
                on: "global-tapir",
                says: /"migrate" does not set readOnlyRootFilesystem/,
            },
        ],
    },
    "k8s-namespace-default-deny": {
        compliant: [
            { title: "a namespace with a default deny of both directions", resources: [namespace(), networkPolicy(denyAll)] },
            { title: "a default deny written with an empty podSelector", resources: [namespace(), networkPolicy({ podSelector: {}, policyTypes: ["Egress", "Ingress"] })] },
        ],
        violating: [
            { title: "a namespace without any NetworkPolicy", resources: [namespace()], on: "global-namespace-data-infra", says: /has no default-deny NetworkPolicy/ },
            {
                title: "a deny of ingress only",
                resources: [namespace(), networkPolicy({ podSelector: {}, policyTypes: ["Ingress"] })],
                on: "global-namespace-data-infra",
                says: /has no default-deny/,
            },
            {
                title: "a policy that allows everything in",
                resources: [namespace(), networkPolicy({ ...denyAll, ingress: [{}] })],
                on: "global-namespace-data-infra",
                says: /has no default-deny/,
            },
            {
                title: "a default deny in another namespace",
                resources: [namespace(), namespace("other"), networkPolicy(denyAll, "other")],
                on: "global-namespace-data-infra",
                says: /\(data-infra\) has no default-deny/,
            },
        ],
    },
    "k8s-ingress-internal": {
        compliant: [
            { title: "an internal ingress class", resources: [k8sIngress({}, "nginx-internal")] },
            { title: "an ALB with the internal scheme", resources: [k8sIngress({ annotations: { "alb.ingress.kubernetes.io/scheme": "internal" } }, "alb")] },
        ],
        violating: [
            { title: "the public nginx class", resources: [k8sIngress({}, "nginx")], on: "global-veiga", says: /does not ask for an internal load balancer/ },
            { title: "an internet-facing ALB", resources: [k8sIngress({ annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing" } }, "alb")], on: "global-veiga", says: /internal load balancer/ },
            { title: "no class at all (the cluster's default)", resources: [k8sIngress({})], on: "global-veiga", says: /internal load balancer/ },
        ],
    },
    "k8s-pdb-for-replicated": {
        compliant: [
            { title: "two replicas with a budget selecting their pods", resources: [replicated(2), pdb({ app: "tapir" })] },
            { title: "a single replica needs none", resources: [replicated(1)] },
        ],
        violating: [
            { title: "two replicas without a budget", resources: [replicated(2)], on: "global-tapir", says: /runs 2 replicas without a PodDisruptionBudget/ },
            { title: "a budget selecting other pods", resources: [replicated(3), pdb({ app: "conrado" })], on: "global-tapir", says: /runs 3 replicas/ },
            { title: "a budget in another namespace", resources: [replicated(2), pdb({ app: "tapir" }, "other")], on: "global-tapir", says: /without a PodDisruptionBudget/ },
        ],
    },
    "dns-private-zone": {
        compliant: [{ title: "a zone associated with a VPC", resources: [zone({ vpcs: [{ vpcId: "vpc-1" }] })] }],
        violating: [{ title: "a public zone", resources: [zone({})], on: "country-zone", says: /is public/ }],
    },
    "iam-trust-scoped": {
        compliant: [
            { title: "an IRSA role pinned to one ServiceAccount and the STS audience", resources: [role(irsa({ StringEquals: { [`${ISSUER}:sub`]: "system:serviceaccount:data-infra:tapir", [`${ISSUER}:aud`]: "sts.amazonaws.com" } }))] },
            { title: "RDS monitoring for this account only", resources: [role(monitoring({ StringEquals: { "aws:SourceAccount": "400000000101" } }))] },
            { title: "a service conditioned on its source ARN", resources: [role(monitoring({ ArnLike: { "aws:SourceArn": "arn:aws:rds:us-east-1:400000000101:db:*" } }))] },
        ],
        violating: [
            { title: "an IRSA role without :sub (every ServiceAccount of the cluster)", resources: [role(irsa({ StringEquals: { [`${ISSUER}:aud`]: "sts.amazonaws.com" } }))], on: "staging-global-tapir", says: /without a condition on .*:sub/ },
            { title: "an IRSA role without any condition", resources: [role(irsa({}))], on: "staging-global-tapir", says: /:aud/ },
            { title: "a service principal of any account", resources: [role(monitoring())], on: "staging-global-tapir", says: /monitoring\.rds\.amazonaws\.com without aws:SourceAccount/ },
            { title: "Principal *", resources: [role({ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" })], on: "staging-global-tapir", says: /Principal "\*"/ },
        ],
    },
    "stateful-resources-protected": {
        compliant: [{ title: "protected bucket, table and cluster", resources: [bucket(), table(), cluster()] }],
        violating: [
            { title: "an unprotected bucket", resources: [bucket({ protect: false })], on: BUCKET, says: /not protected/ },
            { title: "an unprotected table", resources: [{ ...table(), protect: false }], on: "staging-global-tapir", says: /not protected/ },
            { title: "an unprotected cluster", resources: [cluster({}, { protect: false })], on: "staging-global-barragem-aurora", says: /not protected/ },
        ],
    },
    "explicit-providers": {
        compliant: [
            { title: "AWS resources on an explicit provider", resources: [PROVIDER, bucket()] },
            { title: "a random password on the default random provider", resources: [PASSWORD] },
            { title: "a component of the kubernetes package (its children carry the provider)", resources: [{ type: "kubernetes:yaml:ConfigFile", name: "crds", custom: false }] },
        ],
        violating: [
            { title: "a bucket on the default AWS provider", resources: [bucket({ provider: undefined })], on: BUCKET, says: /default aws provider/ },
            { title: "a Deployment on the default Kubernetes provider", resources: [deployment()], on: "global-tapir", says: /default kubernetes provider/ },
        ],
    },
    "no-plain-secrets": {
        compliant: [
            { title: "a secret master password", resources: [cluster()] },
            {
                title: "names that only point at secrets, and booleans",
                resources: [
                    {
                        type: "data-infra:test:Thing",
                        name: "references",
                        inputs: { secretsBucket: "nu-secrets-co-staging", kmsKeyId: "alias/x", masterUserSecretKmsKeyId: "k", keyName: "k", key: "barragem_secret_config.json", manageMasterUserPassword: true, skipCredentialsValidation: "false" },
                    },
                ],
            },
            {
                title: "an env var read from a Kubernetes Secret",
                resources: [deployment(podSpec({}, { env: [{ name: "RDB_PASSWORD", valueFrom: { secretKeyRef: { name: "barragem", key: "rdb-password" } } }] }))],
            },
        ],
        violating: [
            {
                title: "a plain master password",
                resources: [cluster({ masterPassword: "hunter2hunter2" }, { secretInputs: [] })],
                on: "staging-global-barragem-aurora",
                says: /input masterPassword \("masterPassword"\) is a plain value/,
            },
            {
                title: "a plain env var password",
                resources: [deployment(podSpec({}, { env: [{ name: "RDB_PASSWORD", value: "hunter2" }] }))],
                on: "global-tapir",
                says: /containers\[0\]\.env\[0\]\.value \("RDB_PASSWORD"\)/,
            },
            {
                title: "a password inside a ConfigMap's JSON",
                resources: [{ type: "kubernetes:core/v1:ConfigMap", name: "barragem-config", inputs: { data: { "config.json": JSON.stringify({ "rdb-password": "hunter2" }) } } }],
                on: "barragem-config",
                says: /data\.config\.json<json>rdb-password/,
            },
        ],
    },
};

async function violationsOf(rule: Rule, c: Case) {
    const evaluation = await evaluate(minimalStack(c.resources), { rules: [rule], ...(c.config ? { config: c.config } : {}) });
    return evaluation.violations;
}

test("every rule of the pack has compliant and violating cases here", () => {
    expect(Object.keys(CASES).sort()).toEqual(RULES.map((r) => r.name).sort());
    for (const [name, cases] of Object.entries(CASES)) {
        expect({ name, compliant: cases.compliant.length > 0 }).toEqual({ name, compliant: true });
        expect({ name, violating: cases.violating.length > 0 }).toEqual({ name, violating: true });
    }
});

test("every rule cites its Checkov/Trivy equivalent (or says there is none) and says how to fix it", () => {
    for (const rule of RULES) {
        const cites = /CKV2?_[A-Z0-9]+_\d+|AVD-[A-Z]+-\d{4}|KSV\d{3}|no (exact )?Checkov\/Trivy/.test(rule.description);
        expect({ rule: rule.name, cites }).toEqual({ rule: rule.name, cites: true });
        expect({ rule: rule.name, fix: (rule.remediationSteps ?? "").length > 20 }).toEqual({ rule: rule.name, fix: true });
    }
});

describe.each(RULES.map((rule) => [rule.name, rule] as const))("%s", (_name, rule) => {
    const cases = CASES[rule.name] ?? { compliant: [], violating: [] };
    test.each(cases.compliant.map((c) => [c.title, c] as const))("accepts %s", async (_title, c) => {
        expect(await violationsOf(rule, c)).toEqual([]);
    });
    test.each(cases.violating.map((c) => [c.title, c] as const))("catches %s", async (_title, c) => {
        const found = await violationsOf(rule, c);
        expect(found.map((v) => ({ on: v.resourceName, level: v.enforcementLevel }))).toContainEqual({ on: c.on, level: "mandatory" });
        expect(found.filter((v) => v.resourceName === c.on).map((v) => v.message).join("\n")).toMatch(c.says);
    });
});
