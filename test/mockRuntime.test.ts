// The offline plan's run of the program is fast because, for the length of a mock run, the SDK's
// debugging aids are off and each resource property's Output is built on first read
// (tools/mockRuntime.ts, docs/plan.md "Speed"). None of that may change what the plan, the policy
// check or the tests see: the run with those changes and the SDK's own, unchanged run
// (DATA_INFRA_STACK_TRACES=1) give the same resources, inputs, options, dependencies and outputs.
import { listStacks, ProgramRun, runProgram } from "../tools/mockRuntime";

/** Everything of a run but the order in which resources registered, which differs (docs/plan.md). */
function comparable(run: ProgramRun) {
    const sorted = <T>(xs: readonly T[]) => [...xs].sort();
    return {
        resources: [...run.resources]
            .map((r) => ({ ...r, dependencies: sorted(r.dependencies), dependsOn: sorted(r.dependsOn), secretInputs: sorted(r.secretInputs) }))
            .sort((a, b) => a.urn.localeCompare(b.urn)),
        invokes: [...run.invokes].map((i) => JSON.stringify(i)).sort(),
        outputs: run.outputs,
        secretOutputs: sorted(run.secretOutputs),
        plainInputs: [...run.plainInputs.entries()].sort(([a], [b]) => a.localeCompare(b)),
        warnings: sorted(run.warnings),
        invented: run.invented,
    };
}

const stack = listStacks()[0];

test(`a fast mock run of ${stack} sees exactly what the SDK's own run sees`, async () => {
    const fast = await runProgram({ stack });
    const before = process.env.DATA_INFRA_STACK_TRACES;
    process.env.DATA_INFRA_STACK_TRACES = "1";
    let own: ProgramRun;
    try {
        own = await runProgram({ stack });
    } finally {
        if (before === undefined) delete process.env.DATA_INFRA_STACK_TRACES;
        else process.env.DATA_INFRA_STACK_TRACES = before;
    }
    expect(fast.resources.length).toBeGreaterThan(100);
    expect(comparable(fast)).toEqual(comparable(own));
}, 120_000);
