// `npm run bench:validate`: how long `npm run validate:manifests` takes on one stack's manifests
// with its field-graph cache cold (removed before the run: the first run after an install or an
// upgrade of kubernetes-models/TypeScript) and warm (every run after). Each run a fresh process,
// cold and warm taking turns, after one warm-up (OS cache, the loader's compile cache); medians.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { median } from "./bench";
import { PROJECT_DIR } from "./mockRuntime";
import { cacheDir } from "./plan/diskCache";

function run(args: readonly string[]): number {
    const started = process.hrtime.bigint();
    const child = spawnSync(process.execPath, ["-r", "./tools/plan/register.js", ...args], { cwd: PROJECT_DIR, encoding: "utf8" });
    if (child.status !== 0) throw new Error(`node ${args.join(" ")} failed (${child.status}):\n${child.stdout}${child.stderr}`);
    return Number(process.hrtime.bigint() - started) / 1e6;
}

function clearGraphs(): void {
    const dir = cacheDir();
    if (!fs.existsSync(dir)) return;
    for (const f of fs.readdirSync(dir)) if (f.startsWith("strict-fields-")) fs.rmSync(path.join(dir, f));
}

function main(): void {
    const { values } = parseArgs({ options: { stack: { type: "string", default: "prod-co" }, runs: { type: "string", default: "5" } } });
    const runs = Number(values.runs);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-validate-"));
    try {
        run(["tools/plan.ts", "--stack", values.stack, "--out", out]);
        const validate = () => run(["tools/plan/validate.ts", out]);
        const load = os.loadavg()[0].toFixed(2);
        validate();
        const cold: number[] = [];
        const warm: number[] = [];
        for (let i = 0; i < runs; i++) {
            clearGraphs();
            cold.push(validate());
            warm.push(validate());
        }
        const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
        console.log(`validate:manifests on ${values.stack}'s manifests, median of ${runs} runs: ${s(median(cold))} with the field-graph cache cold, ${s(median(warm))} warm (Node ${process.version}, ${os.availableParallelism()} CPUs, load average ${load} before, ${os.loadavg()[0].toFixed(2)} after)`);
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
}

if (require.main === module) main();
