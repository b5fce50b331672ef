// The README is the front door: its config reference must be the contract the code enforces.
import * as fs from "fs";
import * as path from "path";
import { CONFIG_KEYS } from "../stacks/config";
import { configReferenceTable } from "../tools/configReference";
import { parseValidateArgs } from "../tools/plan/validate";

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

// ---- Every `npm run` command the README shows must work as written: the script exists and its
// ---- tool's own parser accepts every flag (placeholders filled with real values).
import { parseArgs as parseCheckPolicyArgs } from "../tools/checkPolicy";
import { parseCommonArgs } from "../tools/checks/cli";
import { PREFLIGHT_CHECKS } from "../tools/checks/preflightPlan";
import { VERIFY_CHECKS } from "../tools/checks/verifyPlan";
import { listStacks } from "../tools/mockRuntime";
import { parseNewCountryArgs } from "../tools/newCountry";
import { main as planMain } from "../tools/plan";
import { adopt } from "../tools/adopt";

const STACK = listStacks()[0];
const PLACEHOLDERS: Record<string, string> = {
    "<stack>": STACK,
    "<env>-<country>": STACK,
    "staging-<country>": STACK,
    "prod-<country>": STACK,
    "staging-<cc>": STACK,
    "prod-<cc>": STACK,
    "<cc>": "mx",
    "<country>": "mx",
    "<ARN>": "arn:aws:iam::400000000101:role/data-infra-read-only",
    FILE: "/tmp/readme-outputs.json",
};

/** The README's `npm run <script> -- <args>` commands, as a shell would split them, placeholders filled. */
function readmeCommands(text: string): { line: string; script: string; args?: string[] }[] {
    const found: { line: string; script: string; args?: string[] }[] = [];
    for (const m of text.matchAll(/npm run (?:-s )?([\w:-]+)([^`\n|&;#]*)/g)) {
        // A redirection ends the command (`… --json > /tmp/preview.json`).
        let rest = m[2].split(/\s>\s?/)[0].trim();
        if (/…|\.\.\./.test(rest)) continue; // an elided command ("npm run adopt -- … --out …") shows a shape, not a command
        rest = rest.replace(/\$\([^)]*\)/g, "").replace(/\$\{?STACK\}?/g, STACK);
        for (const [placeholder, value] of Object.entries(PLACEHOLDERS)) rest = rest.split(placeholder).join(value);
        const tokens = rest.split(/\s+/).filter((t) => t !== "").map((t) => t.replace(/^["']|["']$/g, "").replace(/[.,:)]+$/, ""));
        const args = tokens[0] === "--" ? tokens.slice(1) : [];
        // Without `--` it is a mention in prose ("`npm run verify` as for any country"): the script must exist.
        found.push({ line: m[0].split(/\s>\s?/)[0].trim(), script: m[1], ...(tokens[0] === "--" || tokens.length === 0 && /^(bench|schema|test|typecheck)$/.test(m[1]) ? { args } : {}) });
    }
    return found;
}

const silentIo = { out: () => undefined, err: () => undefined };
const silentChecksIo = { stdout: () => undefined, stderr: () => undefined, env: {} };

/** Whether the script's own parser accepts the arguments (undefined) or the problem. */
async function refusal(script: string, args: string[]): Promise<string | undefined> {
    const tryParse = (f: () => unknown) => {
        try {
            f();
            return undefined;
        } catch (e) {
            return e instanceof Error ? e.message : String(e);
        }
    };
    switch (script) {
        case "plan":
            return (await planMain([...args, "--help"], silentIo)) === 0 ? undefined : "plan refused the flags";
        case "check:policy": {
            const parsed = parseCheckPolicyArgs(args);
            return typeof parsed === "string" ? parsed : undefined;
        }
        case "verify":
            return tryParse(() => parseCommonArgs("verify", args, VERIFY_CHECKS));
        case "preflight":
            return tryParse(() => parseCommonArgs("preflight", args, PREFLIGHT_CHECKS));
        case "adopt":
            return (await adopt([...args, "--help"], silentChecksIo)) === 0 ? undefined : "adopt refused the flags";
        case "new-country": {
            const parsed = parseNewCountryArgs(args);
            return typeof parsed === "string" ? parsed : undefined;
        }
        case "validate:manifests": {
            const parsed = parseValidateArgs(args);
            return typeof parsed === "string" ? parsed : undefined;
        }
        case "check:replacements":
            return args.length > 0 && args.every((a) => !a.startsWith("-")) ? undefined : "check:replacements takes preview files";
        default:
            return args.length === 0 ? undefined : `${script} takes no arguments`;
    }
}

describe("every npm run command in the README is real", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")).scripts as Record<string, string>;
    const commands = readmeCommands(readme);

    test("the README shows the commands of running it for real and adding a country", () => {
        const shown = new Set(commands.map((c) => c.script));
        for (const script of ["plan", "check:policy", "preflight", "verify", "new-country", "check:replacements"]) expect(shown).toContain(script);
        const runItForReal = readme.slice(readme.indexOf("## Run it for real"), readme.indexOf("## ", readme.indexOf("## Run it for real") + 3));
        // Kubernetes access is the AWS CLI, an access entry and a network path: no kubeconfig script.
        expect(runItForReal).not.toContain("kubeconfig.ts");
        for (const step of ["get.pulumi.com", "pulumi login", "pulumi stack init", "--secrets-provider", "encryptedkey", "aws --version", "list-access-entries", "DATA_INFRA_ROLE=preview", "pulumi preview --stack", "--policy-pack policy", "npm run preflight", "pulumi up --stack", "npm run verify"]) {
            expect({ step, shown: runItForReal.includes(step) }).toEqual({ step, shown: true });
        }
        // In that order.
        const order = ["pulumi version", "pulumi login", "pulumi stack init", "npm run preflight", "pulumi preview --stack", "pulumi up --stack", "npm run verify"].map((s) => runItForReal.indexOf(s));
        expect([...order].sort((a, b) => a - b)).toEqual(order);
    });

    test.each(commands.map((c) => [c.line, c] as const))("%s", async (_line, c) => {
        expect(Object.keys(scripts)).toContain(c.script);
        if (c.args === undefined) return;
        expect({ command: c.line, args: c.args, refused: await refusal(c.script, c.args) }).toEqual({ command: c.line, args: c.args, refused: undefined });
    });

    test("a flag a tool does not have is caught", async () => {
        expect(await refusal("verify", ["--stack", STACK, "--colour"])).toBeDefined();
        expect(await refusal("plan", ["--stack", STACK, "--colour"])).toBeDefined();
        expect(await refusal("new-country", ["--country", "mx", "--form", "co"])).toBeDefined();
        expect(await refusal("check:policy", ["--stacks", STACK])).toBeDefined();
    });
});
