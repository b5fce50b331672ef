// The README is the front door: its config reference must be the contract the code enforces.
import * as fs from "fs";
import * as path from "path";
import { CONFIG_KEYS } from "../stacks/config";
import { configReferenceTable } from "../tools/configReference";

const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");

test("the README's config reference is the table generated from the validated keys", () => {
    expect(readme).toContain(configReferenceTable());
});

test("the README documents every config key", () => {
    for (const key of CONFIG_KEYS) expect(readme).toContain(`\`data-infra:${key.key}\``);
});

test("the README's set-up commands exist as npm scripts", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")).scripts as Record<string, string>;
    for (const [, script] of readme.matchAll(/npm run ([\w:-]+)/g)) expect(Object.keys(scripts)).toContain(script);
});
