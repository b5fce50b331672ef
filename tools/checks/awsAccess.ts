// AWS clients for the checks, per (account, region), with the credentials the program itself
// deploys with: each account's deploy role (components/awsProviders.ts), assumed once per run,
// or another role per account (a read-only one) when given. `ambient` uses the caller's own
// credentials for everything (local stand-ins, break-glass).
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EC2Client } from "@aws-sdk/client-ec2";
import { EKSClient } from "@aws-sdk/client-eks";
import { IAMClient } from "@aws-sdk/client-iam";
import { RDSClient } from "@aws-sdk/client-rds";
import { Route53Client } from "@aws-sdk/client-route-53";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AccountRole } from "../../stacks/catalogue";
import type { CountryStack } from "../../stacks/config";
import { awsClientEndpoint, AwsService, Environment } from "./endpoints";
import { describeError, isTransientError } from "./runner";

export const CREDENTIALS_MODES = ["deploy-roles", "ambient"] as const;
export type CredentialsMode = (typeof CREDENTIALS_MODES)[number];

export interface TemporaryCredentials {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
    readonly expiration?: Date;
}

export interface AssumedRole {
    readonly roleArn: string;
    /** The account the role turned out to be in (from the assumed-role ARN). */
    readonly accountId: string;
    readonly credentials: TemporaryCredentials;
}

/** Roles to check with instead of the deploy roles, per account (e.g. read-only roles of the pipeline). */
export type RoleOverrides = Partial<Record<AccountRole, string>>;

/** A role could not be assumed, or is not in the account the stack names. */
export class DeployRoleError extends Error {
    constructor(message: string, readonly transient: boolean) {
        super(message);
        this.name = "DeployRoleError";
    }
}

type Client = S3Client | DynamoDBClient | RDSClient | EC2Client | EKSClient | STSClient | IAMClient | Route53Client | SNSClient | CloudWatchClient;

export class AwsAccess {
    private readonly clients = new Map<string, Client>();
    private readonly assumed = new Map<string, Promise<AssumedRole>>();

    constructor(
        readonly stack: CountryStack,
        readonly mode: CredentialsMode,
        private readonly env: Environment,
        /** Socket-level bound of one request; the runner's attempt timeout bounds the whole call. */
        private readonly requestTimeoutMs: number,
        private readonly overrides: RoleOverrides = {},
        private readonly sessionName = `data-infra-checks-${stack.stackName}`,
    ) {}

    /** The role whose credentials check the account's resources in `deploy-roles` mode. */
    checkingRole(account: AccountRole): string {
        return this.overrides[account] ?? this.stack.accounts[account].deployRoleArn;
    }

    s3(account: AccountRole, region: string): S3Client {
        // Buckets answer from their own region; follow S3's redirect when a name's region is not the one expected.
        return this.client("S3", account, region, (config) => new S3Client({ ...config, followRegionRedirects: true }));
    }

    /** Tables live in the country account, in the stack's region. */
    dynamodb(): DynamoDBClient {
        return this.client("DYNAMODB", "country", this.stack.region, (config) => new DynamoDBClient(config));
    }

    /** Aurora clusters: country account, stack region. */
    rds(): RDSClient {
        return this.client("RDS", "country", this.stack.region, (config) => new RDSClient(config));
    }

    /** The VPC and the Kubernetes nodes' security group: country account, stack region. */
    ec2(): EC2Client {
        return this.client("EC2", "country", this.stack.region, (config) => new EC2Client(config));
    }

    /** The EKS clusters the Kubernetes providers are built from: country account, stack region (components/kubernetesProviders.ts). */
    eks(): EKSClient {
        return this.client("EKS", "country", this.stack.region, (config) => new EKSClient(config));
    }

    /** IAM is global; its API answers in us-east-1 (roles of the country account: `npm run adopt`). */
    iam(): IAMClient {
        return this.client("IAM", "country", "us-east-1", (config) => new IAMClient(config));
    }

    /** Route53 is global too (the country's hosted zone and its canonical records). */
    route53(): Route53Client {
        return this.client("ROUTE_53", "country", "us-east-1", (config) => new Route53Client(config));
    }

    /** The alert topic: country account, stack region. */
    sns(): SNSClient {
        return this.client("SNS", "country", this.stack.region, (config) => new SNSClient(config));
    }

    /** The alarms: country account, stack region. */
    cloudwatch(): CloudWatchClient {
        return this.client("CLOUDWATCH", "country", this.stack.region, (config) => new CloudWatchClient(config));
    }

    /** The caller's own identity (ARN) from STS: proves there are credentials and that AWS takes them. */
    async callerIdentity(signal: AbortSignal): Promise<string | undefined> {
        const sts = this.client("STS", "ambient", this.stack.region, (config) => new STSClient(config));
        const answer = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal });
        return answer?.Arn;
    }

    /** Assumes the account's deploy role (what preflight's deploy-role rows check). */
    assumeDeployRole(account: AccountRole): Promise<AssumedRole> {
        return this.assume(this.stack.accounts[account].deployRoleArn, account);
    }

    /**
     * Assumes a role with the caller's own credentials, once per run (a failure is forgotten so
     * that a retry tries again), and refuses a role outside the account the stack names, the
     * way the program's providers do (`allowedAccountIds`).
     */
    assume(roleArn: string, account: AccountRole): Promise<AssumedRole> {
        let pending = this.assumed.get(roleArn);
        if (!pending) {
            pending = this.doAssume(roleArn, account);
            pending.catch(() => this.assumed.delete(roleArn));
            this.assumed.set(roleArn, pending);
        }
        return pending;
    }

    destroy(): void {
        for (const client of this.clients.values()) client.destroy();
        this.clients.clear();
    }

    private async doAssume(roleArn: string, account: AccountRole): Promise<AssumedRole> {
        const { id } = this.stack.accounts[account];
        const sts = this.client("STS", "ambient", this.stack.region, (config) => new STSClient(config));
        let answer;
        try {
            answer = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: this.sessionName, DurationSeconds: 900 }));
        } catch (err) {
            throw new DeployRoleError(`cannot assume ${roleArn}: ${describeError(err)}`, isTransientError(err));
        }
        const c = answer.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new DeployRoleError(`assuming ${roleArn} returned no credentials`, false);
        const assumedArn = answer.AssumedRoleUser?.Arn ?? "";
        const accountId = assumedArn.split(":")[4] ?? "";
        if (accountId !== id) {
            throw new DeployRoleError(`${roleArn} resolved to account ${accountId || "<unknown>"}, but the stack's ${account} account is ${id}`, false);
        }
        return {
            roleArn,
            accountId,
            credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration },
        };
    }

    private client<T extends Client>(
        service: AwsService,
        account: AccountRole | "ambient",
        region: string,
        make: (config: ClientSettings) => T,
    ): T {
        const key = `${service}/${account}/${region}`;
        let client = this.clients.get(key) as T | undefined;
        if (!client) {
            const credentials =
                account === "ambient" || this.mode === "ambient"
                    ? {}
                    : { credentials: async () => (await this.assume(this.checkingRole(account), account)).credentials };
            client = make({
                region,
                ...awsClientEndpoint(service, this.env),
                ...credentials,
                // The runner retries what is worth retrying; one SDK retry covers a dropped connection.
                maxAttempts: 2,
                requestHandler: { requestTimeout: this.requestTimeoutMs, connectionTimeout: this.requestTimeoutMs },
            });
            this.clients.set(key, client);
        }
        return client;
    }
}

interface ClientSettings {
    region: string;
    endpoint?: string;
    forcePathStyle?: boolean;
    credentials?: () => Promise<TemporaryCredentials>;
    maxAttempts: number;
    requestHandler: { requestTimeout: number; connectionTimeout: number };
}

/** The HTTP status of an SDK error, when it has one. */
export function httpStatus(err: unknown): number | undefined {
    return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/** An SDK error's name (`NoSuchBucket`, `ResourceNotFoundException`, …). */
export function errorName(err: unknown): string | undefined {
    return err instanceof Error ? err.name : undefined;
}
