// `npm run adopt` against a half-built staging-co: buckets in s3rver and tables in dynalite for
// real, aws-sdk-client-mock for RDS, EC2, IAM, Route53, SNS, CloudWatch and STS. Some resources
// conform, some differ in ways the next `up` updates, some block, the rest are missing.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { adopt } from "../tools/adopt";
import type { ImportFile } from "../tools/adopt/importFile";
import type { AdoptReport, ReportRow } from "../tools/adopt/report";
import { adoptTargets, AdoptTarget } from "../tools/adopt/targets";
import { loadCountryStack } from "../tools/checks/cli";
import { PROJECT, ProgramRun, runProgram } from "../tools/mockRuntime";
import { AdoptMocks } from "./support/adoptWorld";
import { LocalServer, startDynamoServer, startS3Server } from "./support/awsServers";
import { adminDynamo, adminS3, RUNBOOK_BLOCK_AS_S3, STACK } from "./support/stackWorld";
import { captureIo, useTestEnvironment } from "./support/testEnv";

jest.setTimeout(120_000);

const stack = loadCountryStack(STACK);
const VPC_ID = "vpc-0handbuilt";
const NODES_SG = "sg-0nodes";
const GLOBAL_SG = "sg-0globalaurora";
const ZONE_ID = "Z0HANDBUILT";

let s3Server: LocalServer;
let dynamoServer: LocalServer;
let s3: S3Client;
let dynamodb: DynamoDBClient;
let mocks: AdoptMocks;
let run: ProgramRun;
let targets: AdoptTarget[];
let restoreEnv: () => void = () => undefined;
let dir: string;

function target(type: string, name: string): AdoptTarget {
    const found = targets.find((t) => t.resource.type === type && t.resource.name === name);
    if (!found) throw new Error(`no planned ${type} ${name}`);
    return found;
}

const BUCKET = "aws:s3/bucket:Bucket";
const TABLE = "aws:dynamodb/table:Table";
const CLUSTER = "aws:rds/cluster:Cluster";

/** What exists in the hand-built world, as (type, program name) → the id `pulumi import` needs. */
const EXISTING = new Map<string, string>();
const exists = (type: string, name: string, id: string) => EXISTING.set(`${type} ${name}`, id);

async function createTable(name: string, hashKey: string): Promise<void> {
    await dynamodb.send(
        new CreateTableCommand({
            TableName: name,
            KeySchema: [{ AttributeName: hashKey, KeyType: "HASH" }],
            AttributeDefinitions: [{ AttributeName: hashKey, AttributeType: "S" }],
            BillingMode: "PAY_PER_REQUEST",
        }),
    );
}

/** staging-co as the runbook left it, in part. */
async function buildHalfBuiltWorld(): Promise<void> {
    const plain = (t: AdoptTarget) => t.inputs;
    const policyOf = (bucket: string) => String(plain(target("aws:s3/bucketPolicy:BucketPolicy", `${bucket}-policy`)).policy);

    // Buckets: one as the program would make it, one without public access block or policy,
    // one whose block differs, one in the wrong region (blocked).
    const conforming = "nu-spark-dataset-series-co-staging";
    const noBlock = "nu-spark-datomic-logs-co-staging";
    const otherBlock = "nu-spark-metapod-manual-dataset-series-co-staging";
    const wrongRegion = "nu-spark-static-co-staging";
    for (const bucket of [conforming, noBlock, otherBlock, wrongRegion]) {
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
        exists(BUCKET, bucket, bucket);
        exists("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${bucket}-encryption`, bucket);
    }
    await s3.send(new PutObjectCommand({ Bucket: conforming, Key: "2020/part-0000.avro", Body: "avro" }));
    const region = (bucket: string) => target(BUCKET, bucket).region;
    mocks.buckets.set(conforming, { region: region(conforming), publicAccessBlock: RUNBOOK_BLOCK_AS_S3, policy: policyOf(conforming), encryption: "AES256", ownership: "BucketOwnerEnforced" });
    mocks.buckets.set(noBlock, { region: region(noBlock), encryption: "AES256" });
    mocks.buckets.set(otherBlock, { region: region(otherBlock), publicAccessBlock: { ...RUNBOOK_BLOCK_AS_S3, RestrictPublicBuckets: true }, encryption: "AES256", ownership: "ObjectWriter" });
    mocks.buckets.set(wrongRegion, { region: "us-east-1", encryption: "AES256" });
    for (const [bucket, sub] of [
        [conforming, "public-access"],
        [conforming, "policy"],
        [conforming, "ownership"],
        [otherBlock, "public-access"],
        [otherBlock, "ownership"],
    ]) {
        const type = { "public-access": "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", policy: "aws:s3/bucketPolicy:BucketPolicy", ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls" }[sub]!;
        exists(type, `${bucket}-${sub}`, bucket);
    }

    // Tables: one conforming, one without PITR, one with another key (blocked).
    await createTable("staging-global-correnteza", "id");
    mocks.tables.set("staging-global-correnteza", { pitr: true, deletionProtection: true, sse: true });
    await createTable("staging-global-conrado", "id");
    mocks.tables.set("staging-global-conrado", { pitr: false, deletionProtection: true, sse: true });
    await createTable("staging-global-tapir", "dataset");
    mocks.tables.set("staging-global-tapir", { pitr: true, deletionProtection: true, sse: true });
    for (const table of ["staging-global-correnteza", "staging-global-conrado", "staging-global-tapir"]) exists(TABLE, table, table);

    // Aurora: global's cluster runs another engine (blocked); s0's keeps 1 day of backups (updated).
    const planned = plain(target(CLUSTER, "staging-s0-barragem-aurora"));
    const cluster = (id: string, engine: string, backup: number) => ({
        DBClusterIdentifier: id,
        Engine: engine,
        EngineMode: "provisioned",
        EngineVersion: String(planned.engineVersion),
        KmsKeyId: String(planned.kmsKeyId),
        DBSubnetGroup: "barragem-staging",
        StorageEncrypted: true,
        MasterUsername: "postgres",
        DatabaseName: "postgres",
        Port: 5432,
        BackupRetentionPeriod: backup,
        DeletionProtection: true,
        IAMDatabaseAuthenticationEnabled: false,
        DBClusterParameterGroup: String(planned.dbClusterParameterGroupName),
        CopyTagsToSnapshot: true,
    });
    mocks.clusters.set("staging-global-barragem-aurora", cluster("staging-global-barragem-aurora", "aurora-mysql", 7));
    mocks.clusters.set("staging-s0-barragem-aurora", cluster("staging-s0-barragem-aurora", "aurora-postgresql", 1));
    exists(CLUSTER, "staging-global-barragem-aurora", "staging-global-barragem-aurora");
    exists(CLUSTER, "staging-s0-barragem-aurora", "staging-s0-barragem-aurora");
    const instance = plain(target("aws:rds/clusterInstance:ClusterInstance", "staging-s0-barragem-aurora-instance"));
    mocks.instances.set("staging-s0-barragem-aurora-instance", {
        DBInstanceIdentifier: "staging-s0-barragem-aurora-instance",
        DBClusterIdentifier: "staging-s0-barragem-aurora",
        Engine: "aurora-postgresql",
        DBSubnetGroup: { DBSubnetGroupName: "barragem-staging" },
        DBInstanceClass: String(instance.instanceClass),
        PubliclyAccessible: false,
        AutoMinorVersionUpgrade: true,
        PerformanceInsightsEnabled: true,
        MonitoringInterval: 60,
        DBParameterGroups: [{ DBParameterGroupName: String(instance.dbParameterGroupName) }],
    });
    exists("aws:rds/clusterInstance:ClusterInstance", "staging-s0-barragem-aurora-instance", "staging-s0-barragem-aurora-instance");
    mocks.subnetGroups.set("barragem-staging", { description: "Barragem AuroraDB", vpcId: VPC_ID });
    exists("aws:rds/subnetGroup:SubnetGroup", "barragem-staging", "barragem-staging");
    const clusterPg = plain(target("aws:rds/clusterParameterGroup:ClusterParameterGroup", String(planned.dbClusterParameterGroupName)));
    mocks.clusterParameterGroups.set(String(clusterPg.name), { family: String(clusterPg.family), description: String(clusterPg.description) });
    exists("aws:rds/clusterParameterGroup:ClusterParameterGroup", String(clusterPg.name), String(clusterPg.name));

    // Network: the VPC and nodes' group the program looks up; global's Aurora group with its rule.
    mocks.vpcs.push({ id: VPC_ID, name: stack.vpcName });
    mocks.securityGroups.push({ id: NODES_SG, name: stack.kubernetesNodesSecurityGroupName, vpcId: VPC_ID, description: "nodes" });
    mocks.securityGroups.push({ id: GLOBAL_SG, name: "staging-global-barragem-aurora", vpcId: VPC_ID, description: "Barragem AuroraDB" });
    mocks.securityGroupRules.push({
        SecurityGroupRuleId: "sgr-0postgres",
        GroupId: GLOBAL_SG,
        IsEgress: false,
        IpProtocol: "tcp",
        FromPort: 5432,
        ToPort: 5432,
        ReferencedGroupInfo: { GroupId: NODES_SG },
        Description: "PostgreSQL from the Kubernetes nodes running Barragem",
    });
    exists("aws:ec2/securityGroup:SecurityGroup", "staging-global-barragem-aurora", GLOBAL_SG);
    exists("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "staging-global-barragem-aurora-from-kubernetes-nodes", "sgr-0postgres");

    // IAM: the runbook's monitoring role with its policy; Conrado's role with an inline policy of its own.
    const monitoring = plain(target("aws:iam/role:Role", "staging-rds-barragem-aurora-enhanced-monitoring"));
    const attachment = plain(target("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "staging-rds-barragem-aurora-enhanced-monitoring-policy"));
    mocks.roles.set(String(monitoring.name), { trust: String(monitoring.assumeRolePolicy), description: String(monitoring.description), attached: [String(attachment.policyArn)], inline: new Map() });
    exists("aws:iam/role:Role", "staging-rds-barragem-aurora-enhanced-monitoring", String(monitoring.name));
    exists("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "staging-rds-barragem-aurora-enhanced-monitoring-policy", `${monitoring.name}/${attachment.policyArn}`);
    const conrado = plain(target("aws:iam/role:Role", "staging-global-conrado"));
    const handWritten = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "dynamodb:*", Resource: "*" }] });
    mocks.roles.set("staging-global-conrado", { trust: "{}", description: String(conrado.description), attached: [], inline: new Map([["data-access", handWritten]]) });
    exists("aws:iam/role:Role", "staging-global-conrado", "staging-global-conrado");
    exists("aws:iam/rolePolicy:RolePolicy", "staging-global-conrado-data-access", "staging-global-conrado:data-access");

    // DNS: Veiga's canonical name, by hand with a 300 s TTL.
    // The country's private zone, and a public one of the same name that the program must not pick.
    mocks.zones.push({ id: "ZPUBLICTWIN", name: `${stack.domain}.`, private: false }, { id: ZONE_ID, name: `${stack.domain}.`, private: true });
    mocks.records.push({ zoneId: ZONE_ID, Name: "staging-global-veiga.nu.com.co.", Type: "CNAME", TTL: 300, ResourceRecords: [{ Value: "staging-global-blue-veiga.nu.com.co" }] });
    exists("aws:route53/record:Record", "staging-global-veiga.nu.com.co", `${ZONE_ID}_staging-global-veiga.nu.com.co_CNAME`);

    // Alerts: the topic, and one alarm whose actions are on (the program keeps them off while bringing up).
    const topicArn = `arn:aws:sns:${stack.region}:${stack.accounts.country.id}:data-infra-alerts-staging`;
    mocks.topics.add(topicArn);
    exists("aws:sns/topic:Topic", "alerts", topicArn);
    const alarm = plain(target("aws:cloudwatch/metricAlarm:MetricAlarm", "staging-global-correnteza-throttled"));
    mocks.alarms.set("staging-global-correnteza-throttled", {
        AlarmName: "staging-global-correnteza-throttled",
        ActionsEnabled: true,
        ComparisonOperator: String(alarm.comparisonOperator) as never,
        Threshold: Number(alarm.threshold),
        EvaluationPeriods: Number(alarm.evaluationPeriods),
        AlarmActions: alarm.alarmActions as string[],
    });
    exists("aws:cloudwatch/metricAlarm:MetricAlarm", "staging-global-correnteza-throttled", "staging-global-correnteza-throttled");
}

/** Everything in s3rver and dynalite, to prove adopt left it as it was. */
async function serverContents(): Promise<unknown> {
    const buckets = (await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name!).sort() ?? [];
    const objects: Record<string, string[]> = {};
    for (const bucket of buckets) objects[bucket] = ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => `${o.Key} ${o.ETag}`);
    const tables = (await dynamodb.send(new ListTablesCommand({}))).TableNames ?? [];
    const schemas: Record<string, unknown> = {};
    for (const table of tables) {
        const t = (await dynamodb.send(new DescribeTableCommand({ TableName: table }))).Table;
        schemas[table] = { keys: t?.KeySchema, billing: t?.BillingModeSummary?.BillingMode, items: t?.ItemCount };
    }
    return { buckets, objects, tables, schemas };
}

const FAST = ["--timeout", "5", "--attempts", "2", "--backoff", "0.05"];

async function runAdopt(...extra: string[]) {
    const captured = captureIo();
    const code = await adopt(["--stack", STACK, "--credentials", "ambient", ...FAST, ...extra], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

beforeAll(async () => {
    [s3Server, dynamoServer] = await Promise.all([startS3Server(), startDynamoServer()]);
    restoreEnv = useTestEnvironment({ AWS_ENDPOINT_URL_S3: s3Server.endpoint, AWS_ENDPOINT_URL_DYNAMODB: dynamoServer.endpoint });
    mocks = new AdoptMocks();
    mocks.install();
    s3 = adminS3(s3Server.endpoint);
    dynamodb = adminDynamo(dynamoServer.endpoint);
    run = await runProgram({ stack: STACK });
    targets = adoptTargets(run, stack);
    await buildHalfBuiltWorld();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "data-infra-adopt-"));
}, 120_000);

afterAll(async () => {
    restoreEnv();
    mocks?.restore();
    s3?.destroy();
    dynamodb?.destroy();
    await Promise.all([s3Server?.close(), dynamoServer?.close()]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("npm run adopt on a half-built staging-co", () => {
    let result: { code: number; stdout: string; stderr: string };
    let file: ImportFile;
    let report: AdoptReport;
    let before: unknown;
    let commands: string[];

    beforeAll(async () => {
        before = await serverContents();
        mocks.resetHistory();
        const out = path.join(dir, "import.json");
        result = await runAdopt("--out", out);
        commands = mocks.commandsSent();
        file = JSON.parse(fs.readFileSync(out, "utf8")) as ImportFile;
        const json = await runAdopt("--json");
        report = JSON.parse(json.stdout) as AdoptReport;
    });

    const row = (type: string, name: string): ReportRow => {
        const found = report.rows.find((r) => r.type === type && r.name === name);
        if (!found) throw new Error(`no row for ${type} ${name}`);
        return found;
    };

    test("exits 1 because something is blocked, and says so", () => {
        expect(result.code).toBe(1);
        expect(report.ok).toBe(false);
        expect(result.stdout).toMatch(/BLOCKED: resolve every blocked resource/);
    });

    test("the import file holds exactly the existing resources, each with the id pulumi import expects", () => {
        const imported = new Map(file.resources.filter((r) => !r.component).map((r) => [`${r.type} ${r.logicalName}`, r.id]));
        expect(imported).toEqual(EXISTING);
    });

    test("every entry of the import file gets exactly the URN the engine gives the program's resource", () => {
        // The engine's URN carries the parent's whole type chain (resource.NewURN with the parent's
        // QualifiedType); pulumi import builds it the same way from the file's parent names.
        // (The SDK's mock monitor keeps only the last parent type, so URNs are rebuilt here.)
        const qualified = (types: readonly string[]) => types.join("$");
        const planByUrn = new Map(run.resources.map((r) => [r.urn, r]));
        const planChain = (urn: string | undefined): string[] => {
            const r = urn ? planByUrn.get(urn) : undefined;
            return r && r.type !== "pulumi:pulumi:Stack" ? [...planChain(r.parent), r.type] : [];
        };
        const engineUrns = new Set(run.resources.map((r) => `urn:pulumi:${STACK}::${PROJECT}::${qualified(planChain(r.urn))}::${r.name}`));
        const byName = new Map(file.resources.map((r) => [r.name, r]));
        const fileChain = (name: string | undefined): string[] => {
            const spec = name ? byName.get(name) : undefined;
            return spec ? [...fileChain(spec.parent), spec.type] : [];
        };
        for (const spec of file.resources) expect(engineUrns).toContain(`urn:pulumi:${STACK}::${PROJECT}::${qualified(fileChain(spec.name))}::${spec.logicalName}`);
        expect(new Set(file.resources.map((r) => r.name)).size).toBe(file.resources.length);
        for (const spec of file.resources) if (spec.parent) expect(byName.get(spec.parent)?.component).toBe(true);
    });

    test("each imported resource names the provider the program gives it, through the name table", () => {
        for (const spec of file.resources.filter((r) => !r.component)) {
            const plannedResource = run.resources.find((r) => r.type === spec.type && r.name === spec.logicalName)!;
            expect(spec.provider).toBeDefined();
            expect(file.nameTable[spec.provider!]).toBe(plannedResource.provider);
            expect(plannedResource.provider).toMatch(/::pulumi:providers:aws::aws-(country|data)-us-(east-1|west-2)$/);
        }
        // The data account's bucket is imported through nu-data's provider, not the country's.
        const stat = file.resources.find((r) => r.logicalName === "nu-spark-static-co-staging" && r.type === BUCKET)!;
        expect(file.nameTable[stat.provider!]).toMatch(/::aws-data-us-west-2$/);
    });

    test("components are created empty by the import (no id), so children keep their parents", () => {
        const components = file.resources.filter((r) => r.component);
        expect(components.map((c) => c.type)).toEqual(expect.arrayContaining(["data-infra:s3:BucketSet", "data-infra:dynamodb:DataTable", "data-infra:aurora:BarragemAurora"]));
        for (const c of components) expect(c.id).toBeUndefined();
    });

    test("a conforming table, bucket and Aurora instance are adopted as they are", () => {
        expect(row("aws:dynamodb/table:Table", "staging-global-correnteza").status).toBe("adopt");
        expect(row(BUCKET, "nu-spark-dataset-series-co-staging").status).toBe("adopt");
        expect(row("aws:s3/bucketPolicy:BucketPolicy", "nu-spark-dataset-series-co-staging-policy").status).toBe("adopt");
        expect(row("aws:rds/clusterInstance:ClusterInstance", "staging-s0-barragem-aurora-instance").status).toBe("adopt");
        expect(row("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "staging-global-barragem-aurora-from-kubernetes-nodes").status).toBe("adopt");
    });

    test("what differs in place is adopted, with the properties the next up changes", () => {
        expect(row(TABLE, "staging-global-conrado")).toMatchObject({ status: "update", changes: ["pointInTimeRecovery.enabled: false → true"] });
        expect(row(CLUSTER, "staging-s0-barragem-aurora")).toMatchObject({ status: "update", changes: ["backupRetentionPeriod: 1 → 7"] });
        expect(row("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "nu-spark-metapod-manual-dataset-series-co-staging-public-access")).toMatchObject({
            status: "update",
            changes: ["restrictPublicBuckets: true → false"],
        });
        expect(row("aws:route53/record:Record", "staging-global-veiga.nu.com.co")).toMatchObject({ status: "update", changes: ["ttl: 300 → 60"] });
        expect(row("aws:cloudwatch/metricAlarm:MetricAlarm", "staging-global-correnteza-throttled")).toMatchObject({ status: "update", changes: ["actionsEnabled: true → false"] });
        expect(row("aws:iam/rolePolicy:RolePolicy", "staging-global-conrado-data-access")).toMatchObject({
            status: "update",
            changes: ["policy: another policy → the program's (least privilege)"],
        });
        expect(result.stdout).toContain("next up changes pointInTimeRecovery.enabled: false → true");
    });

    test("an Aurora cluster with another engine, a table with another key and a bucket in another region are blocked, with what to do", () => {
        const engine = row(CLUSTER, "staging-global-barragem-aurora");
        expect(engine).toMatchObject({ status: "blocked", problems: ["engine is aurora-mysql, the program declares aurora-postgresql"] });
        expect(engine.remedy).toMatch(/snapshot it/);
        const key = row(TABLE, "staging-global-tapir");
        expect(key.status).toBe("blocked");
        expect(key.problems).toEqual(["hashKey is dataset, the program declares id"]);
        expect(key.remedy).toMatch(/export its items/);
        const bucket = row(BUCKET, "nu-spark-static-co-staging");
        expect(bucket).toMatchObject({ status: "blocked", problems: ["region is us-east-1, the program declares us-west-2"] });
        expect(result.stdout).toMatch(/what to do: a bucket cannot move region/);
    });

    test("what does not exist is left for pulumi up to create", () => {
        expect(row(TABLE, "staging-s0-conrado").status).toBe("create");
        expect(row(BUCKET, "nu-spark-tmp-raw-co-staging").status).toBe("create");
        expect(row("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "nu-spark-datomic-logs-co-staging-public-access").status).toBe("create");
        expect(row("aws:rds/parameterGroup:ParameterGroup", "staging-barragem-aurora-postgres16-instance").status).toBe("create");
        expect(row("aws:ec2/securityGroup:SecurityGroup", "staging-s0-barragem-aurora").status).toBe("create");
        expect(file.resources.some((r) => r.logicalName === "staging-s0-conrado" && !r.component)).toBe(false);
    });

    test("Kubernetes objects are reported as not checked, without cluster access, said once", () => {
        const k8s = report.rows.filter((r) => r.type.startsWith("kubernetes:"));
        expect(k8s.length).toBeGreaterThan(0);
        for (const r of k8s) expect(r).toMatchObject({ status: "not-checked", detail: expect.stringMatching(/^no cluster access/) });
        expect(result.stdout.match(/no cluster access/g)).toHaveLength(1);
    });

    test("writes nothing: s3rver and dynalite are unchanged and only read calls were sent", async () => {
        expect(await serverContents()).toEqual(before);
        expect(commands.length).toBeGreaterThan(50);
        const writes = commands.filter((c) => !/^(Get|Describe|List|Head)\w*Command$/.test(c));
        expect(writes).toEqual([]);
    });

    test("shows progress on stderr while it runs", () => {
        expect(result.stderr).toMatch(/^adopt staging-co: \d+ planned resources, credentials ambient/m);
        expect(result.stderr).toMatch(/\[\s*\d+\/\d+\] blocked\s+Cluster staging-global-barragem-aurora/);
    });
});

describe("npm run adopt when it cannot read", () => {
    test("a role it cannot assume is one clear message and exit 2, before any resource is looked at", async () => {
        mocks.resetHistory();
        const captured = captureIo();
        const code = await adopt(["--stack", STACK, ...FAST], captured.io);
        expect(code).toBe(2);
        expect(captured.stderr()).toMatch(/cannot read the country account: cannot assume arn:aws:iam::400000000101:role\/data-infra-deploy/);
        expect(captured.stderr()).toMatch(/--country-role/);
        expect(mocks.commandsSent()).toEqual(["AssumeRoleCommand"]);
    });

    test("an endpoint that does not answer is said once, with exit 2", async () => {
        // No stand-ins at all: every API on a closed loopback port.
        mocks.restore();
        try {
            const captured = captureIo({ ...process.env, AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9", AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:9" });
            const code = await adopt(["--stack", STACK, "--credentials", "ambient", "--timeout", "2", "--attempts", "1"], captured.io);
            expect(code).toBe(2);
            expect(captured.stderr().match(/nothing could be read: .*ECONNREFUSED 127\.0\.0\.1:9/g)).toHaveLength(1);
            expect(captured.stdout()).toBe("");
        } finally {
            mocks.install();
        }
    });

    test("a call that never answers is cut by the per-call timeout and reported, exit 1", async () => {
        mocks.hang.add("DescribeAlarmsCommand");
        try {
            const { code, stdout } = await runAdopt("--timeout", "0.5", "--attempts", "1");
            expect(code).toBe(1);
            expect(stdout).toMatch(/COULD NOT CHECK \(\d+\): no answer within 500 ms/);
        } finally {
            mocks.hang.clear();
        }
    });
});
