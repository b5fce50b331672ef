// npm run check:policy -- --stack <stack> [--stack <stack> …] [--all] [--markdown] [--program <module>]
//
// The policy pack (policy/) against the offline plan of a stack: the real program under Pulumi's
// mock runtime with the stack's Pulumi.<stack>.yaml, no cloud, no Pulumi CLI. Prints each violation
// with its resource, rule and fix; exits 1 on any mandatory violation, 2 when it cannot run.
import * as path from "path";
import { ConfigError } from "../stacks/config";
import { listStacks, runProgram, StackFileError } from "./mockRuntime";
import { evaluate, mandatory } from "./policy/evaluate";
import { formatMarkdown, formatText } from "./policy/report";

export const USAGE = `usage: npm run check:policy -- --stack <stack> [--stack <stack> ...] [--all] [--markdown]
  --stack <stack>  a stack with a Pulumi.<stack>.yaml (repeatable)
  --all            every stack file of the project
  --markdown       print Markdown (pull-request comments, job summaries) instead of text
  --program <file> check another program module than index.ts (e.g. test/fixtures/weakenedAurora.ts)`;

export interface CheckOptions {
    readonly stacks: string[];
    readonly markdown: boolean;
    /** Absolute module path of the program; the project's index.ts when unset. */
    readonly program?: string;
}

export function parseArgs(argv: readonly string[]): CheckOptions | string {
    const stacks: string[] = [];
    let markdown = false;
    let program: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--stack") {
            const value = argv[++i];
            if (value === undefined || value.startsWith("--")) return "--stack needs a stack name";
            stacks.push(value);
        } else if (arg.startsWith("--stack=")) {
            stacks.push(arg.slice("--stack=".length));
        } else if (arg === "--all") {
            stacks.push(...listStacks());
        } else if (arg === "--markdown") {
            markdown = true;
        } else if (arg === "--program") {
            const value = argv[++i];
            if (value === undefined || value.startsWith("--")) return "--program needs a module path";
            program = path.resolve(value);
        } else if (arg === "--help" || arg === "-h") {
            return "";
        } else {
            return `unknown argument ${JSON.stringify(arg)}`;
        }
    }
    if (stacks.length === 0) return "no stack given";
    return { stacks: [...new Set(stacks)], markdown, ...(program ? { program } : {}) };
}

/** Runs the check; returns the exit code. Output goes through `write`. */
// `runStack` runs the program (the tests hand in one shared run per stack rather than running it again).
export async function checkPolicy(argv: readonly string[], write: (text: string) => void = (t) => process.stdout.write(`${t}\n`), runStack: typeof runProgram = runProgram): Promise<number> {
    const parsed = parseArgs(argv);
    if (typeof parsed === "string") {
        if (parsed !== "") write(`check:policy: ${parsed}`);
        write(USAGE);
        write(`stacks: ${listStacks().join(", ") || "none"}`);
        return parsed === "" ? 0 : 2;
    }
    let failed = false;
    for (const stack of parsed.stacks) {
        let evaluation;
        try {
            evaluation = await evaluate(await runStack({ stack, ...(parsed.program ? { program: parsed.program } : {}) }));
        } catch (e) {
            if (e instanceof ConfigError || e instanceof StackFileError) {
                write(`check:policy: stack ${stack} cannot be planned:\n${e instanceof ConfigError ? e.report("nothing was planned") : e.message}`);
                return 2;
            }
            throw e;
        }
        write(parsed.markdown ? formatMarkdown(evaluation) : formatText(evaluation));
        if (mandatory(evaluation).length > 0) failed = true;
    }
    return failed ? 1 : 0;
}

if (require.main === module) {
    checkPolicy(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e: unknown) => {
            process.stderr.write(`check:policy: ${e instanceof Error ? e.message : String(e)}\n`);
            process.exit(2);
        },
    );
}
