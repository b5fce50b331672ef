// One k8s.Provider per prototype (its own cluster: the prototype is a deployment boundary), created
// once and handed to every workload of that prototype. No Kubernetes object may land on an ambient
// default provider, i.e. on whatever cluster the operator's kubeconfig happens to point at.
//
// The provider is built from what AWS knows about the EKS cluster (the pulumi-eks pattern,
// `generateKubeconfig` in pulumi/pulumi-eks nodejs/eks/cluster/cluster.ts): endpoint and CA looked
// up with the country account's provider, a token from `aws eks get-token` under the role the AWS
// provider assumes. So `pulumi preview` needs AWS credentials only; nobody writes a kubeconfig first.
// A kubeconfig context given in config still wins (a cluster reached through a tunnel, a kind cluster).
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { oidcProviderArn } from "../stacks/naming";
import type { RunRole } from "../stacks/read";

export interface PrototypeCluster {
    readonly prototype: string;
    readonly provider: k8s.Provider;
    readonly namespace: string;
    readonly ingressClass: string;
    readonly ingressAnnotations: Readonly<Record<string, string>>;
    readonly ingressControllerNamespace: string;
    /** The IAM OIDC provider the service roles trust: from config, or looked up from the EKS cluster. */
    readonly oidcProviderArn: pulumi.Output<string>;
}

/** One prototype's cluster as the stack describes it. */
export interface ClusterSettings {
    readonly eksClusterName: string;
    /** A kubeconfig context to use instead of the EKS lookup. */
    readonly context?: string;
    readonly namespace: string;
    readonly ingressClass: string;
    readonly ingressAnnotations: Readonly<Record<string, string>>;
    readonly ingressControllerNamespace: string;
    readonly oidcProviderArn?: string;
}

export interface KubernetesProvidersArgs {
    readonly countryAccountId: string;
    readonly region: string;
    /** The role `aws eks get-token` assumes: the one the country's AWS provider assumes (deploy, or read-only for previews). */
    readonly roleArn: string;
    readonly clusters: Readonly<Record<string, ClusterSettings>>;
    /** The country account, where the EKS clusters and their OIDC providers live. */
    readonly awsProvider: aws.Provider;
    /** The run's role (AwsProviders.role): a preview-role run previews client-side (see serverSideApply). */
    readonly runRole: RunRole;
}

/**
 * Provider settings for the run's role. @pulumi/kubernetes 4.x previews with server-side apply dry
 * runs, which the API server authorizes as writes (pulumi-kubernetes#2521), and RBAC cannot allow a
 * dry run without allowing the write. The preview role stays read-only, so its runs turn
 * server-side apply off: the preview diffs client-side, without a dry run (docs/guardrails.md,
 * "Previews are client-side"). Deploy runs keep the provider's default (server-side apply).
 */
export function serverSideApply(role: RunRole): { enableServerSideApply?: boolean } {
    return role === "preview" ? { enableServerSideApply: false } : {};
}

/** The kubeconfig of an EKS cluster, authenticating with `aws eks get-token --role-arn` (no secret in it). */
export function eksKubeconfig(args: { clusterName: string; endpoint: string; certificateAuthority: string; region: string; roleArn: string }) {
    return {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: args.clusterName, cluster: { server: args.endpoint, "certificate-authority-data": args.certificateAuthority } }],
        contexts: [{ name: args.clusterName, context: { cluster: args.clusterName, user: args.clusterName } }],
        "current-context": args.clusterName,
        users: [
            {
                name: args.clusterName,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", args.clusterName, "--role-arn", args.roleArn, "--region", args.region, "--output", "json"],
                        env: [{ name: "KUBERNETES_EXEC_INFO", value: '{"apiVersion": "client.authentication.k8s.io/v1beta1"}' }],
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    };
}

export class KubernetesProviders {
    private readonly clusters = new Map<string, PrototypeCluster>();

    constructor(args: KubernetesProvidersArgs) {
        for (const [prototype, cluster] of Object.entries(args.clusters)) {
            // Looked up only when something needs it: the kubeconfig, or the OIDC issuer.
            let found: pulumi.Output<aws.eks.GetClusterResult> | undefined;
            const eks = () => (found ??= aws.eks.getClusterOutput({ name: cluster.eksClusterName }, { provider: args.awsProvider }));
            const connection =
                cluster.context !== undefined
                    ? { context: cluster.context }
                    : {
                          kubeconfig: eks().apply((c) => {
                              const certificateAuthority = c.certificateAuthorities[0]?.data;
                              if (!c.endpoint || !certificateAuthority) {
                                  throw new Error(
                                      `EKS cluster ${cluster.eksClusterName} (prototype ${prototype}) has no endpoint or CA yet; is it ACTIVE? Or set data-infra:kubernetesClusters.${prototype}.context`,
                                  );
                              }
                              return JSON.stringify(
                                  eksKubeconfig({ clusterName: cluster.eksClusterName, endpoint: c.endpoint, certificateAuthority, region: args.region, roleArn: args.roleArn }),
                              );
                          }),
                      };
            const provider = new k8s.Provider(`k8s-${prototype}`, { ...connection, namespace: cluster.namespace, ...serverSideApply(args.runRole) });
            const oidc =
                cluster.oidcProviderArn !== undefined
                    ? pulumi.output(cluster.oidcProviderArn)
                    : eks().apply((c) => {
                          const issuer = c.identities[0]?.oidcs[0]?.issuer;
                          if (!issuer) {
                              throw new Error(
                                  `EKS cluster ${cluster.eksClusterName} (prototype ${prototype}) has no OIDC issuer; set data-infra:kubernetesClusters.${prototype}.oidcProviderArn`,
                              );
                          }
                          return oidcProviderArn(args.countryAccountId, issuer);
                      });
            this.clusters.set(prototype, {
                prototype,
                provider,
                namespace: cluster.namespace,
                ingressClass: cluster.ingressClass,
                ingressAnnotations: cluster.ingressAnnotations,
                ingressControllerNamespace: cluster.ingressControllerNamespace,
                oidcProviderArn: oidc,
            });
        }
    }

    of(prototype: string): PrototypeCluster {
        const cluster = this.clusters.get(prototype);
        if (!cluster) throw new Error(`no Kubernetes cluster for prototype ${prototype}`);
        return cluster;
    }
}
