// docs/guardrails.md is what an engineer reads when a rule blocks them: it must list every rule of
// the pack (and no rule that is gone) with the Checkov/Trivy ids the rule cites, and define
// "secret-looking" with the same words as the code.
import * as fs from "fs";
import * as path from "path";
import { RULES } from "../policy/rules";
import { REFERENCE_WORDS, SECRET_PAIRS, SECRET_WORDS } from "../policy/rules/secrets";

const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "guardrails.md"), "utf8");
const rulesSection = doc.slice(doc.indexOf("## The rules"), doc.indexOf("### What \"secret-looking\" means"));
const rows = new Map(
    rulesSection
        .split("\n")
        .map((line) => /^\| `([a-z0-9-]+)` \|/.exec(line) && ([/^\| `([a-z0-9-]+)` \|/.exec(line)![1], line] as const))
        .filter((row): row is readonly [string, string] => Boolean(row)),
);

test("the rules table lists exactly the pack's rules", () => {
    expect([...rows.keys()].sort()).toEqual(RULES.map((r) => r.name).sort());
});

test.each(RULES.map((r) => [r.name, r] as const))("the row of %s cites the rule's Checkov/Trivy ids", (name, rule) => {
    const row = rows.get(name) ?? "";
    for (const tag of rule.tags ?? []) {
        const id = tag.split(":")[1];
        expect({ name, id, cited: row.includes(id) }).toEqual({ name, id, cited: true });
    }
    if ((rule.tags ?? []).length === 0) expect(row).toMatch(/none/);
});

test("the definition of secret-looking uses the code's words", () => {
    const definition = doc.slice(doc.indexOf("### What \"secret-looking\" means"), doc.indexOf("**Limitation, honestly**"));
    const listed = (word: string) => new RegExp(`[*\\s,]${word}[*,.\\s]`).test(definition);
    for (const word of [...SECRET_WORDS, ...REFERENCE_WORDS, ...SECRET_PAIRS.map(([a, b]) => `${a} ${b}`)]) {
        expect({ word, listed: listed(word) }).toEqual({ word, listed: true });
    }
});
