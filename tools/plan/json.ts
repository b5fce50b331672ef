// A program run as a plan (the `--json` file), and a saved plan read back for `--against`.
import { ALL_PROTOTYPES } from "../../stacks/config";
import type { ProgramRun } from "../mockRuntime";
import { placementOf, prototypeOf, ResourceLike } from "./prototype";
import { Plan, PLAN_FORMAT, PlanResource, STACK_WIDE } from "./types";

/** Builds the plan of a run: the harness's records (already secret-masked) plus placement. */
export function toPlan(run: ProgramRun): Plan {
    const byUrn = new Map<string, ResourceLike>(run.resources.map((r) => [r.urn, r]));
    const resources: PlanResource[] = run.resources.map((r) => {
        const { account, region } = placementOf(r, byUrn);
        return {
            urn: r.urn,
            type: r.type,
            name: r.name,
            custom: r.custom,
            ...(r.parent ? { parent: r.parent } : {}),
            ...(r.provider ? { provider: r.provider } : {}),
            prototype: prototypeOf(r, byUrn),
            ...(account !== undefined ? { account } : {}),
            ...(region !== undefined ? { region } : {}),
            inputs: r.inputs,
            secretInputs: [...r.secretInputs],
            options: { protect: r.protect, retainOnDelete: r.retainOnDelete, dependsOn: [...r.dependsOn] },
            dependencies: [...r.dependencies],
        };
    });
    return {
        format: PLAN_FORMAT,
        stack: run.stack,
        groups: groupOrder(run.outputs.prototypes, resources),
        resources,
        outputs: run.outputs,
        secretOutputs: [...run.secretOutputs],
        invented: { ...run.invented },
    };
}

/** "stack-wide", the stack's prototypes in config order, then any other prototype met. */
function groupOrder(declared: unknown, resources: readonly PlanResource[]): string[] {
    const order = [STACK_WIDE, ...(Array.isArray(declared) ? declared.filter((p): p is string => typeof p === "string") : [])];
    const met = new Set(resources.map((r) => r.prototype));
    for (const p of [...ALL_PROTOTYPES, ...met]) if (met.has(p) && !order.includes(p)) order.push(p);
    return order;
}

export function planToJson(plan: Plan): string {
    return `${JSON.stringify(plan, null, 2)}\n`;
}

export class PlanFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PlanFileError";
    }
}

/** Parses a saved plan, refusing anything that is not one (with the reason). */
export function readPlan(text: string, source: string): Plan {
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (error) {
        throw new PlanFileError(`${source} is not JSON (${(error as Error).message}); save a plan with \`npm run plan -- --stack <stack> --json ${source}\``);
    }
    const plan = doc as Partial<Plan> | null;
    if (!plan || typeof plan !== "object" || plan.format !== PLAN_FORMAT) {
        throw new PlanFileError(`${source} is not a data-infra plan (expected "format": "${PLAN_FORMAT}"); save one with \`npm run plan -- --stack <stack> --json ${source}\``);
    }
    if (typeof plan.stack !== "string" || !Array.isArray(plan.resources) || !Array.isArray(plan.groups)) {
        throw new PlanFileError(`${source} is missing its stack, groups or resources`);
    }
    plan.resources.forEach((r, i) => {
        const ok =
            r &&
            typeof r.urn === "string" &&
            typeof r.type === "string" &&
            typeof r.name === "string" &&
            typeof r.prototype === "string" &&
            r.inputs !== null &&
            typeof r.inputs === "object" &&
            Array.isArray(r.dependencies) &&
            r.options !== null &&
            typeof r.options === "object";
        if (!ok) throw new PlanFileError(`${source}: resource #${i} lacks urn, type, name, prototype, inputs, options or dependencies`);
    });
    return { outputs: {}, secretOutputs: [], ...plan } as Plan;
}
