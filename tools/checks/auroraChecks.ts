// Barragem's Aurora, per prototype (runbook "Spin AuroraDB"): the cluster is `available`, and
// PostgreSQL accepts the master password the program wrote to the secrets bucket.
import * as fs from "fs";
import { DescribeDBClustersCommand, RDSClient } from "@aws-sdk/client-rds";
import { Client, ClientConfig } from "pg";
import { errorName } from "./awsAccess";
import type { DatabaseAddress, SslMode } from "./endpoints";
import type { Verdict } from "./runner";

/** Master user and database the program creates (components/barragemAurora.ts). */
export const AURORA_MASTER_USER = "postgres";
export const AURORA_DATABASE = "postgres";

/** Cluster states that end by themselves; anything else but `available` needs a person. */
const SETTLING = new Set(["creating", "backing-up", "modifying", "upgrading", "starting", "rebooting", "resetting-master-credentials", "renaming", "maintenance"]);

export async function checkCluster(rds: RDSClient, clusterId: string, expectedEndpoint: string | undefined, signal: AbortSignal): Promise<Verdict> {
    let status: string | undefined;
    let endpoint: string | undefined;
    try {
        const answer = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: clusterId }), { abortSignal: signal });
        status = answer.DBClusters?.[0]?.Status;
        endpoint = answer.DBClusters?.[0]?.Endpoint;
    } catch (err) {
        if (errorName(err) === "DBClusterNotFoundFault") return { ok: false, detail: `no cluster ${clusterId}`, remedy: "run `pulumi up` for the stack" };
        throw err;
    }
    if (status !== "available") return { ok: false, detail: `status is ${status ?? "unknown"}, expected available`, transient: SETTLING.has(status ?? "") };
    if (expectedEndpoint !== undefined && endpoint !== undefined && endpoint !== expectedEndpoint) {
        return { ok: false, detail: `available, but its endpoint is ${endpoint} while the stack outputs say ${expectedEndpoint}` };
    }
    return { ok: true, detail: `available at ${endpoint ?? expectedEndpoint ?? "?"}` };
}

/** node-postgres TLS settings for a libpq-style mode; `PGSSLROOTCERT` names the CA bundle for the verify modes. */
export function pgSsl(mode: SslMode, rootCertFile: string | undefined): ClientConfig["ssl"] {
    if (mode === "disable") return false;
    if (mode === "require") return { rejectUnauthorized: false };
    const ca = rootCertFile ? fs.readFileSync(rootCertFile, "utf8") : undefined;
    return mode === "verify-ca" ? { rejectUnauthorized: true, ca, checkServerIdentity: () => undefined } : { rejectUnauthorized: true, ca };
}

/** PostgreSQL codes for "the server refused these credentials". */
const REFUSED = new Set(["28P01", "28000"]);

/** Connects as the master user with the secret's password and runs `SELECT 1`. */
export async function checkDatabase(
    address: DatabaseAddress,
    password: string,
    ssl: ClientConfig["ssl"],
    timeoutMs: number,
    signal: AbortSignal,
): Promise<Verdict> {
    const where = `${AURORA_MASTER_USER}@${address.host}:${address.port}/${AURORA_DATABASE}`;
    const client = new Client({
        host: address.host,
        port: address.port,
        user: AURORA_MASTER_USER,
        database: AURORA_DATABASE,
        password,
        ssl,
        connectionTimeoutMillis: timeoutMs,
        query_timeout: timeoutMs,
        statement_timeout: timeoutMs,
        application_name: "data-infra-verify",
    });
    // Connection errors after connect() are reported through the promise; this only keeps them from crashing the run.
    client.on("error", () => undefined);
    const stop = () => void client.end().catch(() => undefined);
    signal.addEventListener("abort", stop, { once: true });
    try {
        await client.connect();
        const answer = await client.query<{ ok: number }>("SELECT 1 AS ok");
        if (answer.rows[0]?.ok !== 1) return { ok: false, detail: `SELECT 1 answered ${JSON.stringify(answer.rows)} as ${where}` };
        return { ok: true, detail: `SELECT 1 answered as ${where}` };
    } catch (err) {
        const code = (err as { code?: string }).code;
        if (code && REFUSED.has(code)) {
            return {
                ok: false,
                detail: `the database refused the password from the secret object as ${where}: ${(err as Error).message} (${code})`,
                remedy: "the cluster's master password and barragem_secret_config.json disagree: run `pulumi up` so both take the program's password",
            };
        }
        throw err;
    } finally {
        signal.removeEventListener("abort", stop);
        stop();
    }
}

/** Where a major upgrade is described: the program never makes one (`allowMajorVersionUpgrade: false`). */
export const MAJOR_UPGRADE_DOC = 'docs/services.md "Aurora versions: AWS upgrades minors, config picks majors"';

/**
 * A cluster the program would adopt (docs/adopt.md) runs the config's major. The program ignores
 * `engineVersion` changes on an existing cluster, but its parameter groups follow the config's
 * major (`aurora-postgresql<major>`), which RDS refuses on a cluster of another one: `pulumi up`
 * would fail on that cluster half-way through the stack. A cluster not there yet will be created
 * at the configured version.
 */
export async function checkAuroraMajor(rds: RDSClient, clusterId: string, engineVersion: string, major: number, signal: AbortSignal): Promise<Verdict> {
    let version: string | undefined;
    try {
        const answer = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: clusterId }), { abortSignal: signal });
        version = answer.DBClusters?.[0]?.EngineVersion;
    } catch (err) {
        if (errorName(err) === "DBClusterNotFoundFault") return { ok: true, detail: `no cluster yet: will be created at ${engineVersion}` };
        throw err;
    }
    if (version === undefined) return { ok: false, detail: `cannot tell the engine version of ${clusterId}: DescribeDBClusters gave none` };
    const found = Number(version.split(".")[0]);
    if (!Number.isInteger(found)) return { ok: false, detail: `cannot tell the major version of ${clusterId} from its engine version "${version}"` };
    // Right major, but a cluster the stack does not hold yet makes the first `pulumi up` fail
    // (DBClusterAlreadyExistsFault): the row says so, without failing (adopted, it is the stack's own).
    if (found === major) {
        return {
            ok: true,
            detail: `exists at ${version}, major ${major} as configured (${engineVersion}); unless this stack already manages it, adopt it first (npm run adopt, docs/adopt.md), or the first pulumi up fails creating it`,
        };
    }
    const remedy =
        found < major
            ? `data-infra:auroraEngineVersion (${engineVersion}) was raised before the clusters were upgraded: upgrade every prototype's cluster to major ${major} first (${MAJOR_UPGRADE_DOC}, step 1), or set auroraEngineVersion back to ${version}`
            : `the cluster is newer than the config: set data-infra:auroraEngineVersion to ${version} (${MAJOR_UPGRADE_DOC})`;
    return { ok: false, detail: `exists at ${version} (major ${found}), but data-infra:auroraEngineVersion is ${engineVersion} (major ${major})`, remedy };
}
