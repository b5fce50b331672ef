// The services' keys of the stack config contract, as pure functions: defaults, and every bad
// value reported with key, value and what is allowed, together with all other problems.
import { CONFIG_KEYS, parseCountryStack, RawConfig, WORKLOADS } from "../stacks/config";
import { configProblems, VALID_CONFIG, withoutKey } from "./helpers/config";
import { loadStackConfig } from "../tools/mockRuntime";

const IMAGES = Object.fromEntries(WORKLOADS.map((w) => [w, { version: "1.2.3" }]));
const valid: RawConfig = { ...VALID_CONFIG, "data-infra:images": JSON.stringify(IMAGES) };
const problemsOf = (raw: RawConfig, stack = "staging-co") => configProblems(stack, raw);
const without = (key: string) => withoutKey(valid, key);

const withImages = (change: Record<string, unknown>) => ({ ...valid, "data-infra:images": JSON.stringify({ ...IMAGES, ...change }) });

describe("the services' config defaults", () => {
    const stack = parseCountryStack("staging-co", valid);
    const prod = parseCountryStack("prod-co", { ...valid, "data-infra:env": "prod", "data-infra:countryAccountId": "400000000102" });

    test("each prototype's EKS cluster is <env>-<prototype>-<stackId>, no kubeconfig context, namespace data-infra, the internal ingress class", () => {
        const internal = { ingressClass: "nginx-internal", ingressAnnotations: {}, ingressControllerNamespace: "ingress-nginx" };
        expect(stack.kubernetes).toEqual({
            global: { eksClusterName: "staging-global-blue", namespace: "data-infra", ...internal },
            s0: { eksClusterName: "staging-s0-blue", namespace: "data-infra", ...internal },
        });
        const green = parseCountryStack("staging-co", { ...valid, "data-infra:stackId": "green" });
        expect(green.kubernetes.s0.eksClusterName).toBe("staging-s0-green");
        expect(green.kubernetes.s0.context).toBeUndefined();
    });

    test("an image's repository defaults to nu-<workload> in the country account's 400000000101.dkr.ecr.us-east-1.amazonaws.com", () => {
        expect(stack.images.tapir).toEqual({ repository: "400000000101.dkr.ecr.us-east-1.amazonaws.com/nu-tapir", version: "1.2.3" });
        expect(stack.images["ouroboros-datomic"]).toEqual({ repository: "400000000101.dkr.ecr.us-east-1.amazonaws.com/nu-ouroboros-datomic", version: "1.2.3" });
        const mirrored = parseCountryStack("staging-co", { ...valid, "data-infra:imageRegistry": "registry.example.com/nubank" });
        expect(mirrored.images.veiga.repository).toBe("registry.example.com/nubank/nu-veiga");
        expect(mirrored.segmentSchedule.image).toBe("registry.example.com/nubank/curlimages/curl:8.11.1");
    });

    test("a version is a tag or a digest", () => {
        const digest = `sha256:${"ab".repeat(32)}`;
        expect(parseCountryStack("staging-co", withImages({ tapir: { version: digest } })).images.tapir.version).toBe(digest);
    });

    test("one replica per service in staging, two in prod; the transactor always one", () => {
        expect(stack.workloads.barragem.replicas).toBe(1);
        expect(prod.workloads.barragem.replicas).toBe(2);
        expect(prod.workloads["ouroboros-datomic"].replicas).toBe(1);
        expect(stack.workloads.veiga).toEqual({ replicas: 1, requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2", memory: "2Gi" } });
    });

    test("the segment schedule runs every 5 minutes with a pinned curl image", () => {
        expect(stack.segmentSchedule).toEqual({
            cron: "*/5 * * * *",
            image: "400000000101.dkr.ecr.us-east-1.amazonaws.com/curlimages/curl:8.11.1",
            databases: { global: ["ouroboros"], shards: ["acquisition"] },
        });
    });

    test("given values replace the defaults, field by field", () => {
        const custom = parseCountryStack("staging-co", {
            ...valid,
            "data-infra:kubernetesClusters": JSON.stringify({
                s0: {
                    context: "arn:aws:eks:us-east-1:400000000101:cluster/co-s0",
                    namespace: "data",
                    oidcProviderArn: "arn:aws:iam::400000000101:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123",
                    ingressClass: "alb",
                    ingressAnnotations: { "alb.ingress.kubernetes.io/scheme": "internal" },
                    ingressControllerNamespace: "kube-system",
                },
            }),
            "data-infra:workloads": JSON.stringify({ barragem: { replicas: 3, requests: { memory: "3Gi" }, limits: { memory: "4Gi", cpu: 3 } } }),
            "data-infra:images": JSON.stringify({ ...IMAGES, tapir: { version: "2.0.0", repository: "registry.example.com/data/nu-tapir" } }),
        });
        expect(custom.kubernetes.s0).toEqual({
            context: "arn:aws:eks:us-east-1:400000000101:cluster/co-s0",
            eksClusterName: "staging-s0-blue",
            namespace: "data",
            ingressClass: "alb",
            ingressAnnotations: { "alb.ingress.kubernetes.io/scheme": "internal" },
            ingressControllerNamespace: "kube-system",
            oidcProviderArn: "arn:aws:iam::400000000101:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123",
        });
        expect(custom.kubernetes.global.namespace).toBe("data-infra");
        expect(custom.workloads.barragem).toEqual({ replicas: 3, requests: { cpu: "500m", memory: "3Gi" }, limits: { cpu: "3", memory: "4Gi" } });
        expect(custom.images.tapir).toEqual({ repository: "registry.example.com/data/nu-tapir", version: "2.0.0" });
    });

    test("a stack of global only needs no shards databases", () => {
        const globalOnly = parseCountryStack("staging-co", {
            ...valid,
            "data-infra:prototypes": '["global"]',
            "data-infra:barragemSchedule": JSON.stringify({ databases: { global: ["ouroboros"] } }),
        });
        expect(globalOnly.segmentSchedule.databases).toEqual({ global: ["ouroboros"], shards: [] });
    });

    test("both committed stack files set the services' required keys", () => {
        for (const name of ["staging-co", "prod-co"]) {
            const parsed = parseCountryStack(name, loadStackConfig(name));
            expect(parsed.domain).toBe("nu.com.co");
            for (const w of WORKLOADS) expect(parsed.images[w].version).not.toBe("");
        }
    });
});

describe("a bad services config is refused with key, value and what is allowed", () => {
    test.each([
        ["domain with capitals", { "data-infra:domain": "Nu.com.co" }, 'data-infra:domain has value "Nu.com.co"; allowed: the country\'s DNS domain in lowercase'],
        ["domain with a scheme", { "data-infra:domain": "https://nu.com.co" }, 'data-infra:domain has value "https://nu.com.co"'],
        ["images not an object", { "data-infra:images": '["veiga"]' }, 'data-infra:images has the list ["veiga"]; allowed: an object with {version} per workload'],
        ["a version YAML read as a number", withImages({ tapir: { version: 1.1 } }), 'data-infra:images.tapir.version has the number 1.1; allowed: a string: quote the version in YAML'],
        ["version latest", withImages({ alph: { version: "latest" } }), 'data-infra:images.alph.version has value "latest"; allowed: a pinned image tag'],
        ["version with a space", withImages({ alph: { version: "1 2" } }), 'data-infra:images.alph.version has value "1 2"'],
        ["an image for an unknown service", withImages({ metapod: { version: "1.0.0" } }), 'data-infra:images.metapod has the object {"version":"1.0.0"}; allowed: one of the workloads veiga, correnteza'],
        ["a misspelt image field", withImages({ veiga: { verison: "1.0.0", version: "1.0.0" } }), 'data-infra:images.veiga.verison has value "1.0.0"; allowed: one of the fields version, repository; did you mean `version`?'],
        ["a repository with a tag", withImages({ veiga: { version: "1.0.0", repository: "registry.example.com/nu-veiga:1.0.0" } }), 'data-infra:images.veiga.repository has value "registry.example.com/nu-veiga:1.0.0"; allowed: an image repository with its registry host and without tag'],
        ["a repository without a registry host (Docker Hub)", withImages({ veiga: { version: "1.0.0", repository: "nu-veiga" } }), 'data-infra:images.veiga.repository has value "nu-veiga"; allowed: an image repository with its registry host'],
        ["a Docker Hub path", withImages({ veiga: { version: "1.0.0", repository: "nubank/nu-veiga" } }), 'data-infra:images.veiga.repository has value "nubank/nu-veiga"; allowed: an image repository with its registry host'],
        ["a short digest", withImages({ veiga: { version: "sha256:abc" } }), 'data-infra:images.veiga.version has value "sha256:abc"; allowed: a pinned image tag (letters, digits, _ . -; up to 128 characters, never latest) or a digest sha256:<64 hex digits>'],
        ["a registry with a scheme", { "data-infra:imageRegistry": "https://registry.example.com" }, 'data-infra:imageRegistry has value "https://registry.example.com"; allowed: a registry host'],
        ["a zone visibility as text", { "data-infra:dnsZone": '{"private": "yes"}' }, 'data-infra:dnsZone.private has value "yes"; allowed: true | false'],
        [
            "a public zone without the reviewed reason (dns-private-zone cannot see a looked-up zone)",
            { "data-infra:dnsZone": '{"private": false}' },
            "data-infra:dnsZone.private has the boolean false; allowed: true, or false only with dnsZone.publicReason saying why the canonical names may be public",
        ],
        ["a public zone with an empty reason", { "data-infra:dnsZone": '{"private": false, "publicReason": " "}' }, "data-infra:dnsZone.private has the boolean false; allowed: true, or false only with dnsZone.publicReason"],
        ["a zone id with its /hostedzone/ prefix", { "data-infra:dnsZone": '{"id": "/hostedzone/Z0123456789ABCDEFGHIJ"}' }, 'data-infra:dnsZone.id has value "/hostedzone/Z0123456789ABCDEFGHIJ"; allowed: a hosted zone id, e.g. Z0123456789ABCDEFGHIJ'],
        ["an unknown storage key", { "data-infra:auroraStorageKey": "mine" }, 'data-infra:auroraStorageKey has value "mine"; allowed: customer-managed | aws-managed | a KMS key ARN'],
        ["an ingress annotation that is not text", { "data-infra:kubernetesClusters": '{"s0": {"ingressAnnotations": {"alb.ingress.kubernetes.io/scheme": 1}}}' }, "data-infra:kubernetesClusters.s0.ingressAnnotations.alb.ingress.kubernetes.io/scheme has the number 1; allowed: an annotation value, as a string"],
        [
            "a cluster for a prototype the stack does not have",
            { "data-infra:kubernetesClusters": '{"s3": {"context": "x"}}' },
            'data-infra:kubernetesClusters.s3 has the object {"context":"x"}; allowed: a prototype of this stack (global, s0)',
        ],
        ["the default namespace", { "data-infra:kubernetesClusters": '{"s0": {"namespace": "default"}}' }, 'data-infra:kubernetesClusters.s0.namespace has value "default"; allowed: a namespace this stack creates and owns'],
        [
            "an OIDC provider in another account",
            { "data-infra:kubernetesClusters": '{"global": {"oidcProviderArn": "arn:aws:iam::999999999999:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X1"}}' },
            "data-infra:kubernetesClusters.global.oidcProviderArn has value \"arn:aws:iam::999999999999:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X1\"; allowed: an IAM OIDC provider ARN in the country account (arn:aws:iam::400000000101:",
        ],
        ["an unknown cluster field", { "data-infra:kubernetesClusters": '{"s0": {"kubeconfig": "/tmp/k"}}' }, 'data-infra:kubernetesClusters.s0.kubeconfig has value "/tmp/k"; allowed: one of the fields context, namespace'],
        ["zero replicas", { "data-infra:workloads": '{"tapir": {"replicas": 0}}' }, 'data-infra:workloads.tapir.replicas has the number 0; allowed: a whole number from 1 to 50'],
        ["a memory limit below the request", { "data-infra:workloads": '{"tapir": {"requests": {"memory": "4Gi"}, "limits": {"memory": "3Gi"}}}' }, 'data-infra:workloads.tapir.limits.memory has value "3Gi"; allowed: at least requests.memory (4Gi)'],
        ["a CPU limit below the request", { "data-infra:workloads": '{"alph": {"limits": {"cpu": "250m"}}}' }, 'data-infra:workloads.alph.limits.cpu has value "250m"; allowed: at least requests.cpu (500m)'],
        ["memory without unit suffix it knows", { "data-infra:workloads": '{"alph": {"requests": {"memory": "2GB"}}}' }, 'data-infra:workloads.alph.requests.memory has value "2GB"; allowed: a positive memory quantity'],
        ["a workload that does not exist", { "data-infra:workloads": '{"metapod": {"replicas": 1}}' }, 'data-infra:workloads.metapod has the object {"replicas":1}; allowed: one of the workloads'],
        ["a cron of four fields", { "data-infra:barragemSchedule": '{"cron": "*/5 * * *", "databases": {"global": ["a"], "shards": ["b"]}}' }, 'data-infra:barragemSchedule.cron has value "*/5 * * *"; allowed: a five-field cron expression'],
        ["a schedule image without tag", { "data-infra:barragemSchedule": '{"image": "registry.example.com/curlimages/curl", "databases": {"global": ["a"], "shards": ["b"]}}' }, 'data-infra:barragemSchedule.image has value "registry.example.com/curlimages/curl"; allowed: an image with its registry host and a pinned tag or digest'],
        ["a schedule image from Docker Hub", { "data-infra:barragemSchedule": '{"image": "curlimages/curl:8.11.1", "databases": {"global": ["a"], "shards": ["b"]}}' }, 'data-infra:barragemSchedule.image has value "curlimages/curl:8.11.1"; allowed: an image with its registry host'],
        ["no shards databases on a stack with shards", { "data-infra:barragemSchedule": '{"databases": {"global": ["a"]}}' }, "data-infra:barragemSchedule.databases.shards is missing; allowed: a non-empty list of distinct database names"],
        ["an empty global list", { "data-infra:barragemSchedule": '{"databases": {"global": [], "shards": ["b"]}}' }, 'data-infra:barragemSchedule.databases.global has the list []'],
        ["a database twice", { "data-infra:barragemSchedule": '{"databases": {"global": ["a", "a"], "shards": ["b"]}}' }, 'data-infra:barragemSchedule.databases.global has value "a"; allowed: each database once'],
        ["a schedule without databases", { "data-infra:barragemSchedule": '{"cron": "* * * * *"}' }, "data-infra:barragemSchedule.databases is missing"],
    ])("%s", (_case, change, expected) => {
        const error = problemsOf({ ...valid, ...change });
        expect(error.message).toContain(expected);
        expect(error.message).toContain("no resource was registered");
    });

    test.each(["domain", "images", "barragemSchedule"])("required %s is reported missing", (key) => {
        expect(problemsOf(without(key)).message).toContain(`data-infra:${key} is missing`);
    });

    test("every workload without a version is named, each once", () => {
        const error = problemsOf({ ...valid, "data-infra:images": JSON.stringify({ veiga: { version: "1.0.0" } }) });
        const missing = error.problems.filter((p) => p.value === undefined).map((p) => p.key);
        expect(missing).toEqual(WORKLOADS.filter((w) => w !== "veiga").map((w) => `images.${w}.version`));
    });

    test("the services' problems are reported together with all the others", () => {
        const error = problemsOf({
            ...without("domain"),
            "data-infra:env": "qa",
            "data-infra:images": JSON.stringify({ ...IMAGES, barragem: { version: "latest" } }),
            "data-infra:workloads": '{"tapir": {"replicas": -1}}',
        });
        expect(error.problems.map((p) => p.key)).toEqual(expect.arrayContaining(["env", "domain", "images.barragem.version", "workloads.tapir.replicas"]));
    });

    test.each([
        ["a workload that is a list", { "data-infra:workloads": '{"veiga": []}' }, ["workloads.veiga"]],
        ["requests that are not an object", { "data-infra:workloads": '{"veiga": {"requests": "x"}}' }, ["workloads.veiga.requests"]],
        ["an empty schedule", { "data-infra:barragemSchedule": "" }, ["barragemSchedule"]],
        ["images that are a list", { "data-infra:images": "[]" }, ["images"]],
        ["a cluster's OIDC provider while the country account is refused", { "data-infra:countryAccountId": "1", "data-infra:kubernetesClusters": '{"s0": {"oidcProviderArn": "arn:aws:iam::999999999999:oidc-provider/x"}}' }, ["countryAccountId"]],
    ])("%s is one problem, with nothing derived from it", (_case, change, keys) => {
        expect(problemsOf({ ...valid, ...change }).problems.map((p) => p.key)).toEqual(keys);
    });

    test("a schedule without global databases still says its shards databases are missing", () => {
        const keys = problemsOf({ ...valid, "data-infra:barragemSchedule": '{"databases": {}}' }).problems.map((p) => p.key);
        expect(keys).toEqual(["barragemSchedule.databases.global", "barragemSchedule.databases.shards"]);
    });

    test("this file's valid config has no problem", () => {
        expect(() => parseCountryStack("staging-co", valid)).not.toThrow();
    });
});

test("the services' keys are documented in the config reference", () => {
    const keys = new Map(CONFIG_KEYS.map((k) => [k.key, k]));
    for (const key of ["domain", "images", "barragemSchedule"]) expect(keys.get(key)?.required).toBe(true);
    for (const key of ["kubernetesClusters", "workloads"]) expect(keys.get(key)?.required).toBe(false);
    expect(keys.get("kubernetesClusters")?.default).toContain("<env>-<prototype>-<stackId>");
    expect(keys.get("images")?.meaning).toContain("ouroboros-datomic");
});
