// Runbook "Spin AuroraDB": Barragem's Aurora PostgreSQL. The shared pieces (network lookups,
// subnet group, parameter groups, enhanced-monitoring role) exist once per env; each prototype
// gets its own security group, cluster and instance, depending on nothing of another prototype.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Env } from "../stacks/config";
import { aurora, unqualifiedInstanceEndpoint } from "../stacks/naming";
import { alarm, AlertRouting } from "./alerts";

export const AURORA_PORT = 5432;

/** What AWS changes on its own on a running cluster and the program must not fight: the minor engine version. */
export const AURORA_IGNORED_CHANGES = ["engineVersion"];

export interface BarragemAuroraBaseArgs {
    readonly env: Env;
    /** The country account: the only one whose RDS may assume the monitoring role (confused deputy). */
    readonly accountId: string;
    readonly engineMajor: number;
    readonly vpcName: string;
    readonly kubernetesNodesSecurityGroupName: string;
    readonly provider: aws.Provider;
}

/** RDS enhanced monitoring may assume the role only on behalf of this account. */
export function monitoringTrustPolicy(accountId: string) {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "monitoring.rds.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
            },
        ],
    };
}

/** What every prototype's cluster shares. */
export class BarragemAuroraBase extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    /** The VPC's address block: where pods reach Aurora (their NetworkPolicy egress). */
    readonly vpcCidr: pulumi.Output<string>;
    readonly kubernetesNodesSecurityGroupId: pulumi.Output<string>;
    readonly subnetGroupName: pulumi.Output<string>;
    readonly clusterParameterGroupName: pulumi.Output<string>;
    readonly instanceParameterGroupName: pulumi.Output<string>;
    readonly monitoringRoleArn: pulumi.Output<string>;

    constructor(name: string, args: BarragemAuroraBaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("data-infra:aurora:BarragemAuroraBase", name, {}, opts);
        const child = { parent: this, provider: args.provider };

        // The runbook's `<env>-<color>-vpc` and the nodes' security group are not ours: look them up.
        const vpc = aws.ec2.getVpcOutput({ tags: { Name: args.vpcName } }, child);
        const subnets = aws.ec2.getSubnetsOutput({ filters: [{ name: "vpc-id", values: [vpc.id] }] }, child);
        const nodes = aws.ec2.getSecurityGroupOutput(
            { vpcId: vpc.id, filters: [{ name: "group-name", values: [args.kubernetesNodesSecurityGroupName] }] },
            child,
        );

        // Like the runbook, every subnet of the VPC; the security group is what keeps it closed.
        const subnetGroup = new aws.rds.SubnetGroup(
            aurora.subnetGroup(args.env),
            { name: aurora.subnetGroup(args.env), description: "Barragem AuroraDB", subnetIds: subnets.ids },
            child,
        );
        const family = aurora.family(args.engineMajor);
        const clusterParameters = new aws.rds.ClusterParameterGroup(
            aurora.clusterParameterGroup(args.env, args.engineMajor),
            {
                name: aurora.clusterParameterGroup(args.env, args.engineMajor),
                family,
                description: `Parameter group for Postgres cluster, version ${args.engineMajor}`,
            },
            child,
        );
        const instanceParameters = new aws.rds.ParameterGroup(
            aurora.instanceParameterGroup(args.env, args.engineMajor),
            {
                name: aurora.instanceParameterGroup(args.env, args.engineMajor),
                family,
                description: `Parameter group for Postgres instance, version ${args.engineMajor}`,
            },
            child,
        );
        // Made by hand in the runbook; only AmazonRDSEnhancedMonitoringRole, trusted by RDS monitoring
        // acting for this account only (aws:SourceAccount), so no other account's RDS can use it.
        const monitoringRole = new aws.iam.Role(
            aurora.monitoringRole(args.env),
            {
                name: aurora.monitoringRole(args.env),
                description: "Enhanced monitoring of Barragem's Aurora instances",
                assumeRolePolicy: JSON.stringify(monitoringTrustPolicy(args.accountId)),
            },
            child,
        );
        new aws.iam.RolePolicyAttachment(
            `${aurora.monitoringRole(args.env)}-policy`,
            { role: monitoringRole.name, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole" },
            child,
        );

        this.vpcId = vpc.id;
        this.vpcCidr = vpc.cidrBlock;
        this.kubernetesNodesSecurityGroupId = nodes.id;
        this.subnetGroupName = subnetGroup.name;
        this.clusterParameterGroupName = clusterParameters.name;
        this.instanceParameterGroupName = instanceParameters.name;
        this.monitoringRoleArn = monitoringRole.arn;
        this.registerOutputs({});
    }
}

export interface BarragemAuroraArgs {
    readonly env: Env;
    readonly prototype: string;
    /** The version a new cluster starts at; afterwards AWS's automatic minor upgrades own it (see below). */
    readonly engineVersion: string;
    readonly instanceClass: string;
    readonly base: BarragemAuroraBase;
    /** Customer-managed key of the cluster's storage; undefined keeps RDS's AWS-managed key (clusters that exist already). */
    readonly storageKmsKeyArn?: pulumi.Input<string>;
    /** A Pulumi secret; see BarragemSecret. */
    readonly masterPassword: pulumi.Output<string>;
    readonly alerts: AlertRouting;
    readonly provider: aws.Provider;
}

/** One prototype's cluster, instance and security group. */
export class BarragemAurora extends pulumi.ComponentResource {
    readonly clusterIdentifier: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly instanceEndpoint: pulumi.Output<string>;
    /** Barragem's `rdb-unqualified-endpoint-url`: the instance endpoint without `<env>-<prototype>-`. */
    readonly unqualifiedInstanceEndpoint: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;

    constructor(name: string, args: BarragemAuroraArgs, opts?: pulumi.ComponentResourceOptions) {
        super("data-infra:aurora:BarragemAurora", name, {}, opts);
        const { env, prototype, base, provider } = args;
        const child = { parent: this, provider };
        const clusterId = aurora.clusterId(env, prototype);
        const tags = { prototype, service: "barragem" };

        const sg = new aws.ec2.SecurityGroup(
            aurora.securityGroup(env, prototype),
            { name: aurora.securityGroup(env, prototype), description: "Barragem AuroraDB", vpcId: base.vpcId, tags },
            child,
        );
        // The only way in: PostgreSQL from the Kubernetes nodes' security group.
        new aws.vpc.SecurityGroupIngressRule(
            `${aurora.securityGroup(env, prototype)}-from-kubernetes-nodes`,
            {
                securityGroupId: sg.id,
                description: "PostgreSQL from the Kubernetes nodes running Barragem",
                ipProtocol: "tcp",
                fromPort: AURORA_PORT,
                toPort: AURORA_PORT,
                referencedSecurityGroupId: base.kubernetesNodesSecurityGroupId,
            },
            child,
        );

        const cluster = new aws.rds.Cluster(
            clusterId,
            {
                clusterIdentifier: clusterId,
                engine: "aurora-postgresql",
                engineVersion: args.engineVersion,
                engineMode: "provisioned",
                port: AURORA_PORT,
                databaseName: "postgres",
                masterUsername: "postgres",
                masterPassword: pulumi.secret(args.masterPassword),
                storageEncrypted: true,
                // Immutable: a different key (or none, then one) means a new cluster; see docs/services.md.
                ...(args.storageKmsKeyArn === undefined ? {} : { kmsKeyId: args.storageKmsKeyArn }),
                // Major upgrades are deliberate operations (docs/services.md), never a side effect of a config edit.
                allowMajorVersionUpgrade: false,
                backupRetentionPeriod: 7,
                deletionProtection: true,
                // Barragem cannot authenticate through IAM yet (runbook).
                iamDatabaseAuthenticationEnabled: false,
                dbSubnetGroupName: base.subnetGroupName,
                dbClusterParameterGroupName: base.clusterParameterGroupName,
                vpcSecurityGroupIds: [sg.id],
                skipFinalSnapshot: false,
                finalSnapshotIdentifier: aurora.finalSnapshot(env, prototype),
                copyTagsToSnapshot: true,
                tags,
            },
            // The instance upgrades minor versions itself (runbook --auto-minor-version-upgrade): after
            // AWS moves 16.8 to 16.9 the configured version is only where the cluster started, so a
            // difference is not drift and must never become a downgrade attempt.
            { ...child, protect: true, ignoreChanges: AURORA_IGNORED_CHANGES },
        );
        const instance = new aws.rds.ClusterInstance(
            aurora.instanceId(env, prototype),
            {
                identifier: aurora.instanceId(env, prototype),
                clusterIdentifier: cluster.id,
                // No engineVersion: an Aurora instance runs its cluster's version, whatever AWS upgraded it to.
                engine: "aurora-postgresql",
                instanceClass: args.instanceClass,
                dbSubnetGroupName: base.subnetGroupName,
                dbParameterGroupName: base.instanceParameterGroupName,
                autoMinorVersionUpgrade: true,
                publiclyAccessible: false,
                performanceInsightsEnabled: true,
                monitoringInterval: 60,
                monitoringRoleArn: base.monitoringRoleArn,
                tags,
            },
            { ...child, protect: true },
        );

        const clusterMetric = (metricName: string) => ({
            namespace: "AWS/RDS",
            metricName,
            dimensions: { DBClusterIdentifier: cluster.clusterIdentifier },
            period: 300,
            statistic: "Average",
        });
        alarm(
            {
                name: `${clusterId}-cpu-high`,
                description: `Barragem Aurora ${clusterId}: CPU above 80% for 15 minutes`,
                args: { ...clusterMetric("CPUUtilization"), comparisonOperator: "GreaterThanThreshold", threshold: 80, evaluationPeriods: 3 },
            },
            args.alerts,
            child,
        );
        alarm(
            {
                name: `${clusterId}-freeable-memory-low`,
                description: `Barragem Aurora ${clusterId}: less than 256 MiB freeable memory for 15 minutes`,
                args: { ...clusterMetric("FreeableMemory"), comparisonOperator: "LessThanThreshold", threshold: 256 * 1024 * 1024, evaluationPeriods: 3 },
            },
            args.alerts,
            child,
        );

        this.clusterIdentifier = cluster.clusterIdentifier;
        this.endpoint = cluster.endpoint;
        this.instanceEndpoint = instance.endpoint;
        this.unqualifiedInstanceEndpoint = instance.endpoint.apply((endpoint) => unqualifiedInstanceEndpoint(env, prototype, endpoint));
        this.securityGroupId = sg.id;
        this.registerOutputs({ clusterIdentifier: this.clusterIdentifier, endpoint: this.endpoint });
    }
}
