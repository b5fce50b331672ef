// What adopt concludes about one planned resource, and the small comparisons that lead there.

/** The verdicts of the report (docs/adopt.md "Reading the report"). */
export type Finding =
    /** Exists and matches what the program declares: importing it changes nothing. */
    | { readonly status: "adopt"; readonly id: string; readonly detail: string; readonly notes?: readonly string[] }
    /** Exists; after the import the next `pulumi up` changes these properties in place. */
    | { readonly status: "update"; readonly id: string; readonly changes: readonly string[]; readonly notes?: readonly string[] }
    /** Exists, but differs in a property that `pulumi up` can only change by replacing it. */
    | { readonly status: "blocked"; readonly id: string; readonly problems: readonly string[]; readonly remedy: string }
    /**
     * Exists but must not go into the committed import file: the Barragem master password,
     * imported in its own step with the deploy role (docs/adopt.md "The Barragem password").
     */
    | { readonly status: "import-separately"; readonly detail: string; readonly step: string }
    /** Does not exist: `pulumi up` creates it. */
    | { readonly status: "create"; readonly detail: string }
    /**
     * A setting (public access block, policy, ownership controls, encryption) not there on a
     * resource that exists: `pulumi up` creates it, and so changes that resource.
     */
    | { readonly status: "set-on-existing"; readonly detail: string; readonly changes: readonly string[] }
    /** adopt cannot look (no cluster access, nothing in the cloud to look at). */
    | { readonly status: "not-checked"; readonly reason: string };

export type ExistingFinding = Extract<Finding, { id: string }>;

/** What the import file holds: only what exists and imports without a replacement. */
export type ImportableFinding = Extract<Finding, { status: "adopt" | "update" }>;

export function isImportable(finding: Finding | undefined): finding is ImportableFinding {
    return finding?.status === "adopt" || finding?.status === "update";
}

/** `property: actual → expected` lines of what differs; expected values the plan can only invent are skipped. */
export class Differences {
    readonly changes: string[] = [];
    readonly replacements: string[] = [];
    /** What stays as it is but a reviewer should know (e.g. a TTL the program does not manage). */
    readonly notes: string[] = [];

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

    /** A change described in words (what the provider does has no single value to show). */
    change(text: string | undefined): this {
        if (text) this.changes.push(text);
        return this;
    }

    note(text: string | undefined): this {
        if (text) this.notes.push(text);
        return this;
    }

    /**
     * The tags the next `up` sets against those the resource has: the provider writes tagsAll,
     * so it adds the program's (default tags included) and removes those set by hand. `actual`
     * undefined means not read: nothing said.
     */
    tags(actual: Record<string, string> | undefined, expected: Record<string, string>): this {
        if (actual === undefined) return this;
        const added = Object.entries(expected).filter(([k]) => !(k in actual));
        const changed = Object.entries(expected).filter(([k, v]) => k in actual && actual[k] !== v);
        const removed = Object.keys(actual).filter((k) => !(k in expected) && !k.startsWith("aws:"));
        const parts = [
            ...(added.length > 0 ? [`adds ${added.map(([k, v]) => `${k}=${v}`).join(", ")}`] : []),
            ...(changed.length > 0 ? [`changes ${changed.map(([k, v]) => `${k}: ${actual[k]} → ${v}`).join(", ")}`] : []),
            ...(removed.length > 0 ? [`removes ${removed.map((k) => `${k}=${actual[k]}`).join(", ")} (set by hand, not in the program)`] : []),
        ];
        if (parts.length > 0) this.changes.push(`tags: ${parts.join("; ")}`);
        return this;
    }

    /** The finding for a resource that exists under `id`. */
    finding(id: string, remedy: string, matches = "exists and matches the program"): ExistingFinding {
        const notes = this.notes.length > 0 ? { notes: this.notes } : {};
        if (this.replacements.length > 0) return { status: "blocked", id, problems: this.replacements, remedy };
        if (this.changes.length > 0) return { status: "update", id, changes: this.changes, ...notes };
        return { status: "adopt", id, detail: matches, ...notes };
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

/** The cause adopt reports once for every look refused for lack of permission, whatever resource each message names. */
export const ACCESS_DENIED_CAUSE =
    "access denied: the role adopt reads with may not read these (it needs read access such as the AWS-managed ReadOnlyAccess: pass it with --country-role/--data-role); " +
    "for a bucket, a 403 can also mean another account owns the name";

/** AccessDenied and its relatives across S3, IAM, EC2, RDS, DynamoDB, Route53, SNS and CloudWatch. */
export function isAccessDenied(err: unknown): boolean {
    const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    const name = err instanceof Error ? err.name : "";
    return status === 403 || /^(AccessDenied|AccessDeniedException|UnauthorizedOperation|AuthorizationError|AuthorizationErrorException|Forbidden)$/.test(name);
}

/** AWS's tag lists (`[{Key, Value}]`) as a map. */
export function tagMap(list: readonly { Key?: string; Value?: string }[] | undefined): Record<string, string> {
    return Object.fromEntries((list ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? ""]));
}
