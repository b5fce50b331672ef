// Runs the policy pack's rules against an offline plan, the way the engine runs them in
// `pulumi preview --policy-pack policy`: every resource rule on every resource, then every stack
// rule on the whole stack. No server, no CLI: the rules are plain functions.
import type { EnforcementLevel, PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { isStackRule, Rule, RULES } from "../../policy/rules";
import type { PlannedResource } from "../mockRuntime";
import { PROJECT } from "../mockRuntime";
import { isTypeOf, options, policyResources } from "./adapt";

export interface Violation {
    readonly rule: string;
    /** `remediate` rules are reported as mandatory, as the engine does when a violation remains. */
    readonly enforcementLevel: "mandatory" | "advisory";
    readonly message: string;
    readonly urn?: string;
    readonly resourceType?: string;
    readonly resourceName?: string;
    /** The rule's remediation steps. */
    readonly fix?: string;
}

export interface NotApplicable {
    readonly rule: string;
    readonly urn: string;
    readonly reason: string;
}

export interface Evaluation {
    readonly stack: string;
    readonly rulesRun: number;
    readonly resourcesChecked: number;
    readonly violations: Violation[];
    readonly notApplicable: NotApplicable[];
}

export interface EvaluateOptions {
    readonly rules?: readonly Rule[];
    /** Per-rule config, as `pulumi preview --policy-pack-config` would give it. */
    readonly config?: Readonly<Record<string, Record<string, unknown>>>;
    readonly project?: string;
}

class NotApplicableSignal extends Error {
    constructor(readonly reason: string) {
        super(reason);
    }
}

function notApplicable(reason?: string): never {
    throw new NotApplicableSignal(reason ?? "Policy does not apply");
}

/** A rule's config: its schema defaults, overridden by the given config. */
function configFor(rule: Rule, given: EvaluateOptions["config"]): Record<string, unknown> {
    const defaults: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(rule.configSchema?.properties ?? {})) {
        if (typeof schema === "object" && schema.default !== undefined) defaults[key] = schema.default;
    }
    const { enforcementLevel: _ignored, ...rest } = (given?.[rule.name] ?? {}) as Record<string, unknown>;
    return { ...defaults, ...rest };
}

function levelOf(rule: Rule, given: EvaluateOptions["config"]): EnforcementLevel {
    const configured = given?.[rule.name]?.enforcementLevel;
    return (typeof configured === "string" ? configured : rule.enforcementLevel ?? "mandatory") as EnforcementLevel;
}

export async function evaluate(run: { stack: string; resources: readonly PlannedResource[] }, opts: EvaluateOptions = {}): Promise<Evaluation> {
    const rules = opts.rules ?? RULES;
    const project = opts.project ?? PROJECT;
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const stackResources = policyResources(run.resources, run.stack, project);
    const asPolicyResource = new Map(stackResources.map((r) => [r.urn, r]));
    const violations: Violation[] = [];
    const skipped: NotApplicable[] = [];
    const stackTags = new Map<string, string>();
    let rulesRun = 0;

    for (const rule of rules) {
        const level = levelOf(rule, opts.config);
        if (level === "disabled") continue;
        rulesRun++;
        const reported: EnforcementLevel = level === "advisory" ? "advisory" : "mandatory";
        const config = configFor(rule, opts.config);
        const record = (message: string, urn: string | undefined) => {
            const target = urn ? byUrn.get(urn) : undefined;
            violations.push({
                rule: rule.name,
                enforcementLevel: reported as "mandatory" | "advisory",
                message,
                ...(urn ? { urn } : {}),
                ...(target ? { resourceType: target.type, resourceName: target.name } : {}),
                ...(rule.remediationSteps ? { fix: rule.remediationSteps } : {}),
            });
        };

        if (isStackRule(rule)) {
            const args: StackValidationArgs = {
                resources: stackResources,
                stackTags,
                getConfig: <T extends object>() => config as T,
                notApplicable,
            };
            try {
                await rule.validateStack(args, (message, urn) => record(message, urn));
            } catch (e) {
                if (!(e instanceof NotApplicableSignal)) throw e;
                skipped.push({ rule: rule.name, urn: "", reason: e.reason });
            }
            continue;
        }

        const validations = rule.validateResource === undefined ? [] : Array.isArray(rule.validateResource) ? rule.validateResource : [rule.validateResource];
        for (const r of run.resources) {
            const resource = asPolicyResource.get(r.urn) as PolicyResource;
            const provider = resource.provider;
            const args: ResourceValidationArgs = {
                type: r.type,
                name: r.name,
                urn: r.urn,
                props: resource.props,
                opts: options(r),
                ...(provider ? { provider } : {}),
                stackTags,
                isType: (cls) => isTypeOf(r.type, cls),
                asType: (cls) => (isTypeOf(r.type, cls) ? (resource.props as never) : undefined),
                getConfig: <T extends object>() => config as T,
                notApplicable,
            };
            for (const validate of validations) {
                try {
                    await validate(args, (message) => record(message, r.urn));
                } catch (e) {
                    if (!(e instanceof NotApplicableSignal)) throw e;
                    skipped.push({ rule: rule.name, urn: r.urn, reason: e.reason });
                }
            }
        }
    }
    return { stack: run.stack, rulesRun, resourcesChecked: run.resources.length, violations, notApplicable: skipped };
}

export function mandatory(evaluation: Evaluation): Violation[] {
    return evaluation.violations.filter((v) => v.enforcementLevel === "mandatory");
}
