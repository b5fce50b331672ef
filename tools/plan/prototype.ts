// Where a resource belongs: its prototype (the plan's grouping) and the account/region its
// provider points at (the plan's "where does this land" summary).
import { ALL_PROTOTYPES } from "../../stacks/config";
import { STACK_WIDE } from "./types";

/** The fields of a resource the placement rules read (a harness record or a saved plan entry). */
export interface ResourceLike {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    readonly parent?: string;
    readonly provider?: string;
}

const KNOWN = new Set(ALL_PROTOTYPES);

function known(value: unknown): string | undefined {
    return typeof value === "string" && KNOWN.has(value) ? value : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A `prototype` tag (AWS) or label (Kubernetes, also `<domain>/prototype`). */
function labelled(resource: ResourceLike): string | undefined {
    const tags = record(resource.inputs.tags);
    const labels = record(record(resource.inputs.metadata)?.labels);
    for (const map of [tags, labels]) {
        if (!map) continue;
        for (const [key, value] of Object.entries(map)) {
            if ((key === "prototype" || key.endsWith("/prototype")) && known(value)) return value as string;
        }
    }
    return undefined;
}

/** The naming rule `<prototype>-…` or `<env>-<prototype>-…` (stacks/naming.ts). */
function named(resource: ResourceLike): string | undefined {
    const [first, second] = resource.name.split("-");
    return known(first) ?? known(second);
}

function own(resource: ResourceLike): string | undefined {
    return labelled(resource) ?? named(resource);
}

/**
 * The prototype a resource belongs to, the first that answers of:
 *  1. its own `prototype` tag or label, or its name (`<prototype>-…`, `<env>-<prototype>-…`);
 *  2. its provider's (Kubernetes has one provider per prototype, e.g. `k8s-s0`);
 *  3. the same two questions for its parent, grandparent, …
 * and "stack-wide" when none does (providers per account, buckets, the shared Aurora base).
 * Only real prototype names count (global, s0…s14), so a country or env never matches.
 */
export function prototypeOf(resource: ResourceLike, byUrn: ReadonlyMap<string, ResourceLike>): string {
    const seen = new Set<string>();
    for (let at: ResourceLike | undefined = resource; at && !seen.has(at.urn); at = at.parent ? byUrn.get(at.parent) : undefined) {
        seen.add(at.urn);
        const found = own(at) ?? (at.provider ? own(byUrn.get(at.provider) ?? { urn: "", type: "", name: "", inputs: {} }) : undefined);
        if (found) return found;
    }
    return STACK_WIDE;
}

export interface Placement {
    readonly account?: string;
    readonly region?: string;
}

/** A provider input that engines hand over as JSON text ("[\"123\"]") or as a value. */
function providerValue(value: unknown): unknown {
    if (typeof value === "string" && /^[[{]/.test(value)) {
        try {
            return JSON.parse(value);
        } catch {
            return value;
        }
    }
    return value;
}

/**
 * Account and region of a resource, read from its explicit provider: AWS providers pin
 * `allowedAccountIds` and `region`; Kubernetes providers name a cluster context (or run in the
 * ambient kubeconfig). Components and resources on a default provider have no placement.
 */
export function placementOf(resource: ResourceLike, byUrn: ReadonlyMap<string, ResourceLike>): Placement {
    const provider = resource.provider ? byUrn.get(resource.provider) : undefined;
    if (!provider) return {};
    const inputs = provider.inputs;
    if (provider.type === "pulumi:providers:aws") {
        const ids = providerValue(inputs.allowedAccountIds);
        const account = Array.isArray(ids) && ids.length > 0 ? ids.map(String).join(",") : undefined;
        return { account, region: typeof inputs.region === "string" ? inputs.region : undefined };
    }
    if (provider.type === "pulumi:providers:kubernetes") {
        // A kubeconfig built from the EKS cluster (components/kubernetesProviders.ts) names it as its current context.
        const kubeconfig = inputs.kubeconfig;
        const built = kubeconfig !== null && typeof kubeconfig === "object" ? (kubeconfig as Record<string, unknown>)["current-context"] : undefined;
        const context = inputs.context ?? inputs.cluster ?? built;
        return { account: "kubernetes", region: typeof context === "string" ? `context ${context}` : "current kubeconfig context" };
    }
    return { account: provider.type.replace(/^pulumi:providers:/, "") };
}
