// The real program (index.ts) with the real stack files under Pulumi's mock runtime: what
// `pulumi up` would create in AWS, resource by resource.
import { lifecycleRules, RUNBOOK_PUBLIC_ACCESS_BLOCK } from "../components/bucketSet";
import { bucketPolicyDocument, PolicyDocument } from "../components/bucketPolicy";
import { bucketPlans } from "../stacks/bucketAccess";
import { plannedBuckets } from "../stacks/catalogue";
import { ConfigError, parseCountryStack } from "../stacks/config";
import { byName, loadStackConfig, PlannedResource, ProgramRun, resourcesOfType, runProgram, SECRET_MASK } from "../tools/mockRuntime";
import { actionCovers } from "../policy/rules/iamDocument";
import { configFrom, EXAMPLE_STACKS, providerOf, runRefused, runWithShards, STACK_FILES, transitiveDependencies } from "./helpers/stacks";

const T = {
    bucket: "aws:s3/bucket:Bucket",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    object: "aws:s3/bucketObjectv2:BucketObjectv2",
    table: "aws:dynamodb/table:Table",
    cluster: "aws:rds/cluster:Cluster",
    instance: "aws:rds/clusterInstance:ClusterInstance",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    provider: "pulumi:providers:aws",
    password: "random:index/randomPassword:RandomPassword",
    key: "aws:kms/key:Key",
    alias: "aws:kms/alias:Alias",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
};

const runs: Record<string, ProgramRun> = {};
beforeAll(async () => {
    for (const stack of STACK_FILES) runs[stack] = await runProgram({ stack });
});

/** The child of a bucket's component of a given type. */
function bucketChild(run: ProgramRun, bucket: PlannedResource, type: string): PlannedResource {
    const found = run.resources.find((r) => r.type === type && r.parent === bucket.parent);
    if (!found) throw new Error(`${bucket.name} has no ${type}`);
    return found;
}

describe.each(STACK_FILES)("S3 buckets of %s", (stackName) => {
    const stack = parseCountryStack(stackName, loadStackConfig(stackName));
    const expected = plannedBuckets(stack).filter((b) => b.ownedByThisStack);

    test("creates exactly the buckets this stack owns, by physical name", () => {
        const names = resourcesOfType(runs[stackName], T.bucket).map((b) => b.inputs.bucket);
        expect(names.sort()).toEqual(expected.map((b) => b.name).sort());
    });

    test.each(expected.map((b) => [b.name, b] as const))("%s is in its account and region", (name, planned) => {
        const run = runs[stackName];
        const bucket = resourcesOfType(run, T.bucket).find((b) => b.inputs.bucket === name)!;
        expect(providerOf(run, bucket)).toEqual({ region: planned.region, accountId: planned.accountId });
    });

    test("every bucket has exactly the runbook's public access block", () => {
        const run = runs[stackName];
        for (const bucket of resourcesOfType(run, T.bucket)) {
            const block = bucketChild(run, bucket, T.publicAccess);
            expect(block.inputs).toEqual({ bucket: `${bucket.inputs.bucket}-id`, ...RUNBOOK_PUBLIC_ACCESS_BLOCK });
            expect(block.inputs).toMatchObject({ blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: false });
        }
    });

    test("every bucket is encrypted by default", () => {
        const run = runs[stackName];
        for (const bucket of resourcesOfType(run, T.bucket)) {
            const sse = bucketChild(run, bucket, T.encryption);
            expect(sse.inputs.rules).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
        }
    });

    test("every bucket policy denies non-TLS and grants only named roles of the other account", () => {
        const run = runs[stackName];
        const plans = bucketPlans(stack);
        for (const bucket of resourcesOfType(run, T.bucket)) {
            const planned = plans.find((b) => b.name === bucket.inputs.bucket)!;
            const doc = JSON.parse(String(bucketChild(run, bucket, T.policy).inputs.policy)) as PolicyDocument;
            expect(doc).toEqual(bucketPolicyDocument({ bucket: planned.name, grants: planned.grants }));
            expect(doc.Statement).toContainEqual(
                expect.objectContaining({ Effect: "Deny", Principal: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
            );
            for (const s of doc.Statement.filter((st) => st.Effect === "Allow")) {
                expect(s.Principal).toEqual({ AWS: `arn:aws:iam::${planned.otherAccountId}:root` });
                expect(Object.keys(s.Condition?.ArnLike ?? {})).toEqual(["aws:PrincipalArn"]);
            }
            expect(planned.otherAccountId).not.toBe(planned.accountId);
        }
    });

    test("versioned buckets have versioning and a noncurrent-version expiry; scratch buckets expire; each bucket is tagged with its retention", () => {
        const run = runs[stackName];
        for (const bucket of resourcesOfType(run, T.bucket)) {
            const planned = expected.find((b) => b.name === bucket.inputs.bucket)!;
            const children = run.resources.filter((r) => r.parent === bucket.parent);
            const versioning = children.find((r) => r.type === T.versioning);
            const lifecycle = children.find((r) => r.type === T.lifecycle);
            expect((bucket.inputs.tags as Record<string, string>)["data-infra-retention"]).toBe(planned.retention.kind);
            if (planned.retention.kind === "versioned") {
                expect(versioning?.inputs.versioningConfiguration).toEqual({ status: "Enabled" });
                expect(lifecycle?.inputs.rules).toEqual(lifecycleRules(planned.retention));
                expect(lifecycle?.dependsOn).toContain(versioning?.urn);
            } else if (planned.retention.kind === "expires") {
                expect(versioning).toBeUndefined();
                expect((lifecycle?.inputs.rules as { expiration: { days: number } }[])[0].expiration).toEqual({ days: planned.retention.days });
            } else {
                expect([versioning, lifecycle]).toEqual([undefined, undefined]);
            }
        }
    });

    test("every bucket is protected and retained on delete", () => {
        for (const bucket of resourcesOfType(runs[stackName], T.bucket)) {
            expect(bucket.protect).toBe(true);
            expect(bucket.retainOnDelete).toBe(true);
            expect(bucket.inputs.forceDestroy).toBe(false);
        }
    });

    test("outputs every bucket name by role, including the country-wide ones", () => {
        expect(runs[stackName].outputs.buckets).toEqual(Object.fromEntries(plannedBuckets(stack).map((b) => [b.role, b.name])));
        expect(runs[stackName].outputs.countryWideBucketsOwner).toBe(`prod-${stack.country}`);
    });
});

describe("country-wide buckets", () => {
    test("the prod stack creates nu-ds-co and nu-tmp-co; the staging stack does not", () => {
        const names = (stack: string) => resourcesOfType(runs[stack], T.bucket).map((b) => b.inputs.bucket);
        expect(names("prod-co")).toEqual(expect.arrayContaining(["nu-ds-co", "nu-tmp-co", "nu-ouroboros-partition-pointers-co"]));
        expect(names("staging-co")).not.toContain("nu-ds-co");
        expect(names("staging-co")).not.toContain("nu-tmp-co");
    });

    test("staging and prod never create a bucket of the same name", () => {
        const names = (stack: string) => new Set(resourcesOfType(runs[stack], T.bucket).map((b) => b.inputs.bucket));
        const prod = names("prod-co");
        expect([...names("staging-co")].filter((n) => prod.has(n))).toEqual([]);
    });

    test("staging's data buckets are in us-west-2, prod's in us-east-1", () => {
        const region = (stack: string, name: string) =>
            providerOf(runs[stack], resourcesOfType(runs[stack], T.bucket).find((b) => b.inputs.bucket === name)!).region;
        expect(region("staging-co", "nu-spark-static-co-staging")).toBe("us-west-2");
        expect(region("prod-co", "nu-spark-static-co-prod")).toBe("us-east-1");
    });
});

describe.each(STACK_FILES)("DynamoDB tables of %s", (stackName) => {
    const env = stackName.split("-")[0];

    test("global has six tables and s0 four, named <env>-<prototype>-<table>", () => {
        const names = resourcesOfType(runs[stackName], T.table).map((t) => t.inputs.name).sort();
        expect(names).toEqual(
            [
                ...["correnteza", "correnteza-datomic-extraction-attempts", "conrado", "serving-layer-schemas", "tapir", "ouroboros-datomic"].map((t) => `${env}-global-${t}`),
                ...["correnteza", "correnteza-datomic-extraction-attempts", "conrado", "serving-layer-schemas"].map((t) => `${env}-s0-${t}`),
            ].sort(),
        );
    });

    test("every table is on-demand, recoverable, encrypted and protected", () => {
        for (const table of resourcesOfType(runs[stackName], T.table)) {
            expect(table.inputs).toMatchObject({
                billingMode: "PAY_PER_REQUEST",
                pointInTimeRecovery: { enabled: true },
                serverSideEncryption: { enabled: true },
                deletionProtectionEnabled: true,
            });
            expect(table.protect).toBe(true);
            expect(providerOf(runs[stackName], table).region).toBe("us-east-1");
        }
    });

    test("table names are outputs per prototype", () => {
        const tables = runs[stackName].outputs.tables as Record<string, Record<string, string>>;
        expect(tables.global.tapir).toBe(`${env}-global-tapir`);
        expect(tables.s0.conrado).toBe(`${env}-s0-conrado`);
        expect(tables.s0.tapir).toBeUndefined();
    });
});

test("provisioned billing uses the configured capacity", async () => {
    const run = await runProgram({
        stack: "staging-co",
        config: configFrom("staging-co", {
            "data-infra:dynamodbBillingMode": "PROVISIONED",
            "data-infra:dynamodbReadCapacity": "5",
            "data-infra:dynamodbWriteCapacity": "3",
        }),
    });
    for (const table of resourcesOfType(run, T.table)) expect(table.inputs).toMatchObject({ billingMode: "PROVISIONED", readCapacity: 5, writeCapacity: 3 });
});

describe.each(STACK_FILES)("Barragem's Aurora of %s", (stackName) => {
    const env = stackName.split("-")[0];
    const instanceClass = env === "prod" ? "db.r6g.large" : "db.t4g.medium";

    test.each(["global", "s0"])("the %s cluster has every flag of the runbook", (prototype) => {
        const run = runs[stackName];
        const cluster = byName(run, T.cluster, `${env}-${prototype}-barragem-aurora`);
        const sg = byName(run, T.securityGroup, `${env}-${prototype}-barragem-aurora`);
        expect(cluster.inputs).toMatchObject({
            clusterIdentifier: `${env}-${prototype}-barragem-aurora`,
            engine: "aurora-postgresql",
            engineVersion: "16.8",
            engineMode: "provisioned",
            port: 5432,
            databaseName: "postgres",
            masterUsername: "postgres",
            storageEncrypted: true,
            backupRetentionPeriod: 7,
            deletionProtection: true,
            iamDatabaseAuthenticationEnabled: false,
            dbSubnetGroupName: `barragem-${env}`,
            dbClusterParameterGroupName: `${env}-barragem-aurora-postgres16-cluster`,
            vpcSecurityGroupIds: [`${sg.inputs.name}-id`],
            skipFinalSnapshot: false,
        });
        expect(cluster.protect).toBe(true);
    });

    test.each(["global", "s0"])("the %s instance has every flag of the runbook", (prototype) => {
        const run = runs[stackName];
        const instance = byName(run, T.instance, `${env}-${prototype}-barragem-aurora-instance`);
        expect(instance.inputs).toMatchObject({
            identifier: `${env}-${prototype}-barragem-aurora-instance`,
            clusterIdentifier: `${env}-${prototype}-barragem-aurora-id`,
            engine: "aurora-postgresql",
            instanceClass,
            dbSubnetGroupName: `barragem-${env}`,
            dbParameterGroupName: `${env}-barragem-aurora-postgres16-instance`,
            autoMinorVersionUpgrade: true,
            publiclyAccessible: false,
            performanceInsightsEnabled: true,
            monitoringInterval: 60,
            monitoringRoleArn: `arn:aws:iam::${(runs[stackName].outputs.accountIds as { country: string }).country}:role/${env}-rds-barragem-aurora-enhanced-monitoring`,
        });
        expect(instance.protect).toBe(true);
    });

    test("the security group admits only tcp 5432 from the Kubernetes nodes' group, in the VPC found by name", () => {
        const run = runs[stackName];
        for (const prototype of ["global", "s0"]) {
            const sg = byName(run, T.securityGroup, `${env}-${prototype}-barragem-aurora`);
            expect(sg.inputs).toMatchObject({ name: `${env}-${prototype}-barragem-aurora`, vpcId: `vpc-mock-${env}-blue-vpc` });
            expect(sg.inputs.ingress ?? []).toEqual([]);
            const rules = resourcesOfType(run, T.ingress).filter((r) => r.inputs.securityGroupId === `${env}-${prototype}-barragem-aurora-id`);
            expect(rules.map((r) => r.inputs)).toEqual([
                expect.objectContaining({ ipProtocol: "tcp", fromPort: 5432, toPort: 5432, referencedSecurityGroupId: "sg-mock-kubernetes-nodes" }),
            ]);
            expect(rules[0].inputs.cidrIpv4).toBeUndefined();
        }
        const lookups = run.invokes.map((i) => [i.token, i.inputs]);
        expect(lookups).toContainEqual(["aws:ec2/getVpc:getVpc", { tags: { Name: `${env}-blue-vpc` } }]);
        expect(lookups).toContainEqual([
            "aws:ec2/getSecurityGroup:getSecurityGroup",
            { vpcId: `vpc-mock-${env}-blue-vpc`, filters: [{ name: "group-name", values: ["prod-long-lived-resources-kubernetes-nodes-sg"] }] },
        ]);
    });

    test("subnet group, parameter groups and the monitoring role exist once per stack", () => {
        const run = runs[stackName];
        expect(byName(run, "aws:rds/subnetGroup:SubnetGroup", `barragem-${env}`).inputs.subnetIds).toEqual(["subnet-mock-a", "subnet-mock-b", "subnet-mock-c"]);
        expect(byName(run, "aws:rds/clusterParameterGroup:ClusterParameterGroup", `${env}-barragem-aurora-postgres16-cluster`).inputs.family).toBe("aurora-postgresql16");
        expect(byName(run, "aws:rds/parameterGroup:ParameterGroup", `${env}-barragem-aurora-postgres16-instance`).inputs.family).toBe("aurora-postgresql16");
        const role = byName(run, "aws:iam/role:Role", `${env}-rds-barragem-aurora-enhanced-monitoring`);
        const account = (run.outputs.accountIds as { country: string }).country;
        // RDS monitoring may assume it for this account only (confused deputy).
        expect(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement).toEqual([
            {
                Effect: "Allow",
                Principal: { Service: "monitoring.rds.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": account } },
            },
        ]);
        const attachments = resourcesOfType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.inputs.role === role.inputs.name);
        expect(attachments.map((a) => a.inputs.policyArn)).toEqual(["arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"]);
    });

    test("Aurora endpoints are outputs per prototype", () => {
        expect(runs[stackName].outputs.auroraEndpoints).toEqual({
            global: `${env}-global-barragem-aurora.cluster-mock.us-east-1.rds.amazonaws.com`,
            s0: `${env}-s0-barragem-aurora.cluster-mock.us-east-1.rds.amazonaws.com`,
        });
    });
});

describe.each(EXAMPLE_STACKS)("Aurora's own minor upgrades in %s", (stackName) => {
    const env = stackName.split("-")[0];

    test("the cluster ignores engineVersion changes, so an upgrade AWS made is neither drift nor a downgrade", () => {
        for (const cluster of resourcesOfType(runs[stackName], T.cluster)) {
            expect({ cluster: cluster.name, ignoreChanges: cluster.ignoreChanges }).toEqual({ cluster: cluster.name, ignoreChanges: ["engineVersion"] });
            expect(cluster.inputs.allowMajorVersionUpgrade).toBe(false);
        }
    });

    test("the instances upgrade minors themselves and pin no version of their own", () => {
        const instances = resourcesOfType(runs[stackName], T.instance);
        expect(instances.map((i) => i.name).sort()).toEqual([`${env}-global-barragem-aurora-instance`, `${env}-s0-barragem-aurora-instance`]);
        for (const instance of instances) {
            expect(instance.inputs.autoMinorVersionUpgrade).toBe(true);
            expect(instance.inputs.engineVersion).toBeUndefined();
        }
    });
});

describe.each(EXAMPLE_STACKS)("keys of our own in %s", (stackName) => {
    const env = stackName.split("-")[0];
    const key = (run: ProgramRun, name: string) => byName(run, T.key, name);
    const aliasOf = (run: ProgramRun, name: string) => resourcesOfType(run, T.alias).find((a) => a.name === `${name}-alias`)!.inputs.name;

    test("every Aurora cluster's storage is encrypted under the stack's customer-managed key", () => {
        const run = runs[stackName];
        const storage = key(run, "barragem-aurora-storage-key");
        expect(aliasOf(run, "barragem-aurora-storage-key")).toBe(`alias/${env}-barragem-aurora-storage`);
        for (const cluster of resourcesOfType(run, T.cluster)) {
            expect(cluster.inputs.kmsKeyId).toMatch(/^arn:aws:kms:us-east-1:\d{12}:key\/mock-key-barragem-aurora-storage-key$/);
            expect(cluster.dependencies).toContain(storage.urn);
        }
    });

    test("keys rotate and are protected: data under a deleted key is lost", () => {
        for (const k of resourcesOfType(runs[stackName], T.key)) {
            expect(k.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
            expect(k.protect).toBe(true);
        }
        expect(resourcesOfType(runs[stackName], T.key)).toHaveLength(2);
    });

    test("the secret file's key lets only the deploy role, Barragem's roles and the verify role, the readers through S3, decrypt", () => {
        const run = runs[stackName];
        const account = (run.outputs.accountIds as { country: string }).country;
        expect(aliasOf(run, "barragem-secret-key")).toBe(`alias/${env}-barragem-secret`);
        const statements = JSON.parse(String(key(run, "barragem-secret-key").inputs.policy)).Statement as {
            Sid: string;
            Action: string[];
            Condition?: Record<string, Record<string, unknown>>;
        }[];
        const decrypting = statements.filter((st) => st.Action.some((a) => a === "kms:Decrypt" || a === "kms:*"));
        expect(decrypting.map((st) => st.Condition?.ArnEquals?.["aws:PrincipalArn"])).toEqual([
            `arn:aws:iam::${account}:role/data-infra-deploy`,
            [`arn:aws:iam::${account}:role/${env}-global-barragem`, `arn:aws:iam::${account}:role/${env}-s0-barragem`],
            // verify logs in to Aurora with the password (READ_ONLY_ROLE_NAME's default; docs/guardrails.md).
            `arn:aws:iam::${account}:role/data-infra-read-only`,
        ]);
        // Every reader but the writer decrypts through S3 only.
        for (const reader of decrypting.slice(1)) expect(reader.Condition!.StringEquals).toEqual({ "kms:ViaService": "s3.us-east-1.amazonaws.com" });
        expect(decrypting.slice(1).every((st) => st.Action.length === 1 && st.Action[0] === "kms:Decrypt")).toBe(true);
        // Only the deploy role and the account root (break-glass) administer the key, and
        // administration grants no use: no Decrypt, no CreateGrant (a grant would hand out Decrypt).
        const administration = statements.find((st) => st.Sid === "KeyAdministration")!;
        expect(administration.Condition?.ArnEquals?.["aws:PrincipalArn"]).toEqual([`arn:aws:iam::${account}:role/data-infra-deploy`, `arn:aws:iam::${account}:root`]);
        const grantsUse = (a: string) => ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:CreateGrant"].some((use) => actionCovers(a, use));
        expect(administration.Action.filter(grantsUse)).toEqual([]);
    });

    test("the secret object is SSE-KMS under that key", () => {
        const run = runs[stackName];
        const [object] = resourcesOfType(run, T.object);
        expect(object.inputs).toMatchObject({ serverSideEncryption: "aws:kms", kmsKeyId: expect.stringMatching(/key\/mock-key-barragem-secret-key$/) });
    });
});

test("clusters that exist already keep RDS's AWS-managed key, or take a given key, and no key is created for them", async () => {
    const managed = await runProgram({ stack: "staging-co", config: configFrom("staging-co", { "data-infra:auroraStorageKey": "aws-managed" }) });
    for (const cluster of resourcesOfType(managed, T.cluster)) expect(cluster.inputs.kmsKeyId).toBeUndefined();
    expect(resourcesOfType(managed, T.key).map((k) => k.name)).toEqual(["barragem-secret-key"]);
    const arn = "arn:aws:kms:us-east-1:400000000101:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const given = await runProgram({ stack: "staging-co", config: configFrom("staging-co", { "data-infra:auroraStorageKey": arn }) });
    for (const cluster of resourcesOfType(given, T.cluster)) expect(cluster.inputs.kmsKeyId).toBe(arn);
});

test("the engine version comes from config and names the parameter groups", async () => {
    const run = await runProgram({ stack: "prod-co", config: configFrom("prod-co", { "data-infra:auroraEngineVersion": "17.4" }) });
    expect(byName(run, T.cluster, "prod-global-barragem-aurora").inputs.engineVersion).toBe("17.4");
    expect(byName(run, "aws:rds/clusterParameterGroup:ClusterParameterGroup", "prod-barragem-aurora-postgres17-cluster").inputs.family).toBe("aurora-postgresql17");
});

describe.each(STACK_FILES)("the Barragem password in %s", (stackName) => {
    const [env, country] = stackName.split("-");

    test("is a secret in every cluster's inputs", () => {
        for (const cluster of resourcesOfType(runs[stackName], T.cluster)) {
            expect(cluster.secretInputs).toContain("masterPassword");
            expect(cluster.inputs.masterPassword).toBe(SECRET_MASK);
        }
    });

    test('is written, as a secret, as {"rdb-password": …} to nu-secrets-<country>-<env>/barragem_secret_config.json', () => {
        const run = runs[stackName];
        const [object] = resourcesOfType(run, T.object);
        expect(object.inputs).toMatchObject({ bucket: `nu-secrets-${country}-${env}`, key: "barragem_secret_config.json", content: SECRET_MASK });
        expect(object.secretInputs).toEqual(["content"]);
        const password = run.plainInputs.get(byName(run, T.cluster, `${env}-global-barragem-aurora`).urn)!.masterPassword;
        expect(JSON.parse(String(run.plainInputs.get(object.urn)!.content))).toEqual({ "rdb-password": password });
    });

    test("never appears in plain text in any resource input or output", () => {
        const run = runs[stackName];
        const password = String(run.plainInputs.get(resourcesOfType(run, T.cluster)[0].urn)!.masterPassword);
        expect(password.length).toBeGreaterThan(10);
        const visible = JSON.stringify({ resources: run.resources, outputs: run.outputs });
        expect(visible).not.toContain(password);
    });

    test("generator and secret file are protected, so no config edit can rotate the password behind Barragem's back", () => {
        const run = runs[stackName];
        expect(resourcesOfType(run, T.password).map((p) => p.protect)).toEqual([true]);
        expect(resourcesOfType(run, T.object).map((o) => o.protect)).toEqual([true]);
    });

    test("is generated by @pulumi/random, 32 characters RDS accepts", () => {
        const [generator] = resourcesOfType(runs[stackName], T.password);
        expect(generator.inputs).toMatchObject({ length: 32, special: true });
        expect(String(generator.inputs.overrideSpecial)).not.toMatch(/[/@" ]/);
    });
});

describe.each(STACK_FILES)("accounts and providers of %s", (stackName) => {
    test("every AWS resource and lookup has an explicit provider of its account", () => {
        const run = runs[stackName];
        const aws = run.resources.filter((r) => r.type.startsWith("aws:"));
        expect(aws.length).toBeGreaterThan(50);
        for (const r of aws) {
            const provider = run.resources.find((p) => p.urn === r.provider);
            expect({ resource: r.name, provider: provider?.type }).toEqual({ resource: r.name, provider: T.provider });
        }
        for (const invoke of run.invokes.filter((i) => i.token.startsWith("aws:"))) {
            expect(run.resources.find((p) => p.urn === invoke.provider)?.type).toBe(T.provider);
        }
    });

    test("each provider assumes its account's deploy role, refuses other accounts and tags what it creates", () => {
        const run = runs[stackName];
        const config = loadStackConfig(stackName);
        const env = config["data-infra:env"];
        const ids = [config["data-infra:countryAccountId"], config["data-infra:dataAccountId"]];
        const providers = resourcesOfType(run, T.provider);
        expect(providers.length).toBeGreaterThanOrEqual(2);
        for (const p of providers) {
            const [id] = p.inputs.allowedAccountIds as string[];
            expect(ids).toContain(id);
            expect(p.inputs.assumeRoles).toEqual([{ roleArn: `arn:aws:iam::${id}:role/data-infra-deploy`, sessionName: `data-infra-${stackName}` }]);
            expect(p.inputs.defaultTags).toEqual({
                tags: { country: config["data-infra:country"], env, "managed-by": "pulumi/data-infra", "pulumi-stack": stackName },
            });
        }
        expect(new Set(providers.map((p) => (p.inputs.allowedAccountIds as string[])[0]))).toEqual(new Set(ids));
    });

    test("with DATA_INFRA_ROLE=preview every provider assumes its account's read-only preview role instead, and the Kubernetes providers preview without server-side apply", async () => {
        const previous = process.env.DATA_INFRA_ROLE;
        process.env.DATA_INFRA_ROLE = "preview";
        let run: ProgramRun;
        try {
            run = await runProgram({ stack: stackName });
        } finally {
            if (previous === undefined) delete process.env.DATA_INFRA_ROLE;
            else process.env.DATA_INFRA_ROLE = previous;
        }
        const providers = resourcesOfType(run, T.provider);
        for (const p of providers) {
            const [id] = p.inputs.allowedAccountIds as string[];
            expect(p.inputs.assumeRoles).toEqual([{ roleArn: `arn:aws:iam::${id}:role/data-infra-preview`, sessionName: `data-infra-${stackName}` }]);
        }
        // The Kubernetes providers' tokens come from the same role (aws eks get-token --role-arn).
        for (const k of resourcesOfType(run, "pulumi:providers:kubernetes")) {
            const users = (k.inputs.kubeconfig as { users: { user: { exec: { args: string[] } } }[] }).users;
            const args = users[0].user.exec.args;
            expect(args[args.indexOf("--role-arn") + 1]).toMatch(/^arn:aws:iam::\d{12}:role\/data-infra-preview$/);
            // Read-only: no server-side apply dry run (the API server authorizes it as a write).
            // Provider config reaches the engine JSON-encoded, as the real SDK sends it.
            expect(k.inputs.enableServerSideApply).toBe("false");
        }
        // Deploy runs keep the provider's default: server-side apply.
        for (const k of resourcesOfType(runs[stackName], "pulumi:providers:kubernetes")) expect(k.inputs.enableServerSideApply).toBeUndefined();
        // Everything else is the same plan: only the role differs.
        const withoutProviders = (r: ProgramRun) => r.resources.filter((x) => !x.type.startsWith("pulumi:providers:")).map((x) => [x.urn, x.inputs]);
        expect(withoutProviders(run)).toEqual(withoutProviders(runs[stackName]));
    });

    test("an unknown DATA_INFRA_ROLE is refused before anything is registered", async () => {
        process.env.DATA_INFRA_ROLE = "admin";
        try {
            const { error, registered } = await runRefused(stackName, loadStackConfig(stackName));
            expect(error.message).toContain('DATA_INFRA_ROLE has value "admin"; allowed: deploy | preview');
            expect(registered.filter((r) => r.custom)).toEqual([]);
        } finally {
            delete process.env.DATA_INFRA_ROLE;
        }
    });

    test("hands the account ids and the common-etl-spec keyword to the other repositories", () => {
        const config = loadStackConfig(stackName);
        expect(runs[stackName].outputs).toMatchObject({
            accountIds: { country: config["data-infra:countryAccountId"], data: config["data-infra:dataAccountId"] },
            commonEtlSpecCountry: `:metapod.dataset.country/${config["data-infra:country"]}`,
        });
    });
});

describe("alerts", () => {
    test("alarms exist for every cluster and table, with actions off by default", () => {
        const run = runs["staging-co"];
        const alarms = resourcesOfType(run, T.alarm);
        const names = alarms.map((a) => a.inputs.name);
        for (const table of resourcesOfType(run, T.table)) expect(names).toContain(`${table.inputs.name}-throttled`);
        for (const cluster of resourcesOfType(run, T.cluster)) {
            expect(names).toContain(`${cluster.inputs.clusterIdentifier}-cpu-high`);
            expect(names).toContain(`${cluster.inputs.clusterIdentifier}-freeable-memory-low`);
        }
        for (const a of alarms) expect(a.inputs.actionsEnabled).toBe(false);
    });

    test("the alert switch turns every alarm's actions on, towards the stack's topic", async () => {
        const run = await runProgram({ stack: "staging-co", config: configFrom("staging-co", { "data-infra:alertsEnabled": "true" }) });
        const topic = byName(run, "aws:sns/topic:Topic", "alerts");
        for (const a of resourcesOfType(run, T.alarm)) {
            expect(a.inputs.actionsEnabled).toBe(true);
            expect(a.inputs.alarmActions).toEqual([`arn:aws:sns:us-east-1:400000000101:${topic.inputs.name}`]);
        }
    });
});

describe("a synthetic stack with all 16 prototypes", () => {
    let run: ProgramRun;
    beforeAll(async () => {
        run = await runWithShards(15);
    });

    test("has one Aurora cluster, instance and security group per prototype", () => {
        expect(resourcesOfType(run, T.cluster)).toHaveLength(16);
        expect(resourcesOfType(run, T.instance)).toHaveLength(16);
        expect(resourcesOfType(run, T.securityGroup).map((s) => s.inputs.name)).toContain("staging-s14-barragem-aurora");
    });

    test("has six tables on global and four on each of the 15 shards", () => {
        expect(resourcesOfType(run, T.table)).toHaveLength(6 + 15 * 4);
    });

    test("no prototype's database waits for another prototype's resources", () => {
        for (const instance of resourcesOfType(run, T.instance)) {
            const prototype = /^staging-(\w+)-barragem/.exec(instance.name)![1];
            const foreign = transitiveDependencies(run, instance).filter((d) => {
                const owner = /^staging-(global|s\d+)-/.exec(d.name)?.[1];
                return owner !== undefined && owner !== prototype;
            });
            expect({ instance: instance.name, foreign: foreign.map((f) => f.name) }).toEqual({ instance: instance.name, foreign: [] });
        }
    });

    test("still shares one subnet group, one pair of parameter groups and one password", () => {
        expect(resourcesOfType(run, "aws:rds/subnetGroup:SubnetGroup")).toHaveLength(1);
        expect(resourcesOfType(run, "aws:rds/clusterParameterGroup:ClusterParameterGroup")).toHaveLength(1);
        expect(resourcesOfType(run, T.password)).toHaveLength(1);
    });
});

describe("a refused config registers nothing", () => {
    test.each([
        ["env", { "data-infra:env": "qa" }, "data-infra:env"],
        ["prototypes without global", { "data-infra:prototypes": '["s0"]' }, "data-infra:prototypes"],
        ["an out-of-range shard", { "data-infra:prototypes": '["global","s15"]' }, '"s15"'],
    ])("%s", async (_case, change, mentioned) => {
        const { error, registered } = await runRefused("staging-co", configFrom("staging-co", change));
        expect(error).toBeInstanceOf(ConfigError);
        expect(error.message).toContain(mentioned);
        expect(registered).toEqual([]);
    });

    test("the prod-co stack file run as staging-co is refused by name", async () => {
        const { error, registered } = await runRefused("staging-co", loadStackConfig("prod-co"));
        expect(error.message).toContain('stack "staging-co" does not match its config: env prod and country co make "prod-co"');
        expect(registered).toEqual([]);
    });
});
