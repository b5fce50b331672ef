// `npm run preflight` against s3rver (the keysets and secrets buckets, for real) with
// aws-sdk-client-mock standing in for EC2, EKS, Route 53, RDS and STS, which have no local server.
import { Route53Client } from "@aws-sdk/client-route-53";
import { DeleteBucketCommand, DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CountryStack, parseCountryStack } from "../stacks/config";
import { aurora, barragemSecret, keysetsBucket, oidcProviderArn } from "../stacks/naming";
import { MAJOR_UPGRADE_DOC } from "../tools/checks/auroraChecks";
import { AwsAccess } from "../tools/checks/awsAccess";
import { Causes } from "../tools/checks/causes";
import { loadCountryStack } from "../tools/checks/cli";
import { checkDnsZone } from "../tools/checks/dnsChecks";
import { preflightChecks } from "../tools/checks/preflightPlan";
import { DEFAULT_LIMITS } from "../tools/checks/runner";
import { listStacks, runProgram } from "../tools/mockRuntime";
import { configFrom, stackRun } from "./helpers/stacks";
import type { Report } from "../tools/checks/report";
import type { CheckResult } from "../tools/checks/runner";
import { preflight } from "../tools/preflight";
import { AwsMocks, eksIssuer, StandInZone } from "./support/awsMocks";
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
    mocks.eksClusters.clear();
    mocks.oidcProviders.clear();
    mocks.eksAuthModes.clear();
    mocks.eksAccessEntries.clear();
    mocks.hostedZones.length = 0;
    mocks.clusters.clear();
    // Every stack's accounts, EKS clusters and zone: the tests below run each stack file.
    for (const name of listStacks()) {
        const s = loadCountryStack(name);
        for (const account of ["country", "data"] as const) mocks.roles.set(s.accounts[account].deployRoleArn, { accountId: s.accounts[account].id });
        for (const prototype of s.prototypes) {
            mocks.eksClusters.set(s.kubernetes[prototype].eksClusterName, "ACTIVE");
            mocks.oidcProviders.add(oidcProviderArn(s.accounts.country.id, eksIssuer(s.kubernetes[prototype].eksClusterName)));
            // The deploy role administers the cluster, the preview role reads it (pull-request previews).
            mocks.eksAccessEntries.set(`${s.kubernetes[prototype].eksClusterName} ${s.accounts.country.deployRoleArn}`, { groups: [], policies: ["AmazonEKSClusterAdminPolicy"] });
            mocks.eksAccessEntries.set(`${s.kubernetes[prototype].eksClusterName} ${s.accounts.country.previewRoleArn}`, { groups: [], policies: ["AmazonEKSViewPolicy"] });
        }
        if (!mocks.vpcs.some((v) => v.name === s.vpcName)) mocks.vpcs.push({ id: VPC_ID, name: s.vpcName });
        const zone = zoneOf(s);
        if (!mocks.hostedZones.some((z) => z.name === zone.name && z.private === zone.private)) mocks.hostedZones.push(zone);
    }
});

/** The stack's hosted zone as the program wants it, with an id made of its name and visibility unless the config names one. */
function zoneOf(s: CountryStack, overrides: Partial<StandInZone> = {}): StandInZone {
    const madeUp = `Z0${s.dnsZone.name.replace(/\W/g, "").toUpperCase()}${s.dnsZone.private ? "PRIVATE" : "PUBLIC"}`;
    // A private zone is associated with the stack's VPC, as the runbook's zones are.
    return { id: s.dnsZone.id ?? madeUp, name: `${s.dnsZone.name}.`, private: s.dnsZone.private, ...(s.dnsZone.private ? { vpcs: [{ id: VPC_ID, region: s.region }] } : {}), ...overrides };
}

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
        ...stack.prototypes.map((p) => `eks-cluster ${stack.kubernetes[p].eksClusterName}`),
        ...stack.prototypes.flatMap((p) => ["data-infra-deploy", "data-infra-preview"].map((role) => `eks-access ${stack.kubernetes[p].eksClusterName} ${role}`)),
        `dns-zone ${stack.dnsZone.name}`,
        ...stack.prototypes.map((p) => `aurora-major ${aurora.clusterId(stack.env, p)}`),
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

    const { report } = await runPreflightJson("--skip", "keysets,secrets-bucket,vpc,nodes-sg,eks-cluster,eks-access,dns-zone,aurora-major");

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

/** Only the rows of the EKS clusters, the zone and the Aurora majors (the others need s3rver's buckets of STACK). */
const LOOKUPS_ONLY = ["--skip", "keysets,secrets-bucket,vpc,nodes-sg"];

async function runStackJson(name: string, ...extra: string[]) {
    const captured = captureIo();
    const code = await preflight(["--stack", name, ...FAST, "--json", ...LOOKUPS_ONLY, ...extra], captured.io);
    return { code, report: JSON.parse(captured.stdout()) as Report };
}

function rowFor(report: Report, check: string, target: string): CheckResult {
    const found = report.results.find((r) => r.check === check && r.target === target);
    if (!found) throw new Error(`no ${check} ${target} row in ${report.results.map((r) => `${r.check} ${r.target}`).join(", ")}`);
    return found;
}

describe.each(listStacks())("%s: what the program looks up before it creates anything", (name) => {
    const s = loadCountryStack(name);
    const [first] = s.prototypes;
    const firstEks = s.kubernetes[first].eksClusterName;
    const firstAurora = aurora.clusterId(s.env, first);
    const zoneName = `${s.dnsZone.name}.`;
    const where = `in account ${s.accounts.country.id}, ${s.region}`;
    /** A cluster's access rows (deploy and preview role), skipped for it when the cluster row fails. */
    const accessRowsOf = (cluster: string) => ["data-infra-deploy", "data-infra-preview"].map((role) => `eks-access ${cluster} ${role}`);

    test("preflight checks exactly the EKS clusters, the hosted zone and the Aurora clusters the program looks up", async () => {
        const run = await stackRun(name);
        const targets = (check: string) => preflightTargets(s, check);
        expect(targets("eks-cluster")).toEqual(run.invokes.filter((i) => i.token === "aws:eks/getCluster:getCluster").map((i) => i.inputs.name));
        const [zoneLookup] = run.invokes.filter((i) => i.token === "aws:route53/getZone:getZone");
        expect({ name: zoneLookup.inputs.name, private: zoneLookup.inputs.privateZone }).toEqual({ name: s.dnsZone.name, private: s.dnsZone.private });
        expect(targets("dns-zone")).toEqual([s.dnsZone.name]);
        const clusters = run.resources.filter((r) => r.type === "aws:rds/cluster:Cluster");
        expect(targets("aurora-major")).toEqual(clusters.map((c) => c.inputs.clusterIdentifier));
        expect(clusters.map((c) => Number(String(c.inputs.engineVersion).split(".")[0]))).toEqual(clusters.map(() => s.aurora.major));
    });

    test("a prototype with its own kubeconfig context and OIDC provider ARN needs no EKS lookup, so no eks-cluster row", async () => {
        const oidc = `arn:aws:iam::${s.accounts.country.id}:oidc-provider/oidc.eks.${s.region}.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF`;
        const config = configFrom(name, { "data-infra:kubernetesClusters": JSON.stringify({ [first]: { context: "kind-local", oidcProviderArn: oidc } }) });
        const run = await runProgram({ stack: name, config });
        const looked = run.invokes.filter((i) => i.token === "aws:eks/getCluster:getCluster").map((i) => i.inputs.name);
        expect(looked).not.toContain(firstEks);
        expect(preflightTargets(parseCountryStack(name, config), "eks-cluster")).toEqual(looked);
    });

    test("every EKS cluster ACTIVE, the zone found once, no Aurora cluster yet: every row passes and the exit code is 0", async () => {
        const { code, report } = await runStackJson(name);

        expect(failed(report)).toEqual([]);
        expect(code).toBe(0);
        expect(rowFor(report, "eks-cluster", firstEks).detail).toBe(`ACTIVE ${where}, with its IAM OIDC provider`);
        expect(rowFor(report, "dns-zone", s.dnsZone.name).detail).toBe(
            s.dnsZone.private ? `private zone ${zoneOf(s).id}, associated with ${s.vpcName} (${VPC_ID})` : `public zone ${zoneOf(s).id}`,
        );
        expect(rowFor(report, "aurora-major", firstAurora).detail).toBe(`no cluster yet: will be created at ${s.aurora.engineVersion}`);
    });

    test("a missing EKS cluster fails naming it, the account and the region, and the config key for another name", async () => {
        mocks.eksClusters.delete(firstEks);

        const { code, report } = await runStackJson(name);

        expect(code).toBe(1);
        expect(failed(report)).toEqual([`eks-cluster ${firstEks}`, ...accessRowsOf(firstEks)]);
        for (const access of accessRowsOf(firstEks)) expect(report.results.find((r) => `${r.check} ${r.target}` === access)?.skippedFor).toBe(`eks-cluster ${firstEks}`);
        expect(rowFor(report, "eks-cluster", firstEks).detail).toBe(`no EKS cluster ${firstEks} ${where}`);
        expect(rowFor(report, "eks-cluster", firstEks).remedy).toContain(`data-infra:kubernetesClusters.${first}.eksClusterName`);
    });

    test("an EKS cluster still CREATING fails with its status, after a retry", async () => {
        mocks.eksClusters.set(firstEks, "CREATING");

        const { code, report } = await runStackJson(name);

        expect(code).toBe(1);
        expect(rowFor(report, "eks-cluster", firstEks)).toMatchObject({
            ok: false,
            detail: "status is CREATING: no API endpoint, certificate authority or OIDC issuer yet (after 2 attempts)",
            attempts: 2,
        });
    });

    test("an EKS cluster UPDATING (a version upgrade) serves its API all along: it passes, saying so", async () => {
        mocks.eksClusters.set(firstEks, "UPDATING");

        const { code, report } = await runStackJson(name);

        expect(code).toBe(0);
        expect(rowFor(report, "eks-cluster", firstEks)).toMatchObject({ ok: true, detail: `UPDATING ${where}, with its IAM OIDC provider` });
    });

    test("a FAILED EKS cluster fails at once, for infra-ops to repair", async () => {
        mocks.eksClusters.set(firstEks, "FAILED");

        const { code, report } = await runStackJson(name);

        expect(code).toBe(1);
        expect(rowFor(report, "eks-cluster", firstEks)).toMatchObject({ ok: false, detail: "status is FAILED", attempts: 1 });
    });

    test("every cluster gives the deploy role an access policy to deploy with and the preview role one to read with", async () => {
        const { code, report } = await runStackJson(name);

        expect(code).toBe(0);
        const [deploy, preview] = accessRowsOf(firstEks).map((t) => rowFor(report, "eks-access", t.slice("eks-access ".length)));
        expect(deploy).toMatchObject({ ok: true, detail: "access entry with AmazonEKSClusterAdminPolicy" });
        expect(preview).toMatchObject({ ok: true, detail: "access entry with AmazonEKSViewPolicy" });
    });

    test("a deploy role without an access entry on a cluster that authenticates with access entries fails, with the commands that give it one", async () => {
        mocks.eksAccessEntries.delete(`${firstEks} ${s.accounts.country.deployRoleArn}`);

        const { code, report } = await runStackJson(name);

        expect(code).toBe(1);
        expect(failed(report)).toEqual([`eks-access ${firstEks} data-infra-deploy`]);
        const row = rowFor(report, "eks-access", `${firstEks} data-infra-deploy`);
        expect(row.detail).toBe(`no access entry for ${s.accounts.country.deployRoleArn} (authentication mode API): its kubeconfig would be refused`);
        expect(row.remedy).toContain(`aws eks create-access-entry --cluster-name ${firstEks} --principal-arn ${s.accounts.country.deployRoleArn}`);
        expect(row.remedy).toContain("cluster-access-policy/AmazonEKSClusterAdminPolicy");
    });

    test("an access entry with no access policy and no Kubernetes group fails: it authenticates and may do nothing", async () => {
        mocks.eksAccessEntries.set(`${firstEks} ${s.accounts.country.previewRoleArn}`, { groups: [], policies: [] });

        const { code, report } = await runStackJson(name);

        expect(code).toBe(1);
        const row = rowFor(report, "eks-access", `${firstEks} data-infra-preview`);
        expect(row.detail).toBe(`access entry for ${s.accounts.country.previewRoleArn} with no access policy and no Kubernetes group: it authenticates and may do nothing`);
        expect(row.remedy).toContain("cluster-access-policy/AmazonEKSViewPolicy");
    });

    test("a deploy role that may only edit, or administer a namespace, fails: pulumi up creates namespaces, which takes cluster admin", async () => {
        mocks.eksAccessEntries.set(`${firstEks} ${s.accounts.country.deployRoleArn}`, { groups: [], policies: ["AmazonEKSEditPolicy"] });
        const edit = rowFor((await runStackJson(name)).report, "eks-access", `${firstEks} data-infra-deploy`);
        expect(edit).toMatchObject({ ok: false, detail: "access entry with AmazonEKSEditPolicy only: pulumi up creates namespaces, cluster-wide, which takes AmazonEKSClusterAdminPolicy at cluster scope" });
        expect(edit.remedy).toContain("--policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy --access-scope type=cluster");

        mocks.eksAccessEntries.set(`${firstEks} ${s.accounts.country.deployRoleArn}`, { groups: [], policies: ["AmazonEKSClusterAdminPolicy"], namespaces: ["data-infra"] });
        expect(rowFor((await runStackJson(name)).report, "eks-access", `${firstEks} data-infra-deploy`)).toMatchObject({
            ok: false,
            detail: "access entry with AmazonEKSClusterAdminPolicy (namespaces data-infra) only: pulumi up creates namespaces, cluster-wide, which takes AmazonEKSClusterAdminPolicy at cluster scope",
        });
    });

    test("a deploy role given a Kubernetes group passes, saying its RBAC is not checked", async () => {
        mocks.eksAccessEntries.set(`${firstEks} ${s.accounts.country.deployRoleArn}`, { groups: ["data-infra-deployers"], policies: [] });
        expect(rowFor((await runStackJson(name)).report, "eks-access", `${firstEks} data-infra-deploy`)).toMatchObject({
            ok: true,
            detail: "access entry with group data-infra-deployers: what the group's RBAC allows is not checked (it needs the Kubernetes API); pulumi up creates namespaces",
        });
    });

    test("a cluster that maps roles in the aws-auth ConfigMap is said to be not checked, not failed (that needs the Kubernetes API)", async () => {
        mocks.eksAuthModes.set(firstEks, "CONFIG_MAP");
        mocks.eksAccessEntries.clear();

        const { report } = await runStackJson(name);

        expect(rowFor(report, "eks-access", `${firstEks} data-infra-deploy`)).toMatchObject({ ok: true, detail: expect.stringContaining("aws-auth ConfigMap is not checked") });
    });

    test("a cluster without the IAM OIDC provider of its issuer fails, naming the provider's ARN and how to create it", async () => {
        const arn = oidcProviderArn(s.accounts.country.id, eksIssuer(firstEks));
        mocks.oidcProviders.delete(arn);

        const { code, report } = await runStackJson(name);

        expect(code).toBe(1);
        expect(failed(report)).toEqual([`eks-cluster ${firstEks}`, ...accessRowsOf(firstEks)]);
        for (const access of accessRowsOf(firstEks)) expect(report.results.find((r) => `${r.check} ${r.target}` === access)?.skippedFor).toBe(`eks-cluster ${firstEks}`);
        const row = rowFor(report, "eks-cluster", firstEks);
        expect(row.detail).toBe(`status is ACTIVE, but the IAM OIDC provider of its issuer does not exist: ${arn}`);
        expect(row.remedy).toContain(`eksctl utils associate-iam-oidc-provider --cluster ${firstEks}`);
    });

    test("no hosted zone of that name fails, saying the program does not create it", async () => {
        mocks.hostedZones.length = 0;

        const { code, report } = await runStackJson(name);

        expect(code).toBe(1);
        expect(failed(report)).toEqual([`dns-zone ${s.dnsZone.name}`]);
        const zone = rowFor(report, "dns-zone", s.dnsZone.name);
        expect(zone.detail).toBe(`no ${s.dnsZone.private ? "private" : "public"} hosted zone named ${zoneName} in the country account`);
        expect(zone.remedy).toContain("the program does not create the zone");
    });

    test("two zones of that name and visibility are ambiguous: both ids and the dnsZone.id key are named", async () => {
        mocks.hostedZones.push(zoneOf(s, { id: "Z0SECONDVPC" }));

        const { code, report } = await runStackJson(name);

        expect(code).toBe(1);
        const zone = rowFor(report, "dns-zone", s.dnsZone.name);
        expect(zone.detail).toBe(`2 ${s.dnsZone.private ? "private" : "public"} zones are named ${zoneName} (${zoneOf(s).id}, Z0SECONDVPC); the program's lookup needs exactly one`);
        expect(zone.remedy).toContain("data-infra:dnsZone.id");
    });

    test("a zone of the other visibility only (a public zone where the config says private) fails", async () => {
        mocks.hostedZones.splice(0, mocks.hostedZones.length, zoneOf(s, { id: "Z0OTHERKIND", private: !s.dnsZone.private }));

        const { code, report } = await runStackJson(name);

        expect(code).toBe(1);
        const zone = rowFor(report, "dns-zone", s.dnsZone.name);
        const [wanted, other] = s.dnsZone.private ? ["private", "public"] : ["public", "private"];
        expect(zone.detail).toBe(`no ${wanted} hosted zone named ${zoneName} in the country account; only a ${other} one (Z0OTHERKIND)`);
        expect(zone.remedy).toContain("data-infra:dnsZone.private");
    });

    test("an existing Aurora cluster of another major fails naming both versions and the major-upgrade procedure", async () => {
        const older = `${s.aurora.major - 1}.12`;
        mocks.clusters.set(firstAurora, { status: "available", endpoint: "x", engineVersion: older });

        const { code, report } = await runStackJson(name);

        expect(code).toBe(1);
        expect(failed(report)).toEqual([`aurora-major ${firstAurora}`]);
        const row = rowFor(report, "aurora-major", firstAurora);
        expect(row.detail).toBe(`exists at ${older} (major ${s.aurora.major - 1}), but data-infra:auroraEngineVersion is ${s.aurora.engineVersion} (major ${s.aurora.major})`);
        expect(row.remedy).toContain(`upgrade every prototype's cluster to major ${s.aurora.major} first (${MAJOR_UPGRADE_DOC}, step 1)`);
    });

    test("an existing Aurora cluster newer than the config fails with the version to set", async () => {
        const newer = `${s.aurora.major + 1}.4`;
        mocks.clusters.set(firstAurora, { status: "available", endpoint: "x", engineVersion: newer });

        const { report } = await runStackJson(name);

        expect(rowFor(report, "aurora-major", firstAurora)).toMatchObject({ ok: false, remedy: expect.stringContaining(`set data-infra:auroraEngineVersion to ${newer}`) });
    });

    test("an existing Aurora cluster on the same major and another minor passes (AWS owns minors), saying it must be adopted unless the stack holds it", async () => {
        mocks.clusters.set(firstAurora, { status: "available", endpoint: "x", engineVersion: `${s.aurora.major}.99` });

        const { code, report } = await runStackJson(name);

        expect(code).toBe(0);
        const detail = rowFor(report, "aurora-major", firstAurora).detail;
        expect(detail).toMatch(new RegExp(`^exists at ${s.aurora.major}\\.99, major ${s.aurora.major} as configured \\(${s.aurora.engineVersion.replace(".", "\\.")}\\); `));
        expect(detail).toContain("adopt it first (npm run adopt, docs/adopt.md), or the first pulumi up fails creating it");
    });

    test("an engine version with no readable major fails, quoting it, rather than being called newer", async () => {
        mocks.clusters.set(firstAurora, { status: "available", endpoint: "x", engineVersion: "aurora-next" });

        const { code, report } = await runStackJson(name);

        expect(code).toBe(1);
        expect(rowFor(report, "aurora-major", firstAurora).detail).toBe(`cannot tell the major version of ${firstAurora} from its engine version "aurora-next"`);
    });

    describe("with data-infra:dnsZone.id (used as given by the program)", () => {
        const route53 = () => new Route53Client({ region: "us-east-1" });
        const withId = (id: string) => ({ ...s.dnsZone, id });

        test("the zone with that id and name, of the configured visibility, passes", async () => {
            mocks.hostedZones.push(zoneOf(s, { id: "Z0GIVEN" }));
            expect(await checkDnsZone(route53(), withId("Z0GIVEN"), AbortSignal.timeout(5_000))).toMatchObject({ ok: true });
        });

        test("an id whose zone has another name fails naming both", async () => {
            mocks.hostedZones.push({ id: "Z0ELSEWHERE", name: "example.org.", private: s.dnsZone.private });
            expect(await checkDnsZone(route53(), withId("Z0ELSEWHERE"), AbortSignal.timeout(5_000))).toMatchObject({
                ok: false,
                detail: `hosted zone Z0ELSEWHERE is example.org., not ${zoneName}`,
            });
        });

        test("an id of a zone of the other visibility fails: a public zone would publish the internal names", async () => {
            mocks.hostedZones.push(zoneOf(s, { id: "Z0OTHERKIND", private: !s.dnsZone.private }));
            const verdict = await checkDnsZone(route53(), withId("Z0OTHERKIND"), AbortSignal.timeout(5_000));
            expect(verdict).toMatchObject({ ok: false, detail: `hosted zone Z0OTHERKIND (${zoneName}) is ${s.dnsZone.private ? "public" : "private"}, but data-infra:dnsZone.private is ${s.dnsZone.private}` });
        });

        test("an id of no zone fails", async () => {
            expect(await checkDnsZone(route53(), withId("Z0NOWHERE"), AbortSignal.timeout(5_000))).toMatchObject({ ok: false, detail: "no hosted zone Z0NOWHERE in the country account" });
        });
    });
});

// A public zone has no VPC to be with: the stacks whose zone is private (the default).
describe.each(listStacks().filter((n) => loadCountryStack(n).dnsZone.private))("%s: its private zone and its VPC", (name) => {
    const s = loadCountryStack(name);

    test("a private zone not associated with the stack's VPC fails, naming the VPC it is with and the command that associates it", async () => {
        mocks.hostedZones.splice(0, mocks.hostedZones.length, zoneOf(s, { vpcs: [{ id: "vpc-0other", region: "us-west-2" }] }));

        const { code, report } = await runStackJson(name);

        expect(code).toBe(1);
        expect(failed(report)).toEqual([`dns-zone ${s.dnsZone.name}`]);
        const row = rowFor(report, "dns-zone", s.dnsZone.name);
        expect(row.detail).toBe(`private zone ${zoneOf(s).id} is not associated with the stack's VPC ${s.vpcName} (${VPC_ID}, ${s.region}); it is with vpc-0other in us-west-2`);
        expect(row.remedy).toContain(`aws route53 associate-vpc-with-hosted-zone --hosted-zone-id ${zoneOf(s).id} --vpc VPCRegion=${s.region},VPCId=${VPC_ID}`);
    });
});

/** The targets of one kind of preflight row, as built for the stack (nothing is sent). */
function preflightTargets(s: CountryStack, check: string): string[] {
    const access = new AwsAccess(s, "ambient", {}, 1_000);
    return preflightChecks({ stack: s, access, limits: DEFAULT_LIMITS, causes: new Causes(access, {}) })
        .filter((c) => c.check === check)
        .map((c) => c.target);
}
