// `npm run verify` against real local servers: s3rver (S3), dynalite (DynamoDB), a PostgreSQL
// started for the test, HTTP servers standing in for the services; aws-sdk-client-mock only
// for the calls no local server implements (test/support/awsMocks.ts). Nothing leaves loopback.
import * as fs from "fs";
import * as path from "path";
import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { aurora } from "../stacks/naming";
import type { Report } from "../tools/checks/report";
import type { CheckResult } from "../tools/checks/runner";
import { verify } from "../tools/verify";
import { AwsMocks } from "./support/awsMocks";
import { LocalServer, startDynamoServer, startS3Server } from "./support/awsServers";
import { LocalPostgres, startPostgres } from "./support/postgres";
import { ServiceStandIns } from "./support/serviceStandIns";
import { adminDynamo, adminS3, deployHealthyStack, RUNBOOK_BLOCK_AS_S3, STACK, StackFixture, stackFixture, writeBarragemSecret } from "./support/stackWorld";
import { captureIo, useTestEnvironment } from "./support/testEnv";

jest.setTimeout(60_000);

const PASSWORD = "verify-Secret-42!";

let s3Server: LocalServer;
let dynamoServer: LocalServer;
let postgres: LocalPostgres | undefined;
let services: ServiceStandIns;
let mocks: AwsMocks;
let fixture: StackFixture;
let s3: S3Client;
let dynamodb: DynamoDBClient;
let restoreEnv: () => void = () => undefined;

beforeAll(async () => {
    // One at a time, each assigned as soon as it runs, so that afterAll stops whatever started.
    s3Server = await startS3Server();
    dynamoServer = await startDynamoServer();
    services = new ServiceStandIns();
    await services.start();
    fixture = await stackFixture(STACK);
    // Without the npm PostgreSQL binaries this throws, naming the package, and every test here fails.
    postgres = await startPostgres(PASSWORD);
    restoreEnv = useTestEnvironment({
        AWS_ENDPOINT_URL_S3: s3Server.endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: dynamoServer.endpoint,
        VERIFY_SERVICE_URL: services.urlTemplate,
        VERIFY_DB_HOST: postgres.host,
        VERIFY_DB_PORT: String(postgres.port),
        PGSSLMODE: "disable",
    });
    mocks = new AwsMocks();
    mocks.install();
    s3 = adminS3(s3Server.endpoint);
    dynamodb = adminDynamo(dynamoServer.endpoint);
}, 120_000);

afterAll(async () => {
    restoreEnv();
    mocks?.restore();
    s3?.destroy();
    dynamodb?.destroy();
    postgres?.stop();
    await Promise.all([s3Server?.close(), dynamoServer?.close(), services?.stop()]);
    if (fixture) fs.rmSync(fixture.dir, { recursive: true, force: true });
}, 60_000);

beforeEach(async () => {
    services.reset();
    await deployHealthyStack(fixture, { s3, dynamodb }, mocks, PASSWORD);
});

/** Quick bounds so that failing cases end fast; generous enough for a loaded CI machine. */
const FAST = ["--timeout", "3", "--attempts", "2", "--backoff", "0.05"];

async function runVerify(...extra: string[]) {
    const captured = captureIo();
    const code = await verify(["--stack", STACK, "--outputs", fixture.outputsFile, ...FAST, ...extra], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

async function runVerifyJson(...extra: string[]) {
    const run = await runVerify("--json", ...extra);
    return { ...run, report: JSON.parse(run.stdout) as Report };
}

function failures(report: Report): CheckResult[] {
    return report.results.filter((r) => !r.ok);
}

function row(report: Report, check: string, target: string): CheckResult {
    const found = report.results.find((r) => r.check === check && r.target === target);
    if (!found) throw new Error(`no ${check} row for ${target}; rows: ${report.results.map((r) => `${r.check} ${r.target}`).join(", ")}`);
    return found;
}

describe("verify against local servers", () => {
    test("a healthy stack passes every bucket, table, cluster, database and service, and exits 0", async () => {
        const { code, report } = await runVerifyJson();

        expect(failures(report)).toEqual([]);
        expect(code).toBe(0);
        const targets = (check: string) => report.results.filter((r) => r.check === check).map((r) => r.target).sort();
        expect(targets("bucket")).toEqual(Object.values(fixture.outputs.buckets).sort());
        expect(targets("table")).toEqual(Object.values(fixture.outputs.tables).flatMap((t) => Object.values(t)).sort());
        const clusters = fixture.stack.prototypes.map((p) => aurora.clusterId(fixture.stack.env, p)).sort();
        expect(targets("aurora")).toEqual(clusters);
        expect(targets("database")).toEqual(clusters);
        const hosts = Object.values(fixture.outputs.serviceHosts!).flatMap((s) => Object.values(s)).map((h) => `${h}/api/version`).sort();
        expect(targets("service")).toEqual(hosts);
        expect(row(report, "database", clusters[0]).detail).toContain(`SELECT 1 answered as postgres@127.0.0.1:${postgres!.port}/postgres`);
        // Default credentials: the deploy role of each account, as the program deploys.
        expect(new Set(mocks.assumed)).toEqual(new Set([fixture.stack.accounts.country.deployRoleArn, fixture.stack.accounts.data.deployRoleArn]));
    });

    test("the table output has check, target, result and detail columns and a summary", async () => {
        const { code, stdout, stderr } = await runVerify();

        expect(code).toBe(0);
        const lines = stdout.split("\n");
        expect(lines[0].split(/\s{2,}/)).toEqual(["CHECK", "TARGET", "RESULT", "DETAIL"]);
        expect(lines.find((l) => l.startsWith("bucket ") && l.includes("nu-ds-co "))).toMatch(/\sok\s+exists; public access block as the runbook's/);
        expect(stdout).toMatch(/verify staging-co: all \d+ checks ok/);
        // Progress goes to stderr, one line per finished check.
        expect(stderr).toMatch(/\[\s*1\/\d+\] ok/);
    });

    test("a missing bucket fails its row with the bucket's name and exits 1", async () => {
        const bucket = fixture.outputs.buckets["datomic-logs"];
        await s3.send(new DeleteBucketCommand({ Bucket: bucket }));

        const { code, report } = await runVerifyJson();

        expect(code).toBe(1);
        expect(failures(report).map((r) => `${r.check} ${r.target}`)).toEqual([`bucket ${bucket}`]);
        expect(row(report, "bucket", bucket).detail).toBe("bucket does not exist");
    });

    test("a missing country-wide bucket on staging names the prod stack that creates it", async () => {
        const bucket = fixture.outputs.buckets.ds;
        await s3.send(new DeleteBucketCommand({ Bucket: bucket }));

        const { code, report } = await runVerifyJson();

        expect(code).toBe(1);
        expect(row(report, "bucket", bucket).remedy).toContain("created by the prod-co stack");
    });

    test("a bucket whose public access block differs from the runbook's fails with the differing setting", async () => {
        const bucket = fixture.outputs.buckets["spark-tmp-raw"];
        mocks.publicAccessBlocks.set(bucket, { ...RUNBOOK_BLOCK_AS_S3, RestrictPublicBuckets: true });

        const { code, report } = await runVerifyJson();

        expect(code).toBe(1);
        expect(failures(report).map((r) => r.target)).toEqual([bucket]);
        expect(row(report, "bucket", bucket).detail).toContain("RestrictPublicBuckets is true, expected false");
    });

    test("a bucket without default encryption fails its row", async () => {
        const bucket = fixture.outputs.buckets.static;
        mocks.encryption.delete(bucket);

        const { report } = await runVerifyJson();

        expect(row(report, "bucket", bucket)).toMatchObject({ ok: false, detail: "no default encryption, expected AES256" });
    });

    test("a table without point-in-time recovery fails its row", async () => {
        const table = fixture.outputs.tables.s0.conrado;
        mocks.pitr.set(table, "DISABLED");

        const { code, report } = await runVerifyJson();

        expect(code).toBe(1);
        expect(failures(report).map((r) => `${r.check} ${r.target}`)).toEqual([`table ${table}`]);
        expect(row(report, "table", table).detail).toBe("ACTIVE, but point-in-time recovery is DISABLED");
    });

    test("a missing table fails its row", async () => {
        const table = fixture.outputs.tables.global.tapir;
        await dynamodb.send(new DeleteTableCommand({ TableName: table }));

        const { report } = await runVerifyJson();

        expect(row(report, "table", table)).toMatchObject({ ok: false, detail: "table does not exist" });
    });

    test("a cluster that is not available fails its row", async () => {
        const cluster = aurora.clusterId(fixture.stack.env, "s0");
        mocks.clusters.get(cluster)!.status = "stopped";

        const { code, report } = await runVerifyJson();

        expect(code).toBe(1);
        expect(row(report, "aurora", cluster)).toMatchObject({ ok: false, detail: "status is stopped, expected available" });
    });

    test("the database refusing the secret's password fails the database rows at the first attempt", async () => {
        await writeBarragemSecret(s3, fixture.outputs, "not-the-password");

        const { code, report } = await runVerifyJson();

        expect(code).toBe(1);
        const rows = report.results.filter((r) => r.check === "database");
        expect(rows.length).toBe(fixture.stack.prototypes.length);
        for (const r of rows) {
            expect(r.ok).toBe(false);
            expect(r.detail).toContain("the database refused the password from the secret object");
            expect(r.detail).toContain("28P01");
            // A refused password will not get better by asking again.
            expect(r.attempts).toBe(1);
        }
        expect(failures(report).every((r) => r.check === "database")).toBe(true);
    });

    test("a service answering 500 fails its row after the configured attempts", async () => {
        services.set("s0", "conrado", { kind: "status", status: 500 });
        const host = fixture.outputs.serviceHosts!.s0.conrado;

        const { code, report } = await runVerifyJson("--attempts", "3");

        expect(code).toBe(1);
        expect(failures(report).map((r) => r.target)).toEqual([`${host}/api/version`]);
        expect(row(report, "service", `${host}/api/version`)).toMatchObject({ ok: false, attempts: 3 });
        expect(row(report, "service", `${host}/api/version`).detail).toContain("HTTP 500");
        expect(services.requests("s0", "conrado")).toBe(3);
    });

    test("a service that never answers fails with a timeout, and verify returns", async () => {
        services.set("global", "veiga", { kind: "silent" });
        const target = `${fixture.outputs.serviceHosts!.global.veiga}/api/version`;

        const { code, report } = await runVerifyJson("--timeout", "0.5", "--attempts", "2");

        expect(code).toBe(1);
        expect(failures(report).map((r) => r.target)).toEqual([target]);
        expect(row(report, "service", target).detail).toBe("no answer within 500 ms (after 2 attempts)");
    });

    test("a service still starting passes once it answers within the attempts", async () => {
        services.set("global", "barragem", { kind: "starting", failures: 2 });

        const { code, report, stderr } = await runVerifyJson("--attempts", "4");

        expect(code).toBe(0);
        const target = `${fixture.outputs.serviceHosts!.global.barragem}/api/version`;
        expect(row(report, "service", target)).toMatchObject({ ok: true, attempts: 3 });
        expect(stderr).toContain(`service ${target}: attempt 1 failed (HTTP 503 starting); retrying in`);
    });

    test("the total time cap ends the run with the unfinished checks failed", async () => {
        services.set("global", "veiga", { kind: "silent" });
        const target = `${fixture.outputs.serviceHosts!.global.veiga}/api/version`;

        const { code, report } = await runVerifyJson("--timeout", "30", "--total-timeout", "1.5", "--skip", "database");

        expect(code).toBe(1);
        expect(row(report, "service", target).detail).toContain("the run's time cap of 1.5 s was reached");
    });

    test("--skip leaves the named checks out", async () => {
        const { code, report } = await runVerifyJson("--skip", "service,database");

        expect(code).toBe(0);
        expect(report.results.some((r) => r.check === "service" || r.check === "database")).toBe(false);
        expect(report.results.some((r) => r.check === "bucket")).toBe(true);
    });

    test("--credentials ambient checks with the caller's own credentials and assumes no role", async () => {
        const { code } = await runVerifyJson("--credentials", "ambient");

        expect(code).toBe(0);
        expect(mocks.assumed).toEqual([]);
    });

    test("--data-role checks the nu-data account with that role instead of its deploy role", async () => {
        const readRole = `arn:aws:iam::${fixture.stack.accounts.data.id}:role/data-infra-read`;
        mocks.roles.set(readRole, { accountId: fixture.stack.accounts.data.id });
        mocks.roles.delete(fixture.stack.accounts.data.deployRoleArn);

        const { code, report } = await runVerifyJson("--data-role", readRole);

        expect(failures(report)).toEqual([]);
        expect(code).toBe(0);
        expect(new Set(mocks.assumed)).toEqual(new Set([fixture.stack.accounts.country.deployRoleArn, readRole]));
    });

    test("a role given for an account that lands in another account fails that account's rows", async () => {
        const elsewhere = "arn:aws:iam::999999999999:role/data-infra-read";
        mocks.roles.set(elsewhere, { accountId: "999999999999" });

        const { code, report } = await runVerifyJson("--country-role", elsewhere);

        expect(code).toBe(1);
        // The refusal is one row, the cause; the country account's rows are skipped for it.
        expect(row(report, "role", elsewhere)).toMatchObject({
            ok: false,
            detail: `${elsewhere} resolved to account 999999999999, but the stack's country account is ${fixture.stack.accounts.country.id}`,
        });
        expect(row(report, "table", fixture.outputs.tables.global.tapir)).toMatchObject({ ok: false, skippedFor: `role ${elsewhere}` });
    });

    test("a deploy role that cannot be assumed fails the rows of its account", async () => {
        mocks.roles.delete(fixture.stack.accounts.data.deployRoleArn);

        const { code, report } = await runVerifyJson();

        expect(code).toBe(1);
        const dataRole = fixture.stack.accounts.data.deployRoleArn;
        const cause = row(report, "deploy-role", dataRole);
        expect(cause.detail).toContain(`cannot assume ${dataRole}`);
        expect(cause.remedy).toContain("trust the identity running the checks");
        const dataBucket = fixture.outputs.buckets["spark-tmp-raw"];
        expect(row(report, "bucket", dataBucket)).toMatchObject({ ok: false, skippedFor: `deploy-role ${dataRole}` });
        expect(cause.cause?.dependents).toBe(report.results.filter((r) => r.skippedFor === `deploy-role ${dataRole}`).length);
        // Assumed once, not once per row and retry.
        expect(mocks.assumed.filter((arn) => arn === fixture.stack.accounts.country.deployRoleArn)).toHaveLength(1);
        // The country account's buckets are not affected.
        expect(row(report, "bucket", fixture.outputs.buckets["datomic-logs"]).ok).toBe(true);
    });
});

describe("verify from outside the VPC, with credentials (no VERIFY_SERVICE_URL)", () => {
    test("every service name that does not resolve is one cause with the VPC remedy, not retried, in 30 lines, exit 1", async () => {
        // The private zone's names, as a laptop outside the VPC sees them: under `.invalid` (RFC 6761), never resolved.
        const hosts = fixture.outputs.serviceHosts!;
        const moved = Object.fromEntries(Object.entries(hosts).map(([p, s]) => [p, Object.fromEntries(Object.entries(s).map(([n, h]) => [n, `${h.split(".")[0]}.nu.invalid`]))]));
        const outputs = path.join(fixture.dir, "outputs-outside-vpc.json");
        fs.writeFileSync(outputs, JSON.stringify({ ...JSON.parse(fs.readFileSync(fixture.outputsFile, "utf8")), serviceHosts: moved }));
        const count = Object.values(hosts).flatMap((s) => Object.values(s)).length;
        const template = process.env.VERIFY_SERVICE_URL;
        delete process.env.VERIFY_SERVICE_URL;
        try {
            const captured = captureIo();
            // Default bounds: what a person gets.
            const code = await verify(["--stack", STACK, "--outputs", outputs], captured.io);
            // The report on stdout; stderr has one progress line per finished check and one per cause.
            const lines = captured.stdout().split("\n").filter((l) => l.trim() !== "");

            expect(code).toBe(1);
            expect(lines.length).toBeLessThanOrEqual(30);
            const causeRows = captured.stdout().split("\n").filter((l) => /\sCAUSE\s/.test(l));
            expect(causeRows).toHaveLength(1);
            expect(causeRows[0]).toMatch(new RegExp(`^dns\\s+host names\\s+CAUSE\\s+${count} service hosts under nu\\.invalid do not resolve from here`));
            expect(captured.stdout()).toContain(`run from a host in the VPC (docs/verify.md "Where it runs"), or --skip service`);
            expect(captured.stderr().split("\n").filter((l) => l.startsWith("CAUSE"))).toHaveLength(1);
            expect(captured.stderr()).not.toContain("retrying");
        } finally {
            process.env.VERIFY_SERVICE_URL = template;
        }
    });
});

describe("verify's outputs", () => {
    test("outputs of another stack are refused with exit 2", async () => {
        const other = path.join(fixture.dir, "prod-outputs.json");
        fs.writeFileSync(other, JSON.stringify({ ...fixture.outputs, env: "prod" }));
        const captured = captureIo();

        const code = await verify(["--stack", STACK, "--outputs", other], captured.io);

        expect(code).toBe(2);
        expect(captured.stderr()).toContain("these are the outputs of prod-co, not of staging-co");
    });

    test("outputs without serviceHosts fail a service row unless services are skipped", async () => {
        const { serviceHosts: _ignored, ...rest } = fixture.outputs;
        const file = path.join(fixture.dir, "no-services.json");
        fs.writeFileSync(file, JSON.stringify(rest));
        const run = async (...extra: string[]) => {
            const captured = captureIo();
            const code = await verify(["--stack", STACK, "--outputs", file, "--json", ...FAST, ...extra], captured.io);
            return { code, report: JSON.parse(captured.stdout()) as Report };
        };

        const without = await run();
        expect(without.code).toBe(1);
        expect(failures(without.report)).toEqual([
            expect.objectContaining({ check: "service", target: "serviceHosts", detail: "the stack outputs have no serviceHosts, so no service can be checked" }),
        ]);
        expect((await run("--skip", "service")).code).toBe(0);
    });

    test("without --outputs and without the pulumi CLI, verify says to pass --outputs and exits 2", async () => {
        const captured = captureIo({ ...process.env, PATH: fixture.dir });

        const code = await verify(["--stack", STACK], captured.io);

        expect(code).toBe(2);
        expect(captured.stderr()).toContain("the pulumi CLI is not on PATH: pass --outputs FILE");
    });

    test("without --outputs, verify reads `pulumi stack output --json --show-secrets --stack <stack>`", async () => {
        const bin = path.join(fixture.dir, "bin");
        fs.mkdirSync(bin, { recursive: true });
        const argsFile = path.join(fixture.dir, "pulumi-args");
        // A stand-in pulumi CLI: records its arguments, prints the saved outputs.
        fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho "$@" > '${argsFile}'\ncat '${fixture.outputsFile}'\n`, { mode: 0o755 });
        const captured = captureIo({ ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` });

        const code = await verify(["--stack", STACK, "--json", ...FAST, "--skip", "service,database"], captured.io);

        expect(fs.readFileSync(argsFile, "utf8").trim()).toBe(`stack output --json --show-secrets --stack ${STACK}`);
        expect(code).toBe(0);
    });
});
