// `npm run preflight -- --stack <stack>`: before `pulumi up`, checks what the program needs and
// does not create — the deploy roles, Foundation's signing keysets (runbook "Troubleshooting"),
// the secrets bucket, the VPC, the Kubernetes nodes' security group, the EKS clusters, the
// country's hosted zone and the major of any Aurora cluster already there — and names the
// runbook's remedy for each missing thing. docs/verify.md says what each row means.
import { commonUsage, EXIT_OK, guarded, Io, loadCountryStack, parseCommonArgs, processIo, runAndReport } from "./checks/cli";
import { AwsAccess } from "./checks/awsAccess";
import { Causes } from "./checks/causes";
import { PREFLIGHT_CHECKS, preflightChecks } from "./checks/preflightPlan";

/** Runs preflight with command-line arguments; resolves to the exit code (0 ok, 1 a check failed, 2 could not run). */
export async function preflight(argv: readonly string[], io: Io = processIo()): Promise<number> {
    const usage = commonUsage("preflight", PREFLIGHT_CHECKS);
    return guarded(io, usage, async (track) => {
        const options = parseCommonArgs("preflight", argv, PREFLIGHT_CHECKS);
        if (options.help) {
            io.stdout(usage);
            return EXIT_OK;
        }
        const stack = loadCountryStack(options.stack);
        const access = track(new AwsAccess(stack, options.credentials, io.env, options.limits.attemptTimeoutMs, options.roles));
        const checks = preflightChecks({ stack, access, limits: options.limits, causes: new Causes(access, io.env) }).filter((c) => !options.skip.has(c.check));
        return (await runAndReport("preflight", options.stack, checks, options, io)).code;
    });
}

if (require.main === module) {
    preflight(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err) => {
            process.stderr.write(`preflight crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
            process.exit(2);
        },
    );
}
