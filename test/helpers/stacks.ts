// Program runs shared by the tests: the committed stack files, and synthetic stacks derived
// from them (so they carry every key a real stack file has).
import { RawConfig } from "../../stacks/config";
import { listStacks, loadStackConfig, PlannedResource, ProgramRun, runProgram } from "../../tools/mockRuntime";

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
