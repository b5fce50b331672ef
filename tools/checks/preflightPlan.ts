// The checks of `npm run preflight`: what `pulumi up` needs and does not create.
import { CountryStack, eksClusterLookedUp } from "../../stacks/config";
import { aurora, barragemSecret, keysetsBucket } from "../../stacks/naming";
import { checkAuroraMajor } from "./auroraChecks";
import type { AwsAccess } from "./awsAccess";
import type { Causes } from "./causes";
import { checkDnsZone } from "./dnsChecks";
import { checkEksAccess, checkEksCluster, EksClusterTarget } from "./eksChecks";
import { checkNodesSecurityGroup, checkVpc, findVpcId } from "./networkChecks";
import type { Check, Prerequisite, RunLimits } from "./runner";
import { checkKeysets, checkSecretsBucket } from "./s3Checks";

/** The values of the CHECK column, in the order they run; `--skip` takes these. */
export const PREFLIGHT_CHECKS = ["deploy-role", "keysets", "secrets-bucket", "vpc", "nodes-sg", "eks-cluster", "eks-access", "dns-zone", "aurora-major"] as const;

export interface PreflightContext {
    readonly stack: CountryStack;
    readonly access: AwsAccess;
    readonly limits: RunLimits;
    readonly causes: Causes;
}

export function preflightChecks({ stack, access, limits, causes }: PreflightContext): Check[] {
    const keysets = keysetsBucket(stack.country, stack.env);
    const secrets = barragemSecret.bucket(stack.country, stack.env);

    // The VPC is looked up once for both rows that need it; a failure is looked up again on retry.
    let vpc: Promise<string> | undefined;
    const lookupVpc = () => {
        if (!vpc) {
            vpc = findVpcId(access.ec2(), stack.vpcName, AbortSignal.timeout(limits.attemptTimeoutMs));
            vpc.catch(() => (vpc = undefined));
        }
        return vpc;
    };

    const s3 = causes.aws("S3", "country", stack.region);
    const ec2 = causes.aws("EC2", "country", stack.region);
    const eks = causes.aws("EKS", "country", stack.region);
    const route53 = causes.aws("ROUTE_53", "country", stack.region);
    // Each cluster's authentication mode, as its row's DescribeCluster found it, for its access rows.
    const modes = new Map<string, string | undefined>();
    const clusters = eksClusters(stack).map((target) => {
        const cluster: Prerequisite = {
            id: `eks-cluster ${target.name}`,
            check: "eks-cluster",
            target: target.name,
            needs: eks,
            probe: (signal) => checkEksCluster(access.eks(), access.iam(), target, signal, (found) => modes.set(target.name, found?.accessConfig?.authenticationMode)),
        };
        return { target, row: { check: cluster.check, target: cluster.target, is: cluster, run: cluster.probe } as Check };
    });
    const rds = causes.aws("RDS", "country", stack.region);
    return [
        // The deploy roles are assumed once: these rows show that assumption, and a refusal is
        // the cause of every row of its account (when the account is checked with that role).
        causes.row(causes.role("country", stack.accounts.country.deployRoleArn)),
        causes.row(causes.role("data", stack.accounts.data.deployRoleArn)),
        { check: "keysets", target: `s3://${keysets}/pub/auth/sign-pem/`, needs: s3, run: (signal) => checkKeysets(access.s3("country", stack.region), keysets, stack.env, signal) },
        { check: "secrets-bucket", target: secrets, needs: s3, run: (signal) => checkSecretsBucket(access.s3("country", stack.region), secrets, barragemSecret.key, signal) },
        { check: "vpc", target: stack.vpcName, needs: ec2, run: () => checkVpc(lookupVpc, stack.vpcName) },
        {
            check: "nodes-sg",
            target: stack.kubernetesNodesSecurityGroupName,
            needs: ec2,
            run: (signal) => checkNodesSecurityGroup(access.ec2(), lookupVpc, stack.vpcName, stack.kubernetesNodesSecurityGroupName, signal),
        },
        // Each cluster's row is a prerequisite of its access rows: a missing cluster is said once.
        ...clusters.map(({ row }) => row),
        // The roles whose kubeconfigs the program builds: the deploy role (pulumi up) and the preview role (pull requests).
        ...clusters
            .filter(({ target }) => target.kubeconfig)
            .flatMap(({ target, row }) =>
                (
                    [
                        ["deploys", stack.accounts.country.deployRoleArn],
                        ["previews", stack.accounts.country.previewRoleArn],
                    ] as const
                ).map(([does, principalArn]): Check => ({
                    check: "eks-access",
                    target: `${target.name} ${principalArn.split("/").pop()}`,
                    needs: [...eks, row.is!],
                    run: (signal) => checkEksAccess(access.eks(), { cluster: target.name, region: target.region, authenticationMode: modes.get(target.name), principalArn, does }, signal),
                })),
            ),
        {
            check: "dns-zone",
            target: stack.dnsZone.id ?? stack.dnsZone.name,
            // A private zone's association with the stack's VPC is checked through the VPC's own lookup.
            needs: stack.dnsZone.private ? [...route53, ...ec2] : route53,
            run: (signal) => checkDnsZone(access.route53(), stack.dnsZone, signal, { name: stack.vpcName, region: stack.region, lookup: lookupVpc }),
        },
        ...stack.prototypes.map((prototype): Check => {
            const clusterId = aurora.clusterId(stack.env, prototype);
            return { check: "aurora-major", target: clusterId, needs: rds, run: (signal) => checkAuroraMajor(access.rds(), clusterId, stack.aurora.engineVersion, stack.aurora.major, signal) };
        }),
    ];
}

/** The EKS clusters the program looks up, once each, with the prototypes built from each. */
export function eksClusters(stack: CountryStack): EksClusterTarget[] {
    const byName = new Map<string, string[]>();
    for (const prototype of stack.prototypes) {
        const name = eksClusterLookedUp(stack.kubernetes[prototype]);
        if (name !== undefined) byName.set(name, [...(byName.get(name) ?? []), prototype]);
    }
    return [...byName].map(([name, prototypes]) => ({
        name,
        prototypes,
        accountId: stack.accounts.country.id,
        region: stack.region,
        kubeconfig: prototypes.some((p) => stack.kubernetes[p].context === undefined),
        issuer: prototypes.some((p) => stack.kubernetes[p].oidcProviderArn === undefined),
    }));
}
