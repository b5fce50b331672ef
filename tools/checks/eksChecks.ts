// The EKS clusters the program builds each prototype's Kubernetes provider from, and whose OIDC
// issuer its service roles trust (components/kubernetesProviders.ts). The program looks them up
// and never creates them: a missing or unfinished cluster fails the first `pulumi up` half-way.
import { Cluster, DescribeAccessEntryCommand, DescribeClusterCommand, EKSClient, ListAssociatedAccessPoliciesCommand } from "@aws-sdk/client-eks";
import { GetOpenIDConnectProviderCommand, IAMClient } from "@aws-sdk/client-iam";
import { oidcProviderArn } from "../../stacks/naming";
import { errorName } from "./awsAccess";
import type { Verdict } from "./runner";

/** A cluster being made has no endpoint yet: that ends by itself, so it is worth a retry. */
const COMING = new Set(["CREATING", "PENDING"]);
/** States in which a cluster cannot serve the program whatever it reports. */
const BROKEN = new Set(["FAILED", "DELETING"]);

export interface EksClusterTarget {
    readonly name: string;
    /** The prototypes whose provider is built from it (usually one). */
    readonly prototypes: readonly string[];
    /** Where it must be: the country account and the stack's region. */
    readonly accountId: string;
    readonly region: string;
    /** Some prototype's kubeconfig is built from it (no `context` configured): it needs the endpoint and CA. */
    readonly kubeconfig: boolean;
    /** Some prototype's service roles trust its OIDC issuer (no `oidcProviderArn` configured). */
    readonly issuer: boolean;
}

/**
 * What the program takes from the cluster, and nothing else: its endpoint and CA (the kubeconfig),
 * its OIDC issuer and the IAM OIDC provider of that issuer (the service roles' trust policies name
 * it, and IAM refuses a trust policy whose provider does not exist). The cluster's status decides
 * only when it says the cluster cannot serve (FAILED, DELETING) or is not made yet (CREATING): an
 * UPDATING cluster (a version upgrade, tens of minutes) serves its API all along.
 */
export async function checkEksCluster(
    eks: EKSClient,
    iam: IAMClient,
    target: EksClusterTarget,
    signal: AbortSignal,
    /** Told what DescribeCluster answered, so that the access rows need not ask again. */
    described: (cluster: Cluster | undefined) => void = () => undefined,
): Promise<Verdict> {
    const where = `in account ${target.accountId}, ${target.region}`;
    const keys = target.prototypes.map((p) => `data-infra:kubernetesClusters.${p}.eksClusterName`).join(" / ");
    let cluster: Cluster | undefined;
    try {
        cluster = (await eks.send(new DescribeClusterCommand({ name: target.name }), { abortSignal: signal })).cluster;
        described(cluster);
    } catch (err) {
        if (errorName(err) !== "ResourceNotFoundException") throw err;
        return {
            ok: false,
            detail: `no EKS cluster ${target.name} ${where}`,
            remedy:
                `the program does not create EKS clusters: it builds prototype ${target.prototypes.join(", ")}'s Kubernetes provider from ${target.name}. ` +
                `Create it first (infra-ops), or if the cluster has another name set ${keys} in the stack file`,
        };
    }
    const status = cluster?.status ?? "unknown";
    if (BROKEN.has(status)) {
        return { ok: false, detail: `status is ${status}`, remedy: `${target.name} is ${status}: it cannot serve the Kubernetes providers; infra-ops must repair or recreate it` };
    }
    const missing = [
        ...(target.kubeconfig && !cluster?.endpoint ? ["API endpoint"] : []),
        ...(target.kubeconfig && !cluster?.certificateAuthority?.data ? ["certificate authority"] : []),
        ...(target.issuer && !cluster?.identity?.oidc?.issuer ? ["OIDC issuer"] : []),
    ];
    const list = (words: string[], and: string) => (words.length === 1 ? words[0] : `${words.slice(0, -1).join(", ")} ${and} ${words[words.length - 1]}`);
    if (missing.length > 0) {
        const coming = COMING.has(status);
        return {
            ok: false,
            detail: `status is ${status}: no ${list(missing, "or")} yet`,
            transient: coming,
            remedy: coming
                ? `wait until ${target.name} is ACTIVE (aws eks describe-cluster --name ${target.name} --region ${target.region}), then run preflight again`
                : `the program needs the ${list(missing, "and")} of ${target.name}; infra-ops must finish the cluster, or set data-infra:kubernetesClusters.<prototype>.context / .oidcProviderArn`,
        };
    }
    if (target.issuer) {
        const arn = oidcProviderArn(target.accountId, cluster!.identity!.oidc!.issuer!);
        try {
            await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }), { abortSignal: signal });
        } catch (err) {
            if (errorName(err) !== "NoSuchEntityException") throw err;
            return {
                ok: false,
                detail: `status is ${status}, but the IAM OIDC provider of its issuer does not exist: ${arn}`,
                remedy:
                    `the service roles trust ${arn} and IAM refuses a trust policy that names a missing provider: ` +
                    `create it once per cluster (eksctl utils associate-iam-oidc-provider --cluster ${target.name} --region ${target.region} --approve, or infra-ops' own way)`,
            };
        }
    }
    return { ok: true, detail: `${status} ${where}${target.issuer ? ", with its IAM OIDC provider" : ""}` };
}

/** A role whose kubeconfig (`aws eks get-token --role-arn`) the program builds for a cluster. */
export interface EksAccessTarget {
    readonly cluster: string;
    readonly region: string;
    /** The cluster's `accessConfig.authenticationMode` as its eks-cluster row found it (absent: CONFIG_MAP, EKS's default). */
    readonly authenticationMode: string | undefined;
    readonly principalArn: string;
    /** What the role does there: `deploys` (pulumi up) or `previews` (pull requests, read-only). */
    readonly does: "deploys" | "previews";
}

/**
 * The role can use the cluster's API: with access entries (authentication mode API or
 * API_AND_CONFIG_MAP), it has one with an access policy or a Kubernetes group; without one it
 * authenticates and is allowed nothing, or is refused (Unauthorized on the first Kubernetes
 * resource, half-way through `pulumi up`). A mapping in the aws-auth ConfigMap is read through the
 * Kubernetes API, which preflight does not reach: such a cluster is said to be not checked. Runs
 * only after its cluster's row passed (a prerequisite), with the mode that row found.
 */
export async function checkEksAccess(eks: EKSClient, target: EksAccessTarget, signal: AbortSignal): Promise<Verdict> {
    const { cluster: clusterName, principalArn } = target;
    const mode = target.authenticationMode ?? "CONFIG_MAP";
    const policy = target.does === "deploys" ? "AmazonEKSClusterAdminPolicy" : "AmazonEKSViewPolicy";
    const associate = (name: string) =>
        `aws eks associate-access-policy --cluster-name ${clusterName} --principal-arn ${principalArn} --region ${target.region} ` +
        `--policy-arn arn:aws:eks::aws:cluster-access-policy/${name} --access-scope type=cluster`;
    const create = `aws eks create-access-entry --cluster-name ${clusterName} --principal-arn ${principalArn} --region ${target.region} && ${associate(policy)}`;
    if (mode === "CONFIG_MAP") {
        return { ok: true, detail: `authentication mode CONFIG_MAP: the role's mapping in the aws-auth ConfigMap is not checked (it needs the Kubernetes API)` };
    }
    let groups: string[];
    try {
        groups = (await eks.send(new DescribeAccessEntryCommand({ clusterName, principalArn }), { abortSignal: signal })).accessEntry?.kubernetesGroups ?? [];
    } catch (err) {
        if (errorName(err) !== "ResourceNotFoundException") throw err;
        if (mode === "API_AND_CONFIG_MAP") {
            return { ok: true, detail: `no access entry; authentication mode API_AND_CONFIG_MAP: a mapping in the aws-auth ConfigMap is not checked (it needs the Kubernetes API)` };
        }
        return {
            ok: false,
            detail: `no access entry for ${principalArn} (authentication mode ${mode}): its kubeconfig would be refused`,
            remedy: `the role ${target.does}; give it access to ${clusterName} (infra-ops): ${create}`,
        };
    }
    const policies = (await eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName, principalArn }), { abortSignal: signal })).associatedAccessPolicies ?? [];
    if (policies.length === 0 && groups.length === 0) {
        return {
            ok: false,
            detail: `access entry for ${principalArn} with no access policy and no Kubernetes group: it authenticates and may do nothing`,
            remedy: `the role ${target.does}; associate an access policy (infra-ops): ${associate(policy)}`,
        };
    }
    const name = (p: (typeof policies)[number]) => `${(p.policyArn ?? "?").split("/").pop()}${p.accessScope?.type === "namespace" ? ` (namespaces ${(p.accessScope.namespaces ?? []).join(", ")})` : ""}`;
    const what = [...policies.map(name), ...groups.map((g) => `group ${g}`)].join(", ");
    // pulumi up creates the namespaces themselves (cluster-wide objects): only cluster-admin at
    // cluster scope allows that among EKS's access policies. What a Kubernetes group may do is in
    // the cluster's RBAC, which preflight does not reach.
    const clusterAdmin = policies.some((p) => p.policyArn?.endsWith("/AmazonEKSClusterAdminPolicy") && p.accessScope?.type !== "namespace");
    if (target.does === "deploys" && !clusterAdmin) {
        if (groups.length > 0) return { ok: true, detail: `access entry with ${what}: what the group's RBAC allows is not checked (it needs the Kubernetes API); pulumi up creates namespaces` };
        return {
            ok: false,
            detail: `access entry with ${what} only: pulumi up creates namespaces, cluster-wide, which takes AmazonEKSClusterAdminPolicy at cluster scope`,
            remedy: `associate it (infra-ops): ${associate("AmazonEKSClusterAdminPolicy")}`,
        };
    }
    return { ok: true, detail: `access entry with ${what}` };
}
