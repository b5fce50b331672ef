// `--out DIR`: every Kubernetes object as a manifest `kubectl apply --dry-run=client` would read
// (checked structurally: kubectl is not installed here), under DIR/<prototype>/.
import * as path from "path";
import * as YAML from "yaml";
import { runProgram, SECRET_MASK } from "../tools/mockRuntime";
import { toPlan } from "../tools/plan/json";
import { isKubernetesObject, Manifest, MANIFEST_HEADER, renderManifests } from "../tools/plan/manifests";
import { Plan } from "../tools/plan/types";

const FIXTURE = path.join(__dirname, "fixtures", "k8sProgram");

/** What kubectl needs of every object. */
function expectApplicable(m: Manifest): Record<string, unknown> {
    const docs = YAML.parseAllDocuments(m.yaml);
    expect(docs).toHaveLength(1);
    expect(docs[0].errors).toEqual([]);
    const object = docs[0].toJS() as Record<string, any>;
    expect(object.apiVersion).toMatch(/^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/);
    expect(object.kind).toMatch(/^[A-Z][A-Za-z]+$/);
    expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    if (object.kind !== "Namespace") expect(object.metadata.namespace).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    return object;
}

describe("manifests of a program with one Kubernetes provider per prototype", () => {
    let plan: Plan;
    let manifests: readonly Manifest[];
    beforeAll(async () => {
        plan = toPlan(await runProgram({ stack: "staging-co", program: FIXTURE }));
        manifests = renderManifests(plan).manifests;
    });

    test("one manifest per Kubernetes object, in the directory of its provider's prototype", () => {
        const objects = plan.resources.filter((r) => r.type.startsWith("kubernetes:"));
        expect(manifests.map((m) => m.urn).sort()).toEqual(objects.map((r) => r.urn).sort());
        for (const m of manifests) {
            const provider = plan.resources.find((r) => r.urn === plan.resources.find((x) => x.urn === m.urn)!.provider)!;
            expect(provider.name).toBe(`k8s-${m.prototype}`);
            expect(m.path.startsWith(`${m.prototype}/`)).toBe(true);
        }
        expect(new Set(manifests.map((m) => m.path)).size).toBe(manifests.length);
    });

    test("every manifest parses back to an object kubectl can apply", () => {
        for (const m of manifests) {
            expect(m.yaml.startsWith(MANIFEST_HEADER)).toBe(true);
            const object = expectApplicable(m);
            expect(object).toEqual(m.object);
        }
    });

    test("the file is named after kind and name", () => {
        expect(manifests.map((m) => m.path)).toEqual(expect.arrayContaining(["global/deployment-global-veiga.yaml", "s0/service-s0-veiga.yaml", "s0/namespace-data-s0.yaml"]));
    });

    test("an object without a namespace gets its provider's; a Namespace gets none", () => {
        const deployment = manifests.find((m) => m.path === "s0/deployment-s0-veiga.yaml")!;
        expect((deployment.object.metadata as Record<string, unknown>).namespace).toBe("data-s0");
        const namespace = manifests.find((m) => m.path === "s0/namespace-data-s0.yaml")!;
        expect(namespace.object.metadata).toEqual({ name: "data-s0" });
    });

    test("an object Pulumi auto-names gets its resource name, and the file says so", () => {
        const cronJob = manifests.find((m) => (m.object.kind as string) === "CronJob" && m.prototype === "global")!;
        expect((cronJob.object.metadata as Record<string, unknown>).name).toBe("global-barragem-process-next-segment");
        expect(cronJob.yaml).toMatch(/# metadata.name: Pulumi auto-names this object/);
    });

    test("the inputs are rendered as given: spec, probes, labels", () => {
        const deployment = manifests.find((m) => m.path === "global/deployment-global-veiga.yaml")!.object as Record<string, any>;
        expect(deployment.spec.template.spec.containers[0].readinessProbe.httpGet.path).toBe("/api/version");
        expect(deployment.metadata.labels).toEqual({ app: "veiga", prototype: "global" });
    });

    test("a Secret's secret fields are left out, and no secret value is written", () => {
        const secret = manifests.find((m) => m.object.kind === "Secret" && m.prototype === "s0")!;
        expect(secret.object.data).toBeUndefined();
        expect(secret.object.stringData).toBeUndefined();
        expect(secret.yaml).toMatch(/# stringData: secret, not rendered/);
        expectApplicable(secret);
    });
});

test("a Secret with some keys secret shows those keys as stringData [secret] so the file stays valid", () => {
    const secret = {
        urn: "urn:pulumi:staging-co::data-infra::kubernetes:core/v1:Secret::s",
        type: "kubernetes:core/v1:Secret",
        name: "s",
        custom: true,
        prototype: "global",
        inputs: { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "x" }, data: { token: SECRET_MASK, plain: "YQ==" } },
        secretInputs: ["data.token"],
        options: { protect: false, retainOnDelete: false, dependsOn: [] },
        dependencies: [],
    };
    const plan: Plan = { format: "data-infra-plan/1", stack: "staging-co", groups: ["global"], resources: [secret], outputs: {}, secretOutputs: [] };
    const [m] = renderManifests(plan).manifests;
    expect(m.object.data).toEqual({ plain: "YQ==" });
    expect(m.object.stringData).toEqual({ token: SECRET_MASK });
});

describe.each(["staging-co", "prod-co"])("manifests of %s", (stack) => {
    test("every Kubernetes object of the stack renders to an applicable manifest under its prototype", async () => {
        const plan = toPlan(await runProgram({ stack }));
        const { manifests } = renderManifests(plan);
        expect(manifests).toHaveLength(plan.resources.filter(isKubernetesObject).length);
        for (const m of manifests) {
            expectApplicable(m);
            expect(plan.groups).toContain(m.prototype);
        }
    });
});
