// The services' workloads (runbook "Spin …" sections): containers that cannot take over their node,
// that the scheduler can size, and that receive traffic only once they answer.
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { asArray, isObject, known, label, Props, resourceRule, stackRule } from "./values";

/** Where each workload kind keeps its pod spec. */
export const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
    "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
    "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
    "kubernetes:core/v1:Pod": ["spec"],
};
/** Run-to-completion workloads: a readiness probe means nothing for them. */
export const RUN_TO_COMPLETION: readonly string[] = ["kubernetes:batch/v1:Job", "kubernetes:batch/v1:CronJob"];

export interface Container {
    readonly kind: "containers" | "initContainers";
    readonly name: string;
    readonly spec: Props;
}

export function podSpecOf(type: string, props: Props): Props | undefined {
    const path = POD_SPEC_PATHS[type];
    if (!path) return undefined;
    let at: unknown = props;
    for (const step of path) at = isObject(at) ? at[step] : undefined;
    return isObject(at) ? at : undefined;
}

export function containersOf(pod: Props): Container[] {
    return (["containers", "initContainers"] as const).flatMap((kind) =>
        asArray(pod[kind])
            .filter(isObject)
            .map((spec, i) => ({ kind, name: typeof spec.name === "string" ? spec.name : `#${i}`, spec })),
    );
}

function forEachPod(args: ResourceValidationArgs, reportViolation: ReportViolation, each: (pod: Props, where: string, report: ReportViolation) => void) {
    const pod = podSpecOf(args.type, args.props);
    if (pod) each(pod, `${args.type.split(":").pop()} "${args.name}"`, reportViolation);
}

function securityContext(spec: Props): Props {
    return isObject(spec.securityContext) ? spec.securityContext : {};
}

export const k8sNoPrivilegeOrHostNamespaces = resourceRule(
    {
        name: "k8s-no-privileged-or-host-namespaces",
        summary: "No workload runs a privileged container or shares the node's network, PID or IPC namespace",
        ids: { checkov: ["CKV_K8S_16", "CKV_K8S_17", "CKV_K8S_18", "CKV_K8S_19"], trivy: ["KSV017", "KSV010", "KSV008", "KSV009"] },
        fix: "Remove securityContext.privileged and hostNetwork/hostPID/hostIPC from the pod template; no data service needs them.",
    },
    {
        validateResource: (args, reportViolation) =>
            forEachPod(args, reportViolation, (pod, where, report) => {
                for (const ns of ["hostNetwork", "hostPID", "hostIPC"]) if (pod[ns] === true) report(`${where} sets ${ns}: true.`);
                for (const c of containersOf(pod)) {
                    if (securityContext(c.spec).privileged === true) report(`${where} container "${c.name}" is privileged.`);
                }
            }),
    },
);

export const k8sRunAsNonRoot = resourceRule(
    {
        name: "k8s-run-as-non-root",
        summary: "Every container runs as non-root (runAsNonRoot: true on the container or its pod, and never runAsUser: 0)",
        ids: { checkov: ["CKV_K8S_23"], trivy: ["KSV012"] },
        fix: "Set securityContext.runAsNonRoot: true (and a non-zero runAsUser if the image has no USER) on the pod template or on each container.",
    },
    {
        validateResource: (args, reportViolation) =>
            forEachPod(args, reportViolation, (pod, where, report) => {
                const podContext = securityContext(pod);
                for (const c of containersOf(pod)) {
                    const own = securityContext(c.spec);
                    const nonRoot = own.runAsNonRoot ?? podContext.runAsNonRoot;
                    const user = own.runAsUser ?? podContext.runAsUser;
                    if (nonRoot !== true) report(`${where} container "${c.name}" does not set runAsNonRoot: true.`);
                    else if (user === 0) report(`${where} container "${c.name}" sets runAsUser: 0 (root).`);
                }
            }),
    },
);

export const REQUIRED_RESOURCES: readonly (readonly ["requests" | "limits", "cpu" | "memory"])[] = [
    ["requests", "cpu"],
    ["requests", "memory"],
    ["limits", "cpu"],
    ["limits", "memory"],
];

export const k8sResources = resourceRule(
    {
        name: "k8s-resources",
        summary: "Every container declares CPU and memory requests and limits",
        ids: { checkov: ["CKV_K8S_10", "CKV_K8S_11", "CKV_K8S_12", "CKV_K8S_13"], trivy: ["KSV015", "KSV011", "KSV016", "KSV018"] },
        fix: "Set resources.requests.{cpu,memory} and resources.limits.{cpu,memory} on every container (the service's documented defaults, or its config).",
    },
    {
        validateResource: (args, reportViolation) =>
            forEachPod(args, reportViolation, (pod, where, report) => {
                for (const c of containersOf(pod)) {
                    const resources = isObject(c.spec.resources) ? c.spec.resources : {};
                    const missing = REQUIRED_RESOURCES.filter(([kind, what]) => {
                        const set = resources[kind];
                        return !isObject(set) || set[what] === undefined || set[what] === "";
                    }).map(([kind, what]) => `${kind}.${what}`);
                    if (missing.length > 0) report(`${where} container "${c.name}" has no ${missing.join(", ")}.`);
                }
            }),
    },
);

export const k8sReadinessProbe = resourceRule(
    {
        name: "k8s-readiness-probe",
        summary: "Every long-running container has a readiness probe (Jobs and CronJobs run to completion and are exempt)",
        ids: { checkov: ["CKV_K8S_9"], trivy: [] },
        fix: "Add readinessProbe: httpGet /api/version (the runbook's health check) to the container.",
    },
    {
        validateResource: (args, reportViolation) => {
            if (RUN_TO_COMPLETION.includes(args.type)) return;
            forEachPod(args, reportViolation, (pod, where, report) => {
                for (const c of containersOf(pod)) {
                    if (c.kind === "containers" && !isObject(c.spec.readinessProbe)) report(`${where} container "${c.name}" has no readinessProbe.`);
                }
            });
        },
    },
);

export const k8sReadOnlyRootFilesystem = resourceRule(
    {
        name: "k8s-read-only-root-filesystem",
        summary: "Every container (init containers too) runs with readOnlyRootFilesystem: true; it writes only to the volumes it mounts",
        ids: { checkov: ["CKV_K8S_22"], trivy: ["KSV014"] },
        fix: "Set securityContext.readOnlyRootFilesystem: true on the container (RESTRICTED_CONTAINER in components/serviceWorkload.ts) and mount an emptyDir where it must write (WorkloadPlan.writableDirs).",
    },
    {
        validateResource: (args, reportViolation) =>
            forEachPod(args, reportViolation, (pod, where, report) => {
                for (const c of containersOf(pod)) {
                    if (securityContext(c.spec).readOnlyRootFilesystem !== true) report(`${where} container "${c.name}" does not set readOnlyRootFilesystem: true.`);
                }
            }),
    },
);

export const NAMESPACE_TYPE = "kubernetes:core/v1:Namespace";
export const NETWORK_POLICY_TYPE = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

function metadataOf(props: Props): Props {
    return isObject(props.metadata) ? props.metadata : {};
}

/** A policy that selects every pod and, having no rules for them, denies both directions. */
export function isDefaultDeny(spec: unknown): boolean {
    if (!isObject(spec)) return false;
    const selector = isObject(spec.podSelector) ? spec.podSelector : {};
    const selectsAll = Object.keys(selector).every((k) => {
        const v = selector[k];
        return (isObject(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0);
    });
    const types = asArray(spec.policyTypes);
    return selectsAll && types.includes("Ingress") && types.includes("Egress") && asArray(spec.ingress).length === 0 && asArray(spec.egress).length === 0;
}

export const k8sNamespaceDefaultDeny = stackRule(
    {
        name: "k8s-namespace-default-deny",
        summary: "Every Namespace the program creates has a NetworkPolicy that selects all its pods and denies all ingress and egress; allows are added one by one",
        ids: { checkov: [], trivy: [], note: "no exact Checkov/Trivy Terraform check (Kubernetes NSA/CISA hardening guide: default-deny network policy per namespace)" },
        fix: "Create the namespace's NetworkPolicies with components/networkPolicies.ts (stacks/networkPolicies.ts begins with default-deny: podSelector {}, policyTypes [Ingress, Egress], no rules).",
    },
    {
        validateStack: (args, reportViolation) => {
            const denied = new Set<string>();
            for (const r of args.resources.filter((x) => x.type === NETWORK_POLICY_TYPE)) {
                // A policy whose namespace or spec is unknown during preview: judge the stack once they are known.
                const namespace = known(() => metadataOf(r.props).namespace);
                const deny = known(() => isDefaultDeny(r.props.spec));
                const namespaceSet = known(() => isObject(r.props.metadata) && "namespace" in r.props.metadata);
                if (deny === undefined || (namespace === undefined && namespaceSet !== false)) return;
                if (typeof namespace === "string" && deny) denied.add(namespace);
            }
            for (const ns of args.resources.filter((x) => x.type === NAMESPACE_TYPE)) {
                const name = known(() => metadataOf(ns.props).name);
                if (typeof name !== "string") continue;
                if (!denied.has(name)) reportViolation(`${label(ns)} (${name}) has no default-deny NetworkPolicy: every pod in it accepts and opens any connection.`, ns.urn);
            }
        },
    },
);

export const INGRESS_TYPE = "kubernetes:networking.k8s.io/v1:Ingress";
/** Annotations that make an Ingress's load balancer internal (AWS Load Balancer Controller; the in-tree service annotation for controllers that honour it). */
export const INTERNAL_SCHEME_ANNOTATIONS: Readonly<Record<string, string>> = {
    "alb.ingress.kubernetes.io/scheme": "internal",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
};

export function isInternalIngress(props: Props): boolean {
    const annotations = isObject(metadataOf(props).annotations) ? (metadataOf(props).annotations as Props) : {};
    if (Object.entries(INTERNAL_SCHEME_ANNOTATIONS).some(([k, v]) => annotations[k] === v)) return true;
    const spec = isObject(props.spec) ? props.spec : {};
    const className = spec.ingressClassName ?? annotations["kubernetes.io/ingress.class"];
    return typeof className === "string" && /(^|-)internal(-|$)/.test(className);
}

export const k8sIngressInternal = resourceRule(
    {
        name: "k8s-ingress-internal",
        summary: "Every Ingress is served by an internal load balancer: an ingress class named *-internal / internal-*, or an internal scheme annotation",
        ids: { checkov: [], trivy: [], note: "no exact Checkov/Trivy check (AWS Security Hub ELB: internet-facing load balancers; SPEC: the services are private)" },
        fix: "Use the cluster's internal ingress class (data-infra:kubernetesClusters.<prototype>.ingressClass, default nginx-internal) or set data-infra:ingressAnnotations to alb.ingress.kubernetes.io/scheme: internal.",
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== INGRESS_TYPE) return;
            if (!isInternalIngress(args.props)) reportViolation(`Ingress "${args.name}" does not ask for an internal load balancer (class or scheme annotation): it may be reachable from the internet.`);
        },
    },
);

export const PDB_TYPE = "kubernetes:policy/v1:PodDisruptionBudget";
const REPLICATED_TYPES = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"];

/** Whether a selector's matchLabels all hold on the pod labels (an empty selector matches nothing for a PDB of ours). */
function selects(selector: unknown, labels: Props): boolean {
    const match = isObject(selector) && isObject(selector.matchLabels) ? selector.matchLabels : {};
    const entries = Object.entries(match);
    return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

export const k8sPdbForReplicated = stackRule(
    {
        name: "k8s-pdb-for-replicated",
        summary: "Every Deployment or StatefulSet with 2 or more replicas has a PodDisruptionBudget in its namespace that selects its pods",
        ids: { checkov: [], trivy: [], note: "no Checkov/Trivy Terraform check (kube-score pod-disruption-budget)" },
        fix: "ServiceWorkload creates one (maxUnavailable: 1) when replicas >= 2; a hand-written workload needs its own PodDisruptionBudget selecting its pod labels.",
    },
    {
        validateStack: (args, reportViolation) => {
            const budgets: { namespace: unknown; selector: unknown }[] = [];
            for (const r of args.resources.filter((x) => x.type === PDB_TYPE)) {
                const read = known(() => ({ namespace: metadataOf(r.props).namespace, selector: isObject(r.props.spec) ? r.props.spec.selector : undefined }));
                if (read === undefined) return; // unknown during preview: judged once known
                budgets.push(read);
            }
            for (const w of args.resources.filter((x) => REPLICATED_TYPES.includes(x.type))) {
                const read = known(() => {
                    const spec = isObject(w.props.spec) ? w.props.spec : {};
                    const template = isObject(spec.template) ? spec.template : {};
                    const labels = isObject(template.metadata) && isObject(template.metadata.labels) ? template.metadata.labels : {};
                    return { replicas: spec.replicas, namespace: metadataOf(w.props).namespace, labels };
                });
                if (read === undefined || typeof read.replicas !== "number" || read.replicas < 2) continue;
                if (!budgets.some((b) => b.namespace === read.namespace && selects(b.selector, read.labels))) {
                    reportViolation(`${label(w)} runs ${read.replicas} replicas without a PodDisruptionBudget: a node drain may take them all at once.`, w.urn);
                }
            }
        },
    },
);
