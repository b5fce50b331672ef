// What adopt concludes about one planned resource, and the small comparisons that lead there.

/** The verdicts of the report (docs/adopt.md "Reading the report"). */
export type Finding =
    /** Exists and matches what the program declares: importing it changes nothing. */
    | { readonly status: "adopt"; readonly id: string; readonly detail: string }
    /** Exists; after the import the next `pulumi up` changes these properties in place. */
    | { readonly status: "update"; readonly id: string; readonly changes: readonly string[] }
    /** Exists, but differs in a property that `pulumi up` can only change by replacing it. */
    | { readonly status: "blocked"; readonly id: string; readonly problems: readonly string[]; readonly remedy: string }
    /** Does not exist: `pulumi up` creates it. */
    | { readonly status: "create"; readonly detail: string }
    /** adopt cannot look (no cluster access, nothing in the cloud to look at). */
    | { readonly status: "not-checked"; readonly reason: string };

export type ExistingFinding = Extract<Finding, { id: string }>;

/** `property: actual → expected` lines of what differs; expected values the plan can only invent are skipped. */
export class Differences {
    readonly changes: string[] = [];
    readonly replacements: string[] = [];

    /** A property `pulumi up` updates in place. */
    update(property: string, actual: unknown, expected: unknown): this {
        if (expected !== undefined && !sameValue(actual, expected)) this.changes.push(`${property}: ${show(actual)} → ${show(expected)}`);
        return this;
    }

    /** A property whose change replaces the resource (ForceNew in the provider). */
    replace(property: string, actual: unknown, expected: unknown): this {
        if (expected !== undefined && !sameValue(actual, expected)) this.replacements.push(`${property} is ${show(actual)}, the program declares ${show(expected)}`);
        return this;
    }

    /** The finding for a resource that exists under `id`. */
    finding(id: string, remedy: string, matches = "exists and matches the program"): ExistingFinding {
        if (this.replacements.length > 0) return { status: "blocked", id, problems: this.replacements, remedy };
        if (this.changes.length > 0) return { status: "update", id, changes: this.changes };
        return { status: "adopt", id, detail: matches };
    }
}

export function show(value: unknown): string {
    if (value === undefined || value === null || value === "") return "(not set)";
    return typeof value === "string" ? value : JSON.stringify(value);
}

function sameValue(actual: unknown, expected: unknown): boolean {
    if (typeof expected === "boolean") return (actual ?? false) === expected;
    if (typeof expected === "number") return Number(actual) === expected;
    if (Array.isArray(expected)) return JSON.stringify([...((actual as unknown[]) ?? [])].map(String).sort()) === JSON.stringify(expected.map(String).sort());
    return JSON.stringify(actual ?? null) === JSON.stringify(expected ?? null);
}

/** A JSON policy with keys in one order, so that the same policy written differently compares equal. */
export function normalizePolicy(text: string | undefined): string | undefined {
    if (text === undefined || text === "") return undefined;
    let decoded = text;
    // IAM answers policy documents URL-encoded.
    if (/^%7B/i.test(text)) decoded = decodeURIComponent(text);
    try {
        return JSON.stringify(sortKeys(JSON.parse(decoded)));
    } catch {
        return decoded;
    }
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(
            Object.keys(value)
                .sort()
                .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
        );
    }
    return value;
}

/** SDK errors that mean "there is no such thing" (404, NoSuch…, …NotFound…), across the APIs adopt reads. */
export function isNotFound(err: unknown): boolean {
    const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    const name = err instanceof Error ? err.name : "";
    return status === 404 || /NotFound|NoSuch/.test(name);
}
