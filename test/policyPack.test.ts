// The policy pack as the Pulumi CLI runs it: policy/ started by @pulumi/pulumi's own policy-pack
// runner (its ts-node, policy/tsconfig.json, type-checked) in a process of its own, which serves the
// analyzer on a loopback port, then called over gRPC with requests shaped like the engine's.
// No Pulumi CLI is needed; this proves the pack loads, advertises every rule, and that the engine
// path behaves as docs/guardrails.md says (blind to secrets in Analyze, encrypting in Remediate).
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { RULES } from "../policy/rules";

/* eslint-disable @typescript-eslint/no-require-imports */
const grpc = require("@grpc/grpc-js");
const pb = require("@pulumi/pulumi/proto/analyzer_pb");
const services = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");
const rpc = require("@pulumi/pulumi/runtime/rpc") as { specialSigKey: string; specialSecretSig: string };
/* eslint-enable @typescript-eslint/no-require-imports */

const LEVELS: Record<number, string> = { 0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate" };
const POLICY_DIR = path.join(__dirname, "..", "policy");
const secret = (value: unknown) => ({ [rpc.specialSigKey]: rpc.specialSecretSig, value });

let pack: ChildProcess;
let client: { [method: string]: (req: unknown, cb: (err: Error | null, res: any) => void) => void; close(): void };

function call<T>(method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) => client[method](request, (err, res) => (err ? reject(err) : resolve(res as T))));
}

function options(protect = false) {
    const o = new pb.AnalyzerResourceOptions();
    o.setProtect(protect);
    return o;
}

function provider(name: string) {
    const p = new pb.AnalyzerProviderResource();
    p.setType("pulumi:providers:aws");
    p.setName(name);
    p.setUrn(`urn:pulumi:staging-co::data-infra::pulumi:providers:aws::${name}`);
    p.setProperties(Struct.fromJavaScript({ region: "us-east-1" }));
    return p;
}

function analyzeRequest(type: string, name: string, props: object, providerName = "aws-country-us-east-1") {
    const req = new pb.AnalyzeRequest();
    req.setType(type);
    req.setName(name);
    req.setUrn(`urn:pulumi:staging-co::data-infra::${type}::${name}`);
    req.setProperties(Struct.fromJavaScript(props));
    req.setOptions(options(true));
    req.setProvider(provider(providerName));
    return req;
}

interface Diagnostic {
    policy: string;
    level: string;
    message: string;
}
async function analyze(req: unknown): Promise<{ diagnostics: Diagnostic[]; notApplicable: Map<string, string> }> {
    const res = await call<any>("analyze", req);
    return {
        diagnostics: res.getDiagnosticsList().map((d: any) => ({ policy: d.getPolicyname(), level: LEVELS[d.getEnforcementlevel()], message: d.getMessage() })),
        notApplicable: new Map(res.getNotApplicableList().map((n: any) => [n.getPolicyName(), n.getReason()])),
    };
}

beforeAll(async () => {
    // What the nodejs language host runs for a policy pack: run-policy-pack <engine address> <pack dir>.
    // The engine address is not used until the engine calls; nothing here talks to it.
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack/index.js");
    pack = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"] });
    const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        let err = "";
        const timer = setTimeout(() => reject(new Error(`the pack did not start within 30 s: ${err}`)), 30000);
        pack.stdout!.on("data", (chunk: Buffer) => {
            out += chunk.toString();
            const m = /^(\d+)\s*$/m.exec(out);
            if (m) {
                clearTimeout(timer);
                resolve(Number(m[1]));
            }
        });
        pack.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
        pack.on("exit", (code) => reject(new Error(`the pack exited with ${code}: ${err}`)));
    });
    client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 40000);

afterAll(() => {
    client?.close();
    pack?.kill();
});

test("the pack starts under the real analyzer server and advertises every rule with its enforcement level", async () => {
    const info = await call<any>("getAnalyzerInfo", new Empty());
    expect(info.getName()).toBe("data-infra-guardrails");
    const advertised = info.getPoliciesList().map((p: any) => [p.getName(), LEVELS[p.getEnforcementlevel()]]);
    expect(advertised).toEqual(RULES.map((r) => [r.name, r.enforcementLevel]));
});

test("Analyze reports a cluster with deletion protection off as mandatory, and calls the secret rule not applicable", async () => {
    const { diagnostics, notApplicable } = await analyze(
        analyzeRequest("aws:rds/cluster:Cluster", "staging-s9-barragem-aurora", {
            storageEncrypted: true,
            deletionProtection: false,
            backupRetentionPeriod: 7,
            masterPassword: secret("generated"),
            tags: { service: "barragem" },
        }),
    );
    expect(diagnostics).toEqual([{ policy: "aurora-deletion-protection", level: "mandatory", message: expect.stringContaining("deletionProtection") }]);
    expect(notApplicable.get("no-plain-secrets")).toMatch(/pulumi-policy#241/);
});

test("Analyze flags a resource on the engine's default provider", async () => {
    const onDefault = await analyze(analyzeRequest("aws:sns/topic:Topic", "alerts", { name: "data-infra-alerts-staging" }, "default_7_48_0"));
    expect(onDefault.diagnostics.map((d) => d.policy)).toEqual(["explicit-providers"]);
    const onExplicit = await analyze(analyzeRequest("aws:sns/topic:Topic", "alerts", { name: "data-infra-alerts-staging" }));
    expect(onExplicit.diagnostics).toEqual([]);
});

test("Remediate turns a plain env password into a secret and leaves the rest as it was", async () => {
    const props = {
        spec: {
            template: {
                spec: {
                    containers: [{ name: "barragem", env: [{ name: "NU_ENV", value: "staging" }, { name: "RDB_PASSWORD", value: "hunter2" }] }],
                },
            },
        },
    };
    const res = await call<any>("remediate", analyzeRequest("kubernetes:apps/v1:Deployment", "global-barragem", props));
    const remediations = res.getRemediationsList();
    expect(remediations.map((r: any) => r.getPolicyname())).toEqual(["no-plain-secrets"]);
    const fixed = remediations[0].getProperties().toJavaScript();
    expect(fixed.spec.template.spec.containers[0].env).toEqual([
        { name: "NU_ENV", value: "staging" },
        { name: "RDB_PASSWORD", value: secret("hunter2") },
    ]);
});

test("AnalyzeStack reports a bucket without the runbook's public access block", async () => {
    const bucket = new pb.AnalyzerResource();
    bucket.setType("aws:s3/bucket:Bucket");
    bucket.setName("nu-spark-handmade-co-staging");
    bucket.setUrn("urn:pulumi:staging-co::data-infra::aws:s3/bucket:Bucket::nu-spark-handmade-co-staging");
    bucket.setProperties(Struct.fromJavaScript({ bucket: "nu-spark-handmade-co-staging" }));
    bucket.setOptions(options(true));
    bucket.setProvider(provider("aws-country-us-east-1"));
    const req = new pb.AnalyzeStackRequest();
    req.setResourcesList([bucket]);
    const res = await call<any>("analyzeStack", req);
    const policies = res.getDiagnosticsList().map((d: any) => `${d.getPolicyname()} ${LEVELS[d.getEnforcementlevel()]}`);
    expect(policies).toEqual(
        expect.arrayContaining(["s3-public-access-block mandatory", "s3-encryption mandatory", "s3-deny-insecure-transport mandatory"]),
    );
});
