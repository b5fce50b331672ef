// One explicit aws.Provider per (account, region), each assuming that account's deploy role and
// refusing any other account. Created once and handed to every component: nothing in this
// program may land on the ambient default provider (the pulumi-awsx#866 class of bug).
import * as aws from "@pulumi/aws";
import type { AccountRole } from "../stacks/catalogue";
import type { CountryStack } from "../stacks/config";

export class AwsProviders {
    private readonly cache = new Map<string, aws.Provider>();

    constructor(private readonly stack: CountryStack) {}

    /** The provider for an account and region, created on first use. */
    get(account: AccountRole, region: string): aws.Provider {
        const key = `${account}-${region}`;
        let provider = this.cache.get(key);
        if (!provider) {
            const { id, deployRoleArn } = this.stack.accounts[account];
            provider = new aws.Provider(`aws-${key}`, {
                region: region as aws.Region,
                allowedAccountIds: [id],
                assumeRoles: [{ roleArn: deployRoleArn, sessionName: `data-infra-${this.stack.stackName}` }],
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
