// `npm run preflight` against s3rver (the keysets and secrets buckets, for real) with
// aws-sdk-client-mock standing in for EC2 and STS, which have no local server.
import { DeleteBucketCommand, DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { barragemSecret, keysetsBucket } from "../stacks/naming";
import { loadCountryStack } from "../tools/checks/cli";
import type { Report } from "../tools/checks/report";
import type { CheckResult } from "../tools/checks/runner";
import { preflight } from "../tools/preflight";
import { AwsMocks } from "./support/awsMocks";
import { LocalServer, startS3Server } from "./support/awsServers";
import { adminS3, ensureBucket, STACK } from "./support/stackWorld";
import { captureIo, useTestEnvironment } from "./support/testEnv";

jest.setTimeout(60_000);

const stack = loadCountryStack(STACK);
const KEYSETS = keysetsBucket(stack.country, stack.env);
const SECRETS = barragemSecret.bucket(stack.country, stack.env);
const VPC_ID = "vpc-0standin";

let s3Server: LocalServer;
let s3: S3Client;
let mocks: AwsMocks;
let restoreEnv: () => void = () => undefined;

beforeAll(async () => {
    s3Server = await startS3Server();
    restoreEnv = useTestEnvironment({ AWS_ENDPOINT_URL_S3: s3Server.endpoint });
    mocks = new AwsMocks();
    mocks.install();
    s3 = adminS3(s3Server.endpoint);
}, 60_000);

afterAll(async () => {
    restoreEnv();
    mocks?.restore();
    s3?.destroy();
    await s3Server?.close();
});

/** What a country account ready for `pulumi up` has. */
beforeEach(async () => {
    await ensureBucket(s3, KEYSETS);
    await s3.send(new PutObjectCommand({ Bucket: KEYSETS, Key: "pub/auth/sign-pem/2020-06-05T14:39:10.187-skXzvxxdl_wAAAFyhOvfbQ", Body: "-----BEGIN PUBLIC KEY-----" }));
    await ensureBucket(s3, SECRETS);
    mocks.vpcs.splice(0, mocks.vpcs.length, { id: VPC_ID, name: stack.vpcName });
    mocks.securityGroups.splice(0, mocks.securityGroups.length, { id: "sg-0nodes", name: stack.kubernetesNodesSecurityGroupName, vpcId: VPC_ID });
    mocks.roles.clear();
    mocks.assumed.length = 0;
    for (const account of ["country", "data"] as const) mocks.roles.set(stack.accounts[account].deployRoleArn, { accountId: stack.accounts[account].id });
});

async function emptyBucket(bucket: string): Promise<void> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    for (const object of listed.Contents ?? []) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key! }));
}

const FAST = ["--timeout", "3", "--attempts", "2", "--backoff", "0.05"];

async function runPreflight(...extra: string[]) {
    const captured = captureIo();
    const code = await preflight(["--stack", STACK, ...FAST, ...extra], captured.io);
    return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

async function runPreflightJson(...extra: string[]) {
    const run = await runPreflight("--json", ...extra);
    return { ...run, report: JSON.parse(run.stdout) as Report };
}

function row(report: Report, check: string): CheckResult {
    const found = report.results.filter((r) => r.check === check);
    if (found.length !== 1) throw new Error(`expected one ${check} row, found ${found.length}`);
    return found[0];
}

function failed(report: Report): string[] {
    return report.results.filter((r) => !r.ok).map((r) => `${r.check} ${r.target}`);
}

test("everything pulumi up needs is there: every row passes and the exit code is 0", async () => {
    const { code, report } = await runPreflightJson();

    expect(failed(report)).toEqual([]);
    expect(code).toBe(0);
    expect(report.results.map((r) => `${r.check} ${r.target}`)).toEqual([
        `deploy-role ${stack.accounts.country.deployRoleArn}`,
        `deploy-role ${stack.accounts.data.deployRoleArn}`,
        `keysets s3://${KEYSETS}/pub/auth/sign-pem/`,
        `secrets-bucket ${SECRETS}`,
        `vpc ${stack.vpcName}`,
        `nodes-sg ${stack.kubernetesNodesSecurityGroupName}`,
    ]);
    expect(row(report, "keysets").detail).toBe("1 signing key under pub/auth/sign-pem/");
    expect(row(report, "nodes-sg").detail).toBe(`found sg-0nodes in ${VPC_ID}`);
});

test("missing keysets fail with the keysets bucket and the runbook's remedy", async () => {
    await emptyBucket(KEYSETS);

    const { code, stdout } = await runPreflight();
    const { report } = await runPreflightJson();

    expect(code).toBe(1);
    expect(failed(report)).toEqual([`keysets s3://${KEYSETS}/pub/auth/sign-pem/`]);
    expect(row(report, "keysets").detail).toBe(`no signing keys under s3://${KEYSETS}/pub/auth/sign-pem/`);
    const remedy = "aws s3 cp --profile sec-staging --recursive /tmp/keysets/staging/pub/auth/sign-pem/ s3://nu-keysets-master-staging/all/pub/auth/sign-pem/";
    expect(row(report, "keysets").remedy).toContain("ask the Foundation tribe to copy the country's security keysets");
    expect(row(report, "keysets").remedy).toContain(remedy);
    // The table names the remedy under "What to do".
    expect(stdout).toContain(`What to do:\n  - keysets s3://${KEYSETS}/pub/auth/sign-pem/: ask the Foundation tribe`);
});

test("keys outside pub/auth/sign-pem/ do not count as the signing keysets", async () => {
    await emptyBucket(KEYSETS);
    await s3.send(new PutObjectCommand({ Bucket: KEYSETS, Key: "pub/other/key", Body: "x" }));

    const { code, report } = await runPreflightJson();

    expect(code).toBe(1);
    expect(row(report, "keysets").ok).toBe(false);
});

test("a missing keysets bucket fails the keysets row naming the bucket", async () => {
    await emptyBucket(KEYSETS);
    await s3.send(new DeleteBucketCommand({ Bucket: KEYSETS }));

    const { code, report } = await runPreflightJson();

    expect(code).toBe(1);
    expect(row(report, "keysets")).toMatchObject({ ok: false, detail: `keysets bucket ${KEYSETS} does not exist` });
});

test("a missing secrets bucket fails with what the program needs it for", async () => {
    await s3.send(new DeleteBucketCommand({ Bucket: SECRETS }));

    const { code, report } = await runPreflightJson();

    expect(code).toBe(1);
    expect(failed(report)).toEqual([`secrets-bucket ${SECRETS}`]);
    expect(row(report, "secrets-bucket").detail).toBe("secrets bucket does not exist");
    expect(row(report, "secrets-bucket").remedy).toContain(`the program does not create ${SECRETS}, it only writes barragem_secret_config.json`);
});

test("a missing VPC fails the VPC row and the security group row, with the runbook's <env>-<color>-vpc", async () => {
    mocks.vpcs.length = 0;

    const { code, report } = await runPreflightJson();

    expect(code).toBe(1);
    expect(failed(report)).toEqual([`vpc ${stack.vpcName}`, `nodes-sg ${stack.kubernetesNodesSecurityGroupName}`]);
    expect(row(report, "vpc").detail).toBe(`no VPC named ${stack.vpcName}`);
    expect(row(report, "vpc").remedy).toContain('"<env>-<color>-vpc"');
    expect(row(report, "nodes-sg").detail).toBe(`cannot look for it: no VPC named ${stack.vpcName}`);
});

test("two VPCs with the runbook's name are refused as ambiguous", async () => {
    mocks.vpcs.push({ id: "vpc-0other", name: stack.vpcName });

    const { report } = await runPreflightJson();

    expect(row(report, "vpc")).toMatchObject({ ok: false, detail: `2 VPCs are named ${stack.vpcName} (${VPC_ID}, vpc-0other); the program needs exactly one` });
});

test("a missing nodes security group names the config key to set", async () => {
    mocks.securityGroups.length = 0;

    const { code, report } = await runPreflightJson();

    expect(code).toBe(1);
    expect(failed(report)).toEqual([`nodes-sg ${stack.kubernetesNodesSecurityGroupName}`]);
    expect(row(report, "nodes-sg").detail).toBe(`no security group named ${stack.kubernetesNodesSecurityGroupName} in ${VPC_ID}`);
    expect(row(report, "nodes-sg").remedy).toContain("data-infra:kubernetesNodesSecurityGroupName");
});

test("a deploy role that cannot be assumed fails its row with the ARN and the config key", async () => {
    mocks.roles.delete(stack.accounts.data.deployRoleArn);

    const { code, report } = await runPreflightJson();

    expect(code).toBe(1);
    const dataRole = report.results.find((r) => r.target === stack.accounts.data.deployRoleArn)!;
    expect(dataRole.ok).toBe(false);
    expect(dataRole.detail).toContain(`cannot assume ${stack.accounts.data.deployRoleArn}: AccessDenied`);
    expect(dataRole.remedy).toContain("data-infra:dataDeployRoleArn");
    // Everything in the country account is checked with the country role, which works.
    expect(failed(report)).toEqual([`deploy-role ${stack.accounts.data.deployRoleArn}`]);
});

test("a deploy role that lands in another account is refused, as the program's providers would", async () => {
    mocks.roles.set(stack.accounts.country.deployRoleArn, { accountId: "999999999999" });

    const { report } = await runPreflightJson("--skip", "keysets,secrets-bucket,vpc,nodes-sg");

    const countryRole = report.results.find((r) => r.target === stack.accounts.country.deployRoleArn)!;
    expect(countryRole).toMatchObject({ ok: false, detail: `${stack.accounts.country.deployRoleArn} resolved to account 999999999999, but the stack's country account is ${stack.accounts.country.id}` });
});

test("with --country-role the deploy-role rows still check the deploy roles, and the rest uses the given role", async () => {
    const readRole = `arn:aws:iam::${stack.accounts.country.id}:role/data-infra-read`;
    mocks.roles.set(readRole, { accountId: stack.accounts.country.id });

    const { code } = await runPreflightJson("--country-role", readRole);

    expect(code).toBe(0);
    expect(new Set(mocks.assumed)).toEqual(new Set([stack.accounts.country.deployRoleArn, stack.accounts.data.deployRoleArn, readRole]));
});

test("an unknown stack exits 2 and lists the stacks there are", async () => {
    const captured = captureIo();

    const code = await preflight(["--stack", "staging-zz"], captured.io);

    expect(code).toBe(2);
    expect(captured.stderr()).toContain('No stack file Pulumi.staging-zz.yaml for stack "staging-zz"; stacks here:');
});
