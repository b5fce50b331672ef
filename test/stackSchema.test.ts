// The JSON Schema editors use for Pulumi.<stack>.yaml: generated from the one config declaration,
// committed, and checked with a real JSON Schema validator against every stack file of the project.
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import * as YAML from "yaml";
import { listStacks, PROJECT_DIR } from "../tools/mockRuntime";
import { MODELINE, SCHEMA_FILE, stackSchemaText } from "../tools/stackSchema";

const committed = fs.readFileSync(SCHEMA_FILE, "utf8");
const validate = new Ajv({ allErrors: true }).compile(JSON.parse(committed));
const stackFile = (stack: string) => fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8");
const stacks = listStacks();

/** A stack file's document with some config keys replaced, as an editor would see it. */
function withConfig(stack: string, change: Record<string, unknown>): unknown {
    const doc = YAML.parse(stackFile(stack));
    return { ...doc, config: { ...doc.config, ...change } };
}

function errorsOf(doc: unknown): string {
    return validate(doc) ? "" : JSON.stringify(validate.errors);
}

test("the committed JSON Schema is what the config declaration generates (npm run schema)", () => {
    expect(committed).toBe(stackSchemaText());
});

test("the project has stack files to check", () => {
    expect(stacks.length).toBeGreaterThan(0);
});

describe.each(stacks)("Pulumi.%s.yaml", (stack) => {
    test("is accepted by the JSON Schema", () => {
        expect(errorsOf(YAML.parse(stackFile(stack)))).toBe("");
    });

    test("points editors at the schema on its first line", () => {
        expect(stackFile(stack).split("\n")[0]).toBe(MODELINE);
        const target = MODELINE.split("$schema=")[1];
        expect(path.resolve(PROJECT_DIR, target)).toBe(SCHEMA_FILE);
    });
});

describe("the JSON Schema refuses what the program refuses", () => {
    const stack = stacks[0];

    test("env: qa", () => {
        expect(errorsOf(withConfig(stack, { "data-infra:env": "qa" }))).toContain("data-infra:env");
    });

    test("a misspelt data-infra key", () => {
        expect(errorsOf(withConfig(stack, { "data-infra:auroraInstanceClas": "db.t4g.medium" }))).toContain("data-infra:auroraInstanceClas");
    });

    test("a misspelt field inside an image", () => {
        expect(errorsOf(withConfig(stack, { "data-infra:images": { ...YAML.parse(stackFile(stack)).config["data-infra:images"], tapir: { verison: "1.0.0" } } }))).toContain(
            "verison",
        );
    });

    test("prototypes without global", () => {
        expect(errorsOf(withConfig(stack, { "data-infra:prototypes": ["s0"] }))).toContain("data-infra:prototypes");
    });

    test("an account id YAML reads as a number: the editor asks for the quoted string", () => {
        expect(errorsOf(withConfig(stack, { "data-infra:countryAccountId": 12345678901 }))).toContain("must be string");
    });
});

test("the JSON Schema lets other namespaces and Pulumi's own top-level keys through", () => {
    const doc = { ...(withConfig(stacks[0], { "aws:region": "us-east-1", "pulumi:tags": { owner: "x" } }) as object), secretsprovider: "awskms://alias/x", encryptedkey: "AQID" };
    expect(errorsOf(doc)).toBe("");
});
