// The service matrix, names, configs and IAM documents as pure functions, with no Pulumi runtime.
import * as path from "path";
import { eksKubeconfig } from "../components/kubernetesProviders";
import { accessPolicyDocument, trustPolicyDocument } from "../components/serviceAccess";
import { loadBalancerTarget } from "../components/serviceWorkload";
import { loadBalancerFromVpc, networkPolicyPlans, UNSTATED_EGRESS } from "../stacks/networkPolicies";
import { byName, runProgram } from "../tools/mockRuntime";
import { PROCESS_NEXT_SEGMENT_SCRIPT } from "../components/segmentSchedule";
import { parseCountryStack, RawConfig, WORKLOADS } from "../stacks/config";
import { canonicalHost, kubernetesClusterName, metapodVeiga, oidcIssuer, oidcProviderArn, serviceRoleName, stackHost, unqualifiedInstanceEndpoint } from "../stacks/naming";
import { accessGrants, barragemRoleArns, SERVICE_ROWS, serviceConfig, serviceHosts, servicesOn, workloadPlans } from "../stacks/services";

const raw: RawConfig = {
    "data-infra:country": "mx",
    "data-infra:env": "prod",
    "data-infra:prototypes": JSON.stringify(["global", "s0", "s1", "s2", "s3"]),
    "data-infra:countryAccountId": "111111111111",
    "data-infra:dataAccountId": "999999999999",
    "data-infra:domain": "nu.com.mx",
    "data-infra:images": JSON.stringify(Object.fromEntries(WORKLOADS.map((w) => [w, { version: `${w}-7` }]))),
    "data-infra:barragemSchedule": JSON.stringify({ databases: { global: ["g"], shards: ["s"] } }),
};
const stack = parseCountryStack("prod-mx", raw);
const row = (workload: string) => SERVICE_ROWS.find((r) => r.workload === workload)!;

describe("canonical names", () => {
    test("the canonical name is <env>-<prototype>-<service>.<domain>, as in the runbook's staging-global-veiga.nu.com.mx", () => {
        expect(canonicalHost("staging", "global", "veiga", "nu.com.mx")).toBe("staging-global-veiga.nu.com.mx");
        expect(canonicalHost("prod", "s3", "barragem", "nu.com.co")).toBe("prod-s3-barragem.nu.com.co");
    });

    test("the stack-id deployment's name carries the stack id", () => {
        expect(stackHost("staging", "s0", "blue", "conrado", "nu.com.co")).toBe("staging-s0-blue-conrado.nu.com.co");
    });

    test('Metapod\'s entry is "veiga-<country>": "https://<env>-global-veiga.<domain>/api"', () => {
        expect(metapodVeiga.key("mx")).toBe("veiga-mx");
        expect(metapodVeiga.url("staging", "nu.com.mx")).toBe("https://staging-global-veiga.nu.com.mx/api");
    });

    test("service hosts cover exactly the services of each prototype", () => {
        const hosts = serviceHosts(stack);
        expect(Object.keys(hosts)).toEqual(["global", "s0", "s1", "s2", "s3"]);
        expect(Object.keys(hosts.s2).sort()).toEqual(["alph", "barragem", "conrado", "correnteza"]);
        expect(hosts.global.tapir).toBe("prod-global-tapir.nu.com.mx");
    });

    test("roles, clusters and OIDC providers", () => {
        expect(serviceRoleName("prod", "s1", "correnteza")).toBe("prod-s1-correnteza");
        expect(kubernetesClusterName("staging", "s0", "green")).toBe("staging-s0-green");
        const arn = oidcProviderArn("111111111111", "https://oidc.eks.us-east-1.amazonaws.com/id/ABC");
        expect(arn).toBe("arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC");
        expect(oidcIssuer(arn)).toBe("oidc.eks.us-east-1.amazonaws.com/id/ABC");
    });
});

describe("the service matrix", () => {
    test("global runs all seven services; every shard runs correnteza, alph, conrado and barragem", () => {
        expect(servicesOn("global").sort()).toEqual(["alph", "barragem", "conrado", "correnteza", "ouroboros", "tapir", "veiga"]);
        for (const shard of ["s0", "s7", "s14"]) expect(servicesOn(shard).sort()).toEqual(["alph", "barragem", "conrado", "correnteza"]);
    });

    test("every workload of the config contract is in the matrix once", () => {
        expect(SERVICE_ROWS.map((r) => r.workload).sort()).toEqual([...WORKLOADS].sort());
    });

    test("plans put each workload's image, namespace and labels together", () => {
        const [veiga] = workloadPlans(stack, "global", "endpoint");
        expect(veiga.image).toBe("111111111111.dkr.ecr.us-east-1.amazonaws.com/nu-veiga:veiga-7");
        expect(veiga.labels).toEqual({
            "app.kubernetes.io/name": "veiga",
            "app.kubernetes.io/part-of": "data-infra",
            "app.kubernetes.io/component": "api",
            "data-infra/prototype": "global",
            "data-infra/stack-id": "blue",
        });
        expect(workloadPlans(stack, "s3", "e").map((p) => p.name)).toEqual(["correnteza", "alph", "conrado", "barragem"]);
    });

    test("only Barragem needs its Aurora; the transactor has no canonical name", () => {
        const plans = workloadPlans(stack, "global", "e");
        expect(plans.filter((p) => p.needsAurora).map((p) => p.name)).toEqual(["barragem"]);
        expect(plans.filter((p) => !p.hosts).map((p) => p.name)).toEqual(["ouroboros-datomic"]);
    });
});

describe("service config files", () => {
    test("barragem's config holds whatever endpoint it is given and the bucket of its env", () => {
        expect(serviceConfig(stack, "s2", row("barragem"), "db.example")).toEqual({
            "datomic-logs-bucket": "nu-spark-datomic-logs-mx-prod",
            "rdb-unqualified-endpoint-url": "db.example",
        });
    });

    test("shard tables are named for their shard", () => {
        expect(serviceConfig(stack, "s3", row("conrado"), "")).toEqual({ "conrado-table": "prod-s3-conrado", "serving-layer-schemas-table": "prod-s3-serving-layer-schemas" });
    });
});

describe("IAM documents", () => {
    test("barragem may read its secret file and nothing else of the secrets bucket", () => {
        const doc = accessPolicyDocument(accessGrants(stack, "s1", row("barragem")));
        expect(doc.Statement.find((s) => s.Sid === "SecretFileRead")).toEqual({
            Sid: "SecretFileRead",
            Effect: "Allow",
            Action: ["s3:GetObject"],
            Resource: ["arn:aws:s3:::nu-secrets-mx-prod/barragem_secret_config.json"],
        });
        expect(JSON.stringify(doc)).not.toContain("arn:aws:s3:::nu-secrets-mx-prod\"");
    });

    test("a shard's correnteza may use its shard's tables in the country account and region", () => {
        const doc = accessPolicyDocument(accessGrants(stack, "s3", row("correnteza")));
        expect(doc.Statement.find((s) => s.Sid === "TablesReadWrite")!.Resource).toEqual([
            "arn:aws:dynamodb:us-east-1:111111111111:table/prod-s3-correnteza",
            "arn:aws:dynamodb:us-east-1:111111111111:table/prod-s3-correnteza-datomic-extraction-attempts",
        ]);
    });

    test("no workload on any prototype gets a wildcard action, or a wildcard resource other than its buckets' objects", () => {
        for (const prototype of stack.prototypes) {
            for (const plan of workloadPlans(stack, prototype, "")) {
                for (const s of accessPolicyDocument(plan.grants).Statement) {
                    expect(s.Action.filter((a) => a.includes("*"))).toEqual([]);
                    expect(s.Resource.filter((r) => r.includes("*") && !/^arn:aws:s3:::[a-z0-9.-]+\/\*$/.test(r))).toEqual([]);
                }
            }
        }
    });

    test("veiga's document has no statement", () => {
        expect(accessPolicyDocument(accessGrants(stack, "global", row("veiga"))).Statement).toEqual([]);
    });

    test("the trust policy admits one ServiceAccount of one namespace through one OIDC provider", () => {
        const arn = "arn:aws:iam::111111111111:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC";
        expect(trustPolicyDocument(arn, "data-infra", "tapir").Statement[0].Condition.StringEquals).toEqual({
            "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:data-infra:tapir",
            "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
        });
    });
});

test("the schedule script posts each database given as an argument, as JSON", () => {
    expect(PROCESS_NEXT_SEGMENT_SCRIPT).toContain('for database in "$@"; do');
    expect(PROCESS_NEXT_SEGMENT_SCRIPT).toContain("-X POST");
    expect(PROCESS_NEXT_SEGMENT_SCRIPT).toContain('--data "{\\"database\\": \\"$database\\"}"');
});

describe("Barragem's rdb-unqualified-endpoint-url", () => {
    test("is the instance endpoint without <env>-<prototype>-, as in the runbook", () => {
        expect(unqualifiedInstanceEndpoint("staging", "s0", "staging-s0-barragem-aurora-instance.cabc123.us-east-1.rds.amazonaws.com")).toBe(
            "barragem-aurora-instance.cabc123.us-east-1.rds.amazonaws.com",
        );
        expect(unqualifiedInstanceEndpoint("prod", "global", "prod-global-barragem-aurora-instance.c9xyz8.sa-east-1.rds.amazonaws.com")).toBe(
            "barragem-aurora-instance.c9xyz8.sa-east-1.rds.amazonaws.com",
        );
    });

    test("refuses the cluster endpoint or another prototype's instance, naming the instance it expected", () => {
        expect(() => unqualifiedInstanceEndpoint("staging", "s0", "staging-s0-barragem-aurora.cluster-cabc123.us-east-1.rds.amazonaws.com")).toThrow(
            /not the endpoint of instance staging-s0-barragem-aurora-instance/,
        );
        expect(() => unqualifiedInstanceEndpoint("staging", "s0", "staging-s1-barragem-aurora-instance.cabc123.us-east-1.rds.amazonaws.com")).toThrow(/Barragem on s0/);
    });
});

describe("Tapir feeds Conrado's data storage", () => {
    test("on every prototype of the stack, with read-write access and the tables as a prototype-to-name object", () => {
        const tapir = workloadPlans(stack, "global", "e").find((p) => p.name === "tapir")!;
        const conrado = tapir.grants.tables.filter((t) => t.table === "conrado" || t.table === "serving-layer-schemas");
        expect(conrado.map((t) => `${t.name}:${t.access}`).sort()).toEqual(
            stack.prototypes.flatMap((p) => [`prod-${p}-conrado:read-write`, `prod-${p}-serving-layer-schemas:read-write`]).sort(),
        );
        expect(tapir.needsTables).toContainEqual({ prototype: "s3", table: "conrado" });
        expect(serviceConfig(stack, "global", row("tapir"), "")["conrado-tables"]).toEqual(
            Object.fromEntries(stack.prototypes.map((p) => [p, `prod-${p}-conrado`])),
        );
    });
});

describe("Barragem's secret file", () => {
    test("is read by every prototype's Barragem role, named before the roles exist", () => {
        expect(barragemRoleArns(stack)).toEqual(stack.prototypes.map((p) => `arn:aws:iam::111111111111:role/prod-${p}-barragem`));
    });

    test("Barragem's role may decrypt with the given key, and only that", () => {
        const key = "arn:aws:kms:us-east-1:111111111111:key/abc";
        const doc = accessPolicyDocument(accessGrants(stack, "s1", row("barragem")), [key]);
        expect(doc.Statement.find((s) => s.Sid === "SecretFileDecrypt")).toEqual({ Sid: "SecretFileDecrypt", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [key] });
    });
});

describe("load balancer addresses", () => {
    test("a hostname is reached through a CNAME, an IP through an A record", () => {
        expect(loadBalancerTarget({ loadBalancer: { ingress: [{ hostname: "internal-x.elb.amazonaws.com" }] } })).toEqual({ type: "CNAME", value: "internal-x.elb.amazonaws.com" });
        expect(loadBalancerTarget({ loadBalancer: { ingress: [{ ip: "10.0.0.7" }] } })).toEqual({ type: "A", value: "10.0.0.7" });
        expect(loadBalancerTarget({ loadBalancer: { ingress: [] } })).toBeUndefined();
        expect(loadBalancerTarget(undefined)).toBeUndefined();
    });

    test("the canonical DNS writes an A record for an IP and a CNAME for a hostname; the canonical name stays a CNAME", async () => {
        const run = await runProgram({ stack: "staging-co", program: path.join(__dirname, "fixtures", "ingressAddresses") });
        const record = (name: string) => byName(run, "aws:route53/record:Record", name).inputs;
        expect(record("staging-global-blue-tapir.nu.com.co")).toMatchObject({ type: "A", records: ["10.20.30.40"] });
        expect(record("staging-global-blue-veiga.nu.com.co")).toMatchObject({ type: "CNAME", records: ["internal-a1b2.us-east-1.elb.amazonaws.com"] });
        expect(record("staging-global-tapir.nu.com.co")).toMatchObject({ type: "CNAME", records: ["staging-global-blue-tapir.nu.com.co"] });
    });
});

describe("the Kubernetes provider's kubeconfig", () => {
    test("authenticates with aws eks get-token under the given role, like pulumi-eks, and holds no secret", () => {
        const config = eksKubeconfig({ clusterName: "prod-s0-blue", endpoint: "https://X.gr7.us-east-1.eks.amazonaws.com", certificateAuthority: "Q0E=", region: "us-east-1", roleArn: "arn:aws:iam::111111111111:role/data-infra-deploy" });
        const exec = config.users[0].user.exec;
        expect([exec.command, ...exec.args]).toEqual([
            "aws", "eks", "get-token", "--cluster-name", "prod-s0-blue", "--role-arn", "arn:aws:iam::111111111111:role/data-infra-deploy", "--region", "us-east-1", "--output", "json",
        ]);
        expect(config.clusters[0].cluster).toEqual({ server: "https://X.gr7.us-east-1.eks.amazonaws.com", "certificate-authority-data": "Q0E=" });
        expect(JSON.stringify(config)).not.toMatch(/"token"|password|client-key-data/);
    });
});

describe("network policies of a namespace", () => {
    const plans = (prototype: string) => networkPolicyPlans(prototype, { ingressControllerNamespace: "ingress-internal", vpcCidr: "10.9.0.0/16" });

    test("start from a default deny of both directions", () => {
        expect(plans("s4")[0]).toMatchObject({ name: "default-deny", pods: { matchLabels: {} }, denies: ["Ingress", "Egress"] });
    });

    test("open egress only for the services whose dependencies the runbook does not state", () => {
        const open = plans("global").filter((p) => p.egress?.some((r) => r.peers.length === 0 && r.ports.length === 0));
        expect(open.map((p) => p.pods.matchLabels["app.kubernetes.io/name"]).sort()).toEqual([...UNSTATED_EGRESS].sort());
        expect(plans("s4").filter((p) => p.egress?.some((r) => r.peers.length === 0)).map((p) => p.name)).toEqual(["alph-unstated-egress"]);
    });

    test("take the ingress controller's namespace and the VPC's block from the stack", () => {
        const byName = Object.fromEntries(plans("s4").map((p) => [p.name, p]));
        expect(byName["allow-from-ingress-controller"].ingress![0].peers).toEqual([{ namespace: "ingress-internal" }]);
        expect(byName["allow-barragem-to-aurora"].egress![0].peers).toEqual([{ cidr: "10.9.0.0/16" }]);
    });

    test("an internal ALB reaches the API pods from the VPC's block on the service port only; nginx-internal opens nothing from the VPC", () => {
        const alb = networkPolicyPlans("s4", { ingressControllerNamespace: "kube-system", vpcCidr: "10.9.0.0/16", loadBalancerFromVpc: true });
        const fromVpc = alb.find((p) => p.name === "allow-from-load-balancer-in-vpc")!;
        expect(fromVpc.pods).toEqual({ matchLabels: { "app.kubernetes.io/component": "api" } });
        expect(fromVpc.ingress).toEqual([{ peers: [{ cidr: "10.9.0.0/16" }], ports: [{ protocol: "TCP", port: 8080 }] }]);
        expect(plans("s4").filter((p) => p.ingress?.some((r) => r.peers.some((peer) => "cidr" in peer)))).toEqual([]);
    });

    test("the ALB is recognised by its class or its alb.ingress.kubernetes.io annotations, not nginx", () => {
        expect(loadBalancerFromVpc({ className: "alb", annotations: {} })).toBe(true);
        expect(loadBalancerFromVpc({ className: "internal-alb", annotations: { "alb.ingress.kubernetes.io/scheme": "internal" } })).toBe(true);
        expect(loadBalancerFromVpc({ className: "nginx-internal", annotations: {} })).toBe(false);
    });
});
