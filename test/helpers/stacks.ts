// Program runs shared by the tests: the committed stack files, and synthetic stacks derived
// from them (so they carry every key a real stack file has).
import { RawConfig } from "../../stacks/config";
import { listStacks, loadStackConfig, PlannedResource, ProgramRun, runProgram, RunOptions } from "../../tools/mockRuntime";

/** Every committed stack file: a new country's pair is tested like the others, with no test edit. */
export const STACK_FILES: readonly string[] = listStacks();

/**
 * The example country whose values (accounts, domain nu.com.co, prototypes) some tests spell out.
 * Test data, not the list of stacks: adding a country never touches it.
 */
export const EXAMPLE_STACKS = ["staging-co", "prod-co"] as const;

/** Prototype lists of a given number of shards: global, s0 … s(n-1). */
export function prototypesWithShards(shards: number): string[] {
    return ["global", ...Array.from({ length: shards }, (_, i) => `s${i}`)];
}

/** A stack file's config with some keys replaced (values already in Pulumi's raw string form). */
export function configFrom(stack: string, overrides: Record<string, string>): RawConfig {
    return { ...loadStackConfig(stack), ...overrides };
}

const sharedRuns = new Map<string, Promise<ProgramRun>>();

/**
 * runProgram, once per test file for the same stack, config and program: a run is the same every
 * time for the same inputs (the program reads nothing else but DATA_INFRA_ROLE, which tests that
 * set it run on their own), and a staging-co run costs about a second, so tests that only read a
 * run, and the commands they drive (adopt, check:policy, plan), share one instead of each running
 * the program again. Jest gives each test file its own module registry: files never share a run.
 */
export function sharedRun(options: RunOptions): Promise<ProgramRun> {
    if (options.onResource) return runProgram(options);
    const key = JSON.stringify([options.stack, options.config ?? null, options.program ?? null, process.env.DATA_INFRA_ROLE ?? null]);
    let run = sharedRuns.get(key);
    if (!run) {
        run = runProgram(options);
        sharedRuns.set(key, run);
    }
    return run;
}

/** The shared run of a committed stack file (see sharedRun). */
export function stackRun(stack: string): Promise<ProgramRun> {
    return sharedRun({ stack });
}

/** Runs the real program on a synthetic stack of `staging-co` with n shards. */
export function runWithShards(shards: number, stack = "staging-co"): Promise<ProgramRun> {
    return runProgram({
        stack,
        config: configFrom(stack, { "data-infra:prototypes": JSON.stringify(prototypesWithShards(shards)) }),
    });
}

/** Runs a config expected to be refused; returns the error and what got registered before it. */
export async function runRefused(stack: string, config: RawConfig): Promise<{ error: Error; registered: PlannedResource[] }> {
    const registered: PlannedResource[] = [];
    try {
        await runProgram({ stack, config, onResource: (r) => registered.push(r) });
    } catch (error) {
        return { error: error as Error, registered };
    }
    throw new Error(`stack ${stack} was expected to be refused`);
}

/** The provider resource of a resource, with its region and account. */
export function providerOf(run: ProgramRun, resource: PlannedResource): { region: string; accountId: string } {
    const provider = run.resources.find((r) => r.urn === resource.provider);
    if (!provider) throw new Error(`${resource.type} ${resource.name} has no explicit provider`);
    return { region: String(provider.inputs.region), accountId: (provider.inputs.allowedAccountIds as string[])[0] };
}

/** All resources a resource waits for, directly or through others. */
export function transitiveDependencies(run: ProgramRun, resource: PlannedResource): PlannedResource[] {
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const seen = new Set<string>();
    const stack = [...resource.dependencies];
    while (stack.length > 0) {
        const urn = stack.pop()!;
        if (seen.has(urn)) continue;
        seen.add(urn);
        stack.push(...(byUrn.get(urn)?.dependencies ?? []));
    }
    return [...seen].map((u) => byUrn.get(u)).filter((r): r is PlannedResource => r !== undefined);
}
