// Reading resource properties the way the engine hands them to a policy: plain JSON, except that
// during `pulumi preview` a value computed from a resource not yet created is unknown, and reading
// it throws UnknownValueError. Rules that correlate resources read through `known()`.
import type { EnforcementLevel, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { UnknownValueError } from "@pulumi/policy";

export type Props = Record<string, unknown>;

/** The value, or undefined when it is unknown until the resource it comes from is created. */
export function known<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (e) {
        if (e instanceof UnknownValueError) return undefined;
        throw e;
    }
}

export function isObject(value: unknown): value is Props {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function asArray(value: unknown): unknown[] {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : [value];
}

export function asStrings(value: unknown): string[] {
    return asArray(value).filter((v): v is string => typeof v === "string");
}

/** An own property is set (even if its value is unknown during preview). */
export function isSet(props: Props, key: string): boolean {
    return Object.prototype.hasOwnProperty.call(props, key) && Object.getOwnPropertyDescriptor(props, key)?.value !== undefined;
}

/** Checkov / Trivy equivalents, cited in every rule's description and in docs/guardrails.md. */
export interface CheckIds {
    readonly checkov: readonly string[];
    readonly trivy: readonly string[];
    /** Said instead of the ids when no scanner has an equivalent check. */
    readonly note?: string;
}

export function citation(ids: CheckIds): string {
    const parts: string[] = [];
    if (ids.checkov.length > 0) parts.push(`Checkov ${ids.checkov.join(", ")}`);
    if (ids.trivy.length > 0) parts.push(`Trivy ${ids.trivy.join(", ")}`);
    if (ids.note) parts.push(ids.note);
    return parts.join("; ");
}

interface RuleBase {
    readonly name: string;
    /** What the rule requires, one sentence. */
    readonly summary: string;
    readonly ids: CheckIds;
    /** How to fix a violation: printed by check:policy and shown by the engine. */
    readonly fix: string;
    readonly enforcementLevel?: EnforcementLevel;
}

/** The fields every rule shares: name, description citing its scanner equivalents, level, fix, id tags. */
function ruleHeader(base: RuleBase) {
    return {
        name: base.name,
        description: `${base.summary} (${citation(base.ids)})`,
        enforcementLevel: base.enforcementLevel ?? ("mandatory" as EnforcementLevel),
        remediationSteps: base.fix,
        tags: idTags(base.ids),
    };
}

/** A resource policy whose description cites its scanner equivalents and whose tags carry the ids. */
export function resourceRule(base: RuleBase, rest: Omit<ResourceValidationPolicy, "name" | "description">): ResourceValidationPolicy {
    return { ...ruleHeader(base), ...rest };
}

export function stackRule(base: RuleBase, rest: Omit<StackValidationPolicy, "name" | "description">): StackValidationPolicy {
    return { ...ruleHeader(base), ...rest };
}

function idTags(ids: CheckIds): string[] {
    return [...ids.checkov.map((id) => `checkov:${id}`), ...ids.trivy.map((id) => `trivy:${id}`)];
}

/** Display name of a resource in messages: `type name`. */
export function label(r: { type: string; name: string }): string {
    return `${r.type} "${r.name}"`;
}

/** The resources `resource` takes `property` from (or all it depends on when the engine gave no per-property list). */
export function sourcesOf(resource: PolicyResource, property: string): PolicyResource[] {
    return resource.propertyDependencies?.[property] ?? resource.dependencies;
}

/** Every resource `resource` waits for, directly or through others. */
export function transitiveSources(resource: PolicyResource, property: string): PolicyResource[] {
    const seen = new Map<string, PolicyResource>();
    const todo = [...sourcesOf(resource, property)];
    while (todo.length > 0) {
        const next = todo.pop()!;
        if (seen.has(next.urn)) continue;
        seen.set(next.urn, next);
        todo.push(...next.dependencies);
    }
    return [...seen.values()];
}
