// The prerequisites the checks share, each probed once per run (runner.ts): the caller's AWS
// credentials, each account's role, each AWS API endpoint, each host a check connects to.
// A failed one is the cause of every check that needs it, with the remedy for that cause.
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { DescribeAccountAttributesCommand } from "@aws-sdk/client-ec2";
import { ListClustersCommand } from "@aws-sdk/client-eks";
import { DescribeDBClusterParameterGroupsCommand } from "@aws-sdk/client-rds";
import { ListHostedZonesByNameCommand } from "@aws-sdk/client-route-53";
import { ListBucketsCommand } from "@aws-sdk/client-s3";
import * as net from "net";
import type { AccountRole } from "../../stacks/catalogue";
import { AwsAccess, DeployRoleError, httpStatus } from "./awsAccess";
import { awsEndpoint, awsEndpointVariable, AwsService, Environment } from "./endpoints";
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

/**
 * The name did not resolve. Not worth a retry: NXDOMAIN (ENOTFOUND) is an answer, and a resolver
 * that cannot be reached (EAI_AGAIN) does not come back within the seconds a probe may wait.
 */
export function isDnsFailure(err: unknown): boolean {
    // Duck-typed, not `instanceof Error`: socket errors may come from another realm (jest's sandbox).
    for (let e: unknown = err, depth = 0; depth < 4 && typeof e === "object" && e !== null; depth += 1, e = (e as { cause?: unknown }).cause) {
        const { code, message } = e as { code?: unknown; message?: unknown };
        if (code === "ENOTFOUND" || code === "EAI_AGAIN" || (typeof message === "string" && /\b(ENOTFOUND|EAI_AGAIN)\b/.test(message))) return true;
    }
    return false;
}

/** What a directly connected host is, for the cause and for `--skip`: the check that needs it. */
export type HostKind = "service" | "database";

export const REMEDY = {
    missingCredentials:
        "no AWS credentials were found for the identity running the checks: set AWS_PROFILE (after `aws sso login`) or " +
        "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or in CI let aws-actions/configure-aws-credentials assume the pipeline's role",
    refusedCredentials: "AWS refused the caller's credentials (expired or wrong): renew them (`aws sso login`, a new session token) and run again",
    noAnswer: (what: string, variable: string) =>
        `nothing answered at ${what}: check the network (proxy, VPN, firewall) or, when ${variable} points at a stand-in, that it runs`,
    unresolved: (kinds: readonly HostKind[]) =>
        `run from a host in the VPC (docs/verify.md "Where it runs"), or --skip ${[...new Set(kinds)].join(",")}`,
} as const;

/** The APIs with one global endpoint instead of one per region. */
const GLOBAL_ENDPOINTS: Partial<Record<AwsService, string>> = { ROUTE_53: "https://route53.amazonaws.com", IAM: "https://iam.amazonaws.com" };

/** Where the SDK sends an API's requests, for people: the override, else AWS's (regional) endpoint. */
export function endpointLabel(service: AwsService, region: string, env: Environment): string {
    return awsEndpoint(service, env) ?? GLOBAL_ENDPOINTS[service] ?? `https://${service.toLowerCase()}.${region}.amazonaws.com`;
}

/** `host:port` of an endpoint URL: what "this endpoint does not answer" is reported under. */
export function endpointKey(url: string): string {
    const { host, port } = hostAndPort(url);
    return `${host}:${port}`;
}

/** A cheap call per API that any caller may make or be refused: only "no answer at all" fails the probe. */
/** The APIs verify and preflight check resources with (each gets an endpoint prerequisite). */
export type ProbedApi = Extract<AwsService, "S3" | "DYNAMODB" | "RDS" | "EC2" | "EKS" | "ROUTE_53">;

const API_PROBES: Record<ProbedApi, (access: AwsAccess, account: AccountRole, region: string, signal: AbortSignal) => Promise<unknown>> = {
    S3: (a, account, region, signal) => a.s3(account, region).send(new ListBucketsCommand({ MaxBuckets: 1 }), { abortSignal: signal }),
    DYNAMODB: (a, _account, _region, signal) => a.dynamodb().send(new ListTablesCommand({ Limit: 1 }), { abortSignal: signal }),
    RDS: (a, _account, _region, signal) => a.rds().send(new DescribeDBClusterParameterGroupsCommand({ MaxRecords: 20 }), { abortSignal: signal }),
    EC2: (a, _account, _region, signal) => a.ec2().send(new DescribeAccountAttributesCommand({ AttributeNames: ["supported-platforms"] }), { abortSignal: signal }),
    EKS: (a, _account, _region, signal) => a.eks().send(new ListClustersCommand({ maxResults: 1 }), { abortSignal: signal }),
    ROUTE_53: (a, _account, _region, signal) => a.route53().send(new ListHostedZonesByNameCommand({ MaxItems: 1 }), { abortSignal: signal }),
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
                            transient: !isDnsFailure(err),
                            remedy: REMEDY.noAnswer(sts, awsEndpointVariable("STS", this.env)),
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
        const variable = awsEndpointVariable(service, this.env);
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
                    return { ok: false, detail: `${service} did not answer: ${describeError(err)}`, transient: !isDnsFailure(err), remedy: REMEDY.noAnswer(where, variable) };
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

    /**
     * A host:port a check connects to directly (a service, a database) accepts connections.
     * Hosts that fail the same way are one cause: every name that does not resolve (run from
     * outside the VPC, where the private zone is not served) folds into one `dns` cause, and
     * hosts of one kind refusing or ignoring connections fold into the first of them.
     */
    host(host: string, port: number, variable: string, kind: HostKind): Prerequisite {
        const where = `${host}:${port}`;
        return this.once({
            id: `host ${where}`,
            check: "endpoint",
            target: where,
            kind,
            probe: async (signal): Promise<Verdict> => {
                try {
                    await connect(host, port, signal);
                    return { ok: true, detail: "accepts connections" };
                } catch (err) {
                    if (isDnsFailure(err)) {
                        return {
                            ok: false,
                            detail: `${host} does not resolve from here: ${describeError(err)}`,
                            remedy: REMEDY.unresolved([kind]),
                            causeIs: { check: "dns", target: UNRESOLVED, summary: unresolvedSummary },
                        };
                    }
                    return {
                        ok: false,
                        detail: `no connection: ${describeError(err)}`,
                        transient: isNoAnswer(err),
                        remedy: REMEDY.noAnswer(where, variable),
                        foldKey: `${kind} ${errorCode(err)}`,
                    };
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

/** The target of the one cause every unresolvable host folds into. */
export const UNRESOLVED = "host names";

/** `12 hosts do not resolve from here: service 11 under nu.com.co, database 1 under …`, and the remedy for all of them. */
function unresolvedSummary(members: readonly { target: string; kind?: string }[], first: string): { detail: string; remedy: string } {
    const groups = new Map<string, number>();
    for (const m of members) {
        const host = m.target.replace(/:\d+$/, "");
        const domain = host.includes(".") ? host.slice(host.indexOf(".") + 1) : host;
        const key = `${m.kind ?? "endpoint"} ${domain}`;
        groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    const parts = [...groups].map(([key, n]) => {
        const [kind, domain] = key.split(" ");
        return `${n} ${kind} host${n === 1 ? "" : "s"} under ${domain}`;
    });
    const kinds = members.map((m) => m.kind).filter((k): k is HostKind => k === "service" || k === "database");
    return {
        detail: `${parts.join(", ")} ${members.length === 1 ? "does" : "do"} not resolve from here (first: ${first})`,
        remedy: REMEDY.unresolved(kinds.length > 0 ? kinds : ["service"]),
    };
}

/** The socket error's code (`ECONNREFUSED`), for telling failures of the same kind apart. */
function errorCode(err: unknown): string {
    const code = (err as { code?: unknown })?.code;
    if (typeof code === "string" && code) return code;
    const match = err instanceof Error ? /\b(E[A-Z_]{3,})\b/.exec(err.message) : null;
    return match ? match[1] : err instanceof Error ? err.name : "error";
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
