// Turns the harness's planned resources (tools/mockRuntime.ts) into exactly what the Pulumi engine
// hands a policy pack: ResourceValidationArgs for resource rules, PolicyResource for stack rules.
//
// Differences from the engine, on purpose and documented in docs/guardrails.md:
// - props are the resource's inputs with secrets masked as "[secret]" (a rule never needs them),
//   plus, under the SECRETS_VISIBLE symbol, the same values with secrets as `Secret` instances
//   (what the engine shows a remediation), so secret-aware rules can judge offline;
// - a custom resource without an explicit provider gets the engine's default provider, named
//   `default`; explicit providers carry their inputs as props;
// - opts adds what the harness knows beyond PolicyResourceOptions (retainOnDelete, dependsOn, provider);
// - propertyDependencies is empty: the harness records dependencies per resource, not per
//   property, and rules fall back to all dependencies.
import type { PolicyProviderResource, PolicyResource, PolicyResourceOptions } from "@pulumi/policy";
import { Secret } from "@pulumi/policy";
import { SECRETS_VISIBLE } from "../../policy/rules/secrets";
import type { PlannedResource } from "../mockRuntime";

export interface OfflineResourceOptions extends PolicyResourceOptions {
    readonly retainOnDelete: boolean;
    /** Explicit dependsOn URNs. */
    readonly dependsOn: readonly string[];
    /** URN of the explicit provider, if any. */
    readonly provider?: string;
}

type ResourceClass = { new (...rest: never[]): unknown };

/** The engine's type test: a class's `__pulumiType`, else its `isInstance`. */
export function isTypeOf(type: string, resourceClass: ResourceClass): boolean {
    const token = (resourceClass as unknown as { __pulumiType?: string }).__pulumiType;
    if (token !== undefined) return token === type;
    const isInstance = (resourceClass as unknown as { isInstance?: (o: unknown) => boolean }).isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

/**
 * A harness path (`a.b[0].c`) resolved against the value, so keys that contain dots
 * (`data["config.json"]`) are found: the longest matching key wins.
 */
export function resolvePath(root: unknown, path: string): (string | number)[] | undefined {
    const steps: (string | number)[] = [];
    let at: unknown = root;
    let rest = path;
    while (rest !== "") {
        const index = /^\[(\d+)\]/.exec(rest);
        if (index && Array.isArray(at)) {
            const i = Number(index[1]);
            steps.push(i);
            at = at[i];
            rest = rest.slice(index[0].length);
        } else if (at !== null && typeof at === "object" && !Array.isArray(at)) {
            const key = Object.keys(at)
                .filter((k) => rest === k || rest.startsWith(`${k}.`) || rest.startsWith(`${k}[`))
                .sort((a, b) => b.length - a.length)[0];
            if (key === undefined) return undefined;
            steps.push(key);
            at = (at as Record<string, unknown>)[key];
            rest = rest.slice(key.length).replace(/^\./, "");
        } else {
            return undefined;
        }
    }
    return steps;
}

function clone(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(clone);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)]));
    return value;
}

/** Props as a policy sees them (plain values), with their secret-marked twin attached. */
export function policyProps(inputs: Record<string, unknown>, secretInputs: readonly string[]): Record<string, unknown> {
    const props = clone(inputs) as Record<string, unknown>;
    const raw = clone(inputs) as Record<string, unknown>;
    for (const path of secretInputs) {
        const steps = path === "" ? undefined : resolvePath(raw, path);
        if (!steps || steps.length === 0) continue;
        let parent = raw as Record<string | number, unknown>;
        for (const step of steps.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
        const last = steps[steps.length - 1];
        parent[last] = new Secret(parent[last]);
    }
    Object.defineProperty(props, SECRETS_VISIBLE, { value: raw, enumerable: false });
    return props;
}

export function options(r: PlannedResource): OfflineResourceOptions {
    return {
        protect: r.protect,
        ignoreChanges: [...r.ignoreChanges],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(r.parent ? { parent: r.parent } : {}),
        retainOnDelete: r.retainOnDelete,
        dependsOn: r.dependsOn,
        ...(r.provider ? { provider: r.provider } : {}),
    };
}

/** The provider the engine would report: the explicit one, or the package's default provider. */
export function providerOf(r: PlannedResource, byUrn: ReadonlyMap<string, PlannedResource>, stack: string, project: string): PolicyProviderResource | undefined {
    if (!r.custom || r.type.startsWith("pulumi:providers:")) return undefined;
    const explicit = r.provider ? byUrn.get(r.provider) : undefined;
    if (explicit) return { type: explicit.type, name: explicit.name, urn: explicit.urn, props: policyProps(explicit.inputs, explicit.secretInputs) };
    const pkg = r.type.split(":")[0];
    return { type: `pulumi:providers:${pkg}`, name: "default", urn: `urn:pulumi:${stack}::${project}::pulumi:providers:${pkg}::default`, props: {} };
}

/** Every planned resource as a stack rule's PolicyResource, parents and dependencies linked. */
export function policyResources(resources: readonly PlannedResource[], stack: string, project: string): PolicyResource[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const out = new Map<string, PolicyResource>();
    // One provider object per provider, as the engine hands every rule the same provider state.
    const providers = new Map<string, PolicyProviderResource | undefined>();
    const providerFor = (r: PlannedResource) => {
        const key = r.provider ?? `default:${r.type.split(":")[0]}:${r.custom && !r.type.startsWith("pulumi:providers:")}`;
        if (!providers.has(key)) providers.set(key, providerOf(r, byUrn, stack, project));
        return providers.get(key);
    };
    for (const r of resources) {
        const props = policyProps(r.inputs, r.secretInputs);
        const provider = providerFor(r);
        out.set(r.urn, {
            type: r.type,
            name: r.name,
            urn: r.urn,
            props,
            opts: options(r),
            ...(provider ? { provider } : {}),
            dependencies: [],
            propertyDependencies: {},
            isType: (cls) => isTypeOf(r.type, cls),
            asType: (cls) => (isTypeOf(r.type, cls) ? (props as never) : undefined),
        });
    }
    for (const r of resources) {
        const resource = out.get(r.urn)!;
        const parent = r.parent ? out.get(r.parent) : undefined;
        if (parent) resource.parent = parent;
        resource.dependencies = r.dependencies.map((u) => out.get(u)).filter((d): d is PolicyResource => d !== undefined);
    }
    return [...out.values()];
}
