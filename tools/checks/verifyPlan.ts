// The checks of `npm run verify`: one row per bucket, table, cluster, database and service of
// the stack outputs, plus one row saying the outputs are this stack's.
import { PlannedBucket, plannedBuckets, plannedTables } from "../../stacks/catalogue";
import { COUNTRY_WIDE_BUCKETS_OWNER, CountryStack } from "../../stacks/config";
import { aurora, barragemSecret } from "../../stacks/naming";
import { AURORA_PORT } from "../../components/barragemAurora";
import { checkCluster, checkDatabase, pgSsl } from "./auroraChecks";
import type { AwsAccess } from "./awsAccess";
import { Causes, hostAndPort } from "./causes";
import { checkTable } from "./dynamodbChecks";
import { databaseAddress, Environment, serviceBaseUrl, sslMode } from "./endpoints";
import { parseS3Url, StackOutputs } from "./outputs";
import { Check, describeError, isTransientError, RunLimits, Verdict } from "./runner";
import { checkBucket, readBarragemPassword } from "./s3Checks";
import { checkServiceVersion, HEALTH_PATH } from "./serviceChecks";

/** The values of the CHECK column, in the order they run; `--skip` takes these. */
export const VERIFY_CHECKS = ["outputs", "bucket", "table", "aurora", "database", "service"] as const;

export interface VerifyContext {
    readonly outputs: StackOutputs;
    readonly stack: CountryStack;
    readonly access: AwsAccess;
    readonly env: Environment;
    readonly limits: RunLimits;
    /** Shared prerequisites (credentials, roles, endpoints): one cause, reported once. */
    readonly causes: Causes;
}

export function verifyChecks(ctx: VerifyContext): Check[] {
    return [outputsCheck(ctx), ...bucketChecks(ctx), ...tableChecks(ctx), ...auroraChecks(ctx), ...databaseChecks(ctx), ...serviceChecks(ctx)];
}

/** The outputs name what the stack file plans: otherwise every other row checks the wrong things. */
export function outputsDifferences(outputs: StackOutputs, stack: CountryStack): string[] {
    const problems: string[] = [];
    if (outputs.country !== stack.country || outputs.env !== stack.env) {
        problems.push(`outputs are of ${outputs.env}-${outputs.country}, the stack file of ${stack.stackName}`);
    }
    for (const planned of plannedBuckets(stack)) {
        const named = outputs.buckets[planned.role];
        if (named !== planned.name) problems.push(`bucket ${planned.role} is ${named ?? "missing"} in the outputs, ${planned.name} in the stack file`);
    }
    const plannedRoles = new Set(plannedBuckets(stack).map((b) => b.role));
    for (const role of Object.keys(outputs.buckets)) if (!plannedRoles.has(role)) problems.push(`bucket ${role} is in the outputs but not planned`);
    for (const prototype of stack.prototypes) {
        for (const table of plannedTables(stack, prototype)) {
            const named = outputs.tables[prototype]?.[table.table];
            if (named !== table.name) problems.push(`table ${prototype}/${table.table} is ${named ?? "missing"} in the outputs, ${table.name} in the stack file`);
        }
        if (!outputs.auroraEndpoints[prototype]) problems.push(`no Aurora endpoint for prototype ${prototype}`);
    }
    for (const prototype of Object.keys(outputs.tables)) if (!stack.prototypes.includes(prototype)) problems.push(`prototype ${prototype} is in the outputs but not in the stack file`);
    const secretObject = `s3://${barragemSecret.bucket(stack.country, stack.env)}/${barragemSecret.key}`;
    if (outputs.barragemSecretObject !== secretObject) problems.push(`barragemSecretObject is ${outputs.barragemSecretObject}, expected ${secretObject}`);
    return problems;
}

function outputsCheck({ outputs, stack }: VerifyContext): Check {
    return {
        check: "outputs",
        target: stack.stackName,
        run: async () => {
            const problems = outputsDifferences(outputs, stack);
            if (problems.length > 0) {
                return { ok: false, detail: problems.join("; "), remedy: "the outputs are stale or of another stack: run `pulumi up`, then save the outputs again" };
            }
            const tables = Object.values(outputs.tables).reduce((n, t) => n + Object.keys(t).length, 0);
            return { ok: true, detail: `match Pulumi.${stack.stackName}.yaml: ${Object.keys(outputs.buckets).length} buckets, ${tables} tables, ${stack.prototypes.length} prototypes` };
        },
    };
}

function bucketChecks({ outputs, stack, access, causes }: VerifyContext): Check[] {
    const planned = new Map<string, PlannedBucket>(plannedBuckets(stack).map((b) => [b.role, b]));
    const owner = outputs.countryWideBucketsOwner ?? `${COUNTRY_WIDE_BUCKETS_OWNER}-${stack.country}`;
    return Object.entries(outputs.buckets).map(([role, bucket]) => {
        const plan = planned.get(role);
        const whenMissing =
            plan && !plan.ownedByThisStack
                ? `${bucket} exists once per country and is created by the ${owner} stack: deploy ${owner} first`
                : "run `pulumi up` for the stack";
        const account = plan?.account ?? "country";
        const region = plan?.region ?? stack.region;
        return {
            check: "bucket",
            target: bucket,
            needs: causes.aws("S3", account, region),
            run: (signal) => checkBucket(access.s3(account, region), bucket, signal, whenMissing),
        };
    });
}

function tableChecks({ outputs, stack, access, causes }: VerifyContext): Check[] {
    const needs = causes.aws("DYNAMODB", "country", stack.region);
    return Object.values(outputs.tables).flatMap((tables) =>
        Object.values(tables).map((table) => ({ check: "table", target: table, needs, run: (signal: AbortSignal) => checkTable(access.dynamodb(), table, signal) })),
    );
}

function auroraChecks({ outputs, stack, access, causes }: VerifyContext): Check[] {
    const needs = causes.aws("RDS", "country", stack.region);
    return Object.entries(outputs.auroraEndpoints).map(([prototype, endpoint]) => {
        const clusterId = aurora.clusterId(outputs.env, prototype);
        return { check: "aurora", target: clusterId, needs, run: (signal: AbortSignal) => checkCluster(access.rds(), clusterId, endpoint, signal) };
    });
}

function databaseChecks({ outputs, stack, access, env, limits, causes }: VerifyContext): Check[] {
    const { bucket, key } = parseS3Url(outputs.barragemSecretObject);
    // One secret for every prototype's cluster (index.ts): read once, read again only after a failure.
    let password: Promise<string> | undefined;
    const readPassword = (signal: AbortSignal) => {
        if (!password) {
            password = readBarragemPassword(access.s3("country", stack.region), bucket, key, signal);
            password.catch(() => (password = undefined));
        }
        return password;
    };
    const secretsApi = causes.aws("S3", "country", stack.region);
    const hostNeeds = (endpoint: string) => {
        try {
            const { host, port } = databaseAddress(endpoint, AURORA_PORT, env);
            return [causes.host(host, port, "VERIFY_DB_HOST", "database")];
        } catch {
            return []; // a bad VERIFY_DB_PORT is the row's own failure
        }
    };
    return Object.entries(outputs.auroraEndpoints).map(([prototype, endpoint]) => ({
        check: "database",
        target: aurora.clusterId(outputs.env, prototype),
        needs: [...secretsApi, ...hostNeeds(endpoint)],
        run: async (signal: AbortSignal): Promise<Verdict> => {
            let secret: string;
            try {
                secret = await readPassword(signal);
            } catch (err) {
                return {
                    ok: false,
                    detail: `cannot read the password from ${outputs.barragemSecretObject}: ${describeError(err)}`,
                    transient: isTransientError(err),
                    remedy: "the program writes barragem_secret_config.json on `pulumi up`; check the secrets bucket and the deploy role's access to it",
                };
            }
            const address = databaseAddress(endpoint, AURORA_PORT, env);
            return checkDatabase(address, secret, pgSsl(sslMode(env), env.PGSSLROOTCERT), limits.attemptTimeoutMs, signal);
        },
    }));
}

function serviceChecks({ outputs, env, causes }: VerifyContext): Check[] {
    if (outputs.serviceHosts === undefined) {
        return [
            {
                check: "service",
                target: "serviceHosts",
                run: async () => ({
                    ok: false,
                    detail: "the stack outputs have no serviceHosts, so no service can be checked",
                    remedy: "deploy a program version that exports serviceHosts, or pass --skip service knowingly",
                }),
            },
        ];
    }
    return Object.entries(outputs.serviceHosts).flatMap(([prototype, services]) =>
        Object.entries(services).map(([service, host]) => {
            const url = `${serviceBaseUrl({ host, prototype, service }, env)}${HEALTH_PATH}`;
            const at = hostAndPort(url);
            return {
                check: "service",
                target: `${host}${HEALTH_PATH}`,
                needs: [causes.host(at.host, at.port, "VERIFY_SERVICE_URL", "service")],
                run: (signal: AbortSignal) => checkServiceVersion(url, signal),
            };
        }),
    );
}
