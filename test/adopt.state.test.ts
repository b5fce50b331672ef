// `npm run adopt -- --stack <s> --check-state <export.json>`, the pipeline's guard before each
// `pulumi up`: a planned resource that exists in AWS but not in the stack's state (a hand-built
// country not adopted yet) is refused, since `up` would fail on it half-way or silently take it
// over. Buckets in s3rver and tables in dynalite for real, the Aurora cluster and what neither
// server implements through test/support/adoptWorld.ts, as in test/adopt.test.ts.
import * as fs from "fs";
import * as path from "path";
import { CreateBucketCommand, DeleteBucketCommand } from "@aws-sdk/client-s3";
import { CreateTableCommand, DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import type { AdoptReport, ReportRow } from "../tools/adopt/report";
import type { StateCheckReport } from "../tools/adopt/stateCheck";
import type { AdoptTarget } from "../tools/adopt/targets";
import { loadCountryStack } from "../tools/checks/cli";
import { adopt } from "../tools/adopt";
import { sharedRun } from "./helpers/stacks";
import { AdoptHarness, FAST, runAdopt, startAdoptHarness, targetIn } from "./support/adoptHarness";
import { captureIo } from "./support/testEnv";
import { STACK } from "./support/stackWorld";

jest.setTimeout(120_000);

const stack = loadCountryStack(STACK);
const BUCKET = "aws:s3/bucket:Bucket";
const TABLE = "aws:dynamodb/table:Table";
const CLUSTER = "aws:rds/cluster:Cluster";
const BUCKETS = ["nu-spark-dataset-series-co-staging", "nu-spark-static-co-staging"];
const WRONG_REGION = BUCKETS[1];
const TABLES = ["staging-global-correnteza", "staging-global-conrado"];
const CLUSTER_ID = "staging-s0-barragem-aurora";
const REMEDY = [
    `npm run adopt -- --stack ${STACK} --out import/${STACK}.json`,
    `pulumi import --stack ${STACK} --file import/${STACK}.json --protect --generate-code=false --yes`,
];

let world: AdoptHarness;
const target = (type: string, name: string): AdoptTarget => targetIn(world.targets, type, name);

/** `pulumi stack export` of the stack holding `resources` (the stack itself always; none for a new stack). */
function writeExport(name: string, resources: readonly { urn: string; type: string; id?: string }[] | undefined): string {
    const file = path.join(world.dir, name);
    const root = { urn: `urn:pulumi:${STACK}::data-infra::pulumi:pulumi:Stack::data-infra-${STACK}`, type: "pulumi:pulumi:Stack" };
    const deployment = resources === undefined ? { manifest: { time: "2026-11-30T00:00:00Z" } } : { manifest: { time: "2026-11-30T00:00:00Z" }, resources: [root, ...resources] };
    fs.writeFileSync(file, JSON.stringify({ version: 3, deployment }));
    return file;
}

/** Part of staging-co as the runbook left it: two buckets, two tables, one Aurora cluster. */
async function buildPartOfTheCountry(): Promise<void> {
    // The second bucket is in another region than the program wants: BLOCKED for adopt, and still something `up` must not touch.
    for (const bucket of BUCKETS) {
        await world.s3.send(new CreateBucketCommand({ Bucket: bucket }));
        const region = bucket === WRONG_REGION ? "us-east-1" : target(BUCKET, bucket).region;
        world.mocks.buckets.set(bucket, { region, encryption: "AES256", tags: target(BUCKET, bucket).tags });
    }
    for (const table of TABLES) {
        await world.dynamodb.send(
            new CreateTableCommand({
                TableName: table,
                KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
                AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
                BillingMode: "PAY_PER_REQUEST",
            }),
        );
        world.mocks.tables.set(table, { pitr: true, deletionProtection: true, sse: true });
    }
    const planned = target(CLUSTER, CLUSTER_ID).inputs;
    world.mocks.clusters.set(CLUSTER_ID, {
        DBClusterIdentifier: CLUSTER_ID,
        Engine: "aurora-postgresql",
        EngineMode: "provisioned",
        EngineVersion: String(planned.engineVersion),
        KmsKeyId: String(planned.kmsKeyId),
        DBSubnetGroup: String(planned.dbSubnetGroupName),
        StorageEncrypted: true,
        MasterUsername: "postgres",
        DatabaseName: "postgres",
        Port: 5432,
        BackupRetentionPeriod: 7,
        DeletionProtection: true,
        DBClusterParameterGroup: String(planned.dbClusterParameterGroupName),
        TagList: Object.entries(target(CLUSTER, CLUSTER_ID).tags).map(([Key, Value]) => ({ Key, Value })),
    });
}

async function emptyTheAccount(): Promise<void> {
    for (const bucket of BUCKETS) await world.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    for (const table of TABLES) await world.dynamodb.send(new DeleteTableCommand({ TableName: table }));
    world.mocks.buckets.clear();
    world.mocks.tables.clear();
    world.mocks.clusters.clear();
}

/** The resources adopt finds in AWS, as the state holds them once imported: the engine's URN, the type and the import id. */
async function existingAsImported(): Promise<ReportRow[]> {
    const report = JSON.parse((await runAdopt("--json")).stdout) as AdoptReport;
    return report.rows.filter((r) => ["adopt", "update", "blocked", "import-separately"].includes(r.status));
}

beforeAll(async () => {
    world = await startAdoptHarness();
    // What the program looks up and never creates (preflight checks it is there): even an account
    // with nothing of the country in it has the VPC and the Kubernetes nodes' security group.
    world.mocks.vpcs.push({ id: "vpc-0country", name: stack.vpcName });
    world.mocks.securityGroups.push({ id: "sg-0nodes", name: stack.kubernetesNodesSecurityGroupName, vpcId: "vpc-0country", description: "nodes" });
}, 120_000);

afterAll(async () => {
    await world?.close();
});

describe("npm run adopt --check-state in an account where the runbook built part of the country", () => {
    let existing: ReportRow[];

    beforeAll(async () => {
        await buildPartOfTheCountry();
        existing = await existingAsImported();
    });
    afterAll(emptyTheAccount);

    test("the world holds what the checks judge: the buckets, tables and cluster exist, one bucket blocked", () => {
        expect(target(BUCKET, WRONG_REGION).region).not.toBe("us-east-1");
        expect(existing.find((r) => r.name === WRONG_REGION)?.status).toBe("blocked");
        expect(existing.map((r) => `${r.type} ${r.name}`)).toEqual(expect.arrayContaining([...BUCKETS.map((b) => `${BUCKET} ${b}`), ...TABLES.map((t) => `${TABLE} ${t}`), `${CLUSTER} ${CLUSTER_ID}`]));
    });

    test("with an empty state, every bucket, table and the cluster is refused by name with the adopt-then-import remedy, exit 1", async () => {
        const state = writeExport("empty.json", []);
        const { code, stdout } = await runAdopt("--check-state", state);
        expect(code).toBe(1);
        for (const name of [...BUCKETS, ...TABLES, CLUSTER_ID]) expect(stdout).toMatch(new RegExp(`^  \\w+ ${name}  \\[id ${name}\\]$`, "m"));
        expect(stdout).toMatch(/^EXISTS IN AWS, NOT IN THE STATE \(\d+\): `pulumi up` would fail on these or take them over$/m);
        expect(stdout).toContain(`adopt ${STACK} --check-state ${state}: REFUSED`);
        expect(stdout).toMatch(new RegExp(`Bucket ${WRONG_REGION}  \\[id ${WRONG_REGION}\\]\\n.*\\n      BLOCKED for import: `));
        for (const step of REMEDY) expect(stdout).toContain(step);
        const report = JSON.parse((await runAdopt("--check-state", state, "--json")).stdout) as StateCheckReport;
        expect(report.ok).toBe(false);
        expect(report.unmanaged.map((r) => r.urn).sort()).toEqual(existing.map((r) => r.urn).sort());
        expect(report.remedy).toEqual(REMEDY);
    });

    test("a new stack's export (no resources at all) is an empty state: refused the same way", async () => {
        const { code, stdout } = await runAdopt("--check-state", writeExport("new.json", undefined));
        expect(code).toBe(1);
        expect(stdout).toMatch(new RegExp(`Cluster ${CLUSTER_ID}  \\[id ${CLUSTER_ID}\\]`));
    });

    test("in the deploy job it reads with the deploy roles the job already holds, so no read-only role's trust is needed", async () => {
        // Only the deploy roles can be assumed, as in a first deploy where nobody set up the read-only roles' trust.
        world.mocks.assumable.clear();
        for (const account of ["country", "data"] as const) world.mocks.assumable.set(stack.accounts[account].deployRoleArn, stack.accounts[account].id);
        const captured = captureIo();
        try {
            const code = await adopt(["--stack", STACK, ...FAST, "--check-state", writeExport("deploy-roles.json", [])], captured.io, sharedRun);
            expect(captured.stderr()).not.toMatch(/cannot read|AccessDenied|not authorized/);
            expect(code).toBe(1);
            expect(captured.stdout()).toMatch(new RegExp(`Cluster ${CLUSTER_ID}  \\[id ${CLUSTER_ID}\\]`));
        } finally {
            world.mocks.assumable.clear();
        }
    });

    test("with a state holding them all by URN, nothing is refused, exit 0", async () => {
        // URN and type only: the URN alone is enough (a component, or a resource whose id the export leaves out).
        const { code, stdout } = await runAdopt("--check-state", writeExport("adopted.json", existing.map(({ urn, type }) => ({ urn, type }))));
        expect(stdout).toMatch(/every planned resource that exists in AWS is in the stack's state/);
        expect(code).toBe(0);
    });

    test("a resource the state holds under another URN but with the same type and id counts as managed", async () => {
        const moved = existing.map(({ urn, type, id }) => ({ urn: id ? urn.replace(/::([^:]+)$/, "::imported-$1") : urn, type, id }));
        expect(moved.filter((r, i) => r.urn !== existing[i].urn).length).toBeGreaterThan(0);
        expect((await runAdopt("--check-state", writeExport("moved.json", moved))).code).toBe(0);
    });

    test("with a state holding all but the cluster, only the cluster is refused", async () => {
        const partial = existing.filter((r) => !(r.type === CLUSTER && r.name === CLUSTER_ID)).map(({ urn, type, id }) => ({ urn, type, id }));
        const { code, stdout } = await runAdopt("--check-state", writeExport("partial.json", partial), "--json");
        expect(code).toBe(1);
        expect((JSON.parse(stdout) as StateCheckReport).unmanaged.map((r) => `${r.type} ${r.name}`)).toEqual([`${CLUSTER} ${CLUSTER_ID}`]);
    });

    test("a stack that `pulumi stack init` made and no up saved (`\"deployment\": null`, as the S3 backend exports it) is an empty state: refused the same way", async () => {
        const file = path.join(world.dir, "initialised.json");
        fs.writeFileSync(file, JSON.stringify({ version: 3, deployment: null }));
        const { code, stdout } = await runAdopt("--check-state", file);
        expect(code).toBe(1);
        expect(stdout).toMatch(new RegExp(`Cluster ${CLUSTER_ID}  \\[id ${CLUSTER_ID}\\]`));
    });

    test("a look that fails on a resource the state already holds blocks nothing: it is the stack's own", async () => {
        world.mocks.deniedBuckets.add(BUCKETS[0]);
        try {
            // A deployed stack's state: every planned resource, the denied bucket's own ones included.
            const everything = (JSON.parse((await runAdopt("--json")).stdout) as AdoptReport).rows.map(({ urn, type, id }) => ({ urn, type, id }));
            const { code, stdout } = await runAdopt("--check-state", writeExport("adopted-denied.json", everything), "--json");
            expect((JSON.parse(stdout) as StateCheckReport).couldNotCheck).toEqual([]);
            expect(code).toBe(0);
        } finally {
            world.mocks.deniedBuckets.clear();
        }
    });

    test("a look that fails refuses too: what could not be checked may exist", async () => {
        world.mocks.deniedBuckets.add(BUCKETS[0]);
        try {
            // The denied bucket is not in the state: it may be there to be taken over.
            const { code, stdout } = await runAdopt("--check-state", writeExport("all-but-denied.json", existing.filter((r) => r.name !== BUCKETS[0]).map(({ urn, type, id }) => ({ urn, type, id }))));
            expect(code).toBe(1);
            expect(stdout).toMatch(new RegExp(`^COULD NOT CHECK \\(\\d+\\): they may exist[^\\n]*\\n(  .*\\n)*  Bucket ${BUCKETS[0]}: access denied`, "m"));
        } finally {
            world.mocks.deniedBuckets.clear();
        }
    });
});

describe("npm run adopt --check-state in an empty account", () => {
    test("with an empty state, nothing exists to take over: exit 0", async () => {
        const { code, stdout } = await runAdopt("--check-state", writeExport("fresh.json", []));
        expect(stdout).not.toMatch(/EXISTS IN AWS/);
        expect(code).toBe(0);
    });
});

describe("npm run adopt --check-state with a file that is not a state export", () => {
    test.each([
        ["not JSON", "pulumi: error: no stack named 'staging-co' found\n", /not JSON/],
        ["a JSON list", "[]", /not a stack export \(not a JSON object\)/],
        ["JSON without a deployment", JSON.stringify({ version: 3 }), /not a stack export \(no `deployment`\)/],
        ["a deployment that is a list", JSON.stringify({ version: 3, deployment: [] }), /not a stack export \(`deployment` is not an object\)/],
        ["resources that are not a list", JSON.stringify({ version: 3, deployment: { resources: {} } }), /not a stack export \(`deployment.resources` is not a list\)/],
        ["a resource without a URN", JSON.stringify({ version: 3, deployment: { resources: [{ type: "pulumi:pulumi:Stack" }] } }), /deployment\.resources\[0\] has no string `urn`/],
        [
            "another stack's export",
            JSON.stringify({ version: 3, deployment: { resources: [{ urn: "urn:pulumi:prod-co::data-infra::pulumi:pulumi:Stack::data-infra-prod-co", type: "pulumi:pulumi:Stack" }] } }),
            /holds stack "prod-co"'s resources .*, not staging-co's/,
        ],
    ])("%s: a clear error naming the file, exit 2, nothing looked at", async (_, text, why) => {
        const file = path.join(world.dir, "bad.json");
        fs.writeFileSync(file, text);
        world.mocks.resetHistory();
        const { code, stdout, stderr } = await runAdopt("--check-state", file);
        expect(code).toBe(2);
        expect(stderr).toContain(`--check-state ${file}: `);
        expect(stderr).toMatch(why);
        expect(stdout).toBe("");
        expect(world.mocks.commandsSent()).toEqual([]);
    });

    test("a missing file says how to make it", async () => {
        const file = path.join(world.dir, "absent.json");
        const { code, stderr } = await runAdopt("--check-state", file);
        expect(code).toBe(2);
        expect(stderr).toMatch(new RegExp(`--check-state ${file}: cannot read it .*pulumi stack export --stack ${STACK} > ${file}`));
    });

    test("--check-state with --out is refused: the check writes nothing", async () => {
        const { code, stderr } = await runAdopt("--check-state", writeExport("x.json", []), "--out", path.join(world.dir, "import.json"));
        expect(code).toBe(2);
        expect(stderr).toMatch(/--check-state only checks the stack's state against AWS: run it without --out and --import-password/);
    });
});
