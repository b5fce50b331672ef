// The EKS clusters the program builds each prototype's Kubernetes provider from, and whose OIDC
// issuer its service roles trust (components/kubernetesProviders.ts). The program looks them up
// and never creates them: a missing or unfinished cluster fails the first `pulumi up` half-way.
import { DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
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
export async function checkEksCluster(eks: EKSClient, iam: IAMClient, target: EksClusterTarget, signal: AbortSignal): Promise<Verdict> {
    const where = `in account ${target.accountId}, ${target.region}`;
    const keys = target.prototypes.map((p) => `data-infra:kubernetesClusters.${p}.eksClusterName`).join(" / ");
    let cluster;
    try {
        cluster = (await eks.send(new DescribeClusterCommand({ name: target.name }), { abortSignal: signal })).cluster;
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
