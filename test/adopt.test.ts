// `npm run adopt` against a half-built staging-co: buckets, objects and the Barragem secret in
// s3rver and tables in dynalite for real, aws-sdk-client-mock for what neither implements
// (test/support/adoptWorld.ts says which). Some resources conform, some differ in ways the next
// `up` updates, some block, the rest are missing; then the blocked ones are resolved and the
// import file is written.
import * as fs from "fs";
import * as path from "path";
import { CreateTableCommand, CreateTableCommandInput, DeleteTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand, TagResourceCommand } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, DeleteObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { adopt } from "../tools/adopt";
import type { ImportFile } from "../tools/adopt/importFile";
import type { AdoptReport, ReportRow } from "../tools/adopt/report";
import type { AdoptTarget } from "../tools/adopt/targets";
import { ACCESS_DENIED_CAUSE } from "../tools/adopt/findings";
import { loadCountryStack } from "../tools/checks/cli";
import { PROJECT, ProgramRun } from "../tools/mockRuntime";
import { sharedRun } from "./helpers/stacks";
import { AdoptHarness, FAST, runAdopt, startAdoptHarness, targetIn } from "./support/adoptHarness";
import type { AdoptMocks } from "./support/adoptWorld";
import { RUNBOOK_BLOCK_AS_S3, STACK } from "./support/stackWorld";
import { captureIo } from "./support/testEnv";

jest.setTimeout(120_000);

const stack = loadCountryStack(STACK);
const VPC_ID = "vpc-0handbuilt";
const NODES_SG = "sg-0nodes";
const GLOBAL_SG = "sg-0globalaurora";
const ZONE_ID = "Z0HANDBUILT";
const HAND_SET_PASSWORD = "Hand-Set!pw#2019";

let harness: AdoptHarness | undefined;
let s3: S3Client;
let dynamodb: DynamoDBClient;
let mocks: AdoptMocks;
let run: ProgramRun;
let targets: AdoptTarget[];
let dir: string;

const target = (type: string, name: string): AdoptTarget => targetIn(targets, type, name);

const BUCKET = "aws:s3/bucket:Bucket";
const TABLE = "aws:dynamodb/table:Table";
const CLUSTER = "aws:rds/cluster:Cluster";

/** What exists in the hand-built world, as (type, program name) → the id `pulumi import` needs. */
const EXISTING = new Map<string, string>();
const exists = (type: string, name: string, id: string) => EXISTING.set(`${type} ${name}`, id);

/** The tags the next up sets on a planned resource (provider default tags and its own). */
const tagsOf = (type: string, name: string) => target(type, name).tags;

async function createTable(name: string, hashKey: string, extra: Partial<CreateTableCommandInput> = {}): Promise<void> {
    const answer = await dynamodb.send(
        new CreateTableCommand({
            TableName: name,
            KeySchema: [{ AttributeName: hashKey, KeyType: "HASH" }],
            AttributeDefinitions: [{ AttributeName: hashKey, AttributeType: "S" }],
            BillingMode: "PAY_PER_REQUEST",
            ...extra,
        }),
    );
    // Tagged as the program would, so that only the differences a test sets up show.
    const tags = Object.entries(tagsOf(TABLE, name)).map(([Key, Value]) => ({ Key, Value }));
    await dynamodb.send(new TagResourceCommand({ ResourceArn: answer.TableDescription!.TableArn!, Tags: tags }));
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
    const tags = (bucket: string) => tagsOf(BUCKET, bucket);
    mocks.buckets.set(conforming, {
        region: region(conforming),
        publicAccessBlock: RUNBOOK_BLOCK_AS_S3,
        policy: policyOf(conforming),
        encryption: "AES256",
        ownership: "BucketOwnerEnforced",
        tags: tags(conforming),
    });
    mocks.buckets.set(noBlock, { region: region(noBlock), encryption: "AES256", tags: tags(noBlock) });
    mocks.buckets.set(otherBlock, {
        region: region(otherBlock),
        publicAccessBlock: { ...RUNBOOK_BLOCK_AS_S3, RestrictPublicBuckets: true },
        encryption: "AES256",
        ownership: "ObjectWriter",
        tags: { ...tags(otherBlock), owner: "data-team" },
    });
    mocks.buckets.set(wrongRegion, { region: "us-east-1", encryption: "AES256", tags: tags(wrongRegion) });
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
    // A global index the program does not declare and a stream (updated: up deletes the index and
    // turns the stream off); a local index (blocked: only at creation); a TTL (kept, noted).
    await createTable("staging-global-serving-layer-schemas", "id", {
        AttributeDefinitions: [
            { AttributeName: "id", AttributeType: "S" },
            { AttributeName: "schema", AttributeType: "S" },
        ],
        GlobalSecondaryIndexes: [{ IndexName: "by-schema", KeySchema: [{ AttributeName: "schema", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } }],
    });
    mocks.tables.set("staging-global-serving-layer-schemas", { pitr: true, deletionProtection: true, sse: true, stream: "NEW_IMAGE" });
    await createTable("staging-global-ouroboros-datomic", "id", {
        KeySchema: [
            { AttributeName: "id", KeyType: "HASH" },
            { AttributeName: "tx", KeyType: "RANGE" },
        ],
        AttributeDefinitions: [
            { AttributeName: "id", AttributeType: "S" },
            { AttributeName: "tx", AttributeType: "S" },
            { AttributeName: "at", AttributeType: "S" },
        ],
        LocalSecondaryIndexes: [
            {
                IndexName: "by-time",
                KeySchema: [
                    { AttributeName: "id", KeyType: "HASH" },
                    { AttributeName: "at", KeyType: "RANGE" },
                ],
                Projection: { ProjectionType: "KEYS_ONLY" },
            },
        ],
    });
    mocks.tables.set("staging-global-ouroboros-datomic", { pitr: true, deletionProtection: true, sse: true });
    await createTable("staging-global-correnteza-datomic-extraction-attempts", "id");
    mocks.tables.set("staging-global-correnteza-datomic-extraction-attempts", { pitr: true, deletionProtection: true, sse: true, ttlAttribute: "expires-at" });
    for (const table of [
        "staging-global-correnteza",
        "staging-global-conrado",
        "staging-global-tapir",
        "staging-global-serving-layer-schemas",
        "staging-global-ouroboros-datomic",
        "staging-global-correnteza-datomic-extraction-attempts",
    ]) {
        exists(TABLE, table, table);
    }

    // Aurora: global's cluster runs another engine (blocked); s0's keeps 1 day of backups (updated).
    const planned = plain(target(CLUSTER, "staging-s0-barragem-aurora"));
    const cluster = (id: string, engine: string, backup: number, securityGroup: string) => ({
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
        VpcSecurityGroups: [{ VpcSecurityGroupId: securityGroup, Status: "active" }],
        TagList: Object.entries(tagsOf(CLUSTER, id)).map(([Key, Value]) => ({ Key, Value })),
    });
    mocks.clusters.set("staging-global-barragem-aurora", cluster("staging-global-barragem-aurora", "aurora-mysql", 7, GLOBAL_SG));
    // s0's cluster sits in a group made by hand; the program's group for it does not exist yet.
    mocks.clusters.set("staging-s0-barragem-aurora", cluster("staging-s0-barragem-aurora", "aurora-postgresql", 1, "sg-0handmade"));
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
        // The runbook's role, without the env prefix the program's has.
        MonitoringRoleArn: `arn:aws:iam::${stack.accounts.country.id}:role/rds-barragem-aurora-enhanced-monitoring`,
        DBParameterGroups: [{ DBParameterGroupName: String(instance.dbParameterGroupName) }],
        TagList: Object.entries(tagsOf("aws:rds/clusterInstance:ClusterInstance", "staging-s0-barragem-aurora-instance")).map(([Key, Value]) => ({ Key, Value })),
    });
    exists("aws:rds/clusterInstance:ClusterInstance", "staging-s0-barragem-aurora-instance", "staging-s0-barragem-aurora-instance");
    mocks.subnetGroups.set("barragem-staging", { description: "Barragem AuroraDB", vpcId: VPC_ID, tags: tagsOf("aws:rds/subnetGroup:SubnetGroup", "barragem-staging") });
    exists("aws:rds/subnetGroup:SubnetGroup", "barragem-staging", "barragem-staging");
    const clusterPg = plain(target("aws:rds/clusterParameterGroup:ClusterParameterGroup", String(planned.dbClusterParameterGroupName)));
    mocks.clusterParameterGroups.set(String(clusterPg.name), {
        family: String(clusterPg.family),
        description: String(clusterPg.description),
        tags: tagsOf("aws:rds/clusterParameterGroup:ClusterParameterGroup", String(planned.dbClusterParameterGroupName)),
    });
    exists("aws:rds/clusterParameterGroup:ClusterParameterGroup", String(clusterPg.name), String(clusterPg.name));

    // Network: the VPC and nodes' group the program looks up; global's Aurora group with its rule.
    mocks.vpcs.push({ id: VPC_ID, name: stack.vpcName });
    mocks.securityGroups.push({ id: NODES_SG, name: stack.kubernetesNodesSecurityGroupName, vpcId: VPC_ID, description: "nodes" });
    mocks.securityGroups.push({
        id: GLOBAL_SG,
        name: "staging-global-barragem-aurora",
        vpcId: VPC_ID,
        description: "Barragem AuroraDB",
        tags: tagsOf("aws:ec2/securityGroup:SecurityGroup", "staging-global-barragem-aurora"),
    });
    mocks.securityGroupRules.push({
        SecurityGroupRuleId: "sgr-0postgres",
        GroupId: GLOBAL_SG,
        IsEgress: false,
        IpProtocol: "tcp",
        FromPort: 5432,
        ToPort: 5432,
        ReferencedGroupInfo: { GroupId: NODES_SG },
        Description: "PostgreSQL from the Kubernetes nodes running Barragem",
        Tags: Object.entries(tagsOf("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "staging-global-barragem-aurora-from-kubernetes-nodes")).map(([Key, Value]) => ({ Key, Value })),
    });
    exists("aws:ec2/securityGroup:SecurityGroup", "staging-global-barragem-aurora", GLOBAL_SG);
    exists("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "staging-global-barragem-aurora-from-kubernetes-nodes", "sgr-0postgres");

    // IAM: the runbook's monitoring role (rds-barragem-aurora-enhanced-monitoring, not the program's
    // <env>-… name); Conrado's role with an inline policy of its own.
    const monitoring = plain(target("aws:iam/role:Role", "staging-rds-barragem-aurora-enhanced-monitoring"));
    const attachment = plain(target("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "staging-rds-barragem-aurora-enhanced-monitoring-policy"));
    mocks.roles.set("rds-barragem-aurora-enhanced-monitoring", { trust: String(monitoring.assumeRolePolicy), description: "runbook", attached: [String(attachment.policyArn)], inline: new Map() });
    const conrado = plain(target("aws:iam/role:Role", "staging-global-conrado"));
    const handWritten = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "dynamodb:*", Resource: "*" }] });
    mocks.roles.set("staging-global-conrado", {
        trust: "{}",
        description: String(conrado.description),
        attached: [],
        inline: new Map([["data-access", handWritten]]),
        tags: tagsOf("aws:iam/role:Role", "staging-global-conrado"),
    });
    exists("aws:iam/role:Role", "staging-global-conrado", "staging-global-conrado");
    exists("aws:iam/rolePolicy:RolePolicy", "staging-global-conrado-data-access", "staging-global-conrado:data-access");

    // DNS: Veiga's canonical name, by hand with a 300 s TTL.
    // The country's private zone, and a public one of the same name that the program must not pick.
    mocks.zones.push({ id: "ZPUBLICTWIN", name: `${stack.domain}.`, private: false }, { id: ZONE_ID, name: `${stack.domain}.`, private: true });
    mocks.records.push({ zoneId: ZONE_ID, Name: "staging-global-veiga.nu.com.co.", Type: "CNAME", TTL: 300, ResourceRecords: [{ Value: "staging-global-blue-veiga.nu.com.co" }] });
    exists("aws:route53/record:Record", "staging-global-veiga.nu.com.co", `${ZONE_ID}_staging-global-veiga.nu.com.co_CNAME`);
    // Correnteza's name is an alias A record to its load balancer, where the program makes a CNAME (blocked).
    // A TXT record at another name sorts between them: every record at the name is looked at, not just the first.
    mocks.records.push({ zoneId: ZONE_ID, Name: "staging-global-correnteza.nu.com.co.", Type: "A", AliasTarget: { HostedZoneId: "Z35SXDOTRQ7X7K", DNSName: "global-correnteza.elb.amazonaws.com.", EvaluateTargetHealth: false } });
    mocks.records.push({ zoneId: ZONE_ID, Name: "staging-global-correnteza.nu.com.co.", Type: "TXT", TTL: 300, ResourceRecords: [{ Value: '"owner=data"' }] });

    // Alerts: the topic, and one alarm whose actions are on (the program keeps them off while bringing up).
    const topicArn = `arn:aws:sns:${stack.region}:${stack.accounts.country.id}:data-infra-alerts-staging`;
    mocks.topics.set(topicArn, {});
    exists("aws:sns/topic:Topic", "alerts", topicArn);
    const alarm = plain(target("aws:cloudwatch/metricAlarm:MetricAlarm", "staging-global-correnteza-throttled"));
    mocks.alarms.set("staging-global-correnteza-throttled", {
        AlarmName: "staging-global-correnteza-throttled",
        ActionsEnabled: true,
        ComparisonOperator: String(alarm.comparisonOperator) as never,
        Threshold: Number(alarm.threshold),
        EvaluationPeriods: Number(alarm.evaluationPeriods),
        AlarmActions: alarm.alarmActions as string[],
        tags: tagsOf("aws:cloudwatch/metricAlarm:MetricAlarm", "staging-global-correnteza-throttled"),
    });

    // The Barragem password, set by hand as the runbook says.
    await s3.send(new CreateBucketCommand({ Bucket: "nu-secrets-co-staging" }));
    await s3.send(new PutObjectCommand({ Bucket: "nu-secrets-co-staging", Key: "barragem_secret_config.json", Body: JSON.stringify({ "rdb-password": HAND_SET_PASSWORD }) }));
    exists("aws:s3/bucketObjectv2:BucketObjectv2", "barragem-secret-config", "nu-secrets-co-staging/barragem_secret_config.json");
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

beforeAll(async () => {
    harness = await startAdoptHarness();
    ({ s3, dynamodb, mocks, run, targets, dir } = harness);
    await buildHalfBuiltWorld();
}, 120_000);

afterAll(async () => {
    await harness?.close();
});

const INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const RECORD = "aws:route53/record:Record";

function rowOf(report: AdoptReport, type: string, name: string): ReportRow {
    const found = report.rows.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no row for ${type} ${name}`);
    return found;
}

describe("npm run adopt on a half-built staging-co", () => {
    let result: { code: number; stdout: string; stderr: string };
    let report: AdoptReport;
    let before: unknown;
    let commands: string[];
    let out: string;

    beforeAll(async () => {
        before = await serverContents();
        mocks.resetHistory();
        out = path.join(dir, "blocked.json");
        result = await runAdopt("--out", out);
        commands = mocks.commandsSent();
        const json = await runAdopt("--json");
        report = JSON.parse(json.stdout) as AdoptReport;
    });

    const row = (type: string, name: string) => rowOf(report, type, name);

    test("exits 1 because something is blocked, says so, and writes no import file", () => {
        expect(result.code).toBe(1);
        expect(report.ok).toBe(false);
        expect(result.stdout).toMatch(/BLOCKED: resolve every blocked resource/);
        expect(fs.existsSync(out)).toBe(false);
        expect(result.stdout).toContain(`import file NOT written to ${out}`);
    });

    test("a conforming table, bucket and security group rule are adopted as they are", () => {
        expect(row(TABLE, "staging-global-correnteza").status).toBe("adopt");
        expect(row(BUCKET, "nu-spark-dataset-series-co-staging").status).toBe("adopt");
        expect(row("aws:s3/bucketPolicy:BucketPolicy", "nu-spark-dataset-series-co-staging-policy").status).toBe("adopt");
        expect(row("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "staging-global-barragem-aurora-from-kubernetes-nodes").status).toBe("adopt");
    });

    test("what differs in place is adopted, with the properties the next up changes", () => {
        expect(row(TABLE, "staging-global-conrado")).toMatchObject({ status: "update", changes: ["pointInTimeRecovery.enabled: false → true"] });
        expect(row("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "nu-spark-metapod-manual-dataset-series-co-staging-public-access")).toMatchObject({
            status: "update",
            changes: ["restrictPublicBuckets: true → false"],
        });
        expect(row(RECORD, "staging-global-veiga.nu.com.co")).toMatchObject({ status: "update", changes: ["ttl: 300 → 60"] });
        expect(row("aws:cloudwatch/metricAlarm:MetricAlarm", "staging-global-correnteza-throttled")).toMatchObject({ status: "update", changes: ["actionsEnabled: true → false"] });
        expect(row("aws:iam/rolePolicy:RolePolicy", "staging-global-conrado-data-access")).toMatchObject({
            status: "update",
            changes: ["policy: another policy → the program's (least privilege)"],
        });
        expect(result.stdout).toContain("next up changes pointInTimeRecovery.enabled: false → true");
    });

    test("a global index the program does not declare is reported as deleted by the next up, and an open stream as turned off", () => {
        const table = row(TABLE, "staging-global-serving-layer-schemas");
        expect(table.status).toBe("update");
        expect(table.changes).toEqual([
            "globalSecondaryIndexes: the next up DELETES by-schema (not in the program): queries on them fail",
            "streamEnabled: true → false: the next up turns the stream (NEW_IMAGE) off; its consumers stop",
        ]);
    });

    test("a local index blocks (it exists only from creation); a TTL the program leaves alone is a note, not a change", () => {
        const lsi = row(TABLE, "staging-global-ouroboros-datomic");
        expect(lsi.status).toBe("blocked");
        expect(lsi.problems).toContain("localSecondaryIndexes is by-time, the program declares (none)");
        expect(row(TABLE, "staging-global-correnteza-datomic-extraction-attempts")).toMatchObject({ status: "adopt", notes: ["TTL on expires-at stays on: the program does not manage it"] });
    });

    test("tags: the provider's default tags the resource lacks are added and hand-set ones removed, on the row", () => {
        const topic = row("aws:sns/topic:Topic", "alerts");
        expect(topic.status).toBe("update");
        expect(topic.changes).toEqual([`tags: adds ${Object.entries(tagsOf("aws:sns/topic:Topic", "alerts")).map(([k, v]) => `${k}=${v}`).join(", ")}`]);
        expect(topic.changes![0]).toContain("managed-by=pulumi/data-infra");
        expect(row(BUCKET, "nu-spark-metapod-manual-dataset-series-co-staging")).toMatchObject({
            status: "update",
            changes: ["tags: removes owner=data-team (set by hand, not in the program)"],
        });
    });

    test("the Aurora instance moves from the runbook's monitoring role to the program's, and the cluster to the program's security group", () => {
        expect(row(INSTANCE, "staging-s0-barragem-aurora-instance")).toMatchObject({
            status: "update",
            changes: [
                `monitoringRoleArn: arn:aws:iam::${stack.accounts.country.id}:role/rds-barragem-aurora-enhanced-monitoring → arn:aws:iam::${stack.accounts.country.id}:role/staging-rds-barragem-aurora-enhanced-monitoring`,
            ],
        });
        expect(row("aws:iam/role:Role", "staging-rds-barragem-aurora-enhanced-monitoring").status).toBe("create");
        const cluster = row(CLUSTER, "staging-s0-barragem-aurora");
        expect(cluster.status).toBe("update");
        expect(cluster.changes).toContain("backupRetentionPeriod: 1 → 7");
        expect(cluster.changes).toContain('vpcSecurityGroupIds: ["sg-0handmade"] → ["staging-s0-barragem-aurora (created by up)"]');
    });

    test("the hand-set Barragem password is kept out of the import file: imported separately, and every cluster lists the password change otherwise", () => {
        const password = row("random:index/randomPassword:RandomPassword", "barragem-secret-master-password");
        expect(password.status).toBe("import-separately");
        expect(password.step).toBe(`npm run adopt -- --stack ${STACK} --import-password   # reads s3://nu-secrets-co-staging/barragem_secret_config.json and imports the password, never printing it`);
        expect(result.stdout).toContain("after `pulumi import`, with the deploy role: npm run adopt -- --stack staging-co --import-password");
        const cluster = row(CLUSTER, "staging-s0-barragem-aurora");
        expect(cluster.changes!.find((c) => c.startsWith("masterPassword: "))).toMatch(/a NEW generated password, unless the password is imported first \(npm run adopt -- --stack staging-co --import-password\)/);
        expect(JSON.stringify(report)).not.toContain(HAND_SET_PASSWORD);
        expect(result.stdout + result.stderr).not.toContain(HAND_SET_PASSWORD);
        // adopt looked at the object, never read it.
        expect(commands).not.toContain("GetObjectCommand");
    });

    test("S3 settings missing on an existing bucket are changes to it (ownership enforced turns ACLs off), not creates", () => {
        const block = row("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "nu-spark-datomic-logs-co-staging-public-access");
        expect(block.status).toBe("set-on-existing");
        expect(block.changes).toEqual(["public access block: (none) → the program's: public ACLs and public policies on the bucket stop working"]);
        const ownership = row("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "nu-spark-datomic-logs-co-staging-ownership");
        expect(ownership.status).toBe("set-on-existing");
        expect(ownership.changes![0]).toMatch(/^objectOwnership: \(not set, ACLs on\) → BucketOwnerEnforced: ACLs are disabled: access other accounts .* stops/);
        expect(row("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "nu-spark-metapod-manual-dataset-series-co-staging-ownership").changes![0]).toMatch(
            /^objectOwnership: ObjectWriter → BucketOwnerEnforced: ACLs are disabled/,
        );
        expect(result.stdout).toMatch(/created on an existing resource, changing it \(\d+\):/);
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

    test("an alias A record (and a TXT) where the program makes a CNAME is blocked, every type at the name looked at", () => {
        const record = row(RECORD, "staging-global-correnteza.nu.com.co");
        expect(record.status).toBe("blocked");
        expect(record.problems).toEqual([
            "staging-global-correnteza.nu.com.co has A alias to global-correnteza.elb.amazonaws.com., TXT where the program makes a CNAME record: a CNAME cannot share its name with other records, so pulumi up fails creating it",
        ]);
        expect(record.remedy).toMatch(/^delete the A\/TXT record at staging-global-correnteza.nu.com.co by hand/);
    });

    test("what does not exist is left for pulumi up to create", () => {
        expect(row(TABLE, "staging-s0-conrado").status).toBe("create");
        expect(row(BUCKET, "nu-spark-tmp-raw-co-staging").status).toBe("create");
        expect(row("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "nu-spark-tmp-raw-co-staging-public-access").status).toBe("create");
        expect(row("aws:rds/parameterGroup:ParameterGroup", "staging-barragem-aurora-postgres16-instance").status).toBe("create");
        expect(row("aws:ec2/securityGroup:SecurityGroup", "staging-s0-barragem-aurora").status).toBe("create");
    });

    test("the JSON report's URNs are the engine's (the parents' whole type chain), as pulumi import and --target know them", () => {
        const table = row(TABLE, "staging-global-correnteza");
        expect(table.urn).toBe(`urn:pulumi:${STACK}::${PROJECT}::data-infra:dynamodb:DataTable$aws:dynamodb/table:Table::staging-global-correnteza`);
        const rule = row("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "staging-global-barragem-aurora-from-kubernetes-nodes");
        expect(rule.urn).toMatch(/::data-infra:aurora:BarragemAurora\$aws:vpc\/securityGroupIngressRule:SecurityGroupIngressRule::/);
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

describe("npm run adopt once the blocked resources are resolved", () => {
    let result: { code: number; stdout: string; stderr: string };
    let file: ImportFile;
    let report: AdoptReport;
    let out: string;

    beforeAll(async () => {
        // What a person does with the remedies: the bucket where the program wants it, the
        // tables rebuilt with the program's key, the cluster on the program's engine, the
        // records at Correnteza's name out of the way.
        mocks.buckets.get("nu-spark-static-co-staging")!.region = target(BUCKET, "nu-spark-static-co-staging").region;
        for (const table of ["staging-global-tapir", "staging-global-ouroboros-datomic"]) {
            await dynamodb.send(new DeleteTableCommand({ TableName: table }));
            await createTable(table, "id");
        }
        mocks.clusters.get("staging-global-barragem-aurora")!.Engine = "aurora-postgresql";
        mocks.records.splice(0, mocks.records.length, ...mocks.records.filter((r) => r.Name !== "staging-global-correnteza.nu.com.co."));
        out = path.join(dir, "import.json");
        result = await runAdopt("--out", out);
        file = JSON.parse(fs.readFileSync(out, "utf8")) as ImportFile;
        report = JSON.parse((await runAdopt("--json")).stdout) as AdoptReport;
    });

    test("exits 0 and writes the import file", () => {
        expect(result.code).toBe(0);
        expect(report.ok).toBe(true);
        expect(result.stdout).toMatch(/import file: .*import\.json \(\d+ existing resources\)/);
    });

    test("the import file holds exactly the existing resources, each with the id pulumi import expects, and never the password", () => {
        const imported = new Map(file.resources.filter((r) => !r.component).map((r) => [`${r.type} ${r.logicalName}`, r.id]));
        expect(imported).toEqual(EXISTING);
        expect(fs.readFileSync(out, "utf8")).not.toContain(HAND_SET_PASSWORD);
        expect(file.resources.some((r) => r.type === "random:index/randomPassword:RandomPassword")).toBe(false);
    });

    test("every entry of the import file gets exactly the URN the engine gives the program's resource", () => {
        // The engine's URN carries the parent's whole type chain (resource.NewURN with the parent's
        // QualifiedType); pulumi import builds it the same way from the file's parent names.
        const engineUrns = new Set(report.rows.map((r) => r.urn));
        const byName = new Map(file.resources.map((r) => [r.name, r]));
        const fileChain = (name: string | undefined): string[] => {
            const spec = name ? byName.get(name) : undefined;
            return spec ? [...fileChain(spec.parent), spec.type] : [];
        };
        for (const spec of file.resources.filter((r) => !r.component)) expect(engineUrns).toContain(`urn:pulumi:${STACK}::${PROJECT}::${fileChain(spec.name).join("$")}::${spec.logicalName}`);
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

    test("the next steps are the exact commands, in order: providers, import without generated code, the password, preview, up", () => {
        const steps = result.stdout.slice(result.stdout.indexOf("next (docs/adopt.md)"));
        const order = [
            `pulumi up --stack ${STACK} --target '`,
            `pulumi import --stack ${STACK} --file ${out} --protect --generate-code=false --yes`,
            `npm run adopt -- --stack ${STACK} --import-password`,
            `pulumi preview --stack ${STACK} --diff`,
            "npm run check:replacements -- /tmp/preview.json",
            `pulumi up --stack ${STACK}\n`,
        ].map((text) => steps.indexOf(text));
        expect(order.every((at) => at >= 0)).toBe(true);
        expect([...order].sort((a, b) => a - b)).toEqual(order);
    });
});

describe("npm run adopt --import-password", () => {
    let bin: string;
    let record: string;

    beforeAll(() => {
        // A stand-in for the pulumi CLI (there is none here): records its arguments and the file it was given, and echoes it.
        bin = path.join(dir, "pulumi");
        record = path.join(dir, "pulumi-call.json");
        fs.writeFileSync(
            bin,
            `#!/usr/bin/env node
const fs = require("fs");
const file = process.argv[process.argv.indexOf("--file") + 1];
const stat = fs.statSync(file);
fs.writeFileSync(${JSON.stringify(record)}, JSON.stringify({ args: process.argv.slice(2), file: JSON.parse(fs.readFileSync(file, "utf8")), mode: stat.mode & 0o777, path: file }));
process.stdout.write("Importing (staging-co): id " + JSON.parse(fs.readFileSync(file, "utf8")).resources[0].id + "\\n");
`,
            { mode: 0o755 },
        );
    });

    test("imports the hand-set password under the program's name and parent, through a private file that is removed, never showing it", async () => {
        const captured = captureIo({ ...process.env, PULUMI_BIN: bin });
        const code = await adopt(["--stack", STACK, "--credentials", "ambient", ...FAST, "--import-password"], captured.io, sharedRun);
        expect(captured.stderr()).toContain("password imported (protected)");
        expect(code).toBe(0);
        const call = JSON.parse(fs.readFileSync(record, "utf8")) as { args: string[]; file: ImportFile; mode: number; path: string };
        expect(call.args).toEqual(["import", "--stack", STACK, "--file", call.path, "--protect", "--generate-code=false", "--yes"]);
        expect(call.args.join(" ")).not.toContain(HAND_SET_PASSWORD);
        expect(call.mode).toBe(0o600);
        expect(fs.existsSync(call.path)).toBe(false);
        expect(call.file.resources).toEqual([
            { type: "random:index/randomPassword:RandomPassword", name: "barragem-secret-master-password", logicalName: "barragem-secret-master-password", id: HAND_SET_PASSWORD, parent: "barragem-secret" },
        ]);
        expect(call.file.nameTable).toEqual({ "barragem-secret": `urn:pulumi:${STACK}::${PROJECT}::data-infra:aurora:BarragemSecret::barragem-secret` });
        expect(captured.stdout()).toBe("Importing (staging-co): id [secret]\n");
        expect(captured.stdout() + captured.stderr()).not.toContain(HAND_SET_PASSWORD);
    });

    test("is refused together with --out: the password never goes into a file adopt writes", async () => {
        const captured = captureIo();
        expect(await adopt(["--stack", STACK, "--import-password", "--out", "x.json"], captured.io, sharedRun)).toBe(2);
        expect(captured.stderr()).toMatch(/^--import-password imports the password only/);
    });
});

describe("npm run adopt when the Barragem secret object is missing", () => {
    test("the password is generated by the first up, and each existing cluster says its password changes with nothing to import", async () => {
        await s3.send(new DeleteObjectCommand({ Bucket: "nu-secrets-co-staging", Key: "barragem_secret_config.json" }));
        try {
            const report = JSON.parse((await runAdopt("--json")).stdout) as AdoptReport;
            expect(rowOf(report, "random:index/randomPassword:RandomPassword", "barragem-secret-master-password")).toMatchObject({ status: "create" });
            expect(rowOf(report, CLUSTER, "staging-s0-barragem-aurora").changes).toContain(
                "masterPassword: the hand-set one → a NEW generated password (there is no s3://nu-secrets-co-staging/barragem_secret_config.json to import it from): " +
                    "Barragem must read the new one from that object, which the first up writes",
            );
        } finally {
            await s3.send(new PutObjectCommand({ Bucket: "nu-secrets-co-staging", Key: "barragem_secret_config.json", Body: JSON.stringify({ "rdb-password": HAND_SET_PASSWORD }) }));
        }
    });
});

describe("npm run adopt when the nodes' security group is missing", () => {
    test("no tcp 5432 rule is taken for the program's: the rule is reported as missing", async () => {
        const nodes = mocks.securityGroups.findIndex((g) => g.id === NODES_SG);
        const [removed] = mocks.securityGroups.splice(nodes, 1);
        try {
            const report = JSON.parse((await runAdopt("--json")).stdout) as AdoptReport;
            const rule = rowOf(report, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "staging-global-barragem-aurora-from-kubernetes-nodes");
            expect(rule.status).toBe("create");
            expect(rule.detail).toMatch(/^no security group .* so no rule from it \(pulumi up fails looking it up/);
        } finally {
            mocks.securityGroups.splice(nodes, 0, removed);
        }
    });
});

describe("npm run adopt when it cannot read", () => {
    test("a role it cannot assume is one clear message and exit 2, before any resource is looked at", async () => {
        mocks.resetHistory();
        const captured = captureIo();
        const code = await adopt(["--stack", STACK, ...FAST], captured.io, sharedRun);
        expect(code).toBe(2);
        // By default adopt reads with the read-only role verify uses in the pipeline, never the deploy role.
        expect(captured.stderr()).toMatch(/cannot read the country account: cannot assume arn:aws:iam::400000000101:role\/data-infra-read-only/);
        expect(captured.stderr()).toMatch(/--country-role/);
        expect(mocks.commandsSent()).toEqual(["AssumeRoleCommand"]);
    });

    test("READ_ONLY_ROLE_NAME names the read-only role, and --country-role overrides it", async () => {
        const named = captureIo({ ...process.env, READ_ONLY_ROLE_NAME: "data-infra-audit" });
        expect(await adopt(["--stack", STACK, ...FAST], named.io, sharedRun)).toBe(2);
        expect(named.stderr()).toMatch(/cannot assume arn:aws:iam::400000000101:role\/data-infra-audit/);
        const given = captureIo();
        expect(await adopt(["--stack", STACK, ...FAST, "--country-role", "arn:aws:iam::400000000101:role/inspector"], given.io, sharedRun)).toBe(2);
        expect(given.stderr()).toMatch(/cannot assume arn:aws:iam::400000000101:role\/inspector/);
    });

    test("access refused on some buckets is one credentials cause for all of them (not a verdict per bucket), and no import file", async () => {
        const denied = ["nu-spark-dataset-series-co-staging", "nu-spark-datomic-logs-co-staging"];
        for (const bucket of denied) mocks.deniedBuckets.add(bucket);
        try {
            const out = path.join(dir, "denied.json");
            const { code, stdout } = await runAdopt("--out", out);
            expect(code).toBe(1);
            expect(fs.existsSync(out)).toBe(false);
            expect(stdout.split(ACCESS_DENIED_CAUSE)).toHaveLength(2);
            expect(stdout).toMatch(/COULD NOT CHECK \(\d+\): access denied: the role adopt reads with/);
            const report = JSON.parse((await runAdopt("--json")).stdout) as AdoptReport;
            for (const bucket of denied) expect(rowOf(report, BUCKET, bucket)).toMatchObject({ status: "error", detail: ACCESS_DENIED_CAUSE });
            expect(rowOf(report, "aws:s3/bucketPolicy:BucketPolicy", `${denied[0]}-policy`)).toMatchObject({ status: "error", detail: ACCESS_DENIED_CAUSE });
        } finally {
            mocks.deniedBuckets.clear();
        }
    });

    test("an endpoint that does not answer is said once, with exit 2", async () => {
        // No stand-ins at all: every API on a closed loopback port.
        mocks.restore();
        try {
            const captured = captureIo({ ...process.env, AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9", AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:9" });
            const code = await adopt(["--stack", STACK, "--credentials", "ambient", "--timeout", "2", "--attempts", "1"], captured.io, sharedRun);
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
