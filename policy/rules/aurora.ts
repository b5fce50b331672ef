// Runbook "Spin AuroraDB": the flags of `create-db-cluster` / `create-db-instance` as rules, so a
// cluster can no longer drift from them by hand or by a careless edit.
import type { PolicyResource } from "@pulumi/policy";
import { isObject, isSet, known, label, resourceRule, stackRule, transitiveSources } from "./values";

export const CLUSTER_TYPE = "aws:rds/cluster:Cluster";
export const CLUSTER_INSTANCE_TYPE = "aws:rds/clusterInstance:ClusterInstance";
export const RANDOM_PASSWORD_TYPE = "random:index/randomPassword:RandomPassword";
export const MIN_BACKUP_RETENTION_DAYS = 7;

export const auroraStorageEncrypted = resourceRule(
    {
        name: "aurora-storage-encrypted",
        summary: "Aurora clusters encrypt their storage (storageEncrypted: true)",
        ids: { checkov: ["CKV_AWS_96"], trivy: ["AVD-AWS-0079"] },
        fix: "Set storageEncrypted: true on the aws.rds.Cluster (BarragemAurora does). Encrypting an existing cluster means restoring a snapshot into a new encrypted one.",
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== CLUSTER_TYPE) return;
            if (args.props.storageEncrypted !== true) reportViolation(`Cluster "${args.name}" does not set storageEncrypted: true.`);
        },
    },
);

export const auroraDeletionProtection = resourceRule(
    {
        name: "aurora-deletion-protection",
        summary: "Aurora clusters have deletion protection on",
        ids: { checkov: ["CKV_AWS_139"], trivy: ["AVD-AWS-0343"] },
        fix: "Set deletionProtection: true on the aws.rds.Cluster (runbook: --deletion-protection). To retire a cluster, turn it off in a reviewed change of its own.",
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== CLUSTER_TYPE) return;
            if (args.props.deletionProtection !== true) reportViolation(`Cluster "${args.name}" does not set deletionProtection: true.`);
        },
    },
);

export const auroraBackupRetention = resourceRule(
    {
        name: "aurora-backup-retention",
        summary: `Aurora clusters keep automated backups for at least ${MIN_BACKUP_RETENTION_DAYS} days`,
        ids: { checkov: ["CKV_AWS_133"], trivy: ["AVD-AWS-0077"] },
        fix: `Set backupRetentionPeriod to ${MIN_BACKUP_RETENTION_DAYS} or more (runbook: --backup-retention-period 7). Unset means AWS's default of 1 day.`,
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== CLUSTER_TYPE) return;
            const days = args.props.backupRetentionPeriod;
            if (typeof days !== "number" || days < MIN_BACKUP_RETENTION_DAYS) {
                reportViolation(`Cluster "${args.name}" keeps backups ${days === undefined ? "for AWS's default 1 day" : `for ${String(days)} day(s)`}; at least ${MIN_BACKUP_RETENTION_DAYS} are required.`);
            }
        },
    },
);

/** Services whose clusters may run without IAM database authentication, and why. */
export const IAM_AUTH_EXCEPTIONS: Readonly<Record<string, string>> = {
    barragem: "Barragem cannot authenticate through IAM yet (runbook: --no-enable-iam-database-authentication)",
};

export const auroraIamAuth = resourceRule(
    {
        name: "aurora-iam-auth",
        summary:
            "Aurora clusters use IAM database authentication, except clusters tagged with a service listed in the rule's exemptServices (default: barragem, the runbook's documented exception)",
        ids: { checkov: ["CKV_AWS_162"], trivy: ["AVD-AWS-0176"] },
        fix: "Set iamDatabaseAuthenticationEnabled: true. If the service cannot use IAM auth, tag the cluster service=<name> and add the service to IAM_AUTH_EXCEPTIONS with the reason, in a reviewed change (docs/guardrails.md, Exceptions).",
    },
    {
        configSchema: {
            properties: {
                exemptServices: { type: "array", items: { type: "string" }, default: Object.keys(IAM_AUTH_EXCEPTIONS) },
            },
        },
        validateResource: (args, reportViolation) => {
            if (args.type !== CLUSTER_TYPE) return;
            if (args.props.iamDatabaseAuthenticationEnabled === true) return;
            const exempt = args.getConfig<{ exemptServices?: string[] }>().exemptServices ?? Object.keys(IAM_AUTH_EXCEPTIONS);
            const tags = known(() => args.props.tags);
            const service = isObject(tags) && typeof tags.service === "string" ? tags.service : undefined;
            if (service !== undefined && exempt.includes(service)) return;
            reportViolation(
                `Cluster "${args.name}" has IAM database authentication off${service ? ` and service "${service}" is not an exception` : " and no service tag naming an exception"}.`,
            );
        },
    },
);

export const auroraInstanceNotPublic = resourceRule(
    {
        name: "aurora-instance-not-public",
        summary: "Aurora instances are not publicly accessible",
        ids: { checkov: ["CKV_AWS_17"], trivy: ["AVD-AWS-0180"] },
        fix: "Set publiclyAccessible: false on the aws.rds.ClusterInstance (runbook: --no-publicly-accessible); reach the database from the Kubernetes nodes' security group.",
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== CLUSTER_INSTANCE_TYPE) return;
            if (args.props.publiclyAccessible === true) reportViolation(`Instance "${args.name}" is publicly accessible.`);
        },
    },
);

export const auroraEnhancedMonitoring = resourceRule(
    {
        name: "aurora-enhanced-monitoring",
        summary: "Aurora instances have enhanced monitoring on (monitoringInterval > 0 with a monitoring role)",
        ids: { checkov: ["CKV_AWS_118"], trivy: [] },
        fix: "Set monitoringInterval: 60 and monitoringRoleArn to the role BarragemAuroraBase creates (runbook: --monitoring-interval 60 --monitoring-role-arn).",
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== CLUSTER_INSTANCE_TYPE) return;
            const interval = args.props.monitoringInterval;
            if (typeof interval !== "number" || interval <= 0) reportViolation(`Instance "${args.name}" has no enhanced monitoring (monitoringInterval is ${String(interval ?? 0)}).`);
            else if (!isSet(args.props, "monitoringRoleArn")) reportViolation(`Instance "${args.name}" has monitoringInterval ${interval} but no monitoringRoleArn.`);
        },
    },
);

export const auroraPerformanceInsights = resourceRule(
    {
        name: "aurora-performance-insights",
        summary: "Aurora instances have Performance Insights on",
        ids: { checkov: ["CKV_AWS_353"], trivy: ["AVD-AWS-0133"] },
        fix: "Set performanceInsightsEnabled: true on the aws.rds.ClusterInstance (runbook: --enable-performance-insights).",
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== CLUSTER_INSTANCE_TYPE) return;
            if (args.props.performanceInsightsEnabled !== true) reportViolation(`Instance "${args.name}" does not set performanceInsightsEnabled: true.`);
        },
    },
);

function passwordIsGenerated(cluster: PolicyResource): boolean {
    return transitiveSources(cluster, "masterPassword").some((r) => r.type === RANDOM_PASSWORD_TYPE);
}

export const auroraMasterPasswordGenerated = stackRule(
    {
        name: "aurora-master-password-generated",
        summary:
            "An Aurora cluster's master password is generated (comes from a random.RandomPassword, a Pulumi secret end to end) or managed by RDS in Secrets Manager; never a value written in code or config in plain text",
        ids: {
            checkov: [],
            trivy: [],
            note: "no Checkov/Trivy misconfiguration check: their secret scanners (Checkov CKV_SECRET_*, Trivy secret scanning) look for hard-coded text, this checks where the password comes from",
        },
        fix: "Pass BarragemSecret's password (random.RandomPassword, kept secret and written to nu-secrets-<country>-<env>) as masterPassword, or set manageMasterUserPassword: true.",
    },
    {
        validateStack: (args, reportViolation) => {
            for (const cluster of args.resources.filter((r) => r.type === CLUSTER_TYPE)) {
                if (known(() => cluster.props.manageMasterUserPassword) === true) continue;
                if (!isSet(cluster.props, "masterPassword") && !isSet(cluster.props, "masterPasswordWo")) continue;
                if (!passwordIsGenerated(cluster)) {
                    reportViolation(`${label(cluster)}'s masterPassword does not come from a random.RandomPassword: it is a value written in the program or its config.`, cluster.urn);
                }
            }
        },
    },
);
