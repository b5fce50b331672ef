// The check library's pure parts: the bounded runner, endpoint overrides, outputs parsing,
// flags and the public access block comparison. No servers; the commands' own start-up, last.
import { parseCommonArgs, UsageError } from "../tools/checks/cli";
import { awsClientEndpoint, databaseAddress, serviceBaseUrl, sslMode } from "../tools/checks/endpoints";
import { OutputsError, parseStackOutputs } from "../tools/checks/outputs";
import { Check, CheckResult, Prerequisite, Progress, runChecks, RunLimits, Verdict } from "../tools/checks/runner";
import { buildReport, formatTable } from "../tools/checks/report";
import { publicAccessBlockDifferences } from "../tools/checks/s3Checks";
import { VERIFY_CHECKS } from "../tools/checks/verifyPlan";
import * as path from "path";
import { npmScript } from "./helpers/npmScript";

const LIMITS: RunLimits = { attemptTimeoutMs: 1_000, attempts: 3, backoffMs: 5, maxBackoffMs: 50, totalTimeoutMs: 10_000, concurrency: 4 };

/** A check answering the given verdicts in turn (the last one repeats), counting its attempts. */
function scripted(target: string, ...verdicts: Verdict[]): Check & { calls: () => number } {
    let calls = 0;
    return {
        check: "test",
        target,
        calls: () => calls,
        run: async () => verdicts[Math.min(calls++, verdicts.length - 1)],
    };
}

const never = (target: string): Check => ({ check: "test", target, run: () => new Promise<Verdict>(() => undefined) });

describe("runner", () => {
    test("a transient failure is retried with doubling back-off until it passes", async () => {
        const check = scripted("starting", { ok: false, detail: "503", transient: true }, { ok: false, detail: "503", transient: true }, { ok: true, detail: "200" });
        const events: Progress[] = [];

        const [result] = await runChecks([check], { ...LIMITS, attempts: 5 }, (e) => events.push(e));

        expect(result).toMatchObject({ ok: true, detail: "200", attempts: 3 });
        const waits = events.filter((e): e is Extract<Progress, { type: "retry" }> => e.type === "retry").map((e) => e.waitMs);
        expect(waits).toEqual([5, 10]);
    });

    test("a failure that is not transient is reported at once, without retries", async () => {
        const check = scripted("missing", { ok: false, detail: "bucket does not exist", remedy: "run pulumi up" });

        const [result] = await runChecks([check], LIMITS);

        expect(result).toMatchObject({ ok: false, detail: "bucket does not exist", remedy: "run pulumi up", attempts: 1 });
        expect(check.calls()).toBe(1);
    });

    test("a transient failure that never clears fails after the configured attempts, saying how many", async () => {
        const check = scripted("down", { ok: false, detail: "HTTP 500", transient: true });

        const [result] = await runChecks([check], LIMITS);

        expect(result).toMatchObject({ ok: false, detail: "HTTP 500 (after 3 attempts)", attempts: 3 });
    });

    test("an attempt that never settles is abandoned at its timeout", async () => {
        const [result] = await runChecks([never("silent")], { ...LIMITS, attemptTimeoutMs: 30, attempts: 2 });

        expect(result).toMatchObject({ ok: false, detail: "no answer within 30 ms (after 2 attempts)", attempts: 2 });
    });

    test("the total cap stops what runs and fails what has not started", async () => {
        const results = await runChecks([never("hangs"), scripted("waiting", { ok: true, detail: "fine" })], {
            ...LIMITS,
            attemptTimeoutMs: 60_000,
            totalTimeoutMs: 50,
            concurrency: 1,
        });

        expect(results[0]).toMatchObject({ ok: false, attempts: 1 });
        expect(results[0].detail).toContain("stopped: the run's time cap of 50 ms was reached");
        expect(results[1]).toMatchObject({ ok: false, attempts: 0, detail: "not run: the run's time cap of 50 ms was reached" });
    });

    test("a retry that would start past the cap is not made: the check reports the cap and its last failure", async () => {
        const check = scripted("starting", { ok: false, detail: "HTTP 503", transient: true });

        const [result] = await runChecks([check], { ...LIMITS, attempts: 5, backoffMs: 10_000, maxBackoffMs: 10_000, totalTimeoutMs: 60 });

        expect(check.calls()).toBe(1);
        expect(result).toMatchObject({ ok: false, attempts: 1, detail: "stopped: the run's time cap of 60 ms was reached; last attempt: HTTP 503" });
    });

    test("a thrown error is that check's failure, with the error's name and message", async () => {
        const check: Check = {
            check: "test",
            target: "throws",
            run: async () => {
                const err = new Error("The security token included in the request is invalid");
                err.name = "UnrecognizedClientException";
                throw err;
            },
        };

        const [result] = await runChecks([check], LIMITS);

        expect(result).toMatchObject({ ok: false, attempts: 1, detail: "UnrecognizedClientException: The security token included in the request is invalid" });
    });

    test("a refused connection is transient and retried", async () => {
        let calls = 0;
        const check: Check = {
            check: "test",
            target: "refused",
            run: async () => {
                calls += 1;
                throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
            },
        };

        const [result] = await runChecks([check], LIMITS);

        expect(calls).toBe(3);
        expect(result.detail).toBe("connect ECONNREFUSED 127.0.0.1:9 (after 3 attempts)");
    });

    test("results keep the order of the checks, whatever order they finish in", async () => {
        const slow: Check = { check: "test", target: "slow", run: () => new Promise((r) => setTimeout(() => r({ ok: true, detail: "slow" }), 30)) };
        const fast = scripted("fast", { ok: true, detail: "fast" });
        const done: string[] = [];

        const results: CheckResult[] = await runChecks([slow, fast], LIMITS, (e) => e.type === "done" && done.push(e.result.target));

        expect(results.map((r) => r.target)).toEqual(["slow", "fast"]);
        expect(done).toEqual(["fast", "slow"]);
    });
});

describe("prerequisites", () => {
    function prerequisite(id: string, verdict: Verdict, needs: Prerequisite[] = []): Prerequisite & { probes: () => number } {
        let probes = 0;
        return { id, check: "endpoint", target: id, needs, probes: () => probes, probe: async () => (probes++, verdict) };
    }

    test("a prerequisite many checks need is probed once, and they run after it passes", async () => {
        const endpoint = prerequisite("s3", { ok: true, detail: "answers" });
        const checks = ["a", "b", "c"].map((t) => ({ ...scripted(t, { ok: true, detail: "exists" }), needs: [endpoint] }));

        const results = await runChecks(checks, LIMITS);

        expect(endpoint.probes()).toBe(1);
        expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    });

    test("a failed prerequisite is one cause row first; the checks that need it are skipped for it, not run", async () => {
        const dead = prerequisite("127.0.0.1:9", { ok: false, detail: "ECONNREFUSED", remedy: "start it" });
        const checks = ["a", "b"].map((t) => ({ ...scripted(t, { ok: true, detail: "exists" }), needs: [dead] }));
        const independent = scripted("c", { ok: true, detail: "fine" });

        const results = await runChecks([...checks, independent], LIMITS);

        expect(results.map((r) => [r.target, r.ok, r.skippedFor ?? null])).toEqual([
            ["127.0.0.1:9", false, null],
            ["a", false, "endpoint 127.0.0.1:9"],
            ["b", false, "endpoint 127.0.0.1:9"],
            ["c", true, null],
        ]);
        expect(results[0].cause).toEqual({ dependents: 2, ownRow: false });
        expect(checks.map((c) => c.calls())).toEqual([0, 0]);
        expect(independent.calls()).toBe(1);
    });

    test("a prerequisite the run's cap cuts short is no cause: what needs it is not run for the cap, not skipped for it", async () => {
        // A probe slower than the whole run (a slow machine, a tight --total-timeout): it neither passed nor failed.
        const slow: Prerequisite = { id: "svc", check: "endpoint", target: "svc:443", probe: () => new Promise<Verdict>((resolve) => setTimeout(() => resolve({ ok: true, detail: "answers" }), 400)) };
        const check = { ...scripted("svc/api", { ok: true, detail: "200" }), needs: [slow] };

        const results = await runChecks([check], { ...LIMITS, totalTimeoutMs: 100 });

        expect(results).toHaveLength(1);
        expect(results[0]).toMatchObject({ target: "svc/api", ok: false, detail: "not run: the run's time cap of 100 ms was reached" });
        expect(results[0].skippedFor).toBeUndefined();
        expect(check.calls()).toBe(0);
    });

    test("hosts of one kind refusing connections the same way are one cause, saying how many more; another kind stays its own", async () => {
        const refused = (host: string, kind: string) => ({
            ...prerequisite(host, { ok: false, detail: "ECONNREFUSED", foldKey: `${kind} ECONNREFUSED` }),
            kind,
        });
        const services = ["a:443", "b:443", "c:443"].map((h) => refused(h, "service"));
        const database = refused("db:5432", "database");
        const checks = [...services, database].map((p) => ({ ...scripted(`check ${p.target}`, { ok: true, detail: "x" }), needs: [p] }));
        const causes: string[] = [];

        const results = await runChecks(checks, { ...LIMITS, concurrency: 1 }, (e) => e.type === "cause" && causes.push(e.result.target));

        expect(causes).toEqual(["a:443", "db:5432"]);
        const causeRows = results.filter((r) => r.cause);
        expect(causeRows.map((r) => [r.target, r.cause!.dependents])).toEqual([
            ["a:443", 3],
            ["db:5432", 1],
        ]);
        expect(causeRows[0].detail).toBe("ECONNREFUSED; 2 more service hosts failed the same way (b:443, c:443)");
    });

    test("a prerequisite whose own need failed is not probed; its dependents name the root cause", async () => {
        const credentials = prerequisite("credentials", { ok: false, detail: "no AWS credentials" });
        const api = prerequisite("s3", { ok: true, detail: "answers" }, [credentials]);

        const results = await runChecks([{ ...scripted("a", { ok: true, detail: "x" }), needs: [api] }], LIMITS);

        expect(api.probes()).toBe(0);
        expect(results.map((r) => r.skippedFor ?? r.target)).toEqual(["credentials", "endpoint credentials"]);
    });

    test("one check is said in the singular: `1 check`, never `1 checks`", async () => {
        const dead = prerequisite("127.0.0.1:9", { ok: false, detail: "ECONNREFUSED" });

        const text = formatTable(buildReport("verify", "staging-co", await runChecks([{ ...scripted("a", { ok: true, detail: "x" }), needs: [dead] }], LIMITS), new Date()));

        expect(text).toContain("skipped, because endpoint 127.0.0.1:9 failed: 1 check (test 1)");
        expect(text).toMatch(/FAILED: 1 of 1 check skipped/);
        expect(text).not.toMatch(/\b1 checks\b/);
    });

    test("the table shows skipped checks as one line per cause, and the summary names the cause", async () => {
        const dead = prerequisite("127.0.0.1:9", { ok: false, detail: "ECONNREFUSED", remedy: "start it" });
        const checks = ["a", "b", "c"].map((t) => ({ ...scripted(t, { ok: true, detail: "x" }), check: t === "c" ? "table" : "bucket", needs: [dead] }));

        const text = formatTable(buildReport("verify", "staging-co", await runChecks(checks, LIMITS), new Date()));

        expect(text).toContain("skipped, because endpoint 127.0.0.1:9 failed: 3 checks (bucket 2, table 1)");
        expect(text).toMatch(/^endpoint\s+127\.0\.0\.1:9\s+CAUSE\s+ECONNREFUSED$/m);
        expect(text).toMatch(/verify staging-co: FAILED: 3 of 3 checks skipped because endpoint 127\.0\.0\.1:9 failed/);
        expect(text).not.toMatch(/^bucket\s+a/m);
    });
});

describe("endpoint overrides", () => {
    test("AWS_ENDPOINT_URL_S3 points S3 at a local server with path-style addressing, and nothing else", () => {
        const env = { AWS_ENDPOINT_URL_S3: "http://127.0.0.1:4568" };

        expect(awsClientEndpoint("S3", env)).toEqual({ endpoint: "http://127.0.0.1:4568", forcePathStyle: true });
        expect(awsClientEndpoint("DYNAMODB", env)).toEqual({});
    });

    test("AWS_ENDPOINT_URL applies to every API without its own override", () => {
        const env = { AWS_ENDPOINT_URL: "http://127.0.0.1:4566", AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:4567" };

        expect(awsClientEndpoint("RDS", env)).toEqual({ endpoint: "http://127.0.0.1:4566" });
        expect(awsClientEndpoint("DYNAMODB", env)).toEqual({ endpoint: "http://127.0.0.1:4567" });
    });

    test("without overrides, services are asked on their canonical name over HTTPS", () => {
        expect(serviceBaseUrl({ host: "staging-global-veiga.nu.com.co", prototype: "global", service: "veiga" }, {})).toBe("https://staging-global-veiga.nu.com.co");
    });

    test("VERIFY_SERVICE_URL maps canonical hosts to a local URL", () => {
        const env = { VERIFY_SERVICE_URL: "http://127.0.0.1:8080/{prototype}/{service}/" };

        expect(serviceBaseUrl({ host: "staging-s0-conrado.nu.com.co", prototype: "s0", service: "conrado" }, env)).toBe("http://127.0.0.1:8080/s0/conrado");
    });

    test("VERIFY_DB_HOST and VERIFY_DB_PORT replace every Aurora endpoint", () => {
        expect(databaseAddress("x.cluster.rds.amazonaws.com", 5432, {})).toEqual({ host: "x.cluster.rds.amazonaws.com", port: 5432 });
        expect(databaseAddress("x.cluster.rds.amazonaws.com", 5432, { VERIFY_DB_HOST: "127.0.0.1", VERIFY_DB_PORT: "55432" })).toEqual({ host: "127.0.0.1", port: 55432 });
        expect(() => databaseAddress("x", 5432, { VERIFY_DB_PORT: "http" })).toThrow("VERIFY_DB_PORT must be a TCP port");
    });

    test("the database is reached over TLS unless PGSSLMODE says otherwise", () => {
        expect(sslMode({})).toBe("require");
        expect(sslMode({ PGSSLMODE: "disable" })).toBe("disable");
        expect(() => sslMode({ PGSSLMODE: "sometimes" })).toThrow("PGSSLMODE must be one of");
    });
});

describe("stack outputs", () => {
    const valid = {
        country: "co",
        env: "staging",
        prototypes: ["global"],
        buckets: { ds: "nu-ds-co" },
        tables: { global: { tapir: "staging-global-tapir" } },
        auroraEndpoints: { global: "staging-global-barragem-aurora.cluster-x.us-east-1.rds.amazonaws.com" },
        barragemSecretObject: "s3://nu-secrets-co-staging/barragem_secret_config.json",
    };

    test("outputs of the program's shape are accepted, serviceHosts optional", () => {
        expect(parseStackOutputs(valid, "file").buckets).toEqual({ ds: "nu-ds-co" });
        expect(parseStackOutputs({ ...valid, serviceHosts: { global: { veiga: "staging-global-veiga.nu.com.co" } } }, "file").serviceHosts).toBeDefined();
    });

    test("every problem of unusable outputs is listed at once", () => {
        const bad = { ...valid, env: "qa", buckets: undefined, barragemSecretObject: "nu-secrets-co-staging" };

        let error: unknown;
        try {
            parseStackOutputs(bad, "outputs.json");
        } catch (err) {
            error = err;
        }

        expect(error).toBeInstanceOf(OutputsError);
        expect((error as OutputsError).problems).toEqual([
            'env: expected one of staging, prod, got "qa"',
            "buckets: expected an object of names, got nothing",
            'barragemSecretObject: expected s3://<bucket>/<key>, got "nu-secrets-co-staging"',
        ]);
    });

    test("outputs saved without --show-secrets are refused with the flag to use", () => {
        expect(() => parseStackOutputs({ ...valid, auroraEndpoints: { global: "[secret]" } }, "f")).toThrow("save the outputs with --show-secrets");
    });
});

describe("flags", () => {
    test("--skip takes only names of the command's checks", () => {
        expect(parseCommonArgs("verify", ["--stack", "staging-co", "--skip", "service,database"], VERIFY_CHECKS).skip).toEqual(new Set(["service", "database"]));
        expect(() => parseCommonArgs("verify", ["--stack", "staging-co", "--skip", "buckets"], VERIFY_CHECKS)).toThrow(
            "--skip buckets: not a check of verify; its checks are outputs, bucket, table, aurora, database, service",
        );
    });

    test("bounds are given in seconds and must be positive", () => {
        const options = parseCommonArgs("verify", ["--stack", "staging-co", "--timeout", "0.5", "--total-timeout", "120", "--attempts", "2"], VERIFY_CHECKS);

        expect(options.limits).toMatchObject({ attemptTimeoutMs: 500, totalTimeoutMs: 120_000, attempts: 2 });
        expect(() => parseCommonArgs("verify", ["--stack", "staging-co", "--timeout", "0"], VERIFY_CHECKS)).toThrow(UsageError);
        expect(() => parseCommonArgs("verify", ["--stack", "staging-co", "--attempts", "1.5"], VERIFY_CHECKS)).toThrow("--attempts must be a whole number");
    });

    test("--stack is required and --credentials is deploy-roles unless told otherwise", () => {
        expect(() => parseCommonArgs("preflight", [], ["vpc"])).toThrow("--stack is required");
        expect(parseCommonArgs("preflight", ["--stack", "staging-co"], ["vpc"]).credentials).toBe("deploy-roles");
        expect(() => parseCommonArgs("preflight", ["--stack", "staging-co", "--credentials", "mine"], ["vpc"])).toThrow("--credentials must be one of");
    });

    test("--country-role and --data-role take role ARNs, and only with deploy-roles credentials", () => {
        const role = "arn:aws:iam::400000000101:role/data-infra-read";

        expect(parseCommonArgs("verify", ["--stack", "staging-co", "--country-role", role], VERIFY_CHECKS).roles).toEqual({ country: role });
        expect(() => parseCommonArgs("verify", ["--stack", "staging-co", "--data-role", "data-infra-read"], VERIFY_CHECKS)).toThrow("--data-role must be an IAM role ARN");
        expect(() => parseCommonArgs("verify", ["--stack", "staging-co", "--credentials", "ambient", "--country-role", role], VERIFY_CHECKS)).toThrow(
            "--country-role needs --credentials deploy-roles",
        );
    });

    test("preflight has no --outputs flag", () => {
        expect(() => parseCommonArgs("preflight", ["--stack", "staging-co", "--outputs", "x.json"], ["vpc"])).toThrow(UsageError);
    });
});

describe("public access block", () => {
    test("names every setting that differs from the runbook's block", () => {
        expect(publicAccessBlockDifferences({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: false })).toEqual([]);
        expect(publicAccessBlockDifferences({ BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true })).toEqual([
            "BlockPublicAcls is false, expected true",
            "RestrictPublicBuckets is true, expected false",
        ]);
    });
});

describe("table report", () => {
    const result = (target: string, ok: boolean, remedy?: string): CheckResult => ({
        check: "table",
        target,
        ok,
        detail: ok ? "ACTIVE" : "table does not exist",
        ...(remedy ? { remedy } : {}),
        attempts: 1,
        durationMs: 1,
    });

    test("a remedy shared by several failed rows is said once, with the rows it is for", () => {
        const report = buildReport("verify", "staging-co", [result("a", false, "run `pulumi up`"), result("b", true), result("c", false, "run `pulumi up`"), result("d", false, "ask Foundation")], new Date());

        const text = formatTable(report);

        expect(text).toContain("What to do:\n  - run `pulumi up`\n    for: table a, table c\n  - table d: ask Foundation\n");
        expect(text).toContain("verify staging-co: 3 of 4 checks FAILED");
    });
});

describe("the commands start as npm runs them (package.json's scripts, through the project's loader)", () => {
    test.each(["verify", "preflight", "adopt"])("npm run %s -- --help prints its usage and exits 0", (script) => {
        const r = npmScript(script, ["--help"], { cwd: path.join(__dirname, "..") });
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(r.stdout).toContain(`usage: npm run ${script} -- --stack <env>-<country>`);
    });
});
