// Start-up of the plan command: tools/plan.ts imports this first, before anything loads
// @pulumi/pulumi.
//
// The Pulumi SDK loads, when it starts, much that a mock run of this program never uses:
// TypeScript and normalize-package-data, for turning JavaScript functions into cloud code (closure
// serialisation); its Automation API (`pulumi.automation`, which drives the
// CLI); gRPC and the generated gRPC clients, for talking to the engine, which the mock monitor
// replaces; OpenTelemetry, for tracing the engine enables; semver, for plugin and package
// lookups. Here they load on first use instead, which takes ~0.5 s (TypeScript) and
// ~0.2 s (the rest: 250 of the 985 modules a plan loaded) off every plan: any property read, key
// listing or `in` check loads the real module and answers from it.
//
// Also off by default: source-mapped stack traces. Pulumi captures one per resource, and mapping
// each through the loader's source maps is measurable; DATA_INFRA_STACK_TRACES=1 turns them back on.
import * as path from "path";

/** Requests made from inside @pulumi/pulumi that load lazily. */
const LAZY = new Set([
    "typescript",
    "./automation",
    "@grpc/grpc-js",
    "../proto/resource_grpc_pb",
    "../proto/engine_grpc_pb",
    "../proto/callback_grpc_pb",
    "../proto/provider_grpc_pb",
    "normalize-package-data",
    "@opentelemetry/api",
    "semver",
]);
const SDK_DIR = `${path.sep}node_modules${path.sep}@pulumi${path.sep}pulumi${path.sep}`;

type Load = (request: string, parent: NodeJS.Module | undefined, isMain: boolean) => unknown;

function lazyModule(load: () => object): object {
    let real: object | undefined;
    const target = () => (real ??= load());
    return new Proxy(
        {},
        {
            // Claiming to be an ES module keeps `__importStar(require(…))` and `__importDefault(require(…))`
            // from wrapping (and so loading) it. So `.default` is what those helpers would have given:
            // the module's own `default` if it is an ES module, else the module itself
            // (normalize-package-data exports a function).
            get: (_t, key) => {
                if (key === "__esModule" && real === undefined) return true;
                const module = target() as { __esModule?: boolean; default?: unknown };
                if (key === "default" && !module.__esModule) return module;
                return Reflect.get(module, key);
            },
            has: (_t, key) => Reflect.has(target(), key),
            ownKeys: () => Reflect.ownKeys(target()),
            getOwnPropertyDescriptor: (_t, key) => {
                // tsx probes every CommonJS module for an ESM `module.exports` export after loading it.
                if (key === "module.exports" && real === undefined) return undefined;
                const d = Reflect.getOwnPropertyDescriptor(target(), key);
                return d ? { ...d, configurable: true } : undefined;
            },
        },
    );
}

export function installLazySdk(): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Module = require("module") as { _load: Load };
    const original = Module._load;
    Module._load = function (this: unknown, request, parent, isMain) {
        if (LAZY.has(request) && parent?.filename?.includes(SDK_DIR)) {
            return lazyModule(() => original.call(this, request, parent, isMain) as object);
        }
        return original.call(this, request, parent, isMain);
    };
}

// Jest loads modules itself; its workers (shared with other test files) are left as they are.
if (process.env.JEST_WORKER_ID === undefined) {
    installLazySdk();
    if (process.env.DATA_INFRA_STACK_TRACES !== "1") process.setSourceMapsEnabled(false);
}
