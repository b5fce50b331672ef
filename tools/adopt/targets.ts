// What `npm run adopt` looks for: the custom resources of the offline plan (tools/mockRuntime.ts,
// the real index.ts under mocks), each with the account and region its provider deploys to and
// its inputs with the plan's stand-in ids turned back into the names they stand for.
import type { AccountRole } from "../../stacks/catalogue";
import type { CountryStack } from "../../stacks/config";
import type { PlannedResource, ProgramRun } from "../mockRuntime";

export interface AdoptTarget {
    readonly resource: PlannedResource;
    readonly account: AccountRole;
    readonly region: string;
    /** Inputs with references to other planned resources replaced by their physical names. */
    readonly inputs: Record<string, unknown>;
    /**
     * The tags the next `up` sets: the provider's defaultTags with the resource's own `tags` over
     * them (what the AWS provider computes as tagsAll), for the types that take tags.
     */
    readonly tags: Record<string, string>;
}

/**
 * The name the fake cloud gives a resource (mockRuntime's FakeCloud: `<physical>-id`), so that
 * inputs that refer to another planned resource (a bucket policy's `bucket`, an ingress rule's
 * `securityGroupId`) can be read as that resource's physical name.
 */
function physicalName(resource: PlannedResource): string {
    const i = resource.inputs;
    return String(i.name ?? i.bucket ?? i.clusterIdentifier ?? i.identifier ?? resource.name);
}

/** True for values the offline plan can only invent: ids of lookups (`vpc-mock-…`) and of resources not created yet. */
export function isStandInValue(value: unknown): boolean {
    if (typeof value === "string") return /(^|[-.])mock([-.]|$)|^ZMOCK|elb-mock/i.test(value);
    if (Array.isArray(value)) return value.some(isStandInValue);
    return false;
}

function resolveReferences(value: unknown, byMockId: ReadonlyMap<string, string>): unknown {
    if (typeof value === "string") return byMockId.get(value) ?? value;
    if (Array.isArray(value)) return value.map((v) => resolveReferences(v, byMockId));
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveReferences(v, byMockId)]));
    }
    return value;
}

export class PlanShapeError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PlanShapeError";
    }
}

/** Every custom resource of the plan except providers, with where it lives. */
export function adoptTargets(run: ProgramRun, stack: CountryStack): AdoptTarget[] {
    const byMockId = new Map<string, string>();
    for (const r of run.resources) if (r.custom && !r.type.startsWith("pulumi:providers:")) byMockId.set(`${physicalName(r)}-id`, physicalName(r));
    const providers = new Map(run.resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r]));

    const accountOf = (id: unknown): AccountRole => {
        if (id === stack.accounts.country.id) return "country";
        if (id === stack.accounts.data.id) return "data";
        throw new PlanShapeError(`a provider of ${stack.stackName} deploys to account ${String(id)}, which is neither the country's nor nu-data's`);
    };

    return run.resources
        .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))
        .map((resource) => {
            const provider = resource.provider ? providers.get(resource.provider) : undefined;
            const awsProvider = provider?.type === "pulumi:providers:aws" ? provider : undefined;
            const allowed = awsProvider?.inputs.allowedAccountIds as unknown[] | undefined;
            const defaultTags = ((awsProvider?.inputs.defaultTags as { tags?: Record<string, string> } | undefined)?.tags ?? {}) as Record<string, string>;
            return {
                resource,
                account: awsProvider ? accountOf(allowed?.[0]) : "country",
                region: String(awsProvider?.inputs.region ?? stack.region),
                inputs: resolveReferences(resource.inputs, byMockId) as Record<string, unknown>,
                tags: { ...defaultTags, ...((resource.inputs.tags as Record<string, string> | undefined) ?? {}) },
            };
        });
}
