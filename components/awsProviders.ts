// One explicit aws.Provider per (account, region), each assuming that account's role for this run
// and refusing any other account. Created once and handed to every component: nothing in this
// program may land on the ambient default provider (the pulumi-awsx#866 class of bug).
// The role is the account's deploy role, or its read-only preview role when the run is a preview
// (DATA_INFRA_ROLE=preview, read in stacks/read.ts): a pull request's code never holds deploy rights.
import * as aws from "@pulumi/aws";
import type { AccountRole } from "../stacks/catalogue";
import type { AccountConfig, CountryStack } from "../stacks/config";
import type { RunRole } from "../stacks/read";

/** The role a run assumes in an account (config `<account>DeployRoleArn` / `<account>PreviewRoleArn`). */
export function runRoleArn(account: AccountConfig, role: RunRole): string {
    return role === "preview" ? account.previewRoleArn : account.deployRoleArn;
}

export class AwsProviders {
    private readonly cache = new Map<string, aws.Provider>();

    constructor(
        private readonly stack: CountryStack,
        readonly role: RunRole = "deploy",
    ) {}

    /** The role ARN this run assumes in an account (the Kubernetes providers' `aws eks get-token --role-arn` uses the country's). */
    roleArn(account: AccountRole): string {
        return runRoleArn(this.stack.accounts[account], this.role);
    }

    /** The provider for an account and region, created on first use. */
    get(account: AccountRole, region: string): aws.Provider {
        const key = `${account}-${region}`;
        let provider = this.cache.get(key);
        if (!provider) {
            provider = new aws.Provider(`aws-${key}`, {
                region: region as aws.Region,
                allowedAccountIds: [this.stack.accounts[account].id],
                assumeRoles: [{ roleArn: this.roleArn(account), sessionName: `data-infra-${this.stack.stackName}` }],
                defaultTags: {
                    tags: {
                        country: this.stack.country,
                        env: this.stack.env,
                        "managed-by": "pulumi/data-infra",
                        "pulumi-stack": this.stack.stackName,
                    },
                },
            });
            this.cache.set(key, provider);
        }
        return provider;
    }

    /** The country account in the region of its services (tables, Aurora, IAM, Route53). */
    country(): aws.Provider {
        return this.get("country", this.stack.region);
    }
}
