// Reading a stack file the way Pulumi does, and the errors and warnings a person can act on:
// YAML syntax errors with file, line and column; unquoted account ids; another country's domain.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RunError } from "@pulumi/pulumi";
import { configWarnings, parseCountryStack } from "../stacks/config";
import { loadStackConfig, PROJECT_DIR, runProgram, StackFileError } from "../tools/mockRuntime";
import { main } from "../tools/plan";

const STACK_TRACE = /\n\s+at .+:\d+:\d+/;
const staging = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.staging-co.yaml"), "utf8");

/** Writes `Pulumi.<stack>.yaml` with `text` into a fresh directory and returns the directory. */
function stackDir(stack: string, text: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-file-"));
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
    return dir;
}

function loadError(stack: string, text: string): StackFileError {
    try {
        loadStackConfig(stack, stackDir(stack, text));
    } catch (e) {
        if (e instanceof StackFileError) return e;
        throw e;
    }
    throw new Error("expected a StackFileError");
}

describe("a YAML syntax error names the file, the line and the column", () => {
    test.each([
        ["an unclosed list", "config:\n  data-infra:country: co\n  data-infra:prototypes: [global, s0\n  data-infra:env: staging\n", "Pulumi.staging-co.yaml:4:3: YAML syntax error: "],
        ["a key given twice", "config:\n  data-infra:country: co\n  data-infra:country: mx\n", "Pulumi.staging-co.yaml:3:3: YAML syntax error: Map keys must be unique"],
        ["a tab as indentation", "config:\n\tdata-infra:country: co\n", "Pulumi.staging-co.yaml:2:1: YAML syntax error: Tabs are not allowed as indentation"],
    ])("%s", (_case, text, expected) => {
        const error = loadError("staging-co", text);
        expect(error.message.startsWith(expected)).toBe(true);
        expect(error.message).not.toMatch(STACK_TRACE);
        expect(error.message).not.toContain("DATA_INFRA_STACK_TRACES");
    });

    test("the lines around the error are shown with a caret under it", () => {
        const error = loadError("staging-co", "config:\n  data-infra:country: co\n  data-infra:country: mx\n");
        expect(error.message.split("\n").slice(1).join("\n")).toContain("  data-infra:country: mx\n  ^");
    });

    test("a stack file whose config is not a map says where and what it should be", () => {
        expect(loadError("staging-co", "config: [country, co]\n").message).toBe(
            "Pulumi.staging-co.yaml:1:9: `config:` must be a map of keys (`data-infra:<key>: <value>`)",
        );
    });
});

describe("values are read as Pulumi reads them", () => {
    const unquoted = staging.replace('data-infra:countryAccountId: "400000000101"', "data-infra:countryAccountId: 012345678901");

    test("an unquoted account id keeps its leading zero (YAML alone would read 12345678901)", () => {
        expect(unquoted).not.toBe(staging);
        const raw = loadStackConfig("staging-co", stackDir("staging-co", unquoted));
        expect(raw["data-infra:countryAccountId"]).toBe("012345678901");
        const stack = parseCountryStack("staging-co", raw);
        expect(stack.accounts.country.id).toBe("012345678901");
        expect(stack.accounts.country.deployRoleArn).toBe("arn:aws:iam::012345678901:role/data-infra-deploy");
    });

    test("other unquoted scalars keep their text too: auroraEngineVersion 16.10 is not 16.1", () => {
        const text = `${staging}  data-infra:auroraEngineVersion: 16.10\n`;
        const raw = loadStackConfig("staging-co", stackDir("staging-co", text));
        expect(raw["data-infra:auroraEngineVersion"]).toBe("16.10");
        expect(parseCountryStack("staging-co", raw).aurora).toMatchObject({ engineVersion: "16.10", major: 16 });
    });

    test("lists and maps arrive as JSON, and an empty value as an empty string", () => {
        const raw = loadStackConfig("staging-co", stackDir("staging-co", `${staging}  data-infra:vpcName:\n`));
        expect(JSON.parse(raw["data-infra:prototypes"])).toEqual(["global", "s0"]);
        expect(raw["data-infra:vpcName"]).toBe("");
    });
});

describe("a stack file that keeps another country's domain draws a warning, not an error", () => {
    const mexican = { ...loadStackConfig("staging-co"), "data-infra:domain": "nu.com.mx" };

    test("the warning names the domain, its country code and the stack's country", () => {
        expect(configWarnings(parseCountryStack("staging-co", mexican))).toEqual([
            'data-infra:domain "nu.com.mx" ends in ".mx", another country\'s code, but data-infra:country is "co": was this stack file copied from the mx stacks? The canonical names go into the Route53 zone of "nu.com.mx".',
        ]);
    });

    test.each(["nu.com.co", "nubank.com", "data.nu.co"])("no warning for %s in country co", (domain) => {
        expect(configWarnings(parseCountryStack("staging-co", { ...mexican, "data-infra:domain": domain }))).toEqual([]);
    });

    test("the program passes it to pulumi.log.warn and still plans every resource", async () => {
        const run = await runProgram({ stack: "staging-co", config: mexican });
        expect(run.warnings).toEqual(configWarnings(parseCountryStack("staging-co", mexican)));
        expect(run.resources.length).toBeGreaterThan(100);
        expect((await runProgram({ stack: "staging-co" })).warnings).toEqual([]);
    });

    test("the offline plan prints it", async () => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await main(["--stack", "staging-co"], { out: (t) => out.push(t), err: (t) => err.push(t) }, path.join(__dirname, "fixtures", "foreignDomainProgram"));
        expect(code).toBe(0);
        expect(err.join("\n")).toContain('warning: data-infra:domain "nu.com.mx" ends in ".mx", another country\'s code, but data-infra:country is "co"');
    });
});

describe("under pulumi preview/up, a refused config reads as its problems alone", () => {
    test("the error is a Pulumi RunError, which the language host prints without a stack trace", () => {
        const raw = { ...loadStackConfig("staging-co"), "data-infra:env": "qa" };
        let error: unknown;
        try {
            parseCountryStack("staging-co", raw);
        } catch (e) {
            error = e;
        }
        expect(RunError.isInstance(error)).toBe(true);
        expect((error as Error).message).toContain('data-infra:env has value "qa"; allowed: staging | prod');
    });
});

describe("a value that is not text says what it is", () => {
    test("a number where text belongs is shown as a number, with how to set it as text", () => {
        const raw = { ...loadStackConfig("staging-co"), "data-infra:images": JSON.stringify({ ...JSON.parse(loadStackConfig("staging-co")["data-infra:images"]), tapir: { version: 1.1 } }) };
        expect(() => parseCountryStack("staging-co", raw)).toThrow(
            "data-infra:images.tapir.version has the number 1.1; allowed: a string: quote the version in YAML so that 1.10 stays 1.10 (with the CLI: `pulumi config set --path --type string …`)",
        );
    });

    test("text is shown in quotes, so \"2\" and 2 never read the same", () => {
        const raw = { ...loadStackConfig("staging-co"), "data-infra:env": "2" };
        expect(() => parseCountryStack("staging-co", raw)).toThrow('data-infra:env has value "2"; allowed: staging | prod');
    });
});

describe("an encrypted data-infra value", () => {
    test("is refused where it stands: no data-infra key is a secret, and offline it cannot be decrypted", () => {
        const encrypted = staging.replace('data-infra:dataAccountId: "400000000900"', "data-infra:dataAccountId:\n    secure: v1:abc");
        expect(encrypted).not.toBe(staging);
        expect(loadError("staging-co", encrypted).message).toMatch(
            /^Pulumi\.staging-co\.yaml:\d+:\d+: data-infra:dataAccountId is encrypted \(`secure:`\); no data-infra key holds a secret, and the offline plan cannot decrypt one: set it again without --secret$/,
        );
    });
});
