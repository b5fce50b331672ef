// One cause, said once: a dead endpoint or missing credentials is one row with its own remedy,
// and every check that needs it is skipped for it, quickly, in a screenful. Real SDK clients
// against a loopback port nothing listens on (no mocks): the refusals are real.
import * as fs from "fs";
import type { Report } from "../tools/checks/report";
import { PROBE_LIMITS, DEFAULT_LIMITS } from "../tools/checks/runner";
import * as path from "path";
import { REMEDY, UNRESOLVED } from "../tools/checks/causes";
import { preflight } from "../tools/preflight";
import { verify } from "../tools/verify";
import { STACK, StackFixture, stackFixture } from "./support/stackWorld";
import { captureIo, NOWHERE, useTestEnvironment } from "./support/testEnv";

jest.setTimeout(60_000);

const DEAD = "127.0.0.1:9";
let fixture: StackFixture;
let restoreEnv: () => void = () => undefined;

beforeAll(async () => {
    fixture = await stackFixture(STACK);
});
afterAll(() => fs.rmSync(fixture.dir, { recursive: true, force: true }));
afterEach(() => restoreEnv());

/** Every AWS API, every service and every database at one address that refuses connections. */
function deadEndpoint(): void {
    restoreEnv = useTestEnvironment({ AWS_ENDPOINT_URL: NOWHERE, VERIFY_SERVICE_URL: `${NOWHERE}/{prototype}/{service}`, VERIFY_DB_HOST: "127.0.0.1", VERIFY_DB_PORT: "9" });
}

/**
 * No credentials anywhere the SDK looks (env, files, SSO; instance metadata is off in tests).
 * Services and databases need no AWS credentials: they are at a dead address here, which is a
 * cause of its own, so their checks are left out to look at the credentials alone.
 */
function noCredentials(): void {
    restoreEnv = useTestEnvironment({});
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
}

async function run(command: typeof verify, argv: string[]) {
    const captured = captureIo();
    // Default bounds on purpose: what a person gets without tuning anything.
    const code = await command([...argv, "--json"], captured.io);
    return { code, report: JSON.parse(captured.stdout()) as Report, stderr: captured.stderr() };
}

async function runText(command: typeof verify, argv: string[]) {
    const captured = captureIo();
    const code = await command(argv, captured.io);
    const lines = `${captured.stderr()}${captured.stdout()}`.split("\n").filter((l) => l.trim() !== "");
    return { code, lines, stdout: captured.stdout() };
}

const verifyArgs = () => ["--stack", STACK, "--outputs", fixture.outputsFile];

/**
 * The stack's outputs with every service host moved under the reserved `.invalid` TLD (RFC 6761),
 * which never resolves: what a laptop outside the VPC sees of the private zone's names.
 */
function unresolvableOutputs(): string {
    const hosts = fixture.outputs.serviceHosts!;
    const moved = Object.fromEntries(
        Object.entries(hosts).map(([prototype, services]) => [prototype, Object.fromEntries(Object.entries(services).map(([s, host]) => [s, `${host.split(".")[0]}.nu.invalid`]))]),
    );
    const file = path.join(fixture.dir, "outputs-invalid.json");
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(fixture.outputsFile, "utf8")), serviceHosts: moved }, null, 2));
    return file;
}
const preflightArgs = () => ["--stack", STACK];

test("the probes' own bounds end a run against a dead endpoint within 15 s, whatever the check bounds", () => {
    // Two attempts with one wait in between, all inside the budget every probe shares.
    const worstProbe = PROBE_LIMITS.attempts * PROBE_LIMITS.attemptTimeoutMs + PROBE_LIMITS.backoffMs;
    expect(worstProbe).toBeLessThanOrEqual(PROBE_LIMITS.budgetMs);
    expect(PROBE_LIMITS.budgetMs).toBeLessThanOrEqual(15_000 - 2_000);
    // Without the probes, one check alone could take 4 attempts × 10 s plus 14 s of waits.
    expect(DEFAULT_LIMITS.attempts * DEFAULT_LIMITS.attemptTimeoutMs).toBeGreaterThan(15_000);
});

describe.each([
    ["verify", verify, verifyArgs],
    ["preflight", preflight, preflightArgs],
] as const)("%s against a dead endpoint", (name, command, args) => {
    test(`${name} names the dead endpoint once as the cause, skips what needs it, fits 30 lines and exits 1`, async () => {
        deadEndpoint();
        const { code, lines, stdout } = await runText(command, args());

        expect(code).toBe(1);
        expect(lines.length).toBeLessThanOrEqual(30);
        const causeRows = stdout.split("\n").filter((l) => /\sCAUSE\s/.test(l));
        expect(causeRows).toHaveLength(1);
        expect(causeRows[0]).toMatch(new RegExp(`^endpoint\\s+${DEAD}\\s+CAUSE\\s+.*ECONNREFUSED`));
        expect(stdout).toMatch(new RegExp(`skipped, because endpoint ${DEAD} failed: \\d+ checks`));
        expect(stdout).not.toMatch(/trust the identity|secrets bucket/);
        expect(stdout).toContain(REMEDY.noAnswer(NOWHERE, "AWS_ENDPOINT_URL"));
    });

    test(`${name}'s JSON report marks every dependent check skipped for that one cause`, async () => {
        deadEndpoint();
        const { code, report } = await run(command, args());

        expect(code).toBe(1);
        expect(report.ok).toBe(false);
        const causes = report.results.filter((r) => r.cause);
        expect(causes.map((c) => `${c.check} ${c.target}`)).toEqual([`endpoint ${DEAD}`]);
        const skipped = report.results.filter((r) => r.skippedFor !== undefined);
        expect(skipped.every((r) => r.skippedFor === `endpoint ${DEAD}` && r.attempts === 0)).toBe(true);
        expect(causes[0].cause?.dependents).toBe(skipped.length);
        // Only checks that need no endpoint ran (verify's outputs row); nothing else failed on its own.
        expect(report.results.filter((r) => !r.ok && !r.cause && r.skippedFor === undefined)).toEqual([]);
        expect(report.skipped).toBeGreaterThan(name === "verify" ? 30 : 3);
    });
});

describe.each([
    ["verify", verify, verifyArgs],
    ["preflight", preflight, preflightArgs],
] as const)("%s without credentials", (name, command, args) => {
    test(`${name} says once that there are no credentials, with the remedy for credentials, and exits 1`, async () => {
        noCredentials();
        const { code, lines, stdout } = await runText(command, name === "verify" ? [...args(), "--skip", "service"] : args());

        expect(code).toBe(1);
        expect(lines.length).toBeLessThanOrEqual(30);
        const causeRows = stdout.split("\n").filter((l) => /\sCAUSE\s/.test(l));
        expect(causeRows).toHaveLength(1);
        expect(causeRows[0]).toMatch(/^credentials\s+caller\s+CAUSE\s+no AWS credentials/);
        expect(stdout).toContain(REMEDY.missingCredentials);
        expect(stdout).not.toContain("trust the identity");
        expect(stdout).toContain("skipped, because credentials caller failed");
    });
});

describe("verify from outside the VPC (service names that do not resolve, no VERIFY_SERVICE_URL)", () => {
    test("without credentials: one credentials cause and one cause for every unresolvable host, without retries, in 30 lines, exit 1", async () => {
        noCredentials();
        delete process.env.VERIFY_SERVICE_URL;
        const outputs = unresolvableOutputs();
        const serviceCount = Object.values(fixture.outputs.serviceHosts!).flatMap((s) => Object.values(s)).length;
        const text = await runText(verify, ["--stack", STACK, "--outputs", outputs]);
        const { code, report, stderr } = await run(verify, ["--stack", STACK, "--outputs", outputs]);

        expect(text.code).toBe(1);
        expect(code).toBe(1);
        expect(text.lines.length).toBeLessThanOrEqual(30);
        const causeRows = text.stdout.split("\n").filter((l) => /\sCAUSE\s/.test(l));
        expect(causeRows).toHaveLength(2);
        expect(causeRows[1]).toMatch(new RegExp(`^dns\\s+${UNRESOLVED}\\s+CAUSE\\s+${serviceCount} service hosts under nu\\.invalid do not resolve from here`));
        expect(text.stdout).toContain(REMEDY.unresolved(["service"]));
        expect(text.stdout).toContain(`skipped, because dns ${UNRESOLVED} failed: ${serviceCount} checks (service ${serviceCount})`);
        // One progress line per cause, no retry lines: a name that does not resolve is not retried.
        expect(stderr.split("\n").filter((l) => l.startsWith("CAUSE"))).toHaveLength(2);
        expect(stderr).not.toContain("retrying");
        const dns = report.results.find((r) => r.check === "dns")!;
        expect(dns.attempts).toBe(1);
        expect(dns.cause?.dependents).toBe(serviceCount);
        expect(report.results.filter((r) => r.cause).map((r) => r.check)).toEqual(["credentials", "dns"]);
    });
});

test("a dead AWS_ENDPOINT_URL's remedy names AWS_ENDPOINT_URL, the variable that set it", async () => {
    deadEndpoint();
    const { stdout } = await runText(preflight, preflightArgs());
    expect(stdout).toContain(REMEDY.noAnswer(NOWHERE, "AWS_ENDPOINT_URL"));
    expect(stdout).not.toContain("AWS_ENDPOINT_URL_STS");
});
