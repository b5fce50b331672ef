// How the tests find PostgreSQL's server binaries, and what they say when there are none.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findPostgresBinaries, postgresSearchDirs, PostgresMissingError } from "./support/postgres";

let dir: string;
beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "data-infra-pgbin-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function fakeBinaries(at: string, names: readonly string[]): void {
    fs.mkdirSync(at, { recursive: true });
    for (const name of names) fs.writeFileSync(path.join(at, name), "#!/bin/sh\n", { mode: 0o755 });
}

test("without initdb and pg_ctl the error names scripts/ensure-postgres.sh", () => {
    fakeBinaries(path.join(dir, "only-initdb"), ["initdb"]);

    expect(() => findPostgresBinaries([path.join(dir, "empty"), path.join(dir, "only-initdb")])).toThrow(PostgresMissingError);
    expect(() => findPostgresBinaries([path.join(dir, "empty")])).toThrow("bash scripts/ensure-postgres.sh");
});

test("initdb and pg_ctl are taken from the first directory that has both", () => {
    fakeBinaries(path.join(dir, "a"), ["pg_ctl"]);
    fakeBinaries(path.join(dir, "b"), ["initdb", "pg_ctl"]);

    expect(findPostgresBinaries([path.join(dir, "a"), path.join(dir, "b")])).toEqual({
        initdb: fs.realpathSync(path.join(dir, "b", "initdb")),
        pgCtl: fs.realpathSync(path.join(dir, "b", "pg_ctl")),
    });
});

test("PATH is searched first, then Debian's /usr/lib/postgresql/<version>/bin, newest version first", () => {
    fs.mkdirSync(path.join(dir, "9"));
    fs.mkdirSync(path.join(dir, "16"));
    fs.mkdirSync(path.join(dir, "15"));

    expect(postgresSearchDirs({ PATH: `/opt/pg/bin${path.delimiter}/usr/bin` }, dir)).toEqual([
        "/opt/pg/bin",
        "/usr/bin",
        path.join(dir, "16", "bin"),
        path.join(dir, "15", "bin"),
        path.join(dir, "9", "bin"),
    ]);
});
