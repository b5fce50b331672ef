// `npx tsx tools/checks/sampleOutputs.ts --stack <stack> > outputs.json`: the outputs the stack
// would have, from the offline run of the real program (tools/mockRuntime.ts), for running
// verify against local stand-ins. Cluster endpoints are the mock's; secrets are masked.
import { parseArgs } from "util";
import { runProgram } from "../mockRuntime";

export async function sampleOutputs(stack: string): Promise<Record<string, unknown>> {
    return (await runProgram({ stack })).outputs;
}

if (require.main === module) {
    const { values } = parseArgs({ options: { stack: { type: "string" } }, strict: true });
    if (!values.stack) {
        process.stderr.write("usage: npx tsx tools/checks/sampleOutputs.ts --stack <env>-<country> > outputs.json\n");
        process.exit(2);
    }
    sampleOutputs(values.stack).then(
        (outputs) => {
            process.stdout.write(`${JSON.stringify(outputs, null, 2)}\n`);
            process.exit(0);
        },
        (err) => {
            process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
            process.exit(2);
        },
    );
}
