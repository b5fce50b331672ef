// Minimal planned resources, shaped like the harness's, for testing one rule at a time without
// running a program: a compliant and a violating resource per rule (test/policyRules.test.ts).
import type { PlannedResource } from "../mockRuntime";

export interface MinimalResource {
    readonly type: string;
    readonly name: string;
    readonly inputs?: Record<string, unknown>;
    /** Harness paths of inputs that are Pulumi secrets. */
    readonly secretInputs?: readonly string[];
    readonly protect?: boolean;
    readonly retainOnDelete?: boolean;
    /** URN of the explicit provider. */
    readonly provider?: string;
    readonly parent?: string;
    /** URNs this resource takes inputs from or waits for. */
    readonly dependencies?: readonly string[];
    readonly dependsOn?: readonly string[];
    /** Component resources are not custom. */
    readonly custom?: boolean;
}

export const TEST_STACK = "test";

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:${TEST_STACK}::data-infra::${type}::${name}`;
}

export function planned(spec: MinimalResource): PlannedResource {
    return {
        urn: urnOf(spec.type, spec.name),
        type: spec.type,
        name: spec.name,
        custom: spec.custom ?? true,
        ...(spec.parent ? { parent: spec.parent } : {}),
        ...(spec.provider ? { provider: spec.provider } : {}),
        inputs: spec.inputs ?? {},
        secretInputs: spec.secretInputs ?? [],
        protect: spec.protect ?? false,
        retainOnDelete: spec.retainOnDelete ?? false,
        ignoreChanges: [],
        dependencies: [...(spec.dependencies ?? []), ...(spec.dependsOn ?? [])],
        dependsOn: spec.dependsOn ?? [],
    };
}

/** An explicit AWS provider, as AwsProviders creates them. */
export function awsProvider(name = "aws-country-us-east-1"): PlannedResource {
    return planned({ type: "pulumi:providers:aws", name, inputs: { region: "us-east-1", allowedAccountIds: ["400000000101"] } });
}

/** A stack of minimal resources, as the evaluator takes it. */
export function minimalStack(resources: readonly MinimalResource[]): { stack: string; resources: PlannedResource[] } {
    return { stack: TEST_STACK, resources: resources.map(planned) };
}
