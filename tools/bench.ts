// `npm run bench`: how long the offline plan takes, end to end in a fresh process, for 1, 4 and
// 16 prototypes of staging-co; its peak memory; and the estimated cold `pulumi up` for each
// against the floor of one prototype. `-- --write` puts the table into docs/plan.md.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { ALL_PROTOTYPES } from "../stacks/config";
import { PROJECT_DIR } from "./mockRuntime";
import { formatDuration } from "./plan/estimate";

const STACK = "staging-co";
const SIZES = [1, 4, 16];
const TARGET_MS = 3000;
const FLOOR_MARGIN = 0.1;
const DOC = path.join(PROJECT_DIR, "docs", "plan.md");
const [START, END] = ["<!-- bench:start -->", "<!-- bench:end -->"];

interface Stats {
    readonly resources: number;
    readonly criticalPathSeconds: number;
    readonly serialSeconds: number;
    readonly processMs: number;
    readonly maxRssKb: number;
}

interface Timed {
    readonly wallMs: number;
    readonly stats: Stats;
}

/** One plan in a fresh process; wall time measured from here, the rest reported by the child. */
function once(command: string, args: readonly string[]): Timed {
    const started = process.hrtime.bigint();
    const child = spawnSync(command, args, { cwd: PROJECT_DIR, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const line = /plan-stats (.*)/.exec(child.stderr ?? "");
    if (child.status !== 0 || !line) throw new Error(`${command} ${args.join(" ")} failed (${child.status}):\n${child.stderr}`);
    return { wallMs, stats: JSON.parse(line[1]) as Stats };
}

function median(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface Row {
    readonly prototypes: number;
    readonly resources: number;
    readonly npmMs: number;
    readonly tsxMs: number;
    readonly insideMs: number;
    readonly peakRssMb: number;
    readonly criticalPathSeconds: number;
    readonly serialSeconds: number;
}

function machine(): string {
    const cpus = os.cpus();
    const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
    return `${os.availableParallelism()} CPUs (nproc; ${cpus[0]?.model.trim() ?? "unknown model"}), ${gib(os.totalmem())} memory (${gib(os.freemem())} free at the start), Node ${process.version}, ${os.type()} ${os.release()}`;
}

/** What `nproc`, `free -h` and `node --version` say, as a reader would type them. */
function machineCommands(): string {
    const run = (command: string, args: string[]) => {
        const r = spawnSync(command, args, { encoding: "utf8" });
        return r.status === 0 ? r.stdout.trimEnd() : "(not available)";
    };
    return ["```", "$ nproc", run("nproc", []), "$ free -h", run("free", ["-h"]), "$ node --version", process.version, "```"].join("\n");
}

function render(rows: readonly Row[], runs: number, machineLine: string): string {
    const floor = rows.find((r) => r.prototypes === 1)?.criticalPathSeconds ?? 0;
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const lines = [
        `Machine: ${machineLine}. Median of ${runs} runs per size, each a fresh process, sizes taking turns after one warm-up run each; stack ${STACK} with its prototypes replaced (\`--prototypes\`).`,
        "",
        "| prototypes | resources | `npm run plan` (end to end) | `tsx tools/plan.ts` | inside node (load, run, render) | peak RSS | critical path | vs floor | serial |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ...rows.map(
            (r) =>
                `| ${r.prototypes} | ${r.resources} | ${s(r.npmMs)} | ${s(r.tsxMs)} | ${s(r.insideMs)} | ${r.peakRssMb.toFixed(0)} MB | ${formatDuration(r.criticalPathSeconds)} | ` +
                `${floor ? `${(((r.criticalPathSeconds - floor) / floor) * 100).toFixed(1)} %` : "—"} | ${formatDuration(r.serialSeconds)} |`,
        ),
    ];
    const biggest = rows[rows.length - 1];
    if (biggest && floor) {
        const overFloor = (biggest.criticalPathSeconds - floor) / floor;
        lines.push(
            "",
            `Targets: ${biggest.prototypes} prototypes plan in ${s(biggest.npmMs)} end to end (target under ${s(TARGET_MS)}: ${biggest.npmMs < TARGET_MS ? "met" : "MISSED"}); ` +
                `critical path ${formatDuration(biggest.criticalPathSeconds)}, ${(overFloor * 100).toFixed(1)} % over the one-prototype floor of ${formatDuration(floor)} ` +
                `(target within ${FLOOR_MARGIN * 100} %: ${overFloor <= FLOOR_MARGIN ? "met" : "MISSED"}).`,
        );
    }
    lines.push("", machineCommands());
    return lines.join("\n");
}

function main(): number {
    const { values } = parseArgs({ options: { runs: { type: "string" }, write: { type: "boolean" } } });
    const runs = Math.max(1, Number(values.runs ?? 5));
    const machineLine = machine();
    const loadBefore = os.loadavg()[0];
    const tsx = path.join(PROJECT_DIR, "node_modules", ".bin", "tsx");
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const planArgs = (size: number) => ["--stack", STACK, "--prototypes", ALL_PROTOTYPES.slice(0, size).join(","), "--stats"];
    // Warm-up (tsx's transform cache, the OS file cache), then the sizes in turn, run after run,
    // so that whatever else the machine does weighs on every size alike.
    for (const size of SIZES) once(tsx, ["tools/plan.ts", ...planArgs(size)]);
    const direct = new Map<number, Timed[]>(SIZES.map((size) => [size, []]));
    const viaNpm = new Map<number, Timed[]>(SIZES.map((size) => [size, []]));
    for (let i = 0; i < runs; i++) {
        for (const size of SIZES) {
            direct.get(size)!.push(once(tsx, ["tools/plan.ts", ...planArgs(size)]));
            viaNpm.get(size)!.push(once(npm, ["run", "-s", "plan", "--", ...planArgs(size)]));
        }
        process.stderr.write(`run ${i + 1}/${runs} done\n`);
    }
    const rows: Row[] = SIZES.map((size) => {
        const all = [...direct.get(size)!, ...viaNpm.get(size)!];
        const { resources, criticalPathSeconds, serialSeconds } = all[0].stats;
        return {
            prototypes: size,
            resources,
            npmMs: median(viaNpm.get(size)!.map((t) => t.wallMs)),
            tsxMs: median(direct.get(size)!.map((t) => t.wallMs)),
            insideMs: median(all.map((t) => t.stats.processMs)),
            peakRssMb: Math.max(...all.map((t) => t.stats.maxRssKb)) / 1024,
            criticalPathSeconds,
            serialSeconds,
        };
    });
    const loadAfter = os.loadavg()[0];
    const table = render(rows, runs, `${machineLine}; load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after`);
    process.stdout.write(`${table}\n`);
    if (values.write) {
        const doc = fs.readFileSync(DOC, "utf8");
        const [a, b] = [doc.indexOf(START), doc.indexOf(END)];
        if (a < 0 || b < a) throw new Error(`${DOC} has no ${START} … ${END} section`);
        fs.writeFileSync(DOC, `${doc.slice(0, a + START.length)}\n${table}\n${doc.slice(b)}`);
        process.stderr.write(`Wrote the table into ${path.relative(PROJECT_DIR, DOC)}\n`);
    }
    const last = rows[rows.length - 1];
    const floor = rows[0].criticalPathSeconds;
    return last.npmMs < TARGET_MS && last.criticalPathSeconds <= floor * (1 + FLOOR_MARGIN) ? 0 : 1;
}

process.exitCode = main();
