// The prerequisites the checks share, each probed once per run (runner.ts): the caller's AWS
// credentials, each account's role, each AWS API endpoint, each host a check connects to.
// A failed one is the cause of every check that needs it, with the remedy for that cause.
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { DescribeAccountAttributesCommand } from "@aws-sdk/client-ec2";
import { DescribeDBClusterParameterGroupsCommand } from "@aws-sdk/client-rds";
import { ListBucketsCommand } from "@aws-sdk/client-s3";
import * as net from "net";
import type { AccountRole } from "../../stacks/catalogue";
import { AwsAccess, DeployRoleError, httpStatus } from "./awsAccess";
import { awsEndpoint, AwsService, Environment } from "./endpoints";
import { Check, describeError, isTransientError, Prerequisite, Verdict } from "./runner";

/** No credentials could be loaded at all (the SDK's provider chain came up empty). */
export function isMissingCredentials(err: unknown): boolean {
    return err instanceof Error && (err.name === "CredentialsProviderError" || /Could not load credentials/i.test(err.message));
}

const REFUSED_CREDENTIALS = new Set(["InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException", "SignatureDoesNotMatch", "UnrecognizedClientException", "InvalidAccessKeyId"]);

/** The endpoint did not answer at all: refused, unresolvable, reset or silent. An HTTP answer, even an error, is an answer. */
export function isNoAnswer(err: unknown): boolean {
    if (httpStatus(err) !== undefined) return false;
    if (isTransientError(err)) return true;
    const code = (err as { code?: string })?.code;
    if (code === "ENOTFOUND" || (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError"))) return true;
    // The SDK wraps socket errors ("AWS SDK error wrapper for Error: connect ECONNREFUSED …") without their code.
    return err instanceof Error && /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)\b/.test(err.message);
}

export const REMEDY = {
    missingCredentials:
        "no AWS credentials were found for the identity running the checks: set AWS_PROFILE (after `aws sso login`) or " +
        "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or in CI let aws-actions/configure-aws-credentials assume the pipeline's role",
    refusedCredentials: "AWS refused the caller's credentials (expired or wrong): renew them (`aws sso login`, a new session token) and run again",
    noAnswer: (what: string, variable: string) =>
        `nothing answered at ${what}: check the network (proxy, VPN, firewall) or, when ${variable} points at a stand-in, that it runs`,
} as const;

/** Where the SDK sends an API's requests, for people: the override, else AWS's regional endpoint. */
export function endpointLabel(service: AwsService, region: string, env: Environment): string {
    return awsEndpoint(service, env) ?? `https://${service.toLowerCase()}.${region}.amazonaws.com`;
}

/** `host:port` of an endpoint URL: what "this endpoint does not answer" is reported under. */
export function endpointKey(url: string): string {
    const { host, port } = hostAndPort(url);
    return `${host}:${port}`;
}

/** A cheap call per API that any caller may make or be refused: only "no answer at all" fails the probe. */
/** The APIs verify and preflight check resources with (each gets an endpoint prerequisite). */
export type ProbedApi = Extract<AwsService, "S3" | "DYNAMODB" | "RDS" | "EC2">;

const API_PROBES: Record<ProbedApi, (access: AwsAccess, account: AccountRole, region: string, signal: AbortSignal) => Promise<unknown>> = {
    S3: (a, account, region, signal) => a.s3(account, region).send(new ListBucketsCommand({ MaxBuckets: 1 }), { abortSignal: signal }),
    DYNAMODB: (a, _account, _region, signal) => a.dynamodb().send(new ListTablesCommand({ Limit: 1 }), { abortSignal: signal }),
    RDS: (a, _account, _region, signal) => a.rds().send(new DescribeDBClusterParameterGroupsCommand({ MaxRecords: 20 }), { abortSignal: signal }),
    EC2: (a, _account, _region, signal) => a.ec2().send(new DescribeAccountAttributesCommand({ AttributeNames: ["supported-platforms"] }), { abortSignal: signal }),
};

/** The prerequisites of one run, built once so that every check shares the same objects. */
export class Causes {
    private readonly made = new Map<string, Prerequisite>();

    constructor(
        private readonly access: AwsAccess,
        private readonly env: Environment,
    ) {}

    /** The caller's own credentials, asked of STS once (GetCallerIdentity needs no permission). */
    credentials(): Prerequisite {
        const sts = endpointLabel("STS", this.access.stack.region, this.env);
        return this.once({
            id: "credentials",
            check: "credentials",
            target: "caller",
            probe: async (signal): Promise<Verdict> => {
                try {
                    const me = await this.access.callerIdentity(signal);
                    return { ok: true, detail: me ? `caller ${me}` : "caller known to STS" };
                } catch (err) {
                    if (isMissingCredentials(err)) return { ok: false, detail: `no AWS credentials: ${describeError(err)}`, remedy: REMEDY.missingCredentials };
                    if (isNoAnswer(err)) {
                        return {
                            ok: false,
                            detail: `STS did not answer: ${describeError(err)}`,
                            transient: true,
                            remedy: REMEDY.noAnswer(sts, "AWS_ENDPOINT_URL_STS"),
                            causeIs: { check: "endpoint", target: endpointKey(sts) },
                        };
                    }
                    if (err instanceof Error && REFUSED_CREDENTIALS.has(err.name)) return { ok: false, detail: `STS refused the credentials: ${describeError(err)}`, remedy: REMEDY.refusedCredentials };
                    return { ok: false, detail: `cannot identify the caller: ${describeError(err)}`, transient: isTransientError(err) };
                }
            },
        });
    }

    /**
     * A role assumed once with the caller's credentials. The account's deploy role is the
     * `deploy-role` row of preflight and the cause of every row of its account when refused.
     */
    role(account: AccountRole, roleArn: string): Prerequisite {
        const { id, deployRoleArn } = this.access.stack.accounts[account];
        const isDeployRole = roleArn === deployRoleArn;
        const remedy = isDeployRole
            ? `Pulumi deploys to the ${account} account (${id}) through this role: it must exist there and trust the identity ` +
              `running the checks (sts:AssumeRole); if the role has another name, set data-infra:${account === "country" ? "countryDeployRoleArn" : "dataDeployRoleArn"} in the stack file`
            : `the role given with --${account}-role must exist in the ${account} account (${id}) and trust the identity running the checks (sts:AssumeRole)`;
        return this.once({
            id: `role ${roleArn}`,
            check: isDeployRole ? "deploy-role" : "role",
            target: roleArn,
            needs: [this.credentials()],
            probe: async (): Promise<Verdict> => {
                try {
                    const role = await this.access.assume(roleArn, account);
                    return { ok: true, detail: `assumed; ${account} account ${role.accountId}` };
                } catch (err) {
                    if (!(err instanceof DeployRoleError)) throw err;
                    return { ok: false, detail: err.message, transient: err.transient, remedy };
                }
            },
        });
    }

    /** What a check in `account` needs before its first request: credentials, and the role in deploy-roles mode. */
    account(account: AccountRole): Prerequisite {
        return this.access.mode === "ambient" ? this.credentials() : this.role(account, this.access.checkingRole(account));
    }

    /** One AWS API endpoint answers at all (keyed by where requests go, so one dead override is one cause). */
    api(service: ProbedApi, account: AccountRole, region: string): Prerequisite {
        const where = endpointLabel(service, region, this.env);
        const variable = `AWS_ENDPOINT_URL_${service}`;
        return this.once({
            id: `endpoint ${service} ${where}`,
            check: "endpoint",
            target: endpointKey(where),
            needs: [this.account(account)],
            probe: async (signal): Promise<Verdict> => {
                try {
                    await API_PROBES[service](this.access, account, region, signal);
                    return { ok: true, detail: "answers" };
                } catch (err) {
                    if (!isNoAnswer(err)) return { ok: true, detail: `answers (${describeError(err)})` };
                    return { ok: false, detail: `${service} did not answer: ${describeError(err)}`, transient: true, remedy: REMEDY.noAnswer(where, variable) };
                }
            },
        });
    }

    /**
     * What a check of an AWS API in `account` needs: that account's credentials (role), then the
     * endpoint. The endpoint is one prerequisite for every account that uses it, so the account
     * is listed on its own.
     */
    aws(service: ProbedApi, account: AccountRole, region: string): Prerequisite[] {
        return [this.account(account), this.api(service, account, region)];
    }

    /** A host:port a check connects to directly (a service, a database) accepts connections. */
    host(host: string, port: number, variable: string): Prerequisite {
        const where = `${host}:${port}`;
        return this.once({
            id: `host ${where}`,
            check: "endpoint",
            target: where,
            probe: async (signal): Promise<Verdict> => {
                try {
                    await connect(host, port, signal);
                    return { ok: true, detail: "accepts connections" };
                } catch (err) {
                    return { ok: false, detail: `no connection: ${describeError(err)}`, transient: isNoAnswer(err), remedy: REMEDY.noAnswer(where, variable) };
                }
            },
        });
    }

    /** A row that is this prerequisite's own probe (see Check.is). */
    row(p: Prerequisite): Check {
        return { check: p.check, target: p.target, is: p, run: (signal) => p.probe(signal) };
    }

    private once(p: Prerequisite): Prerequisite {
        const existing = this.made.get(p.id);
        if (existing) return existing;
        this.made.set(p.id, p);
        return p;
    }
}

/** Opens and closes one TCP connection; rejects on refusal, on a DNS failure or when `signal` aborts. */
function connect(host: string, port: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        const socket = net.connect({ host, port });
        const stop = (err?: Error) => {
            signal.removeEventListener("abort", onAbort);
            socket.destroy();
            if (err) reject(err);
            else resolve();
        };
        const onAbort = () => stop(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
        signal.addEventListener("abort", onAbort, { once: true });
        socket.once("connect", () => stop());
        socket.once("error", (err) => stop(err));
    });
}

/** host and port of a URL, with the scheme's default port. */
export function hostAndPort(url: string): { host: string; port: number } {
    const u = new URL(url);
    return { host: u.hostname, port: u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80 };
}
