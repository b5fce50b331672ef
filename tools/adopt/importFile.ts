// The file `pulumi import --file` reads (pkg/cmd/pulumi/operations/import.go, importFile/
// importSpec): `nameTable` maps a name to the URN of something already in the stack (here the
// explicit providers), `resources` lists what to import. Each entry's `logicalName` is the name
// the program registers, `name` only a key unique in the file that `parent`/`provider` refer
// to; components are entries with `component: true` (the engine creates them empty), so every
// imported resource gets exactly the URN the program gives it and the next `pulumi up` finds it
// in place. The file format has no per-resource `protect`: `pulumi import` protects everything
// it imports unless given `--protect=false` (never pass it), and the next `up` sets each
// resource's protection to the program's.
import { PROJECT, PlannedResource, ProgramRun } from "../mockRuntime";
import type { ImportableFinding } from "./findings";

export interface ImportSpec {
    readonly type: string;
    readonly name: string;
    readonly logicalName: string;
    readonly id?: string;
    readonly parent?: string;
    readonly provider?: string;
    readonly component?: true;
}

export interface ImportFile {
    readonly nameTable: Record<string, string>;
    readonly resources: ImportSpec[];
}

const ROOT_STACK = "pulumi:pulumi:Stack";

/** `urn:pulumi:<stack>::<project>::<parent types $ type>::<name>` → its type, the last of the qualified type. */
export function urnType(urn: string): string {
    const qualified = urn.split("::")[2] ?? "";
    return qualified.split("$").pop() ?? "";
}

/**
 * The URN the engine gives a resource: its parents' whole type chain joined by `$`
 * (resource.NewURN with the parent's QualifiedType), as `pulumi import` builds it from the file's
 * parent names. The SDK's mock monitor keeps only the last parent type, so the plan's own URNs
 * differ for anything nested below a component: these are the ones a person can look up in the
 * stack (`pulumi stack --show-urns`) and pass to `--target`.
 */
export function engineUrn(run: ProgramRun, urn: string): string {
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const chain = (u: string | undefined): string[] => {
        const r = u ? byUrn.get(u) : undefined;
        return r && r.type !== ROOT_STACK ? [...chain(r.parent), r.type] : [];
    };
    const resource = byUrn.get(urn);
    if (!resource) return urn;
    const stackName = urn.split("::")[0].replace(/^urn:pulumi:/, "");
    // Providers and resources at the root have no parent chain beyond themselves.
    return `urn:pulumi:${stackName}::${PROJECT}::${chain(urn).join("$")}::${resource.name}`;
}

/**
 * The import file for the resources found to exist and importable as they are (by URN), with
 * their components and the providers they deploy through. Blocked resources never go in
 * (importing one means the next `up` replaces it), nor does the Barragem password (a secret
 * must not be committed). Resources come out in the program's registration order.
 */
export function buildImportFile(run: ProgramRun, existing: ReadonlyMap<string, ImportableFinding>): ImportFile {
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const keep = new Set<string>();
    for (const urn of existing.keys()) {
        for (let parent = byUrn.get(urn)?.parent; parent && urnType(parent) !== ROOT_STACK; parent = byUrn.get(parent)?.parent) keep.add(parent);
        keep.add(urn);
    }
    const chosen = run.resources.filter((r) => keep.has(r.urn));
    const providerUrns = [...new Set(chosen.filter((r) => existing.has(r.urn)).map((r) => r.provider).filter((p): p is string => Boolean(p)))];

    // Keys: the program's name when it is unique in the file, else the name with its type.
    const names = [...chosen.map((r) => r.name), ...providerUrns.map((u) => byUrn.get(u)?.name ?? u)];
    const count = new Map<string, number>();
    for (const n of names) count.set(n, (count.get(n) ?? 0) + 1);
    const keyOf = (r: PlannedResource) => (count.get(r.name) === 1 ? r.name : `${r.name} (${r.type})`);

    const nameTable: Record<string, string> = {};
    for (const urn of providerUrns) {
        const provider = byUrn.get(urn);
        nameTable[provider ? keyOf(provider) : urn] = urn;
    }

    const resources = chosen.map((r): ImportSpec => {
        const parent = r.parent && urnType(r.parent) !== ROOT_STACK ? byUrn.get(r.parent) : undefined;
        const provider = r.provider ? byUrn.get(r.provider) : undefined;
        const found = existing.get(r.urn);
        return {
            type: r.type,
            name: keyOf(r),
            logicalName: r.name,
            ...(found ? { id: found.id } : { component: true as const }),
            ...(parent ? { parent: keyOf(parent) } : {}),
            ...(found && provider ? { provider: keyOf(provider) } : {}),
        };
    });
    return { nameTable, resources };
}

/** The providers the file refers to: they must be in the stack before `pulumi import` (docs/adopt.md step 3). */
export function providerUrns(file: ImportFile): string[] {
    return Object.values(file.nameTable);
}
