// The services of the runbook ("Spin Veiga" … "Spin Barragem", the Tempo schedule, canonical DNS)
// as the real program registers them under the mock runtime, for both stack files and a 4-shard stack.
import { IamPolicy } from "../components/serviceAccess";
import { ingressTarget } from "../components/serviceWorkload";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { byName, byUrn, loadStackConfig, PlannedResource, ProgramRun, resourcesOfType, runProgram } from "../tools/mockRuntime";
import { ConfigError } from "../stacks/config";
import { configFrom, prototypesWithShards, runRefused, runWithShards, EXAMPLE_STACKS, transitiveDependencies } from "./helpers/stacks";

const T = {
    deployment: "kubernetes:apps/v1:Deployment",
    configMap: "kubernetes:core/v1:ConfigMap",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    service: "kubernetes:core/v1:Service",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    cronJob: "kubernetes:batch/v1:CronJob",
    namespace: "kubernetes:core/v1:Namespace",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    k8sProvider: "pulumi:providers:kubernetes",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    record: "aws:route53/record:Record",
    table: "aws:dynamodb/table:Table",
    cluster: "aws:rds/cluster:Cluster",
    instance: "aws:rds/clusterInstance:ClusterInstance",
};

const GLOBAL_ONLY = ["veiga", "ouroboros", "tapir"];
const EVERYWHERE = ["correnteza", "alph", "conrado", "barragem"];
const COUNTRY_ACCOUNT: Record<string, string> = { staging: "400000000101", prod: "400000000102" };

type Json = Record<string, unknown>;
const labelsOf = (r: PlannedResource) => ((r.inputs.metadata as Json | undefined)?.labels ?? {}) as Record<string, string>;
const prototypeOf = (r: PlannedResource) => labelsOf(r)["data-infra/prototype"];
const nameLabel = (r: PlannedResource) => labelsOf(r)["app.kubernetes.io/name"];
const componentOf = (r: PlannedResource) => labelsOf(r)["app.kubernetes.io/component"];
const podSpec = (d: PlannedResource) => ((d.inputs.spec as Json).template as Json).spec as Json;
const containers = (spec: Json) => spec.containers as Json[];

/** The workload of one prototype by k8s type, e.g. (run, T.configMap, "s0", "barragem"). */
function workload(run: ProgramRun, type: string, prototype: string, name: string): PlannedResource {
    return byName(run, type, `${prototype}-${name}`);
}

function configJson(run: ProgramRun, prototype: string, service: string): Json {
    const data = workload(run, T.configMap, prototype, service).inputs.data as Record<string, string>;
    return JSON.parse(data["config.json"]);
}

/** The prototype a resource belongs to, read from its name (`<env>-<prototype>-…`, `<prototype>-…`, `k8s-<prototype>`). */
function ownerPrototype(r: PlannedResource): string | undefined {
    return /^(?:staging-|prod-|k8s-)?(global|s\d+)(?:-|$)/.exec(r.name)?.[1];
}

const runs: Record<string, ProgramRun> = {};
const SHARDED = "staging-co with 4 shards";
const CASES = [...EXAMPLE_STACKS, SHARDED];
const prototypesOf: Record<string, string[]> = { "staging-co": ["global", "s0"], "prod-co": ["global", "s0"], [SHARDED]: prototypesWithShards(4) };
const envOf = (name: string) => (name.startsWith("prod") ? "prod" : "staging");

beforeAll(async () => {
    for (const stack of EXAMPLE_STACKS) runs[stack] = await runProgram({ stack });
    runs[SHARDED] = await runWithShards(4);
});

describe.each(CASES)("the service matrix of %s", (name) => {
    test("veiga, ouroboros and tapir run on global only; correnteza, alph, conrado and barragem on every prototype", () => {
        const run = runs[name];
        const apis = resourcesOfType(run, T.deployment).filter((d) => componentOf(d) === "api");
        for (const prototype of prototypesOf[name]) {
            const here = apis.filter((d) => prototypeOf(d) === prototype).map(nameLabel).sort();
            const expected = prototype === "global" ? [...GLOBAL_ONLY, ...EVERYWHERE] : EVERYWHERE;
            expect({ prototype, services: here }).toEqual({ prototype, services: [...expected].sort() });
        }
        expect(new Set(apis.map(prototypeOf))).toEqual(new Set(prototypesOf[name]));
    });

    test("Ouroboros's Datomic transactor runs on global only", () => {
        const transactors = resourcesOfType(runs[name], T.deployment).filter((d) => componentOf(d) === "datomic-transactor");
        expect(transactors.map((d) => [prototypeOf(d), nameLabel(d), (d.inputs.metadata as Json).name])).toEqual([["global", "ouroboros", "ouroboros-datomic"]]);
    });

    test("each prototype has one Kubernetes provider, built from its EKS cluster with an aws eks get-token under the deploy role", () => {
        const run = runs[name];
        const env = envOf(name);
        const account = COUNTRY_ACCOUNT[env];
        const providers = resourcesOfType(run, T.k8sProvider);
        expect(providers.map((p) => p.name).sort()).toEqual(prototypesOf[name].map((p) => `k8s-${p}`).sort());
        for (const p of providers) {
            const prototype = p.name.replace(/^k8s-/, "");
            const cluster = `${env}-${prototype}-blue`;
            expect(p.inputs.context).toBeUndefined();
            expect(p.inputs.namespace).toBe("data-infra");
            const kubeconfig = p.inputs.kubeconfig as Json;
            expect(kubeconfig["current-context"]).toBe(cluster);
            expect(kubeconfig.clusters).toEqual([
                { name: cluster, cluster: { server: `https://MOCK${cluster.toUpperCase().replace(/-/g, "")}.gr7.us-east-1.eks.amazonaws.com`, "certificate-authority-data": "TU9DSy1DQQ==" } },
            ]);
            const exec = ((kubeconfig.users as Json[])[0].user as Json).exec as Json;
            expect([exec.command, ...(exec.args as string[])]).toEqual([
                "aws", "eks", "get-token", "--cluster-name", cluster, "--role-arn", `arn:aws:iam::${account}:role/data-infra-deploy`, "--region", "us-east-1", "--output", "json",
            ]);
            expect(p.secretInputs).toEqual([]);
        }
        const lookups = run.invokes.filter((i) => i.token === "aws:eks/getCluster:getCluster");
        expect(lookups.map((i) => i.inputs.name).sort()).toEqual(prototypesOf[name].map((p) => `${env}-${p}-blue`).sort());
        for (const lookup of lookups) expect((byUrn(run, lookup.provider!)!.inputs.allowedAccountIds as string[])[0]).toBe(account);
    });

    test("every Kubernetes object uses its own prototype's provider, never an ambient one", () => {
        const run = runs[name];
        const objects = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
        expect(objects.length).toBeGreaterThan(0);
        for (const r of objects) {
            const provider = byUrn(run, r.provider ?? "");
            expect({ object: r.name, provider: provider?.name }).toEqual({ object: r.name, provider: `k8s-${prototypeOf(r)}` });
            expect(r.parent).toBeDefined();
        }
    });

    test("every Kubernetes object carries the standard labels", () => {
        for (const r of runs[name].resources.filter((x) => x.type.startsWith("kubernetes:"))) {
            const labels = labelsOf(r);
            expect({ object: `${r.type} ${r.name}`, labels }).toEqual({
                object: `${r.type} ${r.name}`,
                labels: expect.objectContaining({
                    "app.kubernetes.io/name": expect.any(String),
                    "app.kubernetes.io/part-of": "data-infra",
                    "data-infra/prototype": ownerPrototype(r),
                    "data-infra/stack-id": "blue",
                }),
            });
        }
    });

    test("a workload's objects and pods are labelled with its service's name", () => {
        const run = runs[name];
        for (const d of resourcesOfType(run, T.deployment)) {
            const service = nameLabel(d);
            const workloadName = String((d.inputs.metadata as Json).name);
            expect(workloadName === service || workloadName === `${service}-datomic`).toBe(true);
            expect(((d.inputs.spec as Json).template as Json).metadata).toMatchObject({ labels: labelsOf(d) });
            for (const type of [T.configMap, T.serviceAccount, T.service]) expect(labelsOf(byName(run, type, d.name))).toEqual(labelsOf(d));
        }
    });
});

describe.each(EXAMPLE_STACKS)("workloads of %s", (stackName) => {
    const env = envOf(stackName);
    const config = loadStackConfig(stackName);
    const images = JSON.parse(config["data-infra:images"]) as Record<string, { version: string }>;

    test("every service is health-checked on GET /api/version (readiness, liveness and startup)", () => {
        const apis = resourcesOfType(runs[stackName], T.deployment).filter((d) => componentOf(d) === "api");
        expect(apis).toHaveLength(11);
        for (const d of apis) {
            const [container] = containers(podSpec(d));
            for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
                expect({ workload: d.name, probe, httpGet: (container[probe] as Json).httpGet }).toEqual({
                    workload: d.name,
                    probe,
                    httpGet: { path: "/api/version", port: 8080 },
                });
            }
        }
    });

    test("the Datomic transactor is health-checked on its ping endpoint", () => {
        const [container] = containers(podSpec(workload(runs[stackName], T.deployment, "global", "ouroboros-datomic")));
        expect((container.readinessProbe as Json).httpGet).toEqual({ path: "/health", port: 9999 });
        expect((container.livenessProbe as Json).httpGet).toEqual({ path: "/health", port: 9999 });
    });

    test("every image names its registry: nu-<workload> in the country account's ECR at the configured version, the segment job's curl there too", () => {
        const registry = `${COUNTRY_ACCOUNT[env]}.dkr.ecr.us-east-1.amazonaws.com`;
        for (const d of resourcesOfType(runs[stackName], T.deployment)) {
            const workloadName = String((d.inputs.metadata as Json).name);
            expect(containers(podSpec(d))[0].image).toBe(`${registry}/nu-${workloadName}:${images[workloadName].version}`);
        }
        for (const c of resourcesOfType(runs[stackName], T.cronJob)) {
            const pod = ((((c.inputs.spec as Json).jobTemplate as Json).spec as Json).template as Json).spec as Json;
            expect(containers(pod)[0].image).toBe(`${registry}/curlimages/curl:8.11.1`);
        }
    });

    test("every pod runs as non-root, unprivileged, without host namespaces, with requests and limits", () => {
        const run = runs[stackName];
        const pods = [
            ...resourcesOfType(run, T.deployment).map(podSpec),
            ...resourcesOfType(run, T.cronJob).map((c) => ((((c.inputs.spec as Json).jobTemplate as Json).spec as Json).template as Json).spec as Json),
        ];
        expect(pods.length).toBe(14);
        for (const spec of pods) {
            expect(spec).toMatchObject({ hostNetwork: false, hostPID: false, hostIPC: false, securityContext: { runAsNonRoot: true } });
            for (const c of containers(spec)) {
                expect(c.securityContext).toMatchObject({ privileged: false, allowPrivilegeEscalation: false, runAsNonRoot: true });
                expect(c.resources).toEqual({
                    requests: { cpu: expect.any(String), memory: expect.any(String) },
                    limits: { cpu: expect.any(String), memory: expect.any(String) },
                });
            }
        }
    });

    test(`replicas default to ${env === "prod" ? 2 : 1} per service and 1 transactor`, () => {
        for (const d of resourcesOfType(runs[stackName], T.deployment)) {
            const expected = componentOf(d) === "api" && env === "prod" ? 2 : 1;
            expect({ workload: d.name, replicas: (d.inputs.spec as Json).replicas }).toEqual({ workload: d.name, replicas: expected });
        }
    });

    test("the namespace is created on each cluster and enforces the restricted pod security standard", () => {
        for (const ns of resourcesOfType(runs[stackName], T.namespace)) {
            expect(ns.inputs.metadata).toMatchObject({ name: "data-infra", labels: { "pod-security.kubernetes.io/enforce": "restricted" } });
        }
        expect(resourcesOfType(runs[stackName], T.namespace)).toHaveLength(2);
    });
});

describe.each(EXAMPLE_STACKS)("private by default in %s", (stackName) => {
    const env = envOf(stackName);
    const policiesOf = (run: ProgramRun, prototype: string) =>
        Object.fromEntries(
            resourcesOfType(run, T.networkPolicy)
                .filter((p) => prototypeOf(p) === prototype)
                .map((p) => [String((p.inputs.metadata as Json).name), p.inputs.spec as Json]),
        );

    test("every prototype's namespace denies all ingress and egress by default", () => {
        const run = runs[stackName];
        for (const prototype of ["global", "s0"]) {
            expect(policiesOf(run, prototype)["default-deny"]).toEqual({ podSelector: { matchLabels: {} }, policyTypes: ["Ingress", "Egress"] });
        }
        for (const policy of resourcesOfType(run, T.networkPolicy)) expect((policy.inputs.metadata as Json).namespace).toBe("data-infra");
    });

    test("only the ingress controller's namespace reaches the services, on their HTTP port", () => {
        const spec = policiesOf(runs[stackName], "s0")["allow-from-ingress-controller"];
        expect(spec).toEqual({
            podSelector: { matchLabels: { "app.kubernetes.io/component": "api" } },
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }], ports: [{ protocol: "TCP", port: 8080 }] }],
        });
    });

    test("the segment schedule reaches Barragem, Ouroboros its transactor, Barragem its Aurora in the VPC", () => {
        const run = runs[stackName];
        const global = policiesOf(run, "global");
        expect(global["allow-segment-schedule-to-barragem"].ingress).toEqual([
            { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "barragem", "app.kubernetes.io/component": "segment-schedule" } } }], ports: [{ protocol: "TCP", port: 8080 }] },
        ]);
        expect(global["allow-ouroboros-to-transactor"].ingress).toEqual([
            { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "ouroboros", "app.kubernetes.io/component": "api" } } }], ports: [{ protocol: "TCP", port: 4334 }] },
        ]);
        expect(global["allow-barragem-to-aurora"].egress).toEqual([{ to: [{ ipBlock: { cidr: "10.0.0.0/16" } }], ports: [{ protocol: "TCP", port: 5432 }] }]);
        // No transactor on a shard, so no policy for one.
        expect(Object.keys(policiesOf(run, "s0")).filter((n) => n.includes("transactor"))).toEqual([]);
    });

    test("the segment schedule may call Barragem and nothing else; every pod may use the cluster DNS", () => {
        const global = policiesOf(runs[stackName], "global");
        expect(global["segment-schedule-egress"].egress).toEqual([
            { to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "barragem", "app.kubernetes.io/component": "api" } } }], ports: [{ protocol: "TCP", port: 8080 }] },
        ]);
        expect(global["allow-dns"].egress).toEqual([
            {
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                ports: [
                    { protocol: "UDP", port: 53 },
                    { protocol: "TCP", port: 53 },
                ],
            },
        ]);
    });

    test("Ingresses use the internal ingress class by default", () => {
        const ingresses = resourcesOfType(runs[stackName], T.ingress);
        expect(ingresses).toHaveLength(11);
        for (const ingress of ingresses) expect((ingress.inputs.spec as Json).ingressClassName).toBe("nginx-internal");
    });

    test(`${env === "prod" ? "every service of prod has a PodDisruptionBudget and spreads its replicas across zones" : "staging's single replicas have no PodDisruptionBudget and no zone spread"}`, () => {
        const run = runs[stackName];
        const pdbs = resourcesOfType(run, T.pdb);
        const multi = resourcesOfType(run, T.deployment).filter((d) => Number((d.inputs.spec as Json).replicas) >= 2);
        expect(pdbs.map((p) => p.name).sort()).toEqual(multi.map((d) => d.name).sort());
        expect(pdbs.length).toBe(env === "prod" ? 11 : 0);
        for (const pdb of pdbs) {
            const d = byName(run, T.deployment, pdb.name);
            expect(pdb.inputs.spec).toEqual({ maxUnavailable: 1, selector: (d.inputs.spec as Json).selector });
        }
        for (const d of resourcesOfType(run, T.deployment)) {
            const spread = podSpec(d).topologySpreadConstraints as Json[] | undefined;
            if (env === "prod") {
                // Counted per revision (pod-template-hash), so a rolling update keeps the new pods spread.
                expect(spread).toEqual([
                    { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: (d.inputs.spec as Json).selector, matchLabelKeys: ["pod-template-hash"] },
                ]);
            } else {
                expect(spread).toBeUndefined();
            }
        }
    });
});

test("an image pinned by digest is pulled by digest; ingress class, annotations and controller namespace come from config", async () => {
    const digest = `sha256:${"0f".repeat(32)}`;
    const images = JSON.parse(loadStackConfig("staging-co")["data-infra:images"]);
    const run = await runProgram({
        stack: "staging-co",
        config: configFrom("staging-co", {
            "data-infra:images": JSON.stringify({ ...images, tapir: { version: digest } }),
            "data-infra:kubernetesClusters": JSON.stringify({
                s0: { ingressClass: "alb", ingressAnnotations: { "alb.ingress.kubernetes.io/scheme": "internal" }, ingressControllerNamespace: "kube-system" },
            }),
        }),
    });
    expect(containers(podSpec(workload(run, T.deployment, "global", "tapir")))[0].image).toBe(`400000000101.dkr.ecr.us-east-1.amazonaws.com/nu-tapir@${digest}`);
    const ingress = workload(run, T.ingress, "s0", "barragem");
    expect((ingress.inputs.spec as Json).ingressClassName).toBe("alb");
    expect(((ingress.inputs.metadata as Json).annotations as Json)["alb.ingress.kubernetes.io/scheme"]).toBe("internal");
    const fromController = byName(run, T.networkPolicy, "s0-network-allow-from-ingress-controller").inputs.spec as Json;
    expect(((fromController.ingress as Json[])[0].from as Json[])[0]).toEqual({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } });
    // The ALB sends from its own VPC addresses: without this policy the default deny drops every request.
    const fromVpc = byName(run, T.networkPolicy, "s0-network-allow-from-load-balancer-in-vpc").inputs.spec as Json;
    const rule = (fromVpc.ingress as Json[])[0];
    expect((rule.from as Json[])[0]).toEqual({ ipBlock: { cidr: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+\/\d+$/) } });
    expect(rule.ports).toEqual([{ protocol: "TCP", port: 8080 }]);
    // global keeps the default nginx-internal controller: no VPC-wide opening there.
    expect(run.resources.filter((r) => r.type === T.networkPolicy && r.name === "global-network-allow-from-load-balancer-in-vpc")).toEqual([]);
});

describe("an Ingress whose controller publishes no address", () => {
    const problem = "Ingress veiga on global got no load balancer address; is the ingress class nginx-internal served on that cluster?";

    test("pulumi up stops, naming the Ingress and its class, before any DNS record points nowhere", () => {
        expect(() => ingressTarget({ loadBalancer: {} }, problem, false)).toThrow(problem);
        expect(() => ingressTarget(undefined, problem, false)).toThrow(problem);
        expect(ingressTarget({ loadBalancer: { ingress: [{ ip: "10.0.3.7" }] } }, problem, false)).toEqual({ type: "A", value: "10.0.3.7" });
    });

    test("a preview goes on: one warning per Ingress, the stack-id records' target unknown, everything else planned as usual", async () => {
        const run = await runProgram({ stack: "staging-co", dryRun: true, unservedIngresses: true });
        const warnings = run.warnings.filter((m) => m.includes("got no load balancer address"));
        expect(warnings).toHaveLength(11);
        expect(warnings).toContain(`${problem} (preview: its DNS record target is left unknown)`);
        const records = resourcesOfType(run, T.record);
        expect(records).toHaveLength(2 * 11);
        // The canonical records are known; the stack-id records wait for an address nobody has published.
        const stackRecords = records.filter((r) => /-blue-/.test(r.name));
        expect(stackRecords).toHaveLength(11);
        for (const r of stackRecords) expect([r.name, r.inputs.type, r.inputs.records]).toEqual([r.name, unknownValue, [unknownValue]]);
        for (const r of records.filter((x) => !/-blue-/.test(x.name))) expect(r.inputs.type).toBe("CNAME");
        const types = (r: ProgramRun) => r.resources.map((x) => x.type).sort();
        expect(types(run)).toEqual(types(runs["staging-co"]));
    });
});

test("dnsZone.id picks the zone when two share the name: used as given, not looked up", async () => {
    const run = await runProgram({ stack: "staging-co", config: configFrom("staging-co", { "data-infra:dnsZone": JSON.stringify({ id: "Z0123456789ABCDEFGHIJ" }) }) });
    expect(run.invokes.filter((i) => i.token === "aws:route53/getZone:getZone")).toEqual([]);
    const records = resourcesOfType(run, T.record);
    expect(records.length).toBeGreaterThan(0);
    expect(new Set(records.map((r) => r.inputs.zoneId))).toEqual(new Set(["Z0123456789ABCDEFGHIJ"]));
});

test("the canonical names go to a public zone only when the config says so", async () => {
    const run = await runProgram({ stack: "staging-co", config: configFrom("staging-co", { "data-infra:dnsZone": JSON.stringify({ name: "co.nubank.internal", private: false, publicReason: "reviewed in #123: names resolve from the office network" }) }) });
    expect(run.invokes.filter((i) => i.token === "aws:route53/getZone:getZone").map((i) => i.inputs)).toEqual([{ name: "co.nubank.internal", privateZone: false }]);
});

describe.each(EXAMPLE_STACKS)("country-specific config of %s", (stackName) => {
    const env = envOf(stackName);

    test('tapir gets {"partitions-bucket": "nu-spark-metapod-ephemeral-pii-co-<env>"}, its tapir table and every prototype\'s Conrado tables', () => {
        expect(configJson(runs[stackName], "global", "tapir")).toEqual({
            "partitions-bucket": `nu-spark-metapod-ephemeral-pii-co-${env}`,
            "tapir-table": `${env}-global-tapir`,
            "conrado-tables": { global: `${env}-global-conrado`, s0: `${env}-s0-conrado` },
            "serving-layer-schemas-tables": { global: `${env}-global-serving-layer-schemas`, s0: `${env}-s0-serving-layer-schemas` },
        });
    });

    test("barragem on each prototype gets the datomic-logs bucket and the instance endpoint without <env>-<prototype>-", () => {
        const run = runs[stackName];
        for (const prototype of ["global", "s0"]) {
            const instance = byName(run, T.instance, `${env}-${prototype}-barragem-aurora-instance`);
            expect(instance.inputs.identifier).toBe(`${env}-${prototype}-barragem-aurora-instance`);
            expect(configJson(run, prototype, "barragem")).toEqual({
                "datomic-logs-bucket": `nu-spark-datomic-logs-co-${env}`,
                // The mock's instance endpoint is `<identifier>.mock.us-east-1.rds.amazonaws.com`; Barragem puts `<env>-<prototype>-` back.
                "rdb-unqualified-endpoint-url": "barragem-aurora-instance.mock.us-east-1.rds.amazonaws.com",
            });
        }
    });

    test('ouroboros gets {"valid_input_path_buckets": ["nu-spark-metapod-manual-dataset-series-co-<env>"]} and its Datomic table', () => {
        expect(configJson(runs[stackName], "global", "ouroboros")).toEqual({
            valid_input_path_buckets: [`nu-spark-metapod-manual-dataset-series-co-${env}`],
            "ouroboros-datomic-table": `${env}-global-ouroboros-datomic`,
        });
    });

    test("the transactor writes its data-dir and log-dir on writable volumes of its own container, root filesystem read-only", () => {
        const run = runs[stackName];
        const data = workload(run, T.configMap, "global", "ouroboros-datomic").inputs.data as Record<string, string>;
        const properties = Object.fromEntries(
            data["transactor.properties"]
                .split("\n")
                .filter((line) => line.includes("="))
                .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
        );
        const spec = podSpec(workload(run, T.deployment, "global", "ouroboros-datomic"));
        const [container] = containers(spec);
        expect((container.securityContext as Json).readOnlyRootFilesystem).toBe(true);
        const emptyDirs = new Set((spec.volumes as Json[]).filter((v) => v.emptyDir !== undefined).map((v) => v.name));
        const writable = (container.volumeMounts as Json[]).filter((m) => m.readOnly !== true && emptyDirs.has(m.name)).map((m) => String(m.mountPath));
        for (const key of ["data-dir", "log-dir"]) {
            const dir = properties[key];
            expect({ key, dir, writable: writable.some((mount) => dir === mount || dir.startsWith(`${mount}/`)) }).toEqual({ key, dir: expect.stringMatching(/^\//), writable: true });
        }
    });

    test("the transactor stores in the ouroboros-datomic table and advertises its in-cluster name", () => {
        const data = workload(runs[stackName], T.configMap, "global", "ouroboros-datomic").inputs.data as Record<string, string>;
        const properties = data["transactor.properties"];
        expect(properties).toContain("protocol=ddb\n");
        expect(properties).toContain(`aws-dynamodb-table=${env}-global-ouroboros-datomic\n`);
        expect(properties).toContain("alt-host=ouroboros-datomic.data-infra.svc.cluster.local\n");
    });

    test("correnteza, conrado and alph get their own prototype's tables and their buckets", () => {
        const run = runs[stackName];
        for (const prototype of ["global", "s0"]) {
            expect(configJson(run, prototype, "correnteza")).toEqual({
                "datomic-logs-bucket": `nu-spark-datomic-logs-co-${env}`,
                "correnteza-table": `${env}-${prototype}-correnteza`,
                "correnteza-datomic-extraction-attempts-table": `${env}-${prototype}-correnteza-datomic-extraction-attempts`,
            });
            expect(configJson(run, prototype, "conrado")).toEqual({
                "conrado-table": `${env}-${prototype}-conrado`,
                "serving-layer-schemas-table": `${env}-${prototype}-serving-layer-schemas`,
            });
            expect(configJson(run, prototype, "alph")).toEqual({ "dataset-series-bucket": `nu-spark-dataset-series-co-${env}` });
        }
        expect(configJson(run, "global", "veiga")).toEqual({});
    });

    test("a config change rolls the pods: the pod template carries the config's checksum", () => {
        const run = runs[stackName];
        const checksum = (prototype: string) =>
            ((((workload(run, T.deployment, prototype, "correnteza").inputs.spec as Json).template as Json).metadata as Json).annotations as Json)["data-infra/config-sha256"];
        expect(checksum("global")).toMatch(/^[0-9a-f]{64}$/);
        expect(checksum("global")).not.toBe(checksum("s0"));
    });

    test("no secret is in any ConfigMap or other Kubernetes object; the Barragem password appears in none", () => {
        const run = runs[stackName];
        const password = String(run.plainInputs.get(byName(run, T.cluster, `${env}-global-barragem-aurora`).urn)!.masterPassword);
        expect(password.length).toBeGreaterThan(10);
        for (const r of run.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
            expect({ object: r.name, secrets: r.secretInputs }).toEqual({ object: r.name, secrets: [] });
            expect(JSON.stringify(run.plainInputs.get(r.urn))).not.toContain(password);
        }
        for (const cm of resourcesOfType(run, T.configMap)) expect(JSON.stringify(cm.inputs.data)).not.toMatch(/password/i);
    });
});

describe.each(EXAMPLE_STACKS)("AWS access of the services of %s", (stackName) => {
    const env = envOf(stackName);
    const account = COUNTRY_ACCOUNT[env];
    const tableArn = (prototype: string, table: string) => `arn:aws:dynamodb:us-east-1:${account}:table/${env}-${prototype}-${table}`;
    const bucketArns = (bucket: string) => [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`];
    /** SPEC's matrix: exactly the tables and buckets each workload may touch. */
    const own = (prototype: string): Record<string, string[]> => ({
        correnteza: [
            tableArn(prototype, "correnteza"),
            tableArn(prototype, "correnteza-datomic-extraction-attempts"),
            ...bucketArns(`nu-spark-datomic-logs-co-${env}`),
        ],
        alph: bucketArns(`nu-spark-dataset-series-co-${env}`),
        conrado: [tableArn(prototype, "conrado"), tableArn(prototype, "serving-layer-schemas")],
        barragem: [
            ...bucketArns(`nu-spark-datomic-logs-co-${env}`),
            `arn:aws:s3:::nu-secrets-co-${env}/barragem_secret_config.json`,
            `arn:aws:kms:us-east-1:${account}:key/mock-key-barragem-secret-key`,
        ],
        ...(prototype === "global"
            ? {
                  // Tapir feeds Conrado's data storage on every prototype (runbook "Spin Conrado").
                  tapir: [
                      tableArn("global", "tapir"),
                      ...bucketArns(`nu-spark-metapod-ephemeral-pii-co-${env}`),
                      ...["global", "s0"].flatMap((p) => [tableArn(p, "conrado"), tableArn(p, "serving-layer-schemas")]),
                  ],
                  ouroboros: [tableArn("global", "ouroboros-datomic"), ...bucketArns(`nu-spark-metapod-manual-dataset-series-co-${env}`)],
                  "ouroboros-datomic": [tableArn("global", "ouroboros-datomic")],
              }
            : {}),
    });
    const policyOf = (run: ProgramRun, prototype: string, name: string): IamPolicy | undefined => {
        const found = run.resources.find((r) => r.type === T.rolePolicy && r.name === `${env}-${prototype}-${name}-data-access`);
        return found ? (JSON.parse(String(found.inputs.policy)) as IamPolicy) : undefined;
    };

    test("each workload's policy names exactly its own table and bucket ARNs", () => {
        const run = runs[stackName];
        for (const prototype of ["global", "s0"]) {
            for (const [name, arns] of Object.entries(own(prototype))) {
                const resources = policyOf(run, prototype, name)!.Statement.flatMap((s) => s.Resource);
                expect({ workload: `${prototype}-${name}`, resources: [...new Set(resources)].sort() }).toEqual({ workload: `${prototype}-${name}`, resources: [...arns].sort() });
            }
        }
        expect(resourcesOfType(run, T.rolePolicy)).toHaveLength(Object.keys(own("global")).length + Object.keys(own("s0")).length);
    });

    test("no policy has a wildcard action or resource beyond a bucket's own objects", () => {
        for (const p of resourcesOfType(runs[stackName], T.rolePolicy)) {
            for (const s of (JSON.parse(String(p.inputs.policy)) as IamPolicy).Statement) {
                expect(s.Effect).toBe("Allow");
                for (const action of s.Action) expect(action).not.toContain("*");
                for (const resource of s.Resource) {
                    expect(resource).not.toBe("*");
                    if (resource.includes("*")) expect(resource).toMatch(/^arn:aws:s3:::[a-z0-9.-]+\/\*$/);
                }
            }
        }
    });

    test("read-only uses stay read-only: tapir's partitions, ouroboros's inputs and its Datomic storage", () => {
        const run = runs[stackName];
        const actionsOn = (name: string, arn: string) =>
            policyOf(run, "global", name)!.Statement.filter((s) => s.Resource.includes(arn)).flatMap((s) => s.Action);
        expect(actionsOn("tapir", `arn:aws:s3:::nu-spark-metapod-ephemeral-pii-co-${env}/*`)).toEqual(["s3:GetObject", "s3:GetObjectVersion"]);
        expect(actionsOn("ouroboros", `arn:aws:s3:::nu-spark-metapod-manual-dataset-series-co-${env}/*`)).not.toContain("s3:PutObject");
        expect(actionsOn("ouroboros", tableArn("global", "ouroboros-datomic"))).not.toContain("dynamodb:PutItem");
        expect(actionsOn("ouroboros-datomic", tableArn("global", "ouroboros-datomic"))).toContain("dynamodb:PutItem");
        expect(actionsOn("barragem", `arn:aws:s3:::nu-secrets-co-${env}/barragem_secret_config.json`)).toEqual(["s3:GetObject"]);
        expect(actionsOn("barragem", `arn:aws:kms:us-east-1:${account}:key/mock-key-barragem-secret-key`)).toEqual(["kms:Decrypt"]);
    });

    test("tapir may write every prototype's conrado and serving-layer-schemas tables", () => {
        const run = runs[stackName];
        for (const prototype of ["global", "s0"]) {
            for (const table of ["conrado", "serving-layer-schemas"]) {
                const actions = policyOf(run, "global", "tapir")!.Statement.filter((s) => s.Resource.includes(tableArn(prototype, table))).flatMap((s) => s.Action);
                expect({ table: `${prototype}-${table}`, writes: ["dynamodb:PutItem", "dynamodb:BatchWriteItem"].every((a) => actions.includes(a)) }).toEqual({
                    table: `${prototype}-${table}`,
                    writes: true,
                });
            }
        }
    });

    test("veiga touches no AWS data: its role has no permissions", () => {
        expect(byName(runs[stackName], T.role, `${env}-global-veiga`)).toBeDefined();
        expect(policyOf(runs[stackName], "global", "veiga")).toBeUndefined();
    });

    test("only its own ServiceAccount, through its prototype's cluster OIDC provider, may assume a role", () => {
        const run = runs[stackName];
        const roles = resourcesOfType(run, T.role).filter((r) => r.parent?.includes("data-infra:k8s:ServiceAccess"));
        expect(roles).toHaveLength(12);
        for (const role of roles) {
            const [, prototype, name] = new RegExp(`^${env}-(global|s\\d+)-(.+)$`).exec(role.name)!;
            const issuer = `oidc.eks.us-east-1.amazonaws.com/id/MOCK${env.toUpperCase()}${prototype.toUpperCase()}BLUE`;
            const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
            expect(trust.Statement).toEqual([
                {
                    Effect: "Allow",
                    Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/${issuer}` },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: { StringEquals: { [`${issuer}:sub`]: `system:serviceaccount:data-infra:${name}`, [`${issuer}:aud`]: "sts.amazonaws.com" } },
                },
            ]);
        }
    });

    test("each ServiceAccount carries its role's ARN and is the one its pods run as", () => {
        const run = runs[stackName];
        for (const sa of resourcesOfType(run, T.serviceAccount)) {
            const name = String((sa.inputs.metadata as Json).name);
            const prototype = prototypeOf(sa);
            expect(((sa.inputs.metadata as Json).annotations as Json)["eks.amazonaws.com/role-arn"]).toBe(`arn:aws:iam::${account}:role/${env}-${prototype}-${name}`);
            expect(podSpec(byName(run, T.deployment, sa.name)).serviceAccountName).toBe(name);
        }
    });

    test("roles and their policies are in the country account", () => {
        const run = runs[stackName];
        for (const r of [...resourcesOfType(run, T.rolePolicy), ...resourcesOfType(run, T.role)]) {
            const provider = byUrn(run, r.provider!)!;
            expect((provider.inputs.allowedAccountIds as string[])[0]).toBe(account);
        }
    });
});

test("an OIDC provider and a kubeconfig context given in config are used as they are, without looking the EKS cluster up", async () => {
    const arn = "arn:aws:iam::400000000101:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789";
    const run = await runProgram({
        stack: "staging-co",
        config: configFrom("staging-co", { "data-infra:kubernetesClusters": JSON.stringify({ s0: { oidcProviderArn: arn, context: "co-s0" } }) }),
    });
    const trust = JSON.parse(String(byName(run, T.role, "staging-s0-barragem").inputs.assumeRolePolicy));
    expect(trust.Statement[0].Principal).toEqual({ Federated: arn });
    expect(byName(run, T.k8sProvider, "k8s-s0").inputs.context).toBe("co-s0");
    expect(byName(run, T.k8sProvider, "k8s-s0").inputs.kubeconfig).toBeUndefined();
    const lookups = run.invokes.filter((i) => i.token === "aws:eks/getCluster:getCluster").map((i) => i.inputs.name);
    expect(lookups).toEqual(["staging-global-blue"]);
});

describe.each(EXAMPLE_STACKS)("canonical DNS of %s", (stackName) => {
    const env = envOf(stackName);
    const services: Record<string, string[]> = { global: [...GLOBAL_ONLY, ...EVERYWHERE], s0: EVERYWHERE };

    test("every service on every prototype is <env>-<prototype>-<service>.nu.com.co, pointing at its blue deployment", () => {
        const run = runs[stackName];
        for (const [prototype, names] of Object.entries(services)) {
            for (const service of names) {
                const canonical = byName(run, T.record, `${env}-${prototype}-${service}.nu.com.co`);
                expect(canonical.inputs).toMatchObject({ type: "CNAME", zoneId: "ZMOCKNUCOMCO", records: [`${env}-${prototype}-blue-${service}.nu.com.co`] });
                const stackRecord = byName(run, T.record, `${env}-${prototype}-blue-${service}.nu.com.co`);
                expect(stackRecord.inputs.records).toEqual([`${prototype}-${service}.elb-mock.us-east-1.amazonaws.com`]);
            }
        }
        expect(resourcesOfType(run, T.record)).toHaveLength(2 * 11);
    });

    test("every record is replaced delete-first: Route53 refuses a CNAME beside another record of its name (the A <-> CNAME flip)", () => {
        const records = resourcesOfType(runs[stackName], T.record);
        expect(records.filter((r) => r.deleteBeforeReplace !== true).map((r) => r.name)).toEqual([]);
    });

    test("the zone is looked up once, the country's private zone by its domain, in the country account", () => {
        const run = runs[stackName];
        const lookups = run.invokes.filter((i) => i.token === "aws:route53/getZone:getZone");
        expect(lookups.map((i) => i.inputs)).toEqual([{ name: "nu.com.co", privateZone: true }]);
        expect((byUrn(run, lookups[0].provider!)!.inputs.allowedAccountIds as string[])[0]).toBe(COUNTRY_ACCOUNT[env]);
    });

    test("each service's Ingress answers its canonical and its blue name", () => {
        const run = runs[stackName];
        for (const ingress of resourcesOfType(run, T.ingress)) {
            const [prototype, service] = [prototypeOf(ingress), nameLabel(ingress)];
            const rules = ((ingress.inputs.spec as Json).rules as Json[]).map((r) => r.host);
            expect(rules).toEqual([`${env}-${prototype}-${service}.nu.com.co`, `${env}-${prototype}-blue-${service}.nu.com.co`]);
        }
        expect(resourcesOfType(run, T.ingress)).toHaveLength(11);
    });

    test("outputs serviceHosts per prototype and Metapod's veiga-co entry", () => {
        const outputs = runs[stackName].outputs;
        expect(outputs.serviceHosts).toEqual(
            Object.fromEntries(Object.entries(services).map(([p, names]) => [p, Object.fromEntries(names.map((s) => [s, `${env}-${p}-${s}.nu.com.co`]))])),
        );
        expect(outputs.metapodServices).toEqual({ "veiga-co": `https://${env}-global-veiga.nu.com.co/api` });
    });
});

describe.each(EXAMPLE_STACKS)("Barragem's segment schedule in %s", (stackName) => {
    const schedule = JSON.parse(loadStackConfig(stackName)["data-infra:barragemSchedule"]) as { databases: { global: string[]; shards: string[] } };

    test("one CronJob per prototype sends one request per configured database to that prototype's barragem", () => {
        const run = runs[stackName];
        const jobs = resourcesOfType(run, T.cronJob);
        expect(jobs.map(prototypeOf).sort()).toEqual(["global", "s0"]);
        for (const job of jobs) {
            const prototype = prototypeOf(job);
            const spec = job.inputs.spec as Json;
            expect(spec).toMatchObject({ schedule: "*/5 * * * *", concurrencyPolicy: "Forbid" });
            const [container] = containers((((spec.jobTemplate as Json).spec as Json).template as Json).spec as Json);
            const command = container.command as string[];
            expect(command.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
            expect(command[2]).toContain('for database in "$@"');
            expect(command[2]).toContain("$BARRAGEM_URL/api/process-next-segment");
            expect(command.slice(4)).toEqual(prototype === "global" ? schedule.databases.global : schedule.databases.shards);
            expect(container.env).toEqual([{ name: "BARRAGEM_URL", value: "http://barragem.data-infra.svc.cluster.local" }]);
            expect(job.dependencies).toContain(workload(run, T.service, prototype, "barragem").urn);
            expect(byUrn(run, job.provider!)!.name).toBe(`k8s-${prototype}`);
        }
    });

    test("the script sends one request per argument and fails the run if any failed", () => {
        const [job] = resourcesOfType(runs[stackName], T.cronJob);
        const spec = job.inputs.spec as Json;
        const [container] = containers((((spec.jobTemplate as Json).spec as Json).template as Json).spec as Json);
        const script = (container.command as string[])[2];
        expect(script.match(/curl /g)).toHaveLength(1);
        expect(script).toContain("|| status=1");
        expect(script).toContain('exit "$status"');
    });
});

test("the schedule's cron and databases come from config", async () => {
    const run = await runProgram({
        stack: "staging-co",
        config: configFrom("staging-co", {
            "data-infra:barragemSchedule": JSON.stringify({ cron: "*/2 * * * *", databases: { global: ["a", "b"], shards: ["c"] } }),
        }),
    });
    const job = (prototype: string) => workload(run, T.cronJob, prototype, "barragem-process-next-segment").inputs.spec as Json;
    expect(job("global").schedule).toBe("*/2 * * * *");
    const args = (prototype: string) => {
        const [container] = containers((((job(prototype).jobTemplate as Json).spec as Json).template as Json).spec as Json);
        return (container.command as string[]).slice(4);
    };
    expect(args("global")).toEqual(["a", "b"]);
    expect(args("s0")).toEqual(["c"]);
});

describe("order: each workload waits only for what it truly needs", () => {
    const deployment = (run: ProgramRun, prototype: string, name: string) => workload(run, T.deployment, prototype, name);
    const waitsFor = (run: ProgramRun, d: PlannedResource) => new Set(transitiveDependencies(run, d).map((r) => `${r.type} ${r.name}`));

    test("barragem waits for its own prototype's Aurora cluster and instance", () => {
        const run = runs[SHARDED];
        for (const prototype of prototypesOf[SHARDED]) {
            const deps = waitsFor(run, deployment(run, prototype, "barragem"));
            expect(deps).toContain(`${T.instance} staging-${prototype}-barragem-aurora-instance`);
            expect(deps).toContain(`${T.cluster} staging-${prototype}-barragem-aurora`);
        }
    });

    test("tapir, conrado, correnteza, ouroboros and the transactor wait for their tables", () => {
        const run = runs["staging-co"];
        const expectations: [string, string, string[]][] = [
            ["global", "tapir", ["global-tapir", "global-conrado", "global-serving-layer-schemas", "s0-conrado", "s0-serving-layer-schemas"]],
            ["global", "ouroboros", ["global-ouroboros-datomic"]],
            ["global", "ouroboros-datomic", ["global-ouroboros-datomic"]],
            ["s0", "conrado", ["s0-conrado", "s0-serving-layer-schemas"]],
            ["s0", "correnteza", ["s0-correnteza", "s0-correnteza-datomic-extraction-attempts"]],
        ];
        for (const [prototype, name, tables] of expectations) {
            const waited = [...waitsFor(run, deployment(run, prototype, name))].filter((d) => d.startsWith(T.table)).sort();
            expect({ workload: `${prototype}-${name}`, tables: waited }).toEqual({
                workload: `${prototype}-${name}`,
                tables: tables.map((t) => `${T.table} staging-${t}`).sort(),
            });
        }
    });

    test("veiga and alph wait for no table and no database", () => {
        const run = runs["staging-co"];
        for (const [prototype, name] of [["global", "veiga"], ["global", "alph"], ["s0", "alph"]]) {
            const waited = [...waitsFor(run, deployment(run, prototype, name))].filter((d) => d.startsWith(T.table) || d.startsWith(T.cluster) || d.startsWith(T.instance));
            expect({ workload: `${prototype}-${name}`, waited }).toEqual({ workload: `${prototype}-${name}`, waited: [] });
        }
    });

    test("no workload waits for another workload, and nothing of a prototype waits for another prototype but Tapir for the Conrado tables it feeds", () => {
        const run = runs[SHARDED];
        const k8s = run.resources.filter((r) => r.type.startsWith("kubernetes:") || r.type === T.role || r.type === T.rolePolicy || r.type === T.record);
        const tapirFeeds = (r: PlannedResource, d: PlannedResource) =>
            /^(staging-)?global-tapir($|-)/.test(r.name) && d.type === T.table && /^staging-s\d+-(conrado|serving-layer-schemas)$/.test(d.name);
        for (const r of k8s) {
            const owner = ownerPrototype(r) ?? prototypeOf(r);
            const deps = transitiveDependencies(run, r);
            const foreign = deps.filter((d) => {
                const other = ownerPrototype(d) ?? (d.type.startsWith("kubernetes:") ? prototypeOf(d) : undefined);
                return other !== undefined && other !== owner && !tapirFeeds(r, d);
            });
            expect({ resource: r.name, foreign: foreign.map((f) => f.name) }).toEqual({ resource: r.name, foreign: [] });
            if (r.type === T.deployment) expect(deps.filter((d) => d.type === T.deployment)).toEqual([]);
        }
    });
});

describe("the services' config decides before anything exists", () => {
    test("a stack without domain or with an unpinned image is refused and registers nothing", async () => {
        const config: Record<string, string> = { ...loadStackConfig("staging-co") };
        delete config["data-infra:domain"];
        const images = JSON.parse(config["data-infra:images"]);
        config["data-infra:images"] = JSON.stringify({ ...images, tapir: { version: "latest" } });
        const { error, registered } = await runRefused("staging-co", config);
        expect(error).toBeInstanceOf(ConfigError);
        expect(error.message).toContain("data-infra:domain is missing");
        expect(error.message).toContain('data-infra:images.tapir.version has value "latest"');
        expect(registered).toEqual([]);
    });

    test("a new tapir version changes tapir's image only", async () => {
        const images = JSON.parse(loadStackConfig("staging-co")["data-infra:images"]);
        const run = await runProgram({
            stack: "staging-co",
            config: configFrom("staging-co", { "data-infra:images": JSON.stringify({ ...images, tapir: { version: "9.9.9", repository: "registry.example.com/nu-tapir" } }) }),
        });
        const imageOf = (r: ProgramRun, prototype: string, name: string) => containers(podSpec(workload(r, T.deployment, prototype, name)))[0].image;
        expect(imageOf(run, "global", "tapir")).toBe("registry.example.com/nu-tapir:9.9.9");
        for (const [prototype, name] of [["global", "veiga"], ["global", "conrado"], ["s0", "barragem"]]) {
            expect(imageOf(run, prototype, name)).toBe(imageOf(runs["staging-co"], prototype, name));
        }
    });
});
