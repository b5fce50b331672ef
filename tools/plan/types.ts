// The offline plan as data: what `npm run plan -- --json FILE` writes and `--against FILE` reads.
// Every other piece of the plan (tree, summary, estimate, manifests, graph, diff) is a pure
// function of this shape, so a saved plan and a fresh run are handled the same way.

/** Written into every saved plan; `readPlan` refuses files without it. */
export const PLAN_FORMAT = "data-infra-plan/1";

/** Resources that belong to no prototype: providers, buckets, the Aurora base, alerts, … */
export const STACK_WIDE = "stack-wide";

export interface PlanOptions {
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    /** Explicit `dependsOn` URNs. */
    readonly dependsOn: readonly string[];
}

export interface PlanResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** False for component resources (they create nothing in the cloud themselves). */
    readonly custom: boolean;
    readonly parent?: string;
    /** URN of the explicit provider. */
    readonly provider?: string;
    /** See prototypeOf: the prototype whose boundary the resource belongs to, or "stack-wide". */
    readonly prototype: string;
    /** Account and region of the provider (AWS), the provider's cluster context (Kubernetes). */
    readonly account?: string;
    readonly region?: string;
    /** Inputs as the engine receives them, every secret replaced by "[secret]". */
    readonly inputs: Record<string, unknown>;
    /** Dotted paths of the inputs that are secrets. */
    readonly secretInputs: readonly string[];
    readonly options: PlanOptions;
    /** Every URN this resource waits for (input dependencies and dependsOn). */
    readonly dependencies: readonly string[];
}

export interface Plan {
    readonly format: typeof PLAN_FORMAT;
    readonly stack: string;
    /** Prototype groups in display order: "stack-wide" first, then the stack's prototypes. */
    readonly groups: readonly string[];
    readonly resources: readonly PlanResource[];
    /** Stack outputs, secrets masked. */
    readonly outputs: Record<string, unknown>;
    readonly secretOutputs: readonly string[];
    /**
     * Values the offline runtime made up, with what each stands for (ProgramRun.invented); the
     * diff shows them as `<what it stands for>`. Absent in plans saved before it existed.
     */
    readonly invented?: Readonly<Record<string, string>>;
}
