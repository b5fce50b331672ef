// What `npm run verify` and `npm run preflight` share: flags, the stack file, the run with its
// progress, the report and the exit code (0 all ok, 1 a check failed, 2 could not run).
import { parseArgs } from "util";
import { ConfigError, CountryStack, parseCountryStack } from "../../stacks/config";
import { loadStackConfig, StackFileError } from "../mockRuntime";
import { AwsAccess, CREDENTIALS_MODES, CredentialsMode, RoleOverrides } from "./awsAccess";
import { describeOverrides, Environment } from "./endpoints";
import { OutputsError } from "./outputs";
import { buildReport, formatJson, formatProgress, formatTable, Report } from "./report";
import { Check, DEFAULT_LIMITS, RunLimits, runChecks } from "./runner";

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_CANNOT_RUN = 2;

/** Where a command writes, and the environment it reads (endpoint overrides, PATH). */
export interface Io {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
    readonly env: Environment;
}

export const processIo = (): Io => ({
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
});

export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

export interface CommonOptions {
    readonly stack: string;
    readonly json: boolean;
    readonly credentials: CredentialsMode;
    /** Roles to check each account with instead of its deploy role. */
    readonly roles: RoleOverrides;
    readonly limits: RunLimits;
    readonly skip: ReadonlySet<string>;
    readonly outputs?: string;
    readonly help: boolean;
}

export function commonUsage(command: "verify" | "preflight" | "adopt", checks: readonly string[]): string {
    return [
        `usage: npm run ${command} -- --stack <env>-<country>${command === "verify" ? " [--outputs FILE]" : ""} [options]`,
        "",
        ...(command === "verify"
            ? ["  --outputs FILE          saved `pulumi stack output --json --show-secrets --stack <stack>` (default: ask the pulumi CLI)"]
            : []),
        "  --json                  print the report as JSON on stdout (progress stays on stderr)",
        `  --credentials MODE      ${CREDENTIALS_MODES.join(" | ")} (default deploy-roles: assume each account's deploy role, like the program)`,
        "  --country-role ARN      check the country account with this role instead of its deploy role (e.g. a read-only one)",
        "  --data-role ARN         the same for the nu-data account",
        `  --timeout SECONDS       per attempt (default ${DEFAULT_LIMITS.attemptTimeoutMs / 1000})`,
        `  --attempts N            per check, for failures that may clear by themselves (default ${DEFAULT_LIMITS.attempts})`,
        `  --backoff SECONDS       first wait between attempts, doubled each time (default ${DEFAULT_LIMITS.backoffMs / 1000})`,
        `  --total-timeout SECONDS cap on the whole run (default ${DEFAULT_LIMITS.totalTimeoutMs / 1000})`,
        `  --concurrency N         checks at once (default ${DEFAULT_LIMITS.concurrency})`,
        `  --skip LIST             comma-separated checks to leave out: ${checks.join(", ")}`,
        "",
        "exit code: 0 every check ok, 1 a check failed, 2 could not run. See docs/verify.md.",
        "",
    ].join("\n");
}

export function parseCommonArgs(command: "verify" | "preflight" | "adopt", argv: readonly string[], checks: readonly string[]): CommonOptions {
    let values;
    try {
        ({ values } = parseArgs({
            args: [...argv],
            strict: true,
            allowPositionals: false,
            options: {
                stack: { type: "string" },
                json: { type: "boolean", default: false },
                credentials: { type: "string", default: "deploy-roles" },
                "country-role": { type: "string" },
                "data-role": { type: "string" },
                timeout: { type: "string" },
                attempts: { type: "string" },
                backoff: { type: "string" },
                "total-timeout": { type: "string" },
                concurrency: { type: "string" },
                skip: { type: "string" },
                help: { type: "boolean", short: "h", default: false },
                ...(command === "verify" ? { outputs: { type: "string" } } : {}),
            },
        }));
    } catch (err) {
        throw new UsageError((err as Error).message);
    }
    const help = values.help === true;
    if (!help && !values.stack) throw new UsageError("--stack is required (e.g. --stack staging-co)");
    const credentials = String(values.credentials);
    if (!(CREDENTIALS_MODES as readonly string[]).includes(credentials)) {
        throw new UsageError(`--credentials must be one of ${CREDENTIALS_MODES.join(", ")}, not ${JSON.stringify(credentials)}`);
    }
    const roles: RoleOverrides = {};
    for (const account of ["country", "data"] as const) {
        const value = values[`${account}-role`];
        if (value === undefined) continue;
        if (credentials === "ambient") throw new UsageError(`--${account}-role needs --credentials deploy-roles: ambient credentials assume no role`);
        if (!/^arn:aws:iam::\d{12}:role\/[\w+=,.@\/-]+$/.test(String(value))) {
            throw new UsageError(`--${account}-role must be an IAM role ARN (arn:aws:iam::<account id>:role/<name>), not ${JSON.stringify(value)}`);
        }
        roles[account] = String(value);
    }
    const seconds = (flag: string, value: unknown, fallbackMs: number) => {
        if (value === undefined) return fallbackMs;
        const n = Number(value);
        if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} must be a positive number of seconds, not ${JSON.stringify(value)}`);
        return Math.round(n * 1000);
    };
    const count = (flag: string, value: unknown, fallback: number) => {
        if (value === undefined) return fallback;
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} must be a whole number of at least 1, not ${JSON.stringify(value)}`);
        return n;
    };
    const skip = new Set(
        String(values.skip ?? "")
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
    );
    for (const s of skip) if (!checks.includes(s)) throw new UsageError(`--skip ${s}: not a check of ${command}; its checks are ${checks.join(", ")}`);
    const backoffMs = seconds("backoff", values.backoff, DEFAULT_LIMITS.backoffMs);
    return {
        stack: String(values.stack ?? ""),
        json: values.json === true,
        credentials: credentials as CredentialsMode,
        roles,
        limits: {
            attemptTimeoutMs: seconds("timeout", values.timeout, DEFAULT_LIMITS.attemptTimeoutMs),
            attempts: count("attempts", values.attempts, DEFAULT_LIMITS.attempts),
            backoffMs,
            maxBackoffMs: Math.max(backoffMs, DEFAULT_LIMITS.maxBackoffMs),
            totalTimeoutMs: seconds("total-timeout", values["total-timeout"], DEFAULT_LIMITS.totalTimeoutMs),
            concurrency: count("concurrency", values.concurrency, DEFAULT_LIMITS.concurrency),
        },
        skip,
        ...("outputs" in values && values.outputs !== undefined ? { outputs: String(values.outputs) } : {}),
        help,
    };
}

/** The stack file `Pulumi.<stack>.yaml`, validated: names, regions, accounts and deploy roles come from here. */
export function loadCountryStack(stack: string): CountryStack {
    return parseCountryStack(stack, loadStackConfig(stack));
}

/** Errors that mean "could not run" rather than "a check failed". */
export function isSetupError(err: unknown): boolean {
    return err instanceof UsageError || err instanceof StackFileError || err instanceof ConfigError || err instanceof OutputsError;
}

/** Runs the checks with progress on stderr, prints the table or the JSON report, returns the exit code. */
export async function runAndReport(
    command: Report["command"],
    stack: string,
    checks: readonly Check[],
    options: CommonOptions,
    io: Io,
): Promise<{ code: number; report: Report }> {
    const started = new Date();
    const overrides = describeOverrides(io.env);
    const roles = Object.entries(options.roles).map(([account, arn]) => `${account} ${arn}`);
    io.stderr(
        `${command} ${stack}: ${checks.length} checks, credentials ${options.credentials}` +
            (roles.length > 0 ? ` (checking with ${roles.join(", ")})` : "") +
            (overrides.length > 0 ? `, endpoint overrides: ${overrides.join(", ")}` : "") +
            "\n",
    );
    const results = await runChecks(checks, options.limits, (event) => io.stderr(formatProgress(event)));
    const report = buildReport(command, stack, results, started);
    io.stdout(options.json ? formatJson(report) : formatTable(report));
    return { code: report.ok ? EXIT_OK : EXIT_CHECK_FAILED, report };
}

/** Wraps a command body: setup errors print their message and exit 2, clients are closed at the end. */
export async function guarded(io: Io, usage: string, body: (access: (a: AwsAccess) => AwsAccess) => Promise<number>): Promise<number> {
    const opened: AwsAccess[] = [];
    try {
        return await body((access) => {
            opened.push(access);
            return access;
        });
    } catch (err) {
        if (isSetupError(err)) {
            io.stderr(`${err instanceof ConfigError ? err.report("nothing was checked") : (err as Error).message}\n`);
            if (err instanceof UsageError) io.stderr(`\n${usage}`);
            return EXIT_CANNOT_RUN;
        }
        throw err;
    } finally {
        for (const access of opened) access.destroy();
    }
}
