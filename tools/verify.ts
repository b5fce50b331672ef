// `npm run verify -- --stack <stack> [--outputs FILE]`: after `pulumi up`, checks that what the
// stack outputs name is there and healthy — the runbook's "check if the new service is healthy"
// for every bucket, table, cluster, database and service. The pipeline runs it between staging
// and prod; docs/verify.md says what each row means.
import { commonUsage, EXIT_OK, guarded, Io, loadCountryStack, parseCommonArgs, processIo, runAndReport } from "./checks/cli";
import { AwsAccess } from "./checks/awsAccess";
import { Causes } from "./checks/causes";
import { loadStackOutputs, OutputsError, stackNameOf } from "./checks/outputs";
import { VERIFY_CHECKS, verifyChecks } from "./checks/verifyPlan";

/** Runs verify with command-line arguments; resolves to the exit code (0 ok, 1 a check failed, 2 could not run). */
export async function verify(argv: readonly string[], io: Io = processIo()): Promise<number> {
    const usage = commonUsage("verify", VERIFY_CHECKS);
    return guarded(io, usage, async (track) => {
        const options = parseCommonArgs("verify", argv, VERIFY_CHECKS);
        if (options.help) {
            io.stdout(usage);
            return EXIT_OK;
        }
        const stack = loadCountryStack(options.stack);
        const outputs = await loadStackOutputs(options.stack, options.outputs, io.env);
        if (stackNameOf(outputs) !== options.stack) {
            throw new OutputsError(options.outputs ?? "pulumi", [`these are the outputs of ${stackNameOf(outputs)}, not of ${options.stack}`]);
        }
        const access = track(new AwsAccess(stack, options.credentials, io.env, options.limits.attemptTimeoutMs, options.roles));
        const checks = verifyChecks({ outputs, stack, access, env: io.env, limits: options.limits, causes: new Causes(access, io.env) }).filter((c) => !options.skip.has(c.check));
        return (await runAndReport("verify", options.stack, checks, options, io)).code;
    });
}

if (require.main === module) {
    // Exit explicitly: an abandoned attempt (a service that never answered) must not keep the process alive.
    verify(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err) => {
            process.stderr.write(`verify crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
            process.exit(2);
        },
    );
}
