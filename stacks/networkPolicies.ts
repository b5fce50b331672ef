// Who may talk to whom inside a prototype's namespace (issue "services are private"): everything is
// denied, in both directions, and each allow below names the runbook dependency it serves. Pure:
// components/prototypeServices.ts turns these into NetworkPolicy objects; tests read them directly.
import { API_PORT, DATOMIC_PORT, rowsOn } from "./services";
import type { Service } from "./config";

/** Aurora PostgreSQL's port (runbook "Spin AuroraDB": tcp 5432). */
export const POSTGRES_PORT = 5432;
export const HTTPS_PORT = 443;
export const DNS_PORT = 53;

/** A pod group of the namespace, by the standard labels. */
export type PodSelector = { readonly matchLabels: Readonly<Record<string, string>> };

/** A peer of a rule: pods of this namespace, pods of another namespace, or an address block. */
export type Peer =
    | { readonly pods: PodSelector }
    | { readonly namespace: string; readonly pods?: PodSelector }
    | { readonly cidr: string };

export interface PolicyRule<C> {
    readonly peers: readonly (Peer | { readonly cidr: C })[];
    readonly ports: readonly { readonly protocol: "TCP" | "UDP"; readonly port: number }[];
}

export interface NetworkPolicyPlan<C> {
    readonly name: string;
    /** Why this policy exists, kept as an annotation on the object. */
    readonly reason: string;
    /** Empty selector = every pod of the namespace. */
    readonly pods: PodSelector;
    readonly ingress?: readonly PolicyRule<C>[];
    readonly egress?: readonly PolicyRule<C>[];
    /** Set on the default deny only: the directions it closes. */
    readonly denies?: readonly ("Ingress" | "Egress")[];
}

const pods = (name: Service, component: string): PodSelector => ({
    matchLabels: { "app.kubernetes.io/name": name, "app.kubernetes.io/component": component },
});
const API_PODS: PodSelector = { matchLabels: { "app.kubernetes.io/component": "api" } };
const EVERY_POD: PodSelector = { matchLabels: {} };
const tcp = (port: number) => ({ protocol: "TCP" as const, port });

/** Services whose outbound dependencies the runbook does not state: their egress stays open (docs/services.md). */
export const UNSTATED_EGRESS: readonly Service[] = ["veiga", "alph"];

export interface NetworkContext<C> {
    /** Namespace of the ingress controller whose (internal) load balancer fronts the services. */
    readonly ingressControllerNamespace: string;
    /** The VPC's address block, where the Aurora clusters are. */
    readonly vpcCidr: C;
    /**
     * The load balancer sends to the pods from its own addresses in the VPC, not from a pod of the
     * controller's namespace: the AWS Load Balancer Controller's ALB (loadBalancerFromVpc).
     */
    readonly loadBalancerFromVpc?: boolean;
}

/**
 * Whether the cluster's ingress is an AWS Load Balancer Controller ALB (class `alb`, or `alb.ingress.kubernetes.io/*`
 * annotations): its ALB reaches the pods directly (target-type ip) or through the nodes (target-type instance),
 * from addresses in the VPC in both cases, so a NetworkPolicy that admits only the controller's namespace
 * would drop every request and health check.
 */
export function loadBalancerFromVpc(ingress: { readonly className: string; readonly annotations: Readonly<Record<string, string>> }): boolean {
    return ingress.className === "alb" || Object.keys(ingress.annotations).some((k) => k.startsWith("alb.ingress.kubernetes.io/"));
}

/** The NetworkPolicies of one prototype's namespace. `C` is how the VPC CIDR is known: a string in tests, an Output in the program. */
export function networkPolicyPlans<C>(prototype: string, ctx: NetworkContext<C>): NetworkPolicyPlan<C>[] {
    const here = new Set(rowsOn(prototype).map((r) => `${r.workload}`));
    const plans: NetworkPolicyPlan<C>[] = [
        { name: "default-deny", reason: "Nothing reaches or leaves a pod unless a policy below allows it.", pods: EVERY_POD, denies: ["Ingress", "Egress"] },
        {
            name: "allow-from-ingress-controller",
            reason: "The canonical names reach the services through the ingress controller's internal load balancer.",
            pods: API_PODS,
            ingress: [{ peers: [{ namespace: ctx.ingressControllerNamespace }], ports: [tcp(API_PORT)] }],
        },
        ...(ctx.loadBalancerFromVpc
            ? [
                  {
                      name: "allow-from-load-balancer-in-vpc",
                      reason: "The internal ALB (AWS Load Balancer Controller) sends requests and health checks from its addresses in the VPC, on the service port only.",
                      pods: API_PODS,
                      ingress: [{ peers: [{ cidr: ctx.vpcCidr }], ports: [tcp(API_PORT)] }],
                  },
              ]
            : []),
        {
            name: "allow-dns",
            reason: "Every pod resolves names (AWS endpoints, in-cluster services) through the cluster DNS.",
            pods: EVERY_POD,
            egress: [
                {
                    peers: [{ namespace: "kube-system", pods: { matchLabels: { "k8s-app": "kube-dns" } } }],
                    ports: [
                        { protocol: "UDP", port: DNS_PORT },
                        { protocol: "TCP", port: DNS_PORT },
                    ],
                },
            ],
        },
        {
            name: "allow-aws-apis",
            reason: "STS (IAM roles for service accounts), DynamoDB and S3 are reached over HTTPS; AWS publishes no fixed addresses for them.",
            pods: API_PODS,
            egress: [{ peers: [{ cidr: "0.0.0.0/0" }], ports: [tcp(HTTPS_PORT)] }],
        },
        {
            name: "allow-barragem-to-aurora",
            reason: "Barragem uses its prototype's Aurora PostgreSQL, in the VPC.",
            pods: pods("barragem", "api"),
            egress: [{ peers: [{ cidr: ctx.vpcCidr }], ports: [tcp(POSTGRES_PORT)] }],
        },
        {
            name: "allow-segment-schedule-to-barragem",
            reason: "Barragem's segment schedule (Tempo's barragem-process-next-segment) calls Barragem.",
            pods: pods("barragem", "api"),
            ingress: [{ peers: [{ pods: pods("barragem", "segment-schedule") }], ports: [tcp(API_PORT)] }],
        },
        {
            name: "segment-schedule-egress",
            reason: "The segment schedule calls Barragem and nothing else.",
            pods: pods("barragem", "segment-schedule"),
            egress: [{ peers: [{ pods: pods("barragem", "api") }], ports: [tcp(API_PORT)] }],
        },
    ];
    if (here.has("ouroboros-datomic")) {
        plans.push(
            {
                name: "allow-ouroboros-to-transactor",
                reason: "Ouroboros, a Datomic peer, sends its transactions to the transactor.",
                pods: pods("ouroboros", "datomic-transactor"),
                ingress: [{ peers: [{ pods: pods("ouroboros", "api") }], ports: [tcp(DATOMIC_PORT)] }],
            },
            {
                name: "ouroboros-to-transactor-egress",
                reason: "Ouroboros, a Datomic peer, sends its transactions to the transactor.",
                pods: pods("ouroboros", "api"),
                egress: [{ peers: [{ pods: pods("ouroboros", "datomic-transactor") }], ports: [tcp(DATOMIC_PORT)] }],
            },
            {
                name: "allow-transactor-to-aws-apis",
                reason: "The transactor writes its DynamoDB storage over HTTPS.",
                pods: pods("ouroboros", "datomic-transactor"),
                egress: [{ peers: [{ cidr: "0.0.0.0/0" }], ports: [tcp(HTTPS_PORT)] }],
            },
        );
    }
    for (const service of UNSTATED_EGRESS.filter((s) => here.has(s))) {
        plans.push({
            name: `${service}-unstated-egress`,
            reason: `The runbook does not state what ${service} connects to (Metapod's messages, non-Datomic sources): its egress stays open until it does.`,
            pods: pods(service, "api"),
            egress: [{ peers: [], ports: [] }],
        });
    }
    return plans;
}
