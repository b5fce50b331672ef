// Estimated time of a cold `pulumi up` (empty state, everything created), from the dependency
// graph and typical creation times. Pulumi runs every operation whose dependencies are done,
// with unbounded parallelism by default (`--parallel`), so the wall time is the longest chain;
// the serial total is what it would take one resource at a time (`--parallel 1`).
import { Plan, PlanResource, STACK_WIDE } from "./types";

export interface CreationTime {
    /** A type token, or a prefix ending in `*` (`aws:s3/*`). The first match wins. */
    readonly type: string;
    readonly seconds: number;
    readonly note: string;
}

/** Typical creation times; docs/plan.md carries the same table. */
export const CREATION_TIMES: readonly CreationTime[] = [
    { type: "aws:rds/cluster:Cluster", seconds: 600, note: "Aurora cluster until `available`" },
    { type: "aws:rds/clusterInstance:ClusterInstance", seconds: 600, note: "Aurora instance until `available`" },
    { type: "aws:rds/subnetGroup:SubnetGroup", seconds: 3, note: "" },
    { type: "aws:rds/clusterParameterGroup:ClusterParameterGroup", seconds: 3, note: "" },
    { type: "aws:rds/parameterGroup:ParameterGroup", seconds: 3, note: "" },
    { type: "aws:dynamodb/table:Table", seconds: 20, note: "until `ACTIVE`, then PITR is switched on" },
    { type: "aws:s3/bucket:Bucket", seconds: 2, note: "" },
    { type: "aws:s3/*", seconds: 1, note: "bucket policy, public access block, encryption, ownership, objects" },
    { type: "aws:iam/role:Role", seconds: 5, note: "the provider waits for IAM to propagate" },
    { type: "aws:iam/*", seconds: 2, note: "policies and attachments" },
    { type: "aws:ec2/securityGroup:SecurityGroup", seconds: 5, note: "" },
    { type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", seconds: 2, note: "" },
    { type: "aws:ec2/securityGroupRule:SecurityGroupRule", seconds: 2, note: "" },
    { type: "aws:kms/key:Key", seconds: 5, note: "customer-managed key with its policy" },
    { type: "aws:kms/*", seconds: 1, note: "aliases" },
    { type: "aws:sns/*", seconds: 2, note: "topics and subscriptions" },
    { type: "aws:cloudwatch/metricAlarm:MetricAlarm", seconds: 2, note: "" },
    { type: "aws:route53/record:Record", seconds: 45, note: "the provider waits for the change to be `INSYNC`" },
    { type: "kubernetes:apps/v1:Deployment", seconds: 60, note: "Pulumi waits for the rollout to be ready" },
    { type: "kubernetes:batch/v1:Job", seconds: 60, note: "Pulumi waits for the job to complete" },
    { type: "kubernetes:core/v1:Service", seconds: 5, note: "ClusterIP; a LoadBalancer waits for its address (minutes)" },
    { type: "kubernetes:networking.k8s.io/v1:Ingress", seconds: 30, note: "Pulumi waits for the ingress to get an address" },
    { type: "kubernetes:*", seconds: 1, note: "ServiceAccount, ConfigMap, Secret, CronJob, Namespace, RBAC, …" },
    { type: "pulumi:providers:*", seconds: 0, note: "configured locally" },
    { type: "random:*", seconds: 0, note: "computed locally" },
];

/** Any other custom resource; the plan lists such types so the table can be extended. */
export const UNKNOWN_TYPE_SECONDS = 5;

/** Seconds to create one resource of a type; components create nothing themselves. */
export function creationSeconds(type: string, custom = true): { seconds: number; known: boolean } {
    if (!custom) return { seconds: 0, known: true };
    const exact = CREATION_TIMES.find((t) => t.type === type);
    if (exact) return { seconds: exact.seconds, known: true };
    const prefix = CREATION_TIMES.find((t) => t.type.endsWith("*") && type.startsWith(t.type.slice(0, -1)));
    return prefix ? { seconds: prefix.seconds, known: true } : { seconds: UNKNOWN_TYPE_SECONDS, known: false };
}

export interface ChainStep {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly prototype: string;
    readonly seconds: number;
    /** Seconds after the start of `pulumi up` when this step is done. */
    readonly doneAt: number;
}

export interface CrossPrototypeDependency {
    readonly from: string;
    readonly to: string;
}

export interface Estimate {
    /** Wall time with unbounded parallelism: the longest chain of dependencies. */
    readonly criticalPathSeconds: number;
    /** The longest chain, first to last, steps that take time only. */
    readonly chain: readonly ChainStep[];
    /** One resource at a time. */
    readonly serialSeconds: number;
    /** Longest chain ending in each prototype group. */
    readonly byPrototype: Readonly<Record<string, number>>;
    /** Types not in CREATION_TIMES, counted at UNKNOWN_TYPE_SECONDS. */
    readonly assumedTypes: readonly string[];
    /** Dependencies from one prototype's resource to another prototype's: what serialises prototypes. */
    readonly crossPrototype: readonly CrossPrototypeDependency[];
}

/**
 * What each resource waits for. A dependency on a component means all of that component's
 * resources (Pulumi waits for a component's children); the provider is a dependency too (a
 * Kubernetes provider may wait for its cluster).
 */
export function waitsFor(plan: Plan): Map<string, string[]> {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const children = new Map<string, PlanResource[]>();
    for (const r of plan.resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    const customsUnder = (urn: string): PlanResource[] =>
        (children.get(urn) ?? []).flatMap((c) => (c.custom ? [c, ...customsUnder(c.urn)] : customsUnder(c.urn)));
    const within = (r: PlanResource, ancestor: string): boolean => {
        for (let at: PlanResource | undefined = r; at; at = at.parent ? byUrn.get(at.parent) : undefined) if (at.urn === ancestor) return true;
        return false;
    };
    const waits = new Map<string, string[]>();
    for (const r of plan.resources) {
        const found = new Set<string>();
        for (const urn of [...r.dependencies, ...(r.provider ? [r.provider] : [])]) {
            const dep = byUrn.get(urn);
            if (!dep) continue;
            if (dep.custom) found.add(dep.urn);
            // A resource inside the component it depends on cannot wait for itself.
            else for (const c of customsUnder(dep.urn)) if (!within(c, r.urn)) found.add(c.urn);
        }
        found.delete(r.urn);
        waits.set(r.urn, [...found]);
    }
    return waits;
}

export function estimate(plan: Plan): Estimate {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const waits = waitsFor(plan);
    const seconds = new Map(plan.resources.map((r) => [r.urn, creationSeconds(r.type, r.custom).seconds]));
    const doneAt = new Map<string, number>();
    const via = new Map<string, string | undefined>();
    const visiting = new Set<string>();

    const finish = (urn: string): number => {
        const known = doneAt.get(urn);
        if (known !== undefined) return known;
        if (visiting.has(urn)) return 0; // a cycle cannot be deployed either; do not loop on it
        visiting.add(urn);
        let start = 0;
        let before: string | undefined;
        for (const dep of waits.get(urn) ?? []) {
            const t = finish(dep);
            if (before === undefined || t > start) {
                start = t;
                before = dep;
            }
        }
        visiting.delete(urn);
        const done = start + (seconds.get(urn) ?? 0);
        doneAt.set(urn, done);
        via.set(urn, before);
        return done;
    };

    let last: string | undefined;
    const byPrototype: Record<string, number> = {};
    for (const r of plan.resources) {
        const t = finish(r.urn);
        if (last === undefined || t > doneAt.get(last)!) last = r.urn;
        byPrototype[r.prototype] = Math.max(byPrototype[r.prototype] ?? 0, t);
    }

    const chain: ChainStep[] = [];
    for (let at = last; at; at = via.get(at)) {
        const r = byUrn.get(at)!;
        const s = seconds.get(at) ?? 0;
        if (s > 0) chain.unshift({ urn: r.urn, type: r.type, name: r.name, prototype: r.prototype, seconds: s, doneAt: doneAt.get(at)! });
    }

    const crossPrototype: CrossPrototypeDependency[] = [];
    for (const r of plan.resources) {
        for (const dep of waits.get(r.urn) ?? []) {
            const d = byUrn.get(dep)!;
            if (d.prototype !== r.prototype && !isStackWide(d) && !isStackWide(r)) crossPrototype.push({ from: r.urn, to: d.urn });
        }
    }

    return {
        criticalPathSeconds: last ? doneAt.get(last)! : 0,
        chain,
        serialSeconds: plan.resources.reduce((sum, r) => sum + (seconds.get(r.urn) ?? 0), 0),
        byPrototype,
        assumedTypes: [...new Set(plan.resources.filter((r) => !creationSeconds(r.type, r.custom).known).map((r) => r.type))].sort(),
        crossPrototype,
    };
}

function isStackWide(r: PlanResource): boolean {
    return r.prototype === STACK_WIDE;
}

/** 1205 → "20m 05s"; 3725 → "1h 02m 05s"; 20 → "20s". */
export function formatDuration(totalSeconds: number): string {
    const s = Math.round(totalSeconds);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    const pad = (n: number) => String(n).padStart(2, "0");
    if (h > 0) return `${h}h ${pad(m)}m ${pad(sec)}s`;
    if (m > 0) return `${m}m ${pad(sec)}s`;
    return `${sec}s`;
}
