// The checks of `npm run preflight`: what `pulumi up` needs and does not create.
import type { AccountRole } from "../../stacks/catalogue";
import type { CountryStack } from "../../stacks/config";
import { barragemSecret, keysetsBucket } from "../../stacks/naming";
import { AwsAccess, DeployRoleError } from "./awsAccess";
import { checkNodesSecurityGroup, checkVpc, findVpcId } from "./networkChecks";
import type { Check, RunLimits, Verdict } from "./runner";
import { checkKeysets, checkSecretsBucket } from "./s3Checks";

/** The values of the CHECK column, in the order they run; `--skip` takes these. */
export const PREFLIGHT_CHECKS = ["deploy-role", "keysets", "secrets-bucket", "vpc", "nodes-sg"] as const;

export interface PreflightContext {
    readonly stack: CountryStack;
    readonly access: AwsAccess;
    readonly limits: RunLimits;
}

export function preflightChecks({ stack, access, limits }: PreflightContext): Check[] {
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

    return [
        deployRoleCheck(stack, access, "country"),
        deployRoleCheck(stack, access, "data"),
        { check: "keysets", target: `s3://${keysets}/pub/auth/sign-pem/`, run: (signal) => checkKeysets(access.s3("country", stack.region), keysets, stack.env, signal) },
        { check: "secrets-bucket", target: secrets, run: (signal) => checkSecretsBucket(access.s3("country", stack.region), secrets, barragemSecret.key, signal) },
        { check: "vpc", target: stack.vpcName, run: () => checkVpc(lookupVpc, stack.vpcName) },
        {
            check: "nodes-sg",
            target: stack.kubernetesNodesSecurityGroupName,
            run: (signal) => checkNodesSecurityGroup(access.ec2(), lookupVpc, stack.vpcName, stack.kubernetesNodesSecurityGroupName, signal),
        },
    ];
}

function deployRoleCheck(stack: CountryStack, access: AwsAccess, account: AccountRole): Check {
    const { id, deployRoleArn } = stack.accounts[account];
    const key = account === "country" ? "countryDeployRoleArn" : "dataDeployRoleArn";
    return {
        check: "deploy-role",
        target: deployRoleArn,
        run: async (): Promise<Verdict> => {
            try {
                const role = await access.assumeDeployRole(account);
                return { ok: true, detail: `assumed; ${account} account ${role.accountId}` };
            } catch (err) {
                if (!(err instanceof DeployRoleError)) throw err;
                return {
                    ok: false,
                    detail: err.message,
                    transient: err.transient,
                    remedy:
                        `Pulumi deploys to the ${account} account (${id}) through this role: it must exist there and trust the identity ` +
                        `running the pipeline (sts:AssumeRole); if the role has another name, set data-infra:${key} in the stack file`,
                };
            }
        },
    };
}
