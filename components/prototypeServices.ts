// One prototype's services (runbook "Spin Veiga" … "Spin Barragem" and "Schedule segments
// processing"): its namespace; per workload an IAM role, the workload itself and its canonical
// DNS; Barragem's segment schedule. Each workload waits only for its own data, never for another
// workload or prototype.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { CountryStack, Workload } from "../stacks/config";
import { inClusterHost } from "../stacks/naming";
import { loadBalancerFromVpc, networkPolicyPlans } from "../stacks/networkPolicies";
import { SEGMENT_SCHEDULE_NAME, segmentDatabases, standardLabels, workloadPlans } from "../stacks/services";
import type { BarragemAurora } from "./barragemAurora";
import { CanonicalDns } from "./canonicalDns";
import type { PrototypeCluster } from "./kubernetesProviders";
import { NetworkPolicies } from "./networkPolicies";
import { SegmentSchedule } from "./segmentSchedule";
import { ServiceAccess } from "./serviceAccess";
import { IngressSettings, ServiceWorkload } from "./serviceWorkload";
import type { DataTable } from "./table";

export interface PrototypeServicesArgs {
    readonly stack: CountryStack;
    readonly prototype: string;
    readonly cluster: PrototypeCluster;
    /** The stack's tables, by prototype and catalogue name (Tapir on global writes every prototype's Conrado tables). */
    readonly tables: Readonly<Record<string, Readonly<Record<string, DataTable>>>>;
    /** This prototype's Barragem database. */
    readonly aurora: BarragemAurora;
    readonly zoneId: pulumi.Input<string>;
    /** Internal load balancer settings of the Ingresses. */
    readonly ingress: IngressSettings;
    /** Namespace of the ingress controller, the only way in from outside the namespace. */
    readonly ingressControllerNamespace: string;
    /** The VPC's address block: Barragem's way to its Aurora. */
    readonly vpcCidr: pulumi.Input<string>;
    /** Key of Barragem's secret file: Barragem's role may decrypt with it. */
    readonly secretKeyArn: pulumi.Input<string>;
    /** The country account, where the roles and the zone are. */
    readonly awsProvider: aws.Provider;
}

export class PrototypeServices extends pulumi.ComponentResource {
    readonly workloads: Readonly<Partial<Record<Workload, ServiceWorkload>>>;

    constructor(name: string, args: PrototypeServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("data-infra:k8s:PrototypeServices", name, {}, opts);
        const { stack, prototype, cluster } = args;
        const k8sChild = { parent: this, provider: cluster.provider };

        // Pod security "restricted" makes the cluster refuse any pod that could run as root or privileged.
        const namespace = new k8s.core.v1.Namespace(
            `${prototype}-namespace`,
            {
                metadata: {
                    name: cluster.namespace,
                    labels: { ...standardLabels(stack, prototype, "data-infra"), "pod-security.kubernetes.io/enforce": "restricted" },
                },
            },
            k8sChild,
        );

        // Default deny in both directions, then only the runbook's dependencies (stacks/networkPolicies.ts).
        new NetworkPolicies(
            `${prototype}-network`,
            {
                plans: networkPolicyPlans(prototype, {
                    ingressControllerNamespace: args.ingressControllerNamespace,
                    vpcCidr: args.vpcCidr,
                    loadBalancerFromVpc: loadBalancerFromVpc(args.ingress),
                }),
                namespace: namespace.metadata.name,
                labels: standardLabels(stack, prototype, "data-infra"),
                provider: cluster.provider,
            },
            { parent: this },
        );

        const workloads: Partial<Record<Workload, ServiceWorkload>> = {};
        for (const plan of workloadPlans(stack, prototype, args.aurora.unqualifiedInstanceEndpoint)) {
            const access = new ServiceAccess(
                `${prototype}-${plan.name}-access`,
                {
                    roleName: plan.roleName,
                    description: `${plan.name} on ${prototype} (${plan.row.runbook}): its own tables and buckets only`,
                    oidcProviderArn: cluster.oidcProviderArn,
                    namespace: plan.namespace,
                    serviceAccount: plan.name,
                    grants: plan.grants,
                    decryptKeyArns: plan.needsAurora ? [args.secretKeyArn] : [],
                    provider: args.awsProvider,
                },
                { parent: this },
            );
            const tables = plan.needsTables.map((need) => {
                const found = args.tables[need.prototype]?.[need.table];
                if (!found) throw new Error(`${plan.name} on ${prototype} needs table ${need.table} of ${need.prototype}, which the stack does not have`);
                return found.table;
            });
            const workload = new ServiceWorkload(
                `${prototype}-${plan.name}`,
                {
                    plan,
                    namespace: namespace.metadata.name,
                    roleArn: access.roleArn,
                    ingress: args.ingress,
                    spreadAcrossZones: stack.env === "prod",
                    needs: [...tables, ...(plan.needsAurora ? [args.aurora] : []), ...access.ready],
                    provider: cluster.provider,
                },
                { parent: this },
            );
            workloads[plan.row.workload] = workload;
            if (plan.hosts && workload.loadBalancer) {
                new CanonicalDns(
                    `${prototype}-${plan.name}-dns`,
                    { zoneId: args.zoneId, canonicalHost: plan.hosts.canonical, stackHost: plan.hosts.stack, target: workload.loadBalancer, provider: args.awsProvider },
                    { parent: this },
                );
            }
        }

        const barragem = workloads.barragem;
        if (!barragem) throw new Error(`Barragem does not run on ${prototype}; its segment schedule has no target`);
        new SegmentSchedule(
            `${prototype}-${SEGMENT_SCHEDULE_NAME}`,
            {
                name: SEGMENT_SCHEDULE_NAME,
                namespace: namespace.metadata.name,
                labels: { ...standardLabels(stack, prototype, "barragem"), "app.kubernetes.io/component": "segment-schedule" },
                cron: stack.segmentSchedule.cron,
                image: stack.segmentSchedule.image,
                databases: segmentDatabases(stack, prototype),
                barragemUrl: pulumi.interpolate`http://${barragem.serviceName.apply((service) => inClusterHost(service, cluster.namespace))}`,
                provider: cluster.provider,
            },
            { parent: this },
        );

        this.workloads = workloads;
        this.registerOutputs({});
    }
}
