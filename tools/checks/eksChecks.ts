// The EKS clusters the program builds each prototype's Kubernetes provider from, and whose OIDC
// issuer its service roles trust (components/kubernetesProviders.ts). The program looks them up
// and never creates them: a missing or unfinished cluster fails the first `pulumi up` half-way.
import { DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { errorName } from "./awsAccess";
import type { Verdict } from "./runner";

/** States that end by themselves; FAILED and DELETING need a person. */
const SETTLING = new Set(["CREATING", "UPDATING", "PENDING"]);

export interface EksClusterTarget {
    readonly name: string;
    /** The prototypes whose provider is built from it (usually one). */
    readonly prototypes: readonly string[];
    /** Where it must be: the country account and the stack's region. */
    readonly accountId: string;
    readonly region: string;
}

export async function checkEksCluster(eks: EKSClient, target: EksClusterTarget, signal: AbortSignal): Promise<Verdict> {
    const where = `in account ${target.accountId}, ${target.region}`;
    const keys = target.prototypes.map((p) => `data-infra:kubernetesClusters.${p}.eksClusterName`).join(" / ");
    let status: string | undefined;
    try {
        const answer = await eks.send(new DescribeClusterCommand({ name: target.name }), { abortSignal: signal });
        status = answer.cluster?.status;
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
    if (status === "ACTIVE") return { ok: true, detail: `ACTIVE ${where}` };
    return {
        ok: false,
        detail: `status is ${status ?? "unknown"}, expected ACTIVE`,
        transient: SETTLING.has(status ?? ""),
        remedy: SETTLING.has(status ?? "")
            ? `wait until ${target.name} is ACTIVE (aws eks describe-cluster --name ${target.name} --region ${target.region}), then run preflight again`
            : `${target.name} is ${status ?? "in an unknown state"}: it cannot serve the Kubernetes providers; infra-ops must repair or recreate it`,
    };
}
