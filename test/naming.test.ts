// Naming rules, the bucket/table catalogue and generated bucket policies: pure functions.
import * as fs from "fs";
import * as path from "path";
import { plannedBuckets, plannedTables } from "../stacks/catalogue";
import { parseCountryStack, RawConfig, WORKLOADS } from "../stacks/config";
import { aurora, barragemSecret, commonEtlSpecCountry, ecrRegistry, iamRoleArn, imageReference, keysetsBucket, tableName } from "../stacks/naming";

const base: RawConfig = {
    "data-infra:country": "mx",
    "data-infra:env": "staging",
    "data-infra:prototypes": '["global","s0"]',
    "data-infra:countryAccountId": "111111111111",
    "data-infra:dataAccountId": "999999999999",
    "data-infra:domain": "nu.com.co",
    "data-infra:images": JSON.stringify(Object.fromEntries(WORKLOADS.map((w) => [w, { version: "1.0.0" }]))),
    "data-infra:barragemSchedule": JSON.stringify({ databases: { global: ["ouroboros"], shards: ["acquisition"] } }),
};
const staging = parseCountryStack("staging-mx", base);
const prod = parseCountryStack("prod-mx", { ...base, "data-infra:env": "prod" });

describe("runbook names", () => {
    test("tables are <env>-<prototype>-<table>", () => {
        expect(tableName("prod", "s3", "conrado")).toBe("prod-s3-conrado");
    });

    test("Aurora names follow the runbook's aws commands", () => {
        expect(aurora.clusterId("staging", "s0")).toBe("staging-s0-barragem-aurora");
        expect(aurora.instanceId("staging", "s0")).toBe("staging-s0-barragem-aurora-instance");
        expect(aurora.securityGroup("prod", "global")).toBe("prod-global-barragem-aurora");
        expect(aurora.subnetGroup("prod")).toBe("barragem-prod");
        expect(aurora.clusterParameterGroup("prod", 16)).toBe("prod-barragem-aurora-postgres16-cluster");
        expect(aurora.instanceParameterGroup("prod", 16)).toBe("prod-barragem-aurora-postgres16-instance");
        expect(aurora.family(16)).toBe("aurora-postgresql16");
    });

    test("the secret file, keysets bucket and common-etl-spec keyword", () => {
        expect(`${barragemSecret.bucket("co", "prod")}/${barragemSecret.key}`).toBe("nu-secrets-co-prod/barragem_secret_config.json");
        expect(keysetsBucket("co", "prod")).toBe("nu-keysets-co-prod");
        expect(commonEtlSpecCountry("co")).toBe(":metapod.dataset.country/co");
    });
});

describe("the bucket catalogue", () => {
    const byName = (stack = staging) => Object.fromEntries(plannedBuckets(stack).map((b) => [b.name, b]));

    test("has every bucket of the runbook table, {clearance} expanded per clearance", () => {
        expect(plannedBuckets(staging).map((b) => b.name)).toEqual([
            "nu-ds-mx",
            "nu-spark-dataset-series-mx-staging",
            "nu-spark-datomic-logs-mx-staging",
            "nu-spark-metapod-ephemeral-general-mx-staging",
            "nu-spark-metapod-ephemeral-pii-mx-staging",
            "nu-spark-metapod-manual-dataset-series-mx-staging",
            "nu-spark-metapod-permanent-general-mx-staging",
            "nu-spark-metapod-permanent-pii-mx-staging",
            "nu-spark-static-mx-staging",
            "nu-tmp-mx",
            "nu-ds-mx-artifacts-realtime",
            "nu-ds-mx-artifacts-batch",
            "nu-ds-kubeflow-mx",
            "nu-spark-devel-mx",
            "nu-ouroboros-partition-pointers-mx",
            "nu-spark-tmp-raw-mx-staging",
        ]);
    });

    test("a third clearance adds one ephemeral and one permanent bucket", () => {
        const three = parseCountryStack("staging-mx", { ...base, "data-infra:clearances": '["general","pii","restricted"]' });
        const names = plannedBuckets(three).map((b) => b.name);
        expect(names).toContain("nu-spark-metapod-ephemeral-restricted-mx-staging");
        expect(names).toContain("nu-spark-metapod-permanent-restricted-mx-staging");
        expect(names).toHaveLength(18);
    });

    test("places each bucket in its account and region (staging data region us-west-2)", () => {
        const b = byName();
        expect(b["nu-ds-mx"]).toMatchObject({ account: "country", accountId: "111111111111", region: "us-east-1" });
        expect(b["nu-spark-dataset-series-mx-staging"]).toMatchObject({ account: "country", region: "us-west-2" });
        expect(b["nu-spark-metapod-ephemeral-pii-mx-staging"]).toMatchObject({ account: "data", accountId: "999999999999", region: "us-west-2" });
        expect(b["nu-spark-tmp-raw-mx-staging"]).toMatchObject({ account: "data", region: "us-west-2" });
        expect(byName(prod)["nu-spark-static-mx-prod"]).toMatchObject({ account: "data", region: "us-east-1" });
    });

    test("the other account of a country bucket is nu-data, of a nu-data bucket the country (grants: test/buckets.test.ts)", () => {
        for (const b of plannedBuckets(staging)) {
            expect(b.otherAccountId).toBe(b.account === "country" ? "999999999999" : "111111111111");
        }
    });

    test("names without <env> are owned by the prod stack only", () => {
        const countryWide = plannedBuckets(staging).filter((b) => b.countryWide).map((b) => b.name);
        expect(countryWide).toEqual([
            "nu-ds-mx",
            "nu-tmp-mx",
            "nu-ds-mx-artifacts-realtime",
            "nu-ds-mx-artifacts-batch",
            "nu-ds-kubeflow-mx",
            "nu-spark-devel-mx",
            "nu-ouroboros-partition-pointers-mx",
        ]);
        expect(plannedBuckets(staging).filter((b) => b.countryWide).every((b) => !b.ownedByThisStack)).toBe(true);
        expect(plannedBuckets(prod).every((b) => b.ownedByThisStack)).toBe(true);
    });
});

describe("the table catalogue", () => {
    test("global has all six tables; a shard has the four sharded ones", () => {
        expect(plannedTables(staging, "global").map((t) => t.name)).toEqual([
            "staging-global-correnteza",
            "staging-global-correnteza-datomic-extraction-attempts",
            "staging-global-conrado",
            "staging-global-serving-layer-schemas",
            "staging-global-tapir",
            "staging-global-ouroboros-datomic",
        ]);
        expect(plannedTables(staging, "s7").map((t) => t.table)).toEqual([
            "correnteza",
            "correnteza-datomic-extraction-attempts",
            "conrado",
            "serving-layer-schemas",
        ]);
    });
});

describe("naming rules stand alone", () => {
    /** Relative imports of a module, followed through every module they reach. */
    function reachable(from: string): Set<string> {
        const seen = new Set<string>();
        const todo = [path.resolve(from)];
        while (todo.length > 0) {
            const file = todo.pop()!;
            if (seen.has(file)) continue;
            seen.add(file);
            const source = fs.readFileSync(file, "utf8");
            for (const [, imported, required] of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?["'](\.[^"']+)["']|require\(\s*["'](\.[^"']+)["']\s*\)/g)) {
                todo.push(`${path.resolve(path.dirname(file), imported ?? required)}.ts`);
            }
        }
        return seen;
    }

    test("stacks/naming.ts does not import stacks/config.ts, directly or through another module (no import cycle)", () => {
        const naming = path.join(__dirname, "..", "stacks", "naming.ts");
        const config = path.resolve(__dirname, "..", "stacks", "config.ts");
        const reached = reachable(naming);
        expect(reached.size).toBeGreaterThan(1); // it does import the shared constants
        expect([...reached]).not.toContain(config);
    });
});

describe("images, roles and keys", () => {
    test("the default registry is the account's ECR in the region", () => {
        expect(ecrRegistry("400000000101", "us-east-1")).toBe("400000000101.dkr.ecr.us-east-1.amazonaws.com");
    });

    test("a tag is pulled as <repository>:<tag>, a digest as <repository>@sha256:<hex>", () => {
        const repo = "400000000101.dkr.ecr.us-east-1.amazonaws.com/nu-tapir";
        expect(imageReference(repo, "1.0.3")).toBe(`${repo}:1.0.3`);
        const digest = `sha256:${"a".repeat(64)}`;
        expect(imageReference(repo, digest)).toBe(`${repo}@${digest}`);
    });

    test("role ARNs and key aliases are per account and env", () => {
        expect(iamRoleArn("400000000101", "staging-s0-barragem")).toBe("arn:aws:iam::400000000101:role/staging-s0-barragem");
        expect(barragemSecret.keyAlias("prod")).toBe("alias/prod-barragem-secret");
        expect(aurora.storageKeyAlias("staging")).toBe("alias/staging-barragem-aurora-storage");
    });
});
