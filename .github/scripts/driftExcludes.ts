// The resources the nightly drift check leaves out: objects in the buckets the read-only preview
// role may not read (the country's secrets and keysets buckets; docs/iam/data-infra-preview.json).
// Refreshing them would need s3:GetObject there. `npm run verify` checks the secret object instead.
// URNs come from the offline plan of the real program, so they are exactly the deployed ones.
//   pulumi refresh --stack <stack> … $(npx tsx .github/scripts/driftExcludes.ts <stack>)
import { parseCountryStack } from "../../stacks/config";
import { barragemSecret, keysetsBucket } from "../../stacks/naming";
import { loadStackConfig, ProgramRun, runProgram } from "../../tools/mockRuntime";

/** Buckets whose objects the preview role may not read, for a stack. */
export function unreadableBuckets(stackName: string): string[] {
    const stack = parseCountryStack(stackName, loadStackConfig(stackName));
    return [barragemSecret.bucket(stack.country, stack.env), keysetsBucket(stack.country, stack.env)];
}

/** `--exclude <urn>` for every resource of the run that lives in one of those buckets. */
export function driftExcludeArgs(run: ProgramRun, buckets: readonly string[]): string[] {
    return run.resources.filter((r) => r.custom && buckets.includes(String(r.inputs.bucket))).flatMap((r) => ["--exclude", r.urn]);
}

if (require.main === module) {
    const stackName = process.argv[2];
    if (!stackName) {
        process.stderr.write("usage: npx tsx .github/scripts/driftExcludes.ts <stack>\n");
        process.exit(2);
    }
    runProgram({ stack: stackName }).then(
        (run) => process.stdout.write(`${driftExcludeArgs(run, unreadableBuckets(stackName)).join(" ")}\n`),
        (e: unknown) => {
            process.stderr.write(`driftExcludes: ${e instanceof Error ? e.message : String(e)}\n`);
            process.exit(2);
        },
    );
}
