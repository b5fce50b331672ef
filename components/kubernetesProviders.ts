// One k8s.Provider per prototype (its own cluster: the prototype is a deployment boundary), created
// once and handed to every workload of that prototype. No Kubernetes object may land on an ambient
// default provider, i.e. on whatever cluster the operator's kubeconfig happens to point at.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { CountryStack } from "../stacks/config";
import { oidcProviderArn } from "../stacks/naming";

export interface PrototypeCluster {
    readonly prototype: string;
    readonly provider: k8s.Provider;
    readonly namespace: string;
    readonly ingressClass: string;
    /** The IAM OIDC provider the service roles trust: from config, or looked up from the EKS cluster. */
    readonly oidcProviderArn: pulumi.Output<string>;
}

export class KubernetesProviders {
    private readonly clusters = new Map<string, PrototypeCluster>();

    /** `awsProvider` is the country account's, where the EKS clusters and their OIDC providers live. */
    constructor(stack: CountryStack, awsProvider: aws.Provider) {
        for (const prototype of stack.prototypes) {
            const cluster = stack.kubernetes[prototype];
            const provider = new k8s.Provider(`k8s-${prototype}`, { context: cluster.context, namespace: cluster.namespace });
            const oidc =
                cluster.oidcProviderArn !== undefined
                    ? pulumi.output(cluster.oidcProviderArn)
                    : aws.eks.getClusterOutput({ name: cluster.eksClusterName }, { provider: awsProvider }).apply((found) => {
                          const issuer = found.identities[0]?.oidcs[0]?.issuer;
                          if (!issuer) {
                              throw new Error(
                                  `EKS cluster ${cluster.eksClusterName} (prototype ${prototype}) has no OIDC issuer; set data-infra:kubernetesClusters.${prototype}.oidcProviderArn`,
                              );
                          }
                          return oidcProviderArn(stack.accounts.country.id, issuer);
                      });
            this.clusters.set(prototype, { prototype, provider, namespace: cluster.namespace, ingressClass: cluster.ingressClass, oidcProviderArn: oidc });
        }
    }

    of(prototype: string): PrototypeCluster {
        const cluster = this.clusters.get(prototype);
        if (!cluster) throw new Error(`no Kubernetes cluster for prototype ${prototype}`);
        return cluster;
    }
}
