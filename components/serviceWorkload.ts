// Runbook `(app/create! prototype "<stack-id>" :<service> "<image-version-as-string>")`: one
// workload of a prototype, i.e. its ServiceAccount (with its IAM role), the ConfigMap holding its
// country-specific config, the Deployment health-checked like `ser curl get … /api/version`, the
// Service and, for the services with a canonical name, the Ingress that name reaches.
import { createHash } from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadPlan } from "../stacks/services";

/** The pod-level guarantees every workload and job has (non-root, no host namespaces, no escalation). */
export const RESTRICTED_POD = {
    automountServiceAccountToken: false,
    hostNetwork: false,
    hostPID: false,
    hostIPC: false,
    securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
} satisfies Partial<k8s.types.input.core.v1.PodSpec>;

export const RESTRICTED_CONTAINER: k8s.types.input.core.v1.SecurityContext = {
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
};

/** Where the Ingress's load balancer is published: a hostname (a CNAME to it) or an IP (an A record). */
export interface LoadBalancerTarget {
    readonly type: "A" | "CNAME";
    readonly value: string;
}

/** The first address an Ingress's status publishes, as the DNS record that reaches it. */
export function loadBalancerTarget(
    status: { loadBalancer?: { ingress?: { hostname?: string; ip?: string }[] } } | undefined,
): LoadBalancerTarget | undefined {
    const first = status?.loadBalancer?.ingress?.[0];
    if (first?.hostname) return { type: "CNAME", value: first.hostname };
    if (first?.ip) return { type: "A", value: first.ip };
    return undefined;
}

/**
 * The DNS target of an Ingress from its status. Without an address, an update stops with `problem`
 * (before any record points nowhere); a preview returns undefined, and the caller leaves the
 * target unknown: a preview may see an existing Ingress whose controller has not published an
 * address (yet), and the rest of the preview should still read.
 */
export function ingressTarget(status: Parameters<typeof loadBalancerTarget>[0], problem: string, dryRun: boolean): LoadBalancerTarget | undefined {
    const target = loadBalancerTarget(status);
    if (target || dryRun) return target;
    throw new Error(problem);
}

/** How a service is reached from outside its cluster: through an internal load balancer only. */
export interface IngressSettings {
    readonly className: string;
    /** Annotations the controller needs to make the load balancer internal (e.g. the ALB scheme). */
    readonly annotations: Readonly<Record<string, string>>;
}

/** Spread replicas over zones: one zone lost leaves the others serving. */
export const ZONE_TOPOLOGY_KEY = "topology.kubernetes.io/zone";

export interface ServiceWorkloadArgs {
    readonly plan: WorkloadPlan<pulumi.Input<string>>;
    /** The prototype's Namespace name, as an output of it, so objects wait for the namespace. */
    readonly namespace: pulumi.Input<string>;
    readonly roleArn: pulumi.Input<string>;
    readonly ingress: IngressSettings;
    /** Prod: replicas must land in different zones (topologySpreadConstraints). */
    readonly spreadAcrossZones: boolean;
    /** What the pods truly need before they start (their tables, Barragem's database, their role); nothing else. */
    readonly needs: pulumi.Resource[];
    readonly provider: k8s.Provider;
}

export class ServiceWorkload extends pulumi.ComponentResource {
    readonly serviceName: pulumi.Output<string>;
    /** Load balancer in front of the Ingress, for the DNS records; undefined for in-cluster workloads. */
    readonly loadBalancer?: pulumi.Output<LoadBalancerTarget>;

    constructor(name: string, args: ServiceWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super("data-infra:k8s:ServiceWorkload", name, {}, opts);
        const { plan, provider } = args;
        const child = { parent: this, provider };
        const metadata = { name: plan.name, namespace: args.namespace, labels: plan.labels };
        const selector = {
            "app.kubernetes.io/name": plan.labels["app.kubernetes.io/name"],
            "app.kubernetes.io/component": plan.labels["app.kubernetes.io/component"],
            "data-infra/stack-id": plan.labels["data-infra/stack-id"],
        };

        const serviceAccount = new k8s.core.v1.ServiceAccount(
            name,
            { metadata: { ...metadata, annotations: { "eks.amazonaws.com/role-arn": args.roleArn } }, automountServiceAccountToken: false },
            child,
        );

        const content = plan.configFile.content;
        const text: pulumi.Output<string> =
            typeof content === "string" ? pulumi.output(content) : pulumi.output(content).apply((c) => `${JSON.stringify(c, null, 2)}\n`);
        const configMap = new k8s.core.v1.ConfigMap(name, { metadata, data: { [plan.configFile.name]: text } }, child);

        const probe = { httpGet: { path: plan.probe.path, port: plan.probe.port }, timeoutSeconds: 5 };
        new k8s.apps.v1.Deployment(
            name,
            {
                metadata,
                spec: {
                    replicas: plan.size.replicas,
                    selector: { matchLabels: selector },
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                    template: {
                        metadata: {
                            labels: plan.labels,
                            // A config change rolls the pods, which read the file only at start.
                            annotations: { "data-infra/config-sha256": text.apply((t) => createHash("sha256").update(t).digest("hex")) },
                        },
                        spec: {
                            ...RESTRICTED_POD,
                            serviceAccountName: serviceAccount.metadata.name,
                            // matchLabelKeys pod-template-hash: during a rolling update the skew is counted
                            // over the new revision's pods only, so the old pods being replaced do not
                            // push the new ones into one zone (KEP-3243; beta, on by default since 1.27).
                            ...(args.spreadAcrossZones
                                ? {
                                      topologySpreadConstraints: [
                                          {
                                              maxSkew: 1,
                                              topologyKey: ZONE_TOPOLOGY_KEY,
                                              whenUnsatisfiable: "DoNotSchedule",
                                              labelSelector: { matchLabels: selector },
                                              matchLabelKeys: ["pod-template-hash"],
                                          },
                                      ],
                                  }
                                : {}),
                            containers: [
                                {
                                    name: plan.name,
                                    image: plan.image,
                                    ports: [
                                        { name: plan.port.name, containerPort: plan.port.number },
                                        ...(plan.probe.port === plan.port.number ? [] : [{ name: "health", containerPort: plan.probe.port }]),
                                    ],
                                    env: Object.entries(plan.env).map(([envName, value]) => ({ name: envName, value })),
                                    resources: { requests: { ...plan.size.requests }, limits: { ...plan.size.limits } },
                                    // JVM services take a while to start: the startup probe holds the others back for up to 5 minutes.
                                    startupProbe: { ...probe, periodSeconds: 10, failureThreshold: 30 },
                                    readinessProbe: { ...probe, periodSeconds: 10, failureThreshold: 3 },
                                    livenessProbe: { ...probe, periodSeconds: 20, failureThreshold: 3 },
                                    securityContext: RESTRICTED_CONTAINER,
                                    // The root filesystem stays read-only; these are the only places it writes.
                                    volumeMounts: [
                                        { name: "config", mountPath: `/etc/${plan.name}`, readOnly: true },
                                        ...plan.writableDirs.map((dir) => ({ name: dir.volume, mountPath: dir.path })),
                                    ],
                                },
                            ],
                            volumes: [
                                { name: "config", configMap: { name: configMap.metadata.name } },
                                ...plan.writableDirs.map((dir) => ({ name: dir.volume, emptyDir: {} })),
                            ],
                        },
                    },
                },
            },
            { ...child, dependsOn: args.needs },
        );

        // A node drain or cluster upgrade never takes every replica at once.
        if (plan.size.replicas >= 2) {
            new k8s.policy.v1.PodDisruptionBudget(name, { metadata, spec: { maxUnavailable: 1, selector: { matchLabels: selector } } }, child);
        }

        const servicePort = plan.hosts ? 80 : plan.port.number;
        const service = new k8s.core.v1.Service(
            name,
            {
                metadata,
                spec: { type: "ClusterIP", selector, ports: [{ name: plan.port.name, port: servicePort, targetPort: plan.port.name }] },
            },
            child,
        );
        this.serviceName = service.metadata.name;

        if (plan.hosts) {
            const hosts = [plan.hosts.canonical, plan.hosts.stack];
            const backend = { service: { name: service.metadata.name, port: { number: servicePort } } };
            const ingress = new k8s.networking.v1.Ingress(
                name,
                {
                    metadata: { ...metadata, annotations: { ...args.ingress.annotations } },
                    spec: {
                        ingressClassName: args.ingress.className,
                        // TLS with the ingress controller's default certificate for the country domain.
                        tls: [{ hosts }],
                        rules: hosts.map((host) => ({ host, http: { paths: [{ path: "/", pathType: "Prefix", backend }] } })),
                    },
                },
                child,
            );
            const problem = `Ingress ${plan.name} on ${plan.prototype} got no load balancer address; is the ingress class ${args.ingress.className} served on that cluster?`;
            this.loadBalancer = ingress.status.apply((status) => {
                const target = ingressTarget(status, problem, pulumi.runtime.isDryRun());
                if (target) return pulumi.output(target);
                void pulumi.log.warn(`${problem} (preview: its DNS record target is left unknown)`, ingress);
                return pulumi.output(pulumi.unknown as unknown as LoadBalancerTarget);
            });
        }
        this.registerOutputs({ serviceName: this.serviceName });
    }
}
