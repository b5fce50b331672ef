// `npm run plan -- --stack <stack>`: what `pulumi up` would create for a country stack, without
// cloud credentials. Runs the real program (index.ts) with the stack's real Pulumi.<stack>.yaml
// under Pulumi's mock runtime (tools/mockRuntime.ts) and prints it like `pulumi preview`.
// Usage and every flag: docs/plan.md.
import "./plan/lazySdk"; // first: before anything loads the Pulumi SDK
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { ConfigError } from "../stacks/config";
import { listStacks, loadStackConfig, ProgramRun, runProgram, StackFileError } from "./mockRuntime";
import { diffPlans, renderDiff } from "./plan/diff";
import { estimate } from "./plan/estimate";
import { PlanFileError, planToJson, readPlan, toPlan } from "./plan/json";
import { MANIFEST_HEADER, renderManifests } from "./plan/manifests";
import { renderMermaid } from "./plan/mermaid";
import { redact, secretValues } from "./plan/secrets";
import { brief, renderBrief } from "./plan/brief";
import { renderSummary, summarize } from "./plan/summary";
import { renderTree } from "./plan/tree";
import { Plan } from "./plan/types";

export const GRAPH_FILE = "graph.mmd";

export function usage(): string {
    const stacks = listStacks();
    return [
        "Usage: npm run plan -- --stack <stack> [options]",
        "",
        "Shows what `pulumi up` would create for a stack, offline (no cloud credentials).",
        "",
        "  --stack <stack>           the stack to plan: a Pulumi.<stack>.yaml of this project",
        "  --prototypes <a,b,…>      plan the stack as if its prototypes were this list (e.g. global,s0,s1)",
        "  --json <file>             write every resource with its inputs (secrets masked), options and dependencies",
        `  --out <dir>               write the Kubernetes manifests to <dir>/<prototype>/*.yaml and the graph to <dir>/${GRAPH_FILE}`,
        "  --summary                 the plan on one screen: counts per prototype and kind, the estimate, what needs attention",
        "  --diff                    print what differs from --against, input by input, instead of the plan",
        "  --against <stack|file>    the baseline of --diff: another stack, or a plan saved with --json",
        "  --stats                   print timings and peak memory as one JSON line on stderr (npm run bench)",
        "  -h, --help                this text",
        "",
        `Stacks here: ${stacks.join(", ") || "none"}`,
    ].join("\n");
}

export interface Io {
    out(text: string): void;
    err(text: string): void;
}

const processIo: Io = {
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
};

class UsageError extends Error {}

interface Args {
    readonly stack: string;
    readonly prototypes?: string[];
    readonly json?: string;
    readonly out?: string;
    readonly against?: string;
    readonly summary: boolean;
    readonly stats: boolean;
}

function parse(argv: readonly string[]): Args | "help" {
    let values;
    try {
        ({ values } = parseArgs({
            args: [...argv],
            options: {
                stack: { type: "string", short: "s" },
                prototypes: { type: "string" },
                json: { type: "string" },
                out: { type: "string" },
                diff: { type: "boolean" },
                summary: { type: "boolean" },
                against: { type: "string" },
                stats: { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
            strict: true,
            allowPositionals: false,
        }));
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
    if (values.help) return "help";
    if (!values.stack) throw new UsageError("--stack is required");
    if (values.diff && !values.against) throw new UsageError("--diff needs --against <stack|plan.json>");
    if (values.summary && values.diff) throw new UsageError("--summary and --diff are two different views: use one");
    const prototypes = values.prototypes
        ?.split(",")
        .map((p) => p.trim())
        .filter((p) => p !== "");
    return { stack: values.stack, prototypes, json: values.json, out: values.out, against: values.against, summary: values.summary === true, stats: values.stats === true };
}

/** Runs the stack's program; `prototypes` replaces the stack file's list (synthetic stacks). */
async function plan(stack: string, prototypes: readonly string[] | undefined, program: string | undefined, runStack: typeof runProgram): Promise<ProgramRun> {
    const config = prototypes ? { ...loadStackConfig(stack), "data-infra:prototypes": JSON.stringify(prototypes) } : undefined;
    return runStack({ stack, ...(config ? { config } : {}), ...(program ? { program } : {}) });
}

/** npm runs scripts from the project root; paths are the caller's, relative to where npm was started. */
function fromCaller(file: string): string {
    return path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
}

function isPlanFile(against: string): boolean {
    const file = fromCaller(against);
    return against.endsWith(".json") || (fs.existsSync(file) && fs.statSync(file).isFile());
}

/** Removes what an earlier `--out` wrote (files that carry our header), never anything else. */
function clearRendered(dir: string): void {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isFile() && entry.name === GRAPH_FILE && fs.readFileSync(full, "utf8").startsWith("%% Stack ")) fs.rmSync(full);
        if (!entry.isDirectory()) continue;
        for (const file of fs.readdirSync(full)) {
            const target = path.join(full, file);
            if (file.endsWith(".yaml") && fs.readFileSync(target, "utf8").startsWith(MANIFEST_HEADER)) fs.rmSync(target);
        }
        if (fs.readdirSync(full).length === 0) fs.rmdirSync(full);
    }
}

/**
 * `program` replaces index.ts (tests run fixture programs through the whole command); `runStack`
 * runs the program (tests hand in one shared run per stack rather than running it again).
 */
export async function main(argv: readonly string[], io: Io = processIo, program?: string, runStack: typeof runProgram = runProgram): Promise<number> {
    let args: Args | "help";
    try {
        args = parse(argv);
    } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        io.err(`${error.message}\n\n${usage()}`);
        return 2;
    }
    if (args === "help") {
        io.out(usage());
        return 0;
    }

    try {
        // A saved baseline is checked before the program runs: a wrong path fails at once.
        let saved: Plan | undefined;
        if (args.against && isPlanFile(args.against)) {
            if (!fs.existsSync(fromCaller(args.against))) {
                throw new PlanFileError(`No saved plan ${args.against}; write one with \`npm run plan -- --stack ${args.stack} --json ${args.against}\``);
            }
            saved = readPlan(fs.readFileSync(fromCaller(args.against), "utf8"), args.against);
        }
        const run = await plan(args.stack, args.prototypes, program, runStack);
        for (const warning of run.warnings) io.err(`warning: ${warning}`);
        const current = toPlan(run);
        const secrets = secretValues(run);
        let leaks = 0;
        const guard = (text: string, where: string): string => {
            const r = redact(text, secrets);
            if (r.leaks > 0) {
                leaks += r.leaks;
                io.err(`SECRET LEAK: ${r.leaks} secret value(s) reached ${where} through inputs not marked secret; masked here, but \`pulumi up\` would store them in plain text.`);
            }
            return r.text;
        };

        const est = estimate(current);
        if (args.against) {
            let baseline: Plan;
            if (saved) {
                baseline = saved;
            } else {
                const baseRun = await plan(args.against, undefined, program, runStack);
                secrets.push(...secretValues(baseRun));
                baseline = toPlan(baseRun);
            }
            const label = saved ? `${args.against} (saved plan of ${baseline.stack})` : baseline.stack;
            io.out(guard(renderDiff(diffPlans(current, baseline), label), "the diff"));
        } else if (args.summary) {
            // The tree is not printed, but a secret that would reach it is still a leak to report.
            guard(renderTree(current), "the plan");
            const full = `npm run plan -- --stack ${args.stack}${args.prototypes ? ` --prototypes ${args.prototypes.join(",")}` : ""}`;
            io.out(guard(renderBrief(current, summarize(current), est, brief(current, est, run.warnings), full), "the summary"));
        } else {
            io.out(guard(renderTree(current), "the plan"));
            io.out(guard(renderSummary(current, summarize(current), est), "the summary"));
        }

        if (args.json) {
            fs.mkdirSync(path.dirname(fromCaller(args.json)), { recursive: true });
            fs.writeFileSync(fromCaller(args.json), guard(planToJson(current), args.json));
            io.err(`Wrote ${args.json}: ${current.resources.length} resources.`);
        }
        if (args.out) {
            const outDir = fromCaller(args.out);
            clearRendered(outDir);
            const { manifests, skipped } = renderManifests(current);
            for (const m of manifests) {
                const file = path.join(outDir, m.path);
                fs.mkdirSync(path.dirname(file), { recursive: true });
                fs.writeFileSync(file, guard(m.yaml, file));
            }
            fs.mkdirSync(outDir, { recursive: true });
            const graph = path.join(outDir, GRAPH_FILE);
            fs.writeFileSync(graph, guard(renderMermaid(current, est), graph));
            const perPrototype = current.groups
                .map((g) => [g, manifests.filter((m) => m.prototype === g).length] as const)
                .filter(([, n]) => n > 0)
                .map(([g, n]) => `${g} ${n}`);
            io.err(`Wrote ${manifests.length} Kubernetes manifests to ${args.out}/${perPrototype.length ? ` (${perPrototype.join(", ")})` : ""} and the graph to ${path.join(args.out, GRAPH_FILE)}.`);
            if (skipped.length > 0) io.err(`Not rendered as manifests (not plain Kubernetes objects): ${skipped.join(", ")}`);
        }
        if (args.stats) {
            io.err(
                `plan-stats ${JSON.stringify({
                    stack: args.stack,
                    prototypes: Array.isArray(run.outputs.prototypes) ? run.outputs.prototypes.length : undefined,
                    resources: current.resources.length,
                    criticalPathSeconds: est.criticalPathSeconds,
                    serialSeconds: est.serialSeconds,
                    processMs: Math.round(performance.now()),
                    maxRssKb: process.resourceUsage().maxRSS,
                })}`,
            );
        }
        return leaks > 0 ? 1 : 0;
    } catch (error) {
        if (error instanceof ConfigError) {
            io.err(error.report("nothing was planned"));
            return 1;
        }
        if (error instanceof StackFileError || error instanceof PlanFileError) {
            io.err(error.message);
            return 1;
        }
        const e = error as Error;
        io.err(`Plan failed: ${e?.message ?? String(error)}`);
        io.err(process.env.DATA_INFRA_STACK_TRACES === "1" ? String(e?.stack ?? "") : "(DATA_INFRA_STACK_TRACES=1 npm run plan -- … shows where)");
        return 1;
    }
}

if (require.main === module) {
    // `npm run plan -- … | head` closes the pipe early: that is not an error.
    let finished = false;
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code !== "EPIPE") throw error;
        finished = true;
        process.exit(process.exitCode ?? 0);
    });
    main(process.argv.slice(2)).then((code) => {
        finished = true;
        process.exitCode = code;
    });
    // Node exits when nothing is left to wait for: if the program left a promise that never
    // settles, the run just stops. Pulumi's own report of such promises is off in mock runs
    // (tools/mockRuntime.ts runProgram), so say it here instead of exiting 0 with no plan.
    process.on("exit", () => {
        if (finished) return;
        process.stderr.write("Plan failed: the program never finished (a promise it waits for never settles); DATA_INFRA_STACK_TRACES=1 npm run plan -- … shows Pulumi's list of pending promises\n");
        process.exitCode = 1;
    });
}
