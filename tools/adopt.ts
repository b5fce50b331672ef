// `npm run adopt -- --stack <stack> [--out <file>]`: for a country built by hand with the runbook,
// which of the stack's planned resources already exist, and the file `pulumi import --file`
// reads to bring them under management with exactly the URNs the program gives them. Reads
// only, and with read-only credentials by default: each account's read-only role (the one
// `npm run verify` uses in the pipeline, READ_ONLY_ROLE_NAME, default data-infra-read-only),
// overridable with --country-role/--data-role. `--import-password` is the one step that reads
// a secret, with the deploy role (tools/adopt/password.ts). Procedure and report: docs/adopt.md.
import * as fs from "fs";
import { AwsAccess, DeployRoleError } from "./checks/awsAccess";
import { commonUsage, EXIT_CANNOT_RUN, EXIT_CHECK_FAILED, EXIT_OK, guarded, Io, loadCountryStack, parseCommonArgs, processIo, UsageError } from "./checks/cli";
import { describeOverrides } from "./checks/endpoints";
import { formatMs, formatProgressLine } from "./adopt/progress";
import { ImportableFinding, isImportable } from "./adopt/findings";
import { buildImportFile, engineUrn, providerUrns } from "./adopt/importFile";
import { importPassword } from "./adopt/password";
import { DEFAULT_READ_ONLY_ROLE } from "../.github/scripts/verifyRoles";
import { AdoptReport, buildReport, formatReport, toRows } from "./adopt/report";
import { Breaker, SKIPPED, survey } from "./adopt/survey";
import { buildStateCheck, formatStateCheck, readStateExport, StateExportError, StateResource } from "./adopt/stateCheck";
import { adoptTargets } from "./adopt/targets";
import { runProgram } from "./mockRuntime";
import type { AccountRole } from "../stacks/catalogue";
import type { CountryStack } from "../stacks/config";
import type { RoleOverrides } from "./checks/awsAccess";

/** The kinds of resources adopt looks for (the CHECK names of its progress lines). */
export const ADOPT_CHECKS: readonly string[] = [];

export function adoptUsage(): string {
    return commonUsage("adopt", ADOPT_CHECKS)
        .replace("usage: npm run adopt -- --stack <env>-<country> [options]", "usage: npm run adopt -- --stack <env>-<country> [--out FILE] [options]")
        .replace(
            "  --json ",
            "  --out FILE              write the `pulumi import --file` file of the resources that exist, only when nothing is blocked or unchecked (default: report only)\n" +
                "  --import-password       the separate step after `pulumi import`: read the Barragem password with the deploy role and `pulumi import` it, never printing it\n" +
                "  --check-state FILE      the pipeline's guard before `pulumi up`: FILE is `pulumi stack export`; fail (exit 1) on every planned resource that exists in AWS but not in that state\n" +
                "  --json ",
        )
        .replace(
            /  --credentials MODE[^\n]*\n {2}--country-role ARN[^\n]*\n/,
            "  --credentials MODE      deploy-roles | ambient (default deploy-roles: assume a role in each account, the read-only one below)\n" +
                `  --country-role ARN      read the country account with this role (default its READ_ONLY_ROLE_NAME role, ${DEFAULT_READ_ONLY_ROLE}; with --import-password or --check-state, its deploy role)\n`,
        )
        .replace(/ {2}--skip LIST[^\n]*\n/, "")
        .replace(/exit code: [^\n]*/, "exit code: 0 nothing blocked, 1 something is blocked or could not be checked, 2 could not run. See docs/adopt.md.");
}

/** `--out FILE`, `--check-state FILE` and `--import-password` are adopt's own; everything else is preflight's flags. */
function takeOut(argv: readonly string[]): { out?: string; checkState?: string; importPassword: boolean; rest: string[] } {
    const rest: string[] = [];
    const files: { out?: string; "check-state"?: string } = {};
    let importPassword = false;
    for (let i = 0; i < argv.length; i += 1) {
        const arg = argv[i];
        const flag = (["out", "check-state"] as const).find((f) => arg === `--${f}` || arg.startsWith(`--${f}=`));
        if (arg === "--import-password") importPassword = true;
        else if (flag && arg === `--${flag}`) {
            const value = argv[i + 1];
            if (value === undefined || value.startsWith("--")) throw new UsageError(`--${flag} needs a file name (e.g. --${flag} ${flag === "out" ? "import.json" : "state.json"})`);
            files[flag] = value;
            i += 1;
        } else if (flag) files[flag] = arg.slice(`--${flag}=`.length);
        else rest.push(arg);
    }
    const { out, "check-state": checkState } = files;
    if (importPassword && out !== undefined) throw new UsageError("--import-password imports the password only: run it without --out, after `pulumi import --file`");
    if (checkState !== undefined && (out !== undefined || importPassword)) {
        throw new UsageError("--check-state only checks the stack's state against AWS: run it without --out and --import-password");
    }
    return { out, checkState, importPassword, rest };
}

/**
 * Adopt reads with each account's read-only role unless told otherwise: the role `npm run
 * verify` uses in the pipeline (.github/scripts/verifyRoles.ts), never the deploy role.
 */
export function readOnlyRoles(stack: CountryStack, given: RoleOverrides, env: NodeJS.ProcessEnv): RoleOverrides {
    const name = env.READ_ONLY_ROLE_NAME || DEFAULT_READ_ONLY_ROLE;
    return {
        country: given.country ?? `arn:aws:iam::${stack.accounts.country.id}:role/${name}`,
        data: given.data ?? `arn:aws:iam::${stack.accounts.data.id}:role/${name}`,
    };
}

/** Assumes each account's checking role once, bounded: a role that cannot be assumed is one clear message, not 200 failed rows. */
async function credentialsGate(access: AwsAccess, accounts: readonly AccountRole[], timeoutMs: number): Promise<string | undefined> {
    if (access.mode === "ambient") return undefined;
    for (const account of accounts) {
        const role = access.checkingRole(account);
        let timer: NodeJS.Timeout | undefined;
        try {
            await Promise.race([
                access.assume(role, account),
                new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new DeployRoleError(`no answer from STS within ${formatMs(timeoutMs)}`, true)), timeoutMs))),
            ]);
        } catch (err) {
            const why = err instanceof Error ? err.message : String(err);
            return (
                `cannot read the ${account} account: ${why}\n` +
                `adopt reads with ${role}: it must exist, trust the identity running adopt (sts:AssumeRole) and be allowed to read ` +
                "(e.g. the AWS-managed ReadOnlyAccess); pass another role with --" +
                `${account}-role, or --credentials ambient to read with your own credentials. Is the STS endpoint right (AWS_ENDPOINT_URL_STS)?`
            );
        } finally {
            clearTimeout(timer);
        }
    }
    return undefined;
}

/**
 * Runs adopt; resolves to the exit code. `runStack` runs the program (the tests hand in one shared run
 * of the same stack file rather than running it again for every case).
 */
export async function adopt(argv: readonly string[], io: Io = processIo(), runStack: typeof runProgram = runProgram): Promise<number> {
    const usage = adoptUsage();
    return guarded(io, usage, async (track) => {
        const { out, checkState, importPassword: passwordOnly, rest } = takeOut(argv);
        const options = parseCommonArgs("adopt", rest, ADOPT_CHECKS);
        if (options.help) {
            io.stdout(usage);
            return EXIT_OK;
        }
        const stack = loadCountryStack(options.stack);
        // The state is read before anything else: a wrong file stops the run with its name, not after the survey.
        let state: StateResource[] | undefined;
        if (checkState !== undefined) {
            try {
                state = readStateExport(checkState, options.stack);
            } catch (err) {
                if (!(err instanceof StateExportError)) throw err;
                io.stderr(`${err.message}\n`);
                return EXIT_CANNOT_RUN;
            }
        }
        const started = Date.now();
        const run = await runStack({ stack: options.stack });
        if (passwordOnly) {
            // The one secret read: with the deploy role (or the role given), never the read-only one.
            const access = track(new AwsAccess(stack, options.credentials, io.env, options.limits.attemptTimeoutMs, options.roles, `data-infra-adopt-${stack.stackName}`));
            const refused = await credentialsGate(access, ["country"], options.limits.attemptTimeoutMs);
            if (refused) {
                io.stderr(`${refused}\n`);
                return EXIT_CANNOT_RUN;
            }
            return importPassword(run, stack, access, io, io.env.PULUMI_BIN || "pulumi", AbortSignal.timeout(options.limits.totalTimeoutMs));
        }
        // The take-over check runs in the deploy job, which holds the deploy roles anyway: it reads
        // with them (or the roles given), so a first deploy needs no other role's trust. A person's
        // adopt survey reads with the read-only roles.
        const roles = options.credentials === "ambient" ? {} : state !== undefined ? options.roles : readOnlyRoles(stack, options.roles, io.env);
        const access = track(new AwsAccess(stack, options.credentials, io.env, options.limits.attemptTimeoutMs, roles, `data-infra-adopt-${stack.stackName}`));
        const accounts = [...new Set(adoptTargets(run, stack).map((t) => t.account))];

        const overrides = describeOverrides(io.env);
        io.stderr(
            `adopt ${options.stack}: ${run.resources.length} planned resources, credentials ${options.credentials}` +
                (Object.keys(roles).length > 0 ? ` (reading with ${Object.entries(roles).map(([account, arn]) => `${account} ${arn}`).join(", ")})` : "") +
                (overrides.length > 0 ? `, endpoint overrides: ${overrides.join(", ")}` : "") +
                "; reads only\n",
        );
        const refused = await credentialsGate(access, accounts, options.limits.attemptTimeoutMs);
        if (refused) {
            io.stderr(`${refused}\n`);
            return EXIT_CANNOT_RUN;
        }

        const breaker = new Breaker();
        const surveyed = await survey(run, stack, access, options.limits, (event) => {
            if (event.type === "retry" || !event.result.detail.startsWith(SKIPPED)) io.stderr(formatProgressLine(event));
        }, breaker);
        if (breaker.cause) {
            // Every look failed for one reason: an endpoint or credentials problem, said once.
            io.stderr(
                `adopt ${options.stack}: nothing could be read: ${breaker.cause}\n` +
                    "check the credentials (--credentials, --country-role, --data-role) and the endpoint overrides above; nothing was written.\n",
            );
            return EXIT_CANNOT_RUN;
        }

        const rows = toRows(surveyed, (urn) => engineUrn(run, urn));
        if (state !== undefined && checkState !== undefined) {
            const checked = buildStateCheck(options.stack, checkState, rows, state);
            io.stdout(options.json ? `${JSON.stringify(checked, null, 2)}\n` : formatStateCheck(checked));
            io.stderr(`adopt ${options.stack}: done in ${formatMs(Date.now() - started)}\n`);
            return checked.ok ? EXIT_OK : EXIT_CHECK_FAILED;
        }
        const existing = new Map<string, ImportableFinding>();
        for (const s of surveyed) if (isImportable(s.finding)) existing.set(s.target.resource.urn, s.finding);
        const file = buildImportFile(run, existing);
        const report: AdoptReport = buildReport(options.stack, rows, providerUrns(file), out);
        // Only a file that can be imported as it is: nothing blocked (importing it means a
        // replacement), nothing unchecked (it might exist, and up would then fail or duplicate it).
        if (report.importFile !== undefined) fs.writeFileSync(report.importFile, `${JSON.stringify(file, null, 4)}\n`);
        io.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
        io.stderr(`adopt ${options.stack}: done in ${formatMs(Date.now() - started)}\n`);
        return report.ok ? EXIT_OK : EXIT_CHECK_FAILED;
    });
}

if (require.main === module) {
    adopt(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err) => {
            process.stderr.write(`adopt crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
            process.exit(EXIT_CANNOT_RUN);
        },
    );
}
