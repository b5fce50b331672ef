// Runs the real program (index.ts) with a stack's real config under Pulumi's mock runtime and
// records every resource the way the engine would see it: type, name, parent, provider, inputs
// (secrets marked, never needed in clear by a reader), protect/retainOnDelete and dependencies.
// Shared by the tests, the offline plan and the policy check: one harness, one fake cloud.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import type { RawConfig } from "../stacks/config";

// Internal modules of @pulumi/pulumi: the mock monitor only hands mocks type/name/inputs, but the
// request it receives also carries parent, protect, dependencies and the raw (secret-marked) inputs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const outputModule = require("@pulumi/pulumi/output") as { Output: OutputClass };
// The protobuf Struct class the SDK and its mock monitor exchange every request in, resolved from
// the SDK so that it is the same module instance.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const structProto = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] })) as {
    Struct: { new (): StructMessage; fromJavaScript(value: unknown): StructMessage };
};
interface StructMessage {
    toJavaScript(): Record<string, unknown>;
    getFieldsMap(): unknown;
}

/**
 * What a round trip through protobuf's Struct (`Struct.fromJavaScript(v).toJavaScript()`) gives,
 * without building the protobuf: a fresh copy, object keys in sorted order as protobuf's map hands
 * them back, inherited enumerable keys included (its `for … in`), and the same error for a value
 * a Struct cannot hold.
 */
function structRoundTrip(value: unknown): unknown {
    if (value === null) return null;
    switch (typeof value) {
        case "string":
        case "number":
        case "boolean":
            return value;
        case "object": {
            if (Array.isArray(value)) return value.map(structRoundTrip);
            const keys: string[] = [];
            for (const key in value as object) keys.push(key);
            keys.sort();
            const out: Record<string, unknown> = {};
            for (const key of keys) out[key] = structRoundTrip((value as Record<string, unknown>)[key]);
            return out;
        }
        default:
            throw new Error("Unexpected struct type.");
    }
}

/**
 * Struct.fromJavaScript for the length of a mock run: the mock monitor and the SDK only ever read a
 * request's Struct back with toJavaScript (nothing goes over gRPC), so it keeps the JavaScript value
 * and converts to real protobuf only if something asks for the fields themselves. The copy is made
 * once, here; toJavaScript hands out that copy, since every reader (the SDK's
 * `deserializeProperties`, this file's `unwrap`) builds its own objects from it and changes none.
 */
function fastStructFromJavaScript(real: (value: unknown) => StructMessage): (value: unknown) => StructMessage {
    return (value) => {
        const kept = structRoundTrip(value) as Record<string, unknown>;
        const struct = new structProto.Struct();
        let converted: StructMessage | undefined;
        struct.toJavaScript = () => kept;
        struct.getFieldsMap = () => (converted ??= real(kept)).getFieldsMap();
        return struct;
    };
}

export const PROJECT = "data-infra";
export const PROJECT_DIR = path.resolve(__dirname, "..");
export const SECRET_MASK = "[secret]";

export interface PlannedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly parent?: string;
    /** URN of the explicit provider (custom resources only). */
    readonly provider?: string;
    /** Inputs with every secret value replaced by "[secret]". */
    readonly inputs: Record<string, unknown>;
    /** Dotted paths of inputs that are Pulumi secrets. */
    readonly secretInputs: readonly string[];
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    /** Replaced by deleting first, then creating (`deleteBeforeReplace`); absent means create first. */
    readonly deleteBeforeReplace?: boolean;
    /** Input names whose changes the engine ignores after creation (`ignoreChanges`). */
    readonly ignoreChanges: readonly string[];
    /** Every resource this one waits for (explicit dependsOn and input dependencies). */
    readonly dependencies: readonly string[];
    /** Explicit dependsOn only. */
    readonly dependsOn: readonly string[];
}

export interface PlannedInvoke {
    readonly token: string;
    readonly inputs: Record<string, unknown>;
    readonly provider?: string;
}

export interface ProgramRun {
    readonly stack: string;
    readonly resources: readonly PlannedResource[];
    readonly invokes: readonly PlannedInvoke[];
    /** Stack outputs with secrets masked. */
    readonly outputs: Record<string, unknown>;
    /** Dotted paths of outputs that are secrets. */
    readonly secretOutputs: readonly string[];
    /** Unmasked inputs by URN: for tests that must prove where a secret goes, never for display. */
    readonly plainInputs: ReadonlyMap<string, Record<string, unknown>>;
    /** What the program passed to `pulumi.log.warn` (the engine would show it under `pulumi up`). */
    readonly warnings: readonly string[];
    /**
     * Values the fake cloud made up (ids, endpoints, OIDC issuers, mock ARNs), each with what it
     * stands for (`id of aws:ec2/securityGroup:SecurityGroup staging-global-barragem-aurora`):
     * the plan diff shows them as `<…>` placeholders, since the real cloud decides them.
     */
    readonly invented: Readonly<Record<string, string>>;
}

export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

/** Stack names that have a `Pulumi.<stack>.yaml` in the project. */
export function listStacks(dir = PROJECT_DIR): string[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/**
 * Reads `Pulumi.<stack>.yaml` into Pulumi's raw form: namespaced keys to strings, lists and maps as
 * JSON. A scalar is its text as written, which is how Pulumi's own YAML reader hands a config value
 * to the program: an unquoted account id `012345678901` stays "012345678901" (a YAML number would
 * lose the leading zero), `auroraEngineVersion: 16.10` stays "16.10".
 * A YAML syntax error is reported as `Pulumi.<stack>.yaml:<line>:<column>: <what is wrong>`.
 */
export function loadStackConfig(stack: string, dir = PROJECT_DIR): RawConfig {
    if (!/^[A-Za-z0-9._-]+$/.test(stack)) throw new StackFileError(`Stack name ${JSON.stringify(stack)} is not valid; stacks here: ${listStacks(dir).join(", ")}`);
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new StackFileError(`No stack file ${path.basename(file)} for stack "${stack}"; stacks here: ${listStacks(dir).join(", ") || "none"}`);
    }
    const name = path.basename(file);
    const lines = new YAML.LineCounter();
    const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"), { prettyErrors: true, lineCounter: lines });
    if (doc.errors.length > 0) throw new StackFileError(doc.errors.map((e) => syntaxError(name, e)).join("\n"));
    const at = (node: YAML.Node | null | undefined) => {
        const { line, col } = lines.linePos(node?.range?.[0] ?? 0);
        return `${name}:${line}:${col}`;
    };
    if (doc.contents !== null && !YAML.isMap(doc.contents)) throw new StackFileError(`${at(doc.contents)}: a stack file is a map with a \`config:\` key`);
    const config = doc.contents?.get("config", true);
    if (config !== undefined && config !== null && !YAML.isMap(config)) {
        throw new StackFileError(`${at(config as YAML.Node)}: \`config:\` must be a map of keys (\`${PROJECT}:<key>: <value>\`)`);
    }
    const raw: Record<string, string> = {};
    for (const pair of (config as YAML.YAMLMap | undefined)?.items ?? []) {
        const key = String(YAML.isScalar(pair.key) ? pair.key.value : pair.key);
        const full = key.includes(":") ? key : `${PROJECT}:${key}`;
        if (full.startsWith(`${PROJECT}:`) && YAML.isMap(pair.value) && pair.value.has("secure")) {
            // Only the CLI with the stack's secrets provider can decrypt; and no data-infra key is a secret.
            throw new StackFileError(
                `${at(pair.value as YAML.Node)}: ${full} is encrypted (\`secure:\`); no ${PROJECT} key holds a secret, and the offline plan cannot decrypt one: set it again without --secret`,
            );
        }
        raw[full] = pulumiValue(pair.value);
    }
    return raw;
}

/** `Pulumi.x.yaml:3:3: Map keys must be unique`, then the lines around it with a caret. */
function syntaxError(file: string, error: YAML.YAMLError): string {
    const { line, col } = error.linePos?.[0] ?? { line: 1, col: 1 };
    const [summary, ...context] = error.message.split("\n");
    const what = summary.replace(/ at line \d+, column \d+:?$/, "");
    return [`${file}:${line}:${col}: YAML syntax error: ${what}`, ...context].join("\n").trimEnd();
}

/** A config value as Pulumi reads it from the stack file (see loadStackConfig). */
function pulumiValue(node: unknown): string {
    if (node === null || node === undefined) return "";
    if (YAML.isScalar(node)) {
        if (node.value === null) return "";
        if (typeof node.value === "string") return node.value;
        return node.source ?? String(node.value);
    }
    return JSON.stringify((node as YAML.Node).toJSON());
}

/** Fake cloud answers: enough state for the program's outputs and lookups to resolve. */
class FakeCloud implements pulumi.runtime.Mocks {
    readonly invokes: PlannedInvoke[] = [];
    readonly invented: Record<string, string> = {};

    /** @param unservedIngresses no ingress controller publishes an address (RunOptions.unservedIngresses). */
    constructor(private readonly unservedIngresses = false) {}

    /** Returns `value`, noting that the fake cloud made it up and what it stands for. */
    private invent<T extends string>(value: T, standsFor: string): T {
        this.invented[value] = standsFor;
        return value;
    }
    private readonly providerInputs = new Map<string, Record<string, unknown>>();

    rememberProvider(ref: string, inputs: Record<string, unknown>) {
        this.providerInputs.set(ref, inputs);
    }

    private region(provider?: string): string {
        return String((provider && this.providerInputs.get(provider)?.region) ?? "us-east-1");
    }

    private account(provider?: string): string {
        const ids = provider ? (this.providerInputs.get(provider)?.allowedAccountIds as string[] | undefined) : undefined;
        return ids?.[0] ?? "000000000000";
    }

    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        const inputs = args.inputs as Record<string, unknown>;
        const region = this.region(args.provider);
        const account = this.account(args.provider);
        const physical = String(inputs.name ?? inputs.bucket ?? inputs.clusterIdentifier ?? inputs.identifier ?? args.name);
        const what = `${args.type} ${physical}`;
        const state: Record<string, unknown> = { ...inputs, arn: this.invent(`arn:aws:mock:${region}:${account}:${args.type}/${physical}`, `ARN of ${what}`) };
        switch (args.type) {
            case "random:index/randomPassword:RandomPassword":
                // Not noted as invented: the list is written into saved plans, and this is a secret.
                state.result = `MOCK-SECRET-${args.name}-Zq8!`;
                break;
            case "aws:rds/cluster:Cluster":
                state.endpoint = this.invent(`${physical}.cluster-mock.${region}.rds.amazonaws.com`, `endpoint of ${what}`);
                state.readerEndpoint = this.invent(`${physical}.cluster-ro-mock.${region}.rds.amazonaws.com`, `reader endpoint of ${what}`);
                break;
            case "aws:rds/clusterInstance:ClusterInstance":
                // An instance also names its cluster (clusterIdentifier): its own identifier is what RDS puts first.
                state.endpoint = this.invent(`${String(inputs.identifier ?? physical)}.mock.${region}.rds.amazonaws.com`, `endpoint of ${what}`);
                break;
            case "aws:iam/role:Role":
                state.arn = `arn:aws:iam::${account}:role/${physical}`;
                break;
            case "aws:s3/bucket:Bucket":
                state.arn = `arn:aws:s3:::${physical}`;
                break;
            case "aws:dynamodb/table:Table":
                state.arn = `arn:aws:dynamodb:${region}:${account}:table/${physical}`;
                break;
            case "aws:kms/key:Key":
                // KMS makes up a key's id (a UUID): only the mock knows it before the key exists.
                state.keyId = this.invent(`mock-key-${args.name}`, `id of KMS key ${args.name}`);
                state.arn = this.invent(`arn:aws:kms:${region}:${account}:key/mock-key-${args.name}`, `ARN of KMS key ${args.name}`);
                break;
            case "aws:sns/topic:Topic":
                state.arn = `arn:aws:sns:${region}:${account}:${physical}`;
                break;
            case "kubernetes:networking.k8s.io/v1:Ingress":
                // The ingress controller's load balancer, which the canonical DNS records point at.
                if (this.unservedIngresses) {
                    state.status = { loadBalancer: {} };
                    break;
                }
                state.status = { loadBalancer: { ingress: [{ hostname: this.invent(`${args.name}.elb-mock.${region}.amazonaws.com`, `load balancer of ${args.type} ${args.name}`) }] } };
                break;
        }
        return { id: args.type.startsWith("pulumi:providers:") ? `${args.name}-provider-id` : this.invent(`${physical}-id`, `id of ${what}`), state };
    }

    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
        const inputs = args.inputs as Record<string, unknown>;
        this.invokes.push({ token: args.token, inputs, provider: args.provider?.split("::").slice(0, -1).join("::") || undefined });
        switch (args.token) {
            case "aws:ec2/getVpc:getVpc":
                return { id: this.invent(`vpc-mock-${(inputs.tags as Record<string, string>)?.Name ?? "default"}`, `id of the VPC ${(inputs.tags as Record<string, string>)?.Name ?? "default"}`), cidrBlock: "10.0.0.0/16" };
            case "aws:ec2/getSubnets:getSubnets":
                return { ids: ["a", "b", "c"].map((x) => this.invent(`subnet-mock-${x}`, `id of subnet ${x} of the VPC`)) };
            case "aws:ec2/getSecurityGroup:getSecurityGroup":
                return { id: this.invent("sg-mock-kubernetes-nodes", "id of the Kubernetes nodes' security group"), name: "kubernetes-nodes" };
            case "aws:route53/getZone:getZone":
                return { zoneId: this.invent(`ZMOCK${String(inputs.name ?? "").toUpperCase().replace(/[^A-Z0-9]/g, "")}`, `zone id of ${inputs.name}`), name: inputs.name };
            case "aws:eks/getCluster:getCluster":
                return {
                    name: inputs.name,
                    endpoint: this.invent(
                        `https://MOCK${String(inputs.name).toUpperCase().replace(/[^A-Z0-9]/g, "")}.gr7.${this.region(args.provider)}.eks.amazonaws.com`,
                        `API endpoint of EKS cluster ${inputs.name}`,
                    ),
                    certificateAuthorities: [{ data: this.invent("TU9DSy1DQQ==", `CA of EKS cluster ${inputs.name}`) }],
                    identities: [{ oidcs: [{ issuer: `https://oidc.eks.${this.region(args.provider)}.amazonaws.com/id/${this.invent(`MOCK${String(inputs.name).toUpperCase().replace(/[^A-Z0-9]/g, "")}`, `OIDC issuer id of EKS cluster ${inputs.name}`)}` }] }],
                };
            default:
                return inputs;
        }
    }
}

/** Turns serialized properties into plain values, masking secrets and noting their paths. */
function unwrap(value: unknown, mask: boolean, at: string, secrets: string[]): unknown {
    if (Array.isArray(value)) return value.map((v, i) => unwrap(v, mask, `${at}[${i}]`, secrets));
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        const sig = obj[rpc.specialSigKey];
        if (sig === rpc.specialSecretSig) {
            secrets.push(at);
            return mask ? SECRET_MASK : unwrap(obj.value, mask, at, []);
        }
        if (sig === rpc.specialResourceSig) return { urn: obj.urn, ...(obj.id !== undefined ? { id: obj.id } : {}) };
        if (sig !== undefined) return obj;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) out[k] = unwrap(v, mask, at ? `${at}.${k}` : k, secrets);
        return out;
    }
    return value;
}

/** Providers receive nested config as JSON text; parse it back so readers see lists and objects. */
function providerConfig(type: string, raw: Record<string, unknown>): Record<string, unknown> {
    if (!type.startsWith("pulumi:providers:")) return raw;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
        if (typeof value === "string" && /^[[{]/.test(value)) {
            try {
                out[key] = JSON.parse(value);
                continue;
            } catch {
                // not JSON after all: keep the text
            }
        }
        out[key] = value;
    }
    return out;
}

async function resolveOutputs(value: unknown, at: string, secrets: string[]): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        const out = value as pulumi.Output<unknown> & { promise(): Promise<unknown>; isSecret: Promise<boolean> };
        const [resolved, isSecret] = await Promise.all([out.promise(), out.isSecret]);
        if (isSecret) {
            secrets.push(at);
            return SECRET_MASK;
        }
        return resolveOutputs(resolved, at, secrets);
    }
    if (Array.isArray(value)) return Promise.all(value.map((v, i) => resolveOutputs(v, `${at}[${i}]`, secrets)));
    if (value !== null && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) out[k] = await resolveOutputs(v, at ? `${at}.${k}` : k, secrets);
        return out;
    }
    return value;
}

export interface RunOptions {
    readonly stack: string;
    /** Raw config; defaults to the stack's `Pulumi.<stack>.yaml`. */
    readonly config?: RawConfig;
    /** Module path of the program; defaults to the project's index.ts. */
    readonly program?: string;
    /** Called for each resource as it registers, also when the program later fails. */
    readonly onResource?: (resource: PlannedResource) => void;
    /** Run as `pulumi preview` does (`pulumi.runtime.isDryRun()` is true); default: as `pulumi up`. */
    readonly dryRun?: boolean;
    /** The ingress controllers publish no load balancer address: every Ingress's status stays empty. */
    readonly unservedIngresses?: boolean;
}

/**
 * Runs the program once under mocks and returns everything it registered.
 *
 * The Pulumi SDK captures `new Error().stack` for every promise and resource it creates; that
 * alone is ~85% of a 16-prototype run. Stack capture is therefore off during the run unless
 * DATA_INFRA_STACK_TRACES=1 (for debugging a failure inside the program).
 */
export async function runProgram(options: RunOptions): Promise<ProgramRun> {
    if (process.env.DATA_INFRA_STACK_TRACES === "1") return runProgramOnce(options);
    const limit = Error.stackTraceLimit;
    const { debuggablePromise } = debuggable;
    const { stackTrace } = pulumi.Resource as unknown as { stackTrace: unknown };
    Error.stackTraceLimit = 0;
    // Two pieces of the SDK's debugging aid, per promise and per resource, that a mock run never
    // reads (profiled, docs/plan.md "Speed"): debuggablePromise gives every one of the SDK's
    // promises three properties and a stack trace, and tracks it in a set, for the report of
    // promises still pending at exit; Resource.stackTrace walks the whole stack (limit lifted to
    // infinity) for the source position the engine shows. Both are the SDK's internal functions,
    // looked up on their module at each call, so they can be swapped for the run. A run that never
    // finishes is reported by the plan itself (tools/plan.ts). Without debuggablePromise's own
    // `.then`/`.catch` hops, resources register in another order than under the real SDK's
    // wrapper; the order is still the same from run to run, which is what `--json` relies on.
    debuggable.debuggablePromise = (p) => p;
    (pulumi.Resource as unknown as { stackTrace: () => unknown[] }).stackTrace = () => [];
    // Every property of every resource is an Output the SDK builds at once, with a dozen promises
    // behind it; most are never read by the program (a bucket's `hostedZoneId`, a role's
    // `createDate`). Those are now built on first use.
    const RealOutput = outputModule.Output;
    outputModule.Output = lazyResourceOutputs(RealOutput);
    // And protobuf: every registration went JavaScript → Struct → JavaScript four times.
    const fromJavaScript = structProto.Struct.fromJavaScript;
    structProto.Struct.fromJavaScript = fastStructFromJavaScript(fromJavaScript);
    try {
        return await runProgramOnce(options);
    } finally {
        Error.stackTraceLimit = limit;
        debuggable.debuggablePromise = debuggablePromise;
        (pulumi.Resource as unknown as { stackTrace: unknown }).stackTrace = stackTrace;
        structProto.Struct.fromJavaScript = fromJavaScript;
        outputModule.Output = RealOutput;
    }
}

type OutputClass = new (resources: unknown, promise: unknown, isKnown: unknown, isSecret: unknown, allResources: unknown) => object;

/**
 * The SDK's Output class for the length of a mock run. An Output of a resource's own property (the
 * ones `transferProperties` makes, and a resource's `urn` and `id`: their first argument is the
 * resource) is a stand-in that builds the real Output, with its chain of promises, the first time
 * anything but the SDK's `Output.isInstance` looks at it: its value, its `apply`, a lifted
 * property. The promises it is built from are the SDK's own, resolved by the registration whether
 * or not anyone reads them, so a late reader sees exactly what an early one would. Every other
 * Output (`apply`, `all`, `interpolate`, `output`) is built as before, at once, so that the
 * program's own callbacks run when they would under the real SDK.
 */
function lazyResourceOutputs(Real: OutputClass): OutputClass {
    function LazyOutput(resources: unknown, promise: unknown, isKnown: unknown, isSecret: unknown, allResources: unknown): object {
        if (!pulumi.Resource.isInstance(resources)) return new Real(resources, promise, isKnown, isSecret, allResources);
        let real: object | undefined;
        const target = () => (real ??= new Real(resources, promise, isKnown, isSecret, allResources));
        return new Proxy(Object.create(Real.prototype) as object, {
            get: (_t, key) => (key === "__pulumiOutput" ? true : Reflect.get(target(), key)),
            set: (_t, key, value) => Reflect.set(target(), key, value),
            has: (_t, key) => Reflect.has(target(), key),
            ownKeys: () => Reflect.ownKeys(target()),
            getOwnPropertyDescriptor: (_t, key) => {
                const d = Reflect.getOwnPropertyDescriptor(target(), key);
                return d ? { ...d, configurable: true } : undefined;
            },
        });
    }
    // The statics (`isInstance`, `create`) and `instanceof` stay the real class's.
    Object.setPrototypeOf(LazyOutput, Real);
    LazyOutput.prototype = Real.prototype;
    return LazyOutput as unknown as OutputClass;
}

async function runProgramOnce(options: RunOptions): Promise<ProgramRun> {
    const config = options.config ?? loadStackConfig(options.stack);
    const cloud = new FakeCloud(options.unservedIngresses === true);
    await pulumi.runtime.setMocks(cloud, PROJECT, options.stack, options.dryRun === true);
    pulumi.runtime.setAllConfig({ ...config }, []);

    const resources: PlannedResource[] = [];
    const plainInputs = new Map<string, Record<string, unknown>>();
    const monitor = settings.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: unknown, res: any) => void) =>
        register(req, (err: unknown, res: any) => {
            if (!err && res) {
                const urn: string = res.getUrn();
                const raw = providerConfig(req.getType(), req.getObject()?.toJavaScript() ?? {});
                const secretInputs: string[] = [];
                const inputs = unwrap(raw, true, "", secretInputs) as Record<string, unknown>;
                const plain = unwrap(raw, false, "", []) as Record<string, unknown>;
                const propertyDeps = new Set<string>();
                req.getPropertydependenciesMap().forEach((deps: any) => deps.getUrnsList().forEach((u: string) => propertyDeps.add(u)));
                const dependencies: string[] = req.getDependenciesList();
                const providerRef: string = req.getProvider();
                if (req.getType().startsWith("pulumi:providers:")) cloud.rememberProvider(`${urn}::${res.getId()}`, plain);
                const planned: PlannedResource = {
                    urn,
                    type: req.getType(),
                    name: req.getName(),
                    custom: req.getCustom(),
                    parent: req.getParent() || undefined,
                    provider: providerRef ? providerRef.split("::").slice(0, -1).join("::") : undefined,
                    inputs,
                    secretInputs,
                    protect: req.getProtect() === true,
                    retainOnDelete: req.getRetainondelete() === true,
                    deleteBeforeReplace: req.getDeletebeforereplace() === true,
                    ignoreChanges: req.getIgnorechangesList(),
                    dependencies: [...new Set(dependencies)],
                    dependsOn: [...new Set(dependencies.filter((d) => !propertyDeps.has(d)))],
                };
                resources.push(planned);
                plainInputs.set(urn, plain);
                options.onResource?.(planned);
            }
            callback(err, res);
        });

    // Without an engine the SDK would print warnings to the console; keep them with the run instead.
    const warnings: string[] = [];
    const log = pulumi.log as { warn: typeof pulumi.log.warn };
    const warn = log.warn;
    log.warn = (message: string) => {
        warnings.push(message);
        return Promise.resolve();
    };
    const modulePath = options.program ?? path.join(PROJECT_DIR, "index");
    const secretOutputs: string[] = [];
    let outputs: Record<string, unknown>;
    // Warnings logged from inside applies come after the program returns: keep them too.
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const program = require(modulePath) as () => Promise<Record<string, unknown>>;
        const returned = await program();
        outputs = (await resolveOutputs(returned ?? {}, "", secretOutputs)) as Record<string, unknown>;
        // Registrations triggered from inside applies finish after the outputs resolve: wait them out.
        let seen = -1;
        while (seen !== resources.length) {
            seen = resources.length;
            await settings.waitForRPCs();
            await new Promise((resolve) => setImmediate(resolve));
        }
    } finally {
        log.warn = warn;
    }
    return { stack: options.stack, resources, invokes: cloud.invokes, outputs, secretOutputs, plainInputs, warnings, invented: cloud.invented };
}

/** Query helpers for a run. */
export function resourcesOfType(run: ProgramRun, type: string): PlannedResource[] {
    return run.resources.filter((r) => r.type === type);
}

export function byName(run: ProgramRun, type: string, name: string): PlannedResource {
    const found = run.resources.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no ${type} named ${name} in ${run.stack}`);
    return found;
}

export function byUrn(run: ProgramRun, urn: string): PlannedResource | undefined {
    return run.resources.find((r) => r.urn === urn);
}
