// Adding a country is copying two stack files: `npm run new-country` writes them from an existing
// pair with every country-specific value flagged (refused by validation until filled), and once
// filled, the offline plan, the policy check and the pipeline's stack list pick the country up
// without any code, test or pipeline edit (shown on a copy of the project in a temp dir).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ConfigError, parseCountryStack } from "../stacks/config";
import { listStacks, loadStackConfig } from "../tools/mockRuntime";
import { countryPairs, main, PLACEHOLDER } from "../tools/newCountry";
import { npmScript } from "./helpers/npmScript";

const ROOT = path.resolve(__dirname, "..");

function tempProject(withProgram = false): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "new-country-"));
    const entries = withProgram
        ? ["Pulumi.yaml", "index.ts", "package.json", "tsconfig.json", "components", "stacks", "tools", "policy", ".github"]
        : ["Pulumi.yaml"];
    for (const e of entries) fs.cpSync(path.join(ROOT, e), path.join(dir, e), { recursive: true });
    for (const stack of listStacks()) fs.copyFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), path.join(dir, `Pulumi.${stack}.yaml`));
    if (withProgram) fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

function run(argv: string[]): { code: number; out: string; err: string } {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(argv, (t) => out.push(t), (t) => err.push(t));
    return { code, out: out.join("\n"), err: err.join("\n") };
}

/** What a person does after new-country: fills every flagged value of a written stack file. */
function fill(file: string, values: { accountId: string; domain: string }): void {
    const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
    doc.setIn(["config", "data-infra:countryAccountId"], values.accountId);
    doc.setIn(["config", "data-infra:domain"], values.domain);
    const images = doc.getIn(["config", "data-infra:images"]) as YAML.YAMLMap;
    for (const item of images.items) (item.value as YAML.YAMLMap).set("version", "2.3.4");
    doc.setIn(["config", "data-infra:barragemSchedule", "databases"], doc.createNode({ global: ["ouroboros"], shards: ["acquisition"] }));
    fs.writeFileSync(file, doc.toString());
}

const from = countryPairs(ROOT)[0];
/** A country code with no stack files here yet. */
const cc = ["mx", "ar", "pe", "cl", "uy", "ec"].find((c) => !countryPairs(ROOT).includes(c))!;

describe("npm run new-country", () => {
    let dir: string;
    beforeEach(() => {
        dir = tempProject();
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    test("writes both stack files of the new country from an existing pair and prints what to fill and the next steps", () => {
        const r = run(["--country", cc, "--dir", dir]);
        expect(r).toMatchObject({ code: 0, err: "" });
        expect(listStacks(dir)).toEqual(expect.arrayContaining([`staging-${cc}`, `prod-${cc}`]));
        expect(r.out).toContain(`Wrote Pulumi.staging-${cc}.yaml and Pulumi.prod-${cc}.yaml.`);
        for (const key of ["countryAccountId", "domain", "images", "barragemSchedule"]) expect(r.out).toContain(`data-infra:${key}: `);
        expect(r.out).toContain(`npm run plan -- --stack staging-${cc}`);
        expect(r.out).toContain(`npm run check:policy -- --stack staging-${cc} --stack prod-${cc}`);
        expect(r.out).toContain(`pulumi stack init staging-${cc} --secrets-provider`);
        // Both stacks are bootstrapped by hand and their data keys committed (pulumi/pulumi#5650).
        expect(r.out).toContain(`pulumi stack init prod-${cc} --secrets-provider`);
        expect(r.out).toContain("then commit the encryptedkey line each adds to its stack file");
        expect(r.out).not.toContain("optional");
    });

    test.each(["staging", "prod"])("the %s file is refused by validation until every CHANGE ME is filled, naming exactly those keys", (env) => {
        expect(run(["--country", cc, "--dir", dir]).code).toBe(0);
        const stack = `${env}-${cc}`;
        const text = fs.readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8");
        expect(text.match(new RegExp(`# ${PLACEHOLDER}:`, "g"))).toHaveLength(4);
        let error: unknown;
        try {
            parseCountryStack(stack, loadStackConfig(stack, dir));
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(ConfigError);
        const keys = new Set((error as ConfigError).problems.map((p) => p.key.split(".")[0]));
        expect([...keys].sort()).toEqual(["barragemSchedule", "countryAccountId", "domain", "images"]);
        expect((error as ConfigError).message).toContain(`data-infra:countryAccountId has value "${PLACEHOLDER}: the 12-digit id of ${cc}'s ${env} AWS account"`);

        fill(path.join(dir, `Pulumi.${stack}.yaml`), { accountId: env === "staging" ? "400000000301" : "400000000302", domain: `nu.com.${cc}` });
        const parsed = parseCountryStack(stack, loadStackConfig(stack, dir));
        expect(parsed).toMatchObject({ country: cc, env, domain: `nu.com.${cc}` });
        const source = parseCountryStack(`${env}-${from}`, loadStackConfig(`${env}-${from}`, dir));
        // Everything not country-specific is carried over from the source pair.
        expect(parsed.prototypes).toEqual(source.prototypes);
        expect(parsed.accounts.data.id).toBe(source.accounts.data.id);
        expect(parsed.aurora).toEqual(source.aurora);
    });

    test("keeps the env's secrets provider, never the source stack's encrypted data key, and speaks of the new country in comments", () => {
        fs.appendFileSync(path.join(dir, `Pulumi.staging-${from}.yaml`), "encryptedkey: AQICAHh-source-key\n");
        expect(run(["--country", cc, "--dir", dir]).code).toBe(0);
        const text = fs.readFileSync(path.join(dir, `Pulumi.staging-${cc}.yaml`), "utf8");
        expect(text).toMatch(/^secretsprovider: awskms:\/\/alias\/data-infra-staging\?region=us-east-1$/m);
        expect(text).not.toContain("encryptedkey");
        const source = fs.readFileSync(path.join(dir, `Pulumi.staging-${from}.yaml`), "utf8");
        // The editor's schema modeline stays the first line.
        expect(text.split("\n")[0]).toBe(source.split("\n")[0]);
        expect(text).toContain(`\n# ${cc}, staging: written by npm run new-country from Pulumi.staging-${from}.yaml.`);
        expect(text).not.toContain(`resources/${from}/`);
        expect(text).not.toContain("Colombia");
    });

    test("refuses a country that already has stack files, and writes nothing", () => {
        const before = listStacks(dir);
        const r = run(["--country", from, "--dir", dir]);
        expect(r.code).toBe(2);
        expect(r.err).toContain(`new-country: country ${from} already has Pulumi.prod-${from}.yaml and Pulumi.staging-${from}.yaml; edit those instead`);
        expect(listStacks(dir)).toEqual(before);
    });

    test.each([["MX"], ["mex"], ["m1"], [""]])("refuses the country code %j", (code) => {
        const r = run(["--country", code, "--dir", dir]);
        expect(r.code).toBe(2);
        expect(r.err).toContain(`--country has value ${JSON.stringify(code)}; allowed: two lowercase letters (ISO 3166-1 alpha-2), e.g. mx`);
    });

    test("refuses a --from country without both stack files, naming the ones there are", () => {
        const r = run(["--country", cc, "--from", "zz", "--dir", dir]);
        expect(r.code).toBe(2);
        expect(r.err).toContain(`--from has value "zz"; allowed: a country with both stack files (${countryPairs(dir).join(", ")})`);
    });

    test("without --country prints usage and exits 2; --help exits 0", () => {
        expect(run([]).err).toContain("usage: npm run new-country -- --country <cc> [--from <cc>]");
        expect(run([]).code).toBe(2);
        expect(run(["--help"]).code).toBe(0);
        expect(run(["--country", cc, "--colour"]).code).toBe(2);
    });
});

describe("a country added to a copy of the project, with no code, test or pipeline edit", () => {
    let dir: string;
    const npm = (script: string, args: string[]) => npmScript(script, args, { cwd: dir, env: { ...process.env, DATA_INFRA_ROLE: "" } });

    beforeAll(() => {
        dir = tempProject(true);
        expect(npm("new-country", ["--country", cc]).status).toBe(0);
        fill(path.join(dir, `Pulumi.staging-${cc}.yaml`), { accountId: "400000000301", domain: `nu.com.${cc}` });
        fill(path.join(dir, `Pulumi.prod-${cc}.yaml`), { accountId: "400000000302", domain: `nu.com.${cc}` });
    }, 120_000);
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test("the pipeline's stack list (.github/scripts/stacks.sh) has the new country", () => {
        const r = spawnSync("bash", [".github/scripts/stacks.sh"], { cwd: dir, encoding: "utf8", env: { ...process.env, GITHUB_OUTPUT: "" } });
        expect(r.status).toBe(0);
        const lists = Object.fromEntries(r.stdout.trim().split("\n").map((l) => [l.split("=")[0], JSON.parse(l.slice(l.indexOf("=") + 1)) as string[]]));
        expect(lists.staging).toContain(`staging-${cc}`);
        expect(lists.prod).toContain(`prod-${cc}`);
        expect(lists.countries).toContain(cc);
    });

    test("npm run plan plans the new country's staging stack", () => {
        const r = npm("plan", ["--stack", `staging-${cc}`]);
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(r.stdout.startsWith(`Plan of stack staging-${cc}`)).toBe(true);
        expect(r.stdout).toContain("staging-global-barragem-aurora");
    }, 120_000);

    test("npm run check:policy -- --all checks the new country's stacks too, and they pass", () => {
        const r = npm("check:policy", ["--all"]);
        expect(r.status).toBe(0);
        for (const stack of [...listStacks(), `staging-${cc}`, `prod-${cc}`]) expect(r.stdout).toMatch(new RegExp(`^${stack}: OK, 0 mandatory`, "m"));
    }, 180_000);
});

test("no test spells out the list of stacks (it comes from the stack files: listStacks, stacks.sh)", () => {
    const dir = path.join(ROOT, "test");
    const files = fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith(".ts"));
    const spelled: string[] = [];
    for (const file of files) {
        const text = fs.readFileSync(path.join(dir, file), "utf8");
        // An error message listing literal stack names after "stacks here:", or a one-stack stacks.sh list.
        for (const m of text.matchAll(/stacks here: (?:prod|staging)-[a-z]{2}\b|(?:all|staging|prod|countries)=\[\\?"(?:staging|prod)?-?[a-z]{2}\\?"\]/g)) spelled.push(`${file}: ${m[0]}`);
    }
    expect(spelled).toEqual([]);
});
