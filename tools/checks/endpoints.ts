// Where the checks send their requests. By default the real AWS endpoints, the services'
// canonical DNS names and the Aurora endpoints of the stack outputs; every one of them can be
// pointed at a local stand-in through the environment (docs/verify.md "Running against local
// stand-ins").

export type Environment = Readonly<Record<string, string | undefined>>;

/** The AWS APIs the checks call, by the suffix the SDK uses in `AWS_ENDPOINT_URL_<SERVICE>`. */
export const AWS_SERVICES = ["S3", "DYNAMODB", "RDS", "EC2", "EKS", "STS", "IAM", "ROUTE_53", "SNS", "CLOUDWATCH"] as const;
export type AwsService = (typeof AWS_SERVICES)[number];

/** `AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`, else undefined (the real AWS endpoint). */
export function awsEndpoint(service: AwsService, env: Environment): string | undefined {
    const value = env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL;
    return value ? value : undefined;
}

/** The variable that set the API's endpoint (`AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL`), or the specific one when none did. */
export function awsEndpointVariable(service: AwsService, env: Environment): string {
    return !env[`AWS_ENDPOINT_URL_${service}`] && env.AWS_ENDPOINT_URL ? "AWS_ENDPOINT_URL" : `AWS_ENDPOINT_URL_${service}`;
}

/**
 * Client settings for one AWS API. The SDK reads the same variables by itself; they are passed
 * explicitly so that S3 can switch to path-style addressing, which local S3 servers need
 * (`<bucket>.127.0.0.1` does not resolve).
 */
export function awsClientEndpoint(service: AwsService, env: Environment): { endpoint?: string; forcePathStyle?: boolean } {
    const endpoint = awsEndpoint(service, env);
    if (endpoint === undefined) return {};
    return service === "S3" ? { endpoint, forcePathStyle: true } : { endpoint };
}

/** `VERIFY_SERVICE_URL`: the base URL of a service; `{host}`, `{prototype}` and `{service}` are filled in. */
export const DEFAULT_SERVICE_URL = "https://{host}";

export function serviceBaseUrl(target: { host: string; prototype: string; service: string }, env: Environment): string {
    const template = env.VERIFY_SERVICE_URL || DEFAULT_SERVICE_URL;
    return template
        .replace(/\{host\}/g, target.host)
        .replace(/\{prototype\}/g, target.prototype)
        .replace(/\{service\}/g, target.service)
        .replace(/\/+$/, "");
}

export interface DatabaseAddress {
    readonly host: string;
    readonly port: number;
}

/** `VERIFY_DB_HOST` / `VERIFY_DB_PORT` replace every Aurora endpoint (one local PostgreSQL stands in for all). */
export function databaseAddress(auroraEndpoint: string, defaultPort: number, env: Environment): DatabaseAddress {
    const port = env.VERIFY_DB_PORT ? Number(env.VERIFY_DB_PORT) : defaultPort;
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`VERIFY_DB_PORT must be a TCP port, not ${JSON.stringify(env.VERIFY_DB_PORT)}`);
    return { host: env.VERIFY_DB_HOST || auroraEndpoint, port };
}

export type SslMode = "disable" | "require" | "verify-ca" | "verify-full";
const SSL_MODES: readonly SslMode[] = ["disable", "require", "verify-ca", "verify-full"];

/** libpq's `PGSSLMODE`, defaulting to `require`: Aurora is reached over TLS unless told otherwise. */
export function sslMode(env: Environment): SslMode {
    const mode = env.PGSSLMODE || "require";
    if (mode === "prefer" || mode === "allow") return "require";
    if (!(SSL_MODES as readonly string[]).includes(mode)) throw new Error(`PGSSLMODE must be one of ${SSL_MODES.join(", ")}, not ${JSON.stringify(mode)}`);
    return mode as SslMode;
}

/** The overrides in force, for the header of a run (so nobody mistakes a stand-in run for the real thing). */
export function describeOverrides(env: Environment): string[] {
    const lines: string[] = [];
    for (const service of AWS_SERVICES) {
        const endpoint = awsEndpoint(service, env);
        if (endpoint) lines.push(`${service.toLowerCase()} → ${endpoint}`);
    }
    if (env.VERIFY_SERVICE_URL) lines.push(`services → ${env.VERIFY_SERVICE_URL}`);
    if (env.VERIFY_DB_HOST || env.VERIFY_DB_PORT) lines.push(`databases → ${env.VERIFY_DB_HOST ?? "<aurora endpoint>"}:${env.VERIFY_DB_PORT ?? "5432"}`);
    return lines;
}
