// A real, throw-away PostgreSQL for the tests: initdb into a temp dir, started on a free
// loopback port with its socket in that dir, password authentication on, stopped and removed
// afterwards. Root cannot run initdb, so as root it runs as the `postgres` system user that
// Debian's package creates. Every step has a timeout.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

export const ENSURE_POSTGRES = "scripts/ensure-postgres.sh";

export class PostgresMissingError extends Error {
    constructor(searched: readonly string[]) {
        super(
            `PostgreSQL server binaries (initdb, pg_ctl) not found in PATH or /usr/lib/postgresql/*/bin ` +
                `(searched: ${searched.join(", ") || "nothing"}). Install them with \`bash ${ENSURE_POSTGRES}\` (CI runs it before the tests).`,
        );
        this.name = "PostgresMissingError";
    }
}

export interface PostgresBinaries {
    readonly initdb: string;
    readonly pgCtl: string;
}

/** Directories to search: PATH first, then Debian's versioned ones, newest version first. */
export function postgresSearchDirs(env: NodeJS.ProcessEnv = process.env, root = "/usr/lib/postgresql"): string[] {
    const fromPath = (env.PATH ?? "").split(path.delimiter).filter(Boolean);
    let versions: string[] = [];
    try {
        versions = fs.readdirSync(root).sort((a, b) => Number(b) - Number(a) || b.localeCompare(a));
    } catch {
        versions = [];
    }
    return [...fromPath, ...versions.map((v) => path.join(root, v, "bin"))];
}

/** initdb and pg_ctl from the same directory; throws PostgresMissingError naming scripts/ensure-postgres.sh. */
export function findPostgresBinaries(dirs: readonly string[] = postgresSearchDirs()): PostgresBinaries {
    for (const dir of dirs) {
        const initdb = path.join(dir, "initdb");
        const pgCtl = path.join(dir, "pg_ctl");
        if (isExecutable(initdb) && isExecutable(pgCtl)) return { initdb: fs.realpathSync(initdb), pgCtl: fs.realpathSync(pgCtl) };
    }
    throw new PostgresMissingError(dirs);
}

function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

export interface LocalPostgres {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly password: string;
    stop(): void;
}

const SYSTEM_USER = "postgres";

/** Runs a PostgreSQL binary, as the postgres system user when we are root. */
function run(binary: string, args: readonly string[], timeoutMs: number): void {
    const asRoot = process.getuid?.() === 0;
    const [command, argv] = asRoot ? ["runuser", ["-u", SYSTEM_USER, "--", binary, ...args]] : [binary, [...args]];
    const result = spawnSync(command, argv, { timeout: timeoutMs, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    if (result.error || result.status !== 0) {
        const why = result.error ? result.error.message : `exit ${result.status}${result.signal ? ` (${result.signal})` : ""}`;
        throw new Error(`${path.basename(binary)} ${args.join(" ")} failed: ${why}\n${result.stdout ?? ""}${result.stderr ?? ""}`.trim());
    }
}

function freeLoopbackPort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

/** initdb + pg_ctl start on 127.0.0.1; the caller must call stop() (afterAll). */
export async function startPostgres(password: string): Promise<LocalPostgres> {
    const bin = findPostgresBinaries();
    const asRoot = process.getuid?.() === 0;
    // As root the server runs as postgres, which must reach the dir: /tmp, not a TMPDIR under /root.
    const dir = fs.mkdtempSync(path.join(asRoot ? "/tmp" : os.tmpdir(), "data-infra-pg-"));
    const data = path.join(dir, "data");
    const pwfile = path.join(dir, "pwfile");
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (asRoot) {
        const owner = spawnSync("id", ["-u", SYSTEM_USER], { encoding: "utf8", timeout: 5000 });
        const gid = spawnSync("id", ["-g", SYSTEM_USER], { encoding: "utf8", timeout: 5000 });
        if (owner.status !== 0) {
            fs.rmSync(dir, { recursive: true, force: true });
            throw new Error(`running as root and there is no "${SYSTEM_USER}" system user for initdb: run \`bash ${ENSURE_POSTGRES}\``);
        }
        for (const p of [dir, pwfile]) fs.chownSync(p, Number(owner.stdout.trim()), Number(gid.stdout.trim()));
    }
    const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
    try {
        run(bin.initdb, ["-D", data, "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${pwfile}`, "-E", "UTF8", "--no-sync"], 60_000);
        // The port is free when asked and taken a moment later: try a few.
        let lastError: unknown;
        for (let tries = 0; tries < 3; tries += 1) {
            const port = await freeLoopbackPort();
            try {
                run(bin.pgCtl, ["-D", data, "-l", path.join(dir, "server.log"), "-w", "-t", "30", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"], 40_000);
            } catch (err) {
                lastError = err;
                continue;
            }
            return {
                host: "127.0.0.1",
                port,
                user: "postgres",
                password,
                stop: () => {
                    try {
                        run(bin.pgCtl, ["-D", data, "-m", "immediate", "-w", "-t", "15", "stop"], 20_000);
                    } finally {
                        cleanup();
                    }
                },
            };
        }
        const log = path.join(dir, "server.log");
        throw new Error(`PostgreSQL did not start: ${(lastError as Error).message}\n${fs.existsSync(log) ? fs.readFileSync(log, "utf8") : ""}`);
    } catch (err) {
        cleanup();
        throw err;
    }
}
