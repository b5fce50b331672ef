// docs/plan.md is what an engineer reads before running the plan: it must name every flag the
// command takes and carry the same creation-time table as the estimate.
import * as fs from "fs";
import * as path from "path";
import { usage } from "../tools/plan";
import { CREATION_TIMES, formatDuration, UNKNOWN_TYPE_SECONDS } from "../tools/plan/estimate";

const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "plan.md"), "utf8");

test("documents every flag of the command", () => {
    const flags = [...usage().matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]);
    expect(flags).toEqual(expect.arrayContaining(["--stack", "--prototypes", "--json", "--out", "--diff", "--against", "--stats", "--help"]));
    for (const flag of flags) expect(doc).toContain(`\`${flag}`);
});

test("the creation-time table is the estimate's, row for row", () => {
    const section = doc.slice(doc.indexOf("#### Typical creation times"), doc.indexOf("| any other type"));
    const rows = [...section.matchAll(/^\| `([^`]+)` \| ([^|]+) \|/gm)].map((m) => [m[1], m[2].trim()]);
    expect(rows).toEqual(CREATION_TIMES.map((t) => [t.type, formatDuration(t.seconds)]));
    expect(doc).toContain(`| any other type | ${formatDuration(UNKNOWN_TYPE_SECONDS)} |`);
});

test("has the section npm run bench -- --write fills", () => {
    expect(doc.indexOf("<!-- bench:start -->")).toBeGreaterThan(doc.indexOf("## Benchmark"));
    expect(doc.indexOf("<!-- bench:end -->")).toBeGreaterThan(doc.indexOf("<!-- bench:start -->"));
});
