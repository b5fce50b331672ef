// The Kubernetes objects of a plan as YAML manifests, one file per object under its prototype:
// what `kubectl apply --dry-run=client -f DIR/<prototype>` reads. Rendered generically from any
// `kubernetes:` resource whose inputs carry apiVersion and kind (the SDK always sets both).
import * as YAML from "yaml";
import { SECRET_MASK } from "../mockRuntime";
import { Plan, PlanResource } from "./types";

/** First line of every rendered file; only files that start with it are ever replaced. */
export const MANIFEST_HEADER = "# Rendered by `npm run plan -- --out`";

/** Kinds that live outside namespaces; everything else gets one. */
const CLUSTER_SCOPED = new Set([
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "APIService",
    "IngressClass",
    "RuntimeClass",
    "CSIDriver",
]);

export interface Manifest {
    /** `<prototype>/<kind>-<name>.yaml`, relative to the output directory. */
    readonly path: string;
    readonly prototype: string;
    readonly urn: string;
    readonly object: Record<string, unknown>;
    readonly yaml: string;
}

export interface RenderedManifests {
    readonly manifests: readonly Manifest[];
    /** Kubernetes resources that are not plain objects (Helm releases, patches, …), by type and name. */
    readonly skipped: readonly string[];
}

function record(value: unknown): Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
}

export function isKubernetesObject(r: PlanResource): boolean {
    return r.custom && r.type.startsWith("kubernetes:") && typeof r.inputs.apiVersion === "string" && typeof r.inputs.kind === "string" && !r.type.endsWith("Patch");
}

/**
 * The object `kubectl` would receive. Pulumi fills what the program leaves out at deploy time:
 * a missing name is auto-named from the resource name (a random suffix is added then), a
 * missing namespace is the provider's or `default`. Secret values stay "[secret]"; a Secret's
 * masked `data` (base64 on the wire) moves to `stringData` so the file still parses.
 */
export function manifestObject(r: PlanResource, provider?: PlanResource): { object: Record<string, unknown>; notes: string[] } {
    const notes: string[] = [];
    const { apiVersion, kind, metadata: rawMetadata, ...rest } = r.inputs;
    const metadata = record(rawMetadata);
    if (typeof metadata.name !== "string" || metadata.name === "") {
        metadata.name = r.name;
        notes.push(`metadata.name: Pulumi auto-names this object "${r.name}-<random suffix>" at deploy time`);
    }
    if (!CLUSTER_SCOPED.has(String(kind)) && (typeof metadata.namespace !== "string" || metadata.namespace === "")) {
        const fromProvider = provider?.inputs.namespace;
        metadata.namespace = typeof fromProvider === "string" && fromProvider !== "" ? fromProvider : "default";
        notes.push(`metadata.namespace: ${typeof fromProvider === "string" && fromProvider !== "" ? "the provider's namespace" : "default (neither object nor provider sets one)"}`);
    }
    const body: Record<string, unknown> = { ...rest };
    if (kind === "Secret") {
        for (const field of ["data", "stringData", "binaryData"]) {
            if (body[field] === SECRET_MASK) {
                delete body[field];
                notes.push(`${field}: secret, not rendered`);
            }
        }
        const data = record(body.data);
        const masked = Object.keys(data).filter((k) => data[k] === SECRET_MASK);
        if (masked.length > 0) {
            const stringData = record(body.stringData);
            for (const k of masked) {
                stringData[k] = SECRET_MASK;
                delete data[k];
            }
            body.stringData = stringData;
            if (Object.keys(data).length > 0) body.data = data;
            else delete body.data;
            notes.push(`data: secret keys ${masked.join(", ")} shown as stringData "${SECRET_MASK}"`);
        }
    }
    return { object: { apiVersion, kind, metadata, ...body }, notes };
}

function fileName(kind: string, name: string): string {
    return `${kind}-${name}`.toLowerCase().replace(/[^a-z0-9.-]+/g, "-");
}

export function renderManifests(plan: Plan): RenderedManifests {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const manifests: Manifest[] = [];
    const skipped: string[] = [];
    const taken = new Set<string>();
    for (const r of plan.resources) {
        if (!r.custom || !r.type.startsWith("kubernetes:")) continue;
        if (!isKubernetesObject(r)) {
            skipped.push(`${r.type} ${r.name}`);
            continue;
        }
        const { object, notes } = manifestObject(r, r.provider ? byUrn.get(r.provider) : undefined);
        const metadata = object.metadata as Record<string, unknown>;
        let path = `${r.prototype}/${fileName(String(object.kind), String(metadata.name))}.yaml`;
        for (let i = 2; taken.has(path); i++) path = `${r.prototype}/${fileName(String(object.kind), `${metadata.name}-${i}`)}.yaml`;
        taken.add(path);
        const header = [
            MANIFEST_HEADER,
            `# stack ${plan.stack}, prototype ${r.prototype}: ${r.type} ${r.name}`,
            ...notes.map((n) => `# ${n}`),
        ].join("\n");
        manifests.push({ path, prototype: r.prototype, urn: r.urn, object, yaml: `${header}\n${YAML.stringify(object, { lineWidth: 0 })}` });
    }
    return { manifests, skipped };
}
