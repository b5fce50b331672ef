// The NetworkPolicies of a prototype's namespace (stacks/networkPolicies.ts says which and why):
// a default deny in both directions, then one object per allowed dependency.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkPolicyPlan, Peer, PolicyRule } from "../stacks/networkPolicies";

type PeerInput = k8s.types.input.networking.v1.NetworkPolicyPeer;
type RuleInput = { ports?: { protocol: string; port: number }[] } & Record<string, unknown>;

function peer(p: Peer | { cidr: pulumi.Input<string> }): PeerInput {
    if ("cidr" in p) return { ipBlock: { cidr: p.cidr } };
    if ("namespace" in p) {
        return {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": p.namespace } },
            ...(p.pods ? { podSelector: { matchLabels: { ...p.pods.matchLabels } } } : {}),
        };
    }
    return { podSelector: { matchLabels: { ...p.pods.matchLabels } } };
}

/** A rule with no peers or no ports leaves that part out, which Kubernetes reads as "any". */
function rule(r: PolicyRule<pulumi.Input<string>>, direction: "from" | "to"): RuleInput {
    return {
        ...(r.peers.length > 0 ? { [direction]: r.peers.map(peer) } : {}),
        ...(r.ports.length > 0 ? { ports: r.ports.map((p) => ({ protocol: p.protocol, port: p.port })) } : {}),
    };
}

export function networkPolicySpec(plan: NetworkPolicyPlan<pulumi.Input<string>>): k8s.types.input.networking.v1.NetworkPolicySpec {
    const types: string[] = plan.denies ? [...plan.denies] : [...(plan.ingress ? ["Ingress"] : []), ...(plan.egress ? ["Egress"] : [])];
    return {
        podSelector: { matchLabels: { ...plan.pods.matchLabels } },
        policyTypes: types,
        ...(plan.ingress ? { ingress: plan.ingress.map((r) => rule(r, "from")) } : {}),
        ...(plan.egress ? { egress: plan.egress.map((r) => rule(r, "to")) } : {}),
    };
}

export interface NetworkPoliciesArgs {
    readonly plans: readonly NetworkPolicyPlan<pulumi.Input<string>>[];
    readonly namespace: pulumi.Input<string>;
    readonly labels: Readonly<Record<string, string>>;
    readonly provider: k8s.Provider;
}

export class NetworkPolicies extends pulumi.ComponentResource {
    constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("data-infra:k8s:NetworkPolicies", name, {}, opts);
        for (const plan of args.plans) {
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${plan.name}`,
                {
                    metadata: { name: plan.name, namespace: args.namespace, labels: { ...args.labels }, annotations: { "data-infra/reason": plan.reason } },
                    spec: networkPolicySpec(plan),
                },
                { parent: this, provider: args.provider },
            );
        }
        this.registerOutputs({});
    }
}
