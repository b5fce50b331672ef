// Runs an npm script exactly as package.json spells it (`node -r … tools/x.ts`), with the node
// that runs the tests and without npm's own start-up: what `npm run <name> -- <args>` runs.
import { spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as path from "path";

export function npmScript(
    name: string,
    args: readonly string[],
    options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number; /** node options put first, e.g. a `-r` preload */ nodeArgs?: readonly string[] },
): SpawnSyncReturns<string> {
    const scripts = (JSON.parse(fs.readFileSync(path.join(options.cwd, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    const line = scripts[name];
    if (line === undefined) throw new Error(`package.json has no script "${name}"`);
    const [command, ...rest] = line.split(" ");
    if (command !== "node") throw new Error(`script "${name}" does not start with node: ${line}`);
    return spawnSync(process.execPath, [...(options.nodeArgs ?? []), ...rest, ...args], { cwd: options.cwd, encoding: "utf8", env: options.env ?? process.env, timeout: options.timeout ?? 120_000 });
}
