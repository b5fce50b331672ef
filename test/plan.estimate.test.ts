// The estimated cold `pulumi up`: longest chain through the dependency graph with typical
// creation times, and the serial total.
import { loadStackConfig, runProgram } from "../tools/mockRuntime";
import { creationSeconds, CREATION_TIMES, estimate, formatDuration, UNKNOWN_TYPE_SECONDS } from "../tools/plan/estimate";
import { toPlan } from "../tools/plan/json";
import { Plan } from "../tools/plan/types";
import { planOf, urnOf } from "./fixtures/plans";

const CLUSTER = "aws:rds/cluster:Cluster";
const INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const TABLE = "aws:dynamodb/table:Table";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const u = (type: string, name: string) => urnOf("staging-co", type, name);

describe("creation times", () => {
    test("Aurora clusters and instances take ten minutes, DynamoDB tables twenty seconds", () => {
        expect(creationSeconds(CLUSTER).seconds).toBe(600);
        expect(creationSeconds(INSTANCE).seconds).toBe(600);
        expect(creationSeconds(TABLE).seconds).toBe(20);
    });

    test("a family entry covers its types, and an exact entry wins over it", () => {
        expect(creationSeconds("aws:s3/bucketPolicy:BucketPolicy")).toEqual({ seconds: 1, known: true });
        expect(creationSeconds("aws:s3/bucket:Bucket")).toEqual({ seconds: 2, known: true });
        expect(creationSeconds("kubernetes:apps/v1:Deployment").seconds).toBeGreaterThan(creationSeconds("kubernetes:core/v1:ConfigMap").seconds);
    });

    test("components take no time; unknown types count a default and are flagged", () => {
        expect(creationSeconds("data-infra:aurora:BarragemAurora", false)).toEqual({ seconds: 0, known: true });
        expect(creationSeconds("aws:lambda/function:Function")).toEqual({ seconds: UNKNOWN_TYPE_SECONDS, known: false });
    });

    test("every entry of the table is a type token or a family prefix", () => {
        for (const t of CREATION_TIMES) expect(t.type).toMatch(/^[a-z0-9-]+:([^:]+:[A-Za-z0-9]+|.*\*)$/);
    });
});

describe("estimate", () => {
    test("the critical path is the longest chain; the serial time adds everything", () => {
        const plan = planOf("staging-co", [
            { type: SG, name: "sg" },
            { type: CLUSTER, name: "db", dependencies: [u(SG, "sg")] },
            { type: INSTANCE, name: "db-1", dependencies: [u(CLUSTER, "db")] },
            { type: TABLE, name: "t" },
        ]);
        const est = estimate(plan);
        expect(est.criticalPathSeconds).toBe(5 + 600 + 600);
        expect(est.serialSeconds).toBe(5 + 600 + 600 + 20);
        expect(est.chain.map((s) => s.name)).toEqual(["sg", "db", "db-1"]);
        expect(est.chain.map((s) => s.doneAt)).toEqual([5, 605, 1205]);
    });

    test("waiting for a component means waiting for every resource inside it", () => {
        const component = u("data-infra:aurora:BarragemAurora", "db");
        const plan = planOf("staging-co", [
            { type: "data-infra:aurora:BarragemAurora", name: "db", custom: false },
            { type: CLUSTER, name: "cluster", parent: component },
            { type: INSTANCE, name: "instance", parent: component, dependencies: [u(CLUSTER, "cluster")] },
            { type: TABLE, name: "after-db", dependsOn: [component] },
        ]);
        const est = estimate(plan);
        expect(est.criticalPathSeconds).toBe(600 + 600 + 20);
        expect(est.chain.map((s) => s.name)).toEqual(["cluster", "instance", "after-db"]);
    });

    test("a resource waits for its provider (a Kubernetes provider may wait for its cluster)", () => {
        const plan = planOf("staging-co", [
            { type: CLUSTER, name: "cluster" },
            { type: "pulumi:providers:kubernetes", name: "k8s", dependencies: [u(CLUSTER, "cluster")] },
            { type: "kubernetes:apps/v1:Deployment", name: "app", provider: u("pulumi:providers:kubernetes", "k8s") },
        ]);
        expect(estimate(plan).criticalPathSeconds).toBe(600 + 60);
    });

    test("a dependency from one prototype to another is reported as what serialises them", () => {
        const plan = planOf("staging-co", [
            { type: CLUSTER, name: "global-db", prototype: "global" },
            { type: CLUSTER, name: "s0-db", prototype: "s0", dependencies: [u(CLUSTER, "global-db")] },
            { type: TABLE, name: "shared", prototype: "stack-wide" },
            { type: TABLE, name: "s0-table", prototype: "s0", dependencies: [u(TABLE, "shared")] },
        ]);
        const est = estimate(plan);
        expect(est.criticalPathSeconds).toBe(1200);
        expect(est.crossPrototype).toEqual([{ from: u(CLUSTER, "s0-db"), to: u(CLUSTER, "global-db") }]);
    });

    test("unknown types are listed so the table can be extended", () => {
        const plan = planOf("staging-co", [{ type: "aws:lambda/function:Function", name: "f" }]);
        expect(estimate(plan).assumedTypes).toEqual(["aws:lambda/function:Function"]);
    });

    test("durations read as hours, minutes and seconds", () => {
        expect(formatDuration(20)).toBe("20s");
        expect(formatDuration(1205)).toBe("20m 05s");
        expect(formatDuration(3725)).toBe("1h 02m 05s");
    });
});

describe("the program lets Pulumi create prototypes in parallel", () => {
    const runWith = async (prototypes: string[]): Promise<Plan> =>
        toPlan(await runProgram({ stack: "staging-co", config: { ...loadStackConfig("staging-co"), "data-infra:prototypes": JSON.stringify(prototypes) } }));
    let one: Plan;
    let sixteen: Plan;
    beforeAll(async () => {
        one = await runWith(["global"]);
        sixteen = await runWith(["global", ...Array.from({ length: 15 }, (_, i) => `s${i}`)]);
    });

    test("one prototype's longest chain runs through its Aurora cluster, then its instance", () => {
        const chain = estimate(one).chain.map((s) => s.type);
        expect(chain.indexOf(CLUSTER)).toBeGreaterThanOrEqual(0);
        expect(chain.indexOf(INSTANCE)).toBeGreaterThan(chain.indexOf(CLUSTER));
    });

    test("sixteen prototypes take within 10% of one prototype's chain, and no prototype waits for another but Tapir for the Conrado tables it feeds", () => {
        const [e1, e16] = [estimate(one), estimate(sixteen)];
        expect(e16.criticalPathSeconds).toBeLessThanOrEqual(e1.criticalPathSeconds * 1.1);
        // Tapir (global only) feeds every prototype's Conrado storage (docs/services.md): it waits for those tables, nothing else crosses.
        const name = (urn: string) => urn.split("::").pop();
        const crossing = e16.crossPrototype.map((d) => `${name(d.from)} -> ${name(d.to)}`);
        expect(crossing.sort()).toEqual(
            Array.from({ length: 15 }, (_, i) => [`global-tapir -> staging-s${i}-conrado`, `global-tapir -> staging-s${i}-serving-layer-schemas`]).flat().sort(),
        );
        // While done one at a time, each of the 15 extra prototypes would add its cluster and instance.
        expect(e16.serialSeconds - e1.serialSeconds).toBeGreaterThanOrEqual(15 * (600 + 600));
    });
});
