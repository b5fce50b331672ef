// The stack config contract, as pure functions: no Pulumi runtime involved.
import { ALL_PROTOTYPES, CONFIG_KEYS, parseCountryStack } from "../stacks/config";
import { configProblems, VALID_CONFIG, withoutKey } from "./helpers/config";
import { loadStackConfig } from "../tools/mockRuntime";

const valid = VALID_CONFIG;
const problemsOf = configProblems;
const without = (key: string) => withoutKey(valid, key);

describe("a valid stack config", () => {
    const stack = parseCountryStack("staging-co", valid);

    test("keeps the required values", () => {
        expect(stack.country).toBe("co");
        expect(stack.env).toBe("staging");
        expect(stack.prototypes).toEqual(["global", "s0"]);
    });

    test("fills every documented default", () => {
        expect(stack.stackId).toBe("blue");
        expect(stack.clearances).toEqual(["general", "pii"]);
        expect(stack.region).toBe("us-east-1");
        expect(stack.aurora).toEqual({ engineVersion: "16.8", major: 16, instanceClass: "db.t4g.medium", storageKey: "customer-managed" });
        expect(stack.imageRegistry).toBe("400000000101.dkr.ecr.us-east-1.amazonaws.com");
        expect(stack.dnsZone).toEqual({ name: "nu.com.co", private: true });
        expect(stack.vpcName).toBe("staging-blue-vpc");
        expect(stack.kubernetesNodesSecurityGroupName).toBe("prod-long-lived-resources-kubernetes-nodes-sg");
        expect(stack.alertsEnabled).toBe(false);
        expect(stack.dynamodb).toEqual({ billingMode: "PAY_PER_REQUEST" });
        expect(stack.accounts.country.deployRoleArn).toBe("arn:aws:iam::400000000101:role/data-infra-deploy");
        expect(stack.accounts.data.deployRoleArn).toBe("arn:aws:iam::400000000900:role/data-infra-deploy");
    });

    test("derives the data region from env: staging us-west-2, prod us-east-1", () => {
        expect(stack.dataRegion).toBe("us-west-2");
        const prod = parseCountryStack("prod-co", { ...valid, "data-infra:env": "prod", "data-infra:countryAccountId": "400000000102" });
        expect(prod.dataRegion).toBe("us-east-1");
        expect(prod.aurora.instanceClass).toBe("db.r6g.large");
    });

    test("only the prod stack owns the country-wide buckets", () => {
        expect(stack.ownsCountryWideBuckets).toBe(false);
        expect(parseCountryStack("prod-co", { ...valid, "data-infra:env": "prod" }).ownsCountryWideBuckets).toBe(true);
    });

    test("is frozen, so no component can change it", () => {
        expect(Object.isFrozen(stack)).toBe(true);
        expect(Object.isFrozen(stack.prototypes)).toBe(true);
        expect(Object.isFrozen(stack.accounts.country)).toBe(true);
    });

    test("accepts every prototype from global to s14", () => {
        const all = parseCountryStack("staging-co", { ...valid, "data-infra:prototypes": JSON.stringify(ALL_PROTOTYPES) });
        expect(all.prototypes).toHaveLength(16);
    });

    test("both committed stack files are valid", () => {
        expect(parseCountryStack("staging-co", loadStackConfig("staging-co")).env).toBe("staging");
        expect(parseCountryStack("prod-co", loadStackConfig("prod-co")).env).toBe("prod");
    });
});

describe("a bad stack config is refused with key, value and what is allowed", () => {
    test.each([
        ["env", { "data-infra:env": "qa" }, 'data-infra:env has value "qa"; allowed: staging | prod'],
        ["country in capitals", { "data-infra:country": "CO" }, 'data-infra:country has value "CO"; allowed: two lowercase letters'],
        ["country of three letters", { "data-infra:country": "col" }, 'data-infra:country has value "col"; allowed: two lowercase letters'],
        ["prototypes empty", { "data-infra:prototypes": "[]" }, 'data-infra:prototypes has the list []; allowed: a list of distinct prototypes that includes global'],
        ["prototypes without global", { "data-infra:prototypes": '["s0"]' }, "allowed: a list that includes global"],
        ["shard out of range", { "data-infra:prototypes": '["global","s15"]' }, 'data-infra:prototypes has value "s15"; allowed: one of global, s0'],
        ["unknown prototype", { "data-infra:prototypes": '["global","shard1"]' }, 'data-infra:prototypes has value "shard1"'],
        ["duplicated prototype", { "data-infra:prototypes": '["global","s0","s0"]' }, 'data-infra:prototypes has value "s0"; allowed: each prototype once'],
        ["prototypes not a list", { "data-infra:prototypes": "global" }, 'data-infra:prototypes has value "global"; allowed: a list'],
        ["account id", { "data-infra:countryAccountId": "12345" }, 'data-infra:countryAccountId has value "12345"; allowed: a 12-digit AWS account id'],
        ["same account twice", { "data-infra:dataAccountId": "400000000101" }, "data-infra:dataAccountId has value \"400000000101\"; allowed: the nu-data account"],
        ["deploy role in another account", { "data-infra:countryDeployRoleArn": "arn:aws:iam::999999999999:role/deploy" }, "allowed: an IAM role ARN in account 400000000101"],
        ["end-of-life Aurora", { "data-infra:auroraEngineVersion": "10.7" }, 'data-infra:auroraEngineVersion has value "10.7"; allowed: an Aurora PostgreSQL version <major>.<minor> with major ≥ 14'],
        ["clearances without pii", { "data-infra:clearances": '["general"]' }, "allowed: a list of distinct lowercase clearances that includes pii"],
        ["alert switch", { "data-infra:alertsEnabled": "yes" }, 'data-infra:alertsEnabled has value "yes"; allowed: true | false'],
        ["billing mode", { "data-infra:dynamodbBillingMode": "ON_DEMAND" }, "allowed: PAY_PER_REQUEST | PROVISIONED"],
        ["provisioned without capacity", { "data-infra:dynamodbBillingMode": "PROVISIONED" }, "data-infra:dynamodbReadCapacity is missing; allowed: a positive whole number"],
        ["a misspelt key", { "data-infra:prototype": '["global"]' }, 'data-infra:prototype has the list ["global"]; allowed: a documented key'],
        ["stack id", { "data-infra:stackId": "Blue!" }, 'data-infra:stackId has value "Blue!"'],
    ])("%s", (_case, change, expected) => {
        const error = problemsOf("staging-co", { ...valid, ...change });
        expect(error.message).toContain(expected);
        expect(error.message).toContain("no resource was registered");
    });

    test.each(["country", "env", "prototypes", "countryAccountId", "dataAccountId"])("required %s is reported missing", (key) => {
        expect(problemsOf("staging-co", without(key)).message).toContain(`data-infra:${key} is missing`);
    });

    test("a stack named other than <env>-<country> is refused as a stack, not as a key: prod-co with env staging", () => {
        const error = problemsOf("prod-co", valid);
        expect(error.problems).toHaveLength(1);
        expect(error.message).toContain(
            'stack "prod-co" does not match its config: env staging and country co make "staging-co"; rename the stack file or fix data-infra:env/country',
        );
        expect(error.message).not.toContain("stack name");
    });

    test("every problem is reported at once", () => {
        const error = problemsOf("staging-co", {
            ...valid,
            "data-infra:env": "qa",
            "data-infra:country": "Colombia",
            "data-infra:prototypes": '["s15","s15"]',
            "data-infra:auroraEngineVersion": "10.7",
        });
        const keys = error.problems.map((p) => p.key);
        expect(keys).toEqual(expect.arrayContaining(["env", "country", "prototypes", "auroraEngineVersion"]));
        // s15 unknown, s15 duplicated, global missing.
        expect(keys.filter((k) => k === "prototypes")).toHaveLength(3);
    });

    test("env: qa is one problem, with nothing derived from the refused env (cluster names, stack name)", () => {
        const error = problemsOf("staging-co", { ...loadStackConfig("staging-co"), "data-infra:env": "qa" });
        expect(error.problems).toEqual([{ key: "env", value: "qa", allowed: "staging | prod" }]);
    });

    test("a near-miss key is answered with the key it probably means", () => {
        const error = problemsOf("staging-co", { ...valid, "data-infra:auroraInstanceClas": "db.t4g.medium" });
        expect(error.problems).toEqual([{ key: "auroraInstanceClas", value: "db.t4g.medium", allowed: "a documented key; did you mean `auroraInstanceClass`?" }]);
    });

    test("a key like no documented one is answered with the list of documented keys", () => {
        const error = problemsOf("staging-co", { ...valid, "data-infra:colour": "blue" });
        expect(error.message).toContain(`data-infra:colour has value "blue"; allowed: a documented key (${CONFIG_KEYS.map((k) => k.key).join(", ")})`);
    });

    test("keys of other namespaces are not this contract's business", () => {
        expect(() => parseCountryStack("staging-co", { ...valid, "aws:region": "sa-east-1", "pulumi:tags": "{}" })).not.toThrow();
    });

    test("a value that depends on a refused one is not checked: a deploy role is not compared with a bad account id", () => {
        const error = problemsOf("staging-co", { ...valid, "data-infra:countryAccountId": "12345", "data-infra:countryDeployRoleArn": "arn:aws:iam::999999999999:role/deploy" });
        expect(error.problems.map((p) => p.key)).toEqual(["countryAccountId"]);
    });

    test("no problem is reported for a valid config", () => {
        expect(() => parseCountryStack("staging-co", valid)).not.toThrow();
    });
});

describe("the config reference", () => {
    test("documents each key once, the required ones first", () => {
        const keys = CONFIG_KEYS.map((k) => k.key);
        expect(new Set(keys).size).toBe(keys.length);
        const firstOptional = CONFIG_KEYS.findIndex((k) => !k.required);
        expect(CONFIG_KEYS.slice(firstOptional).every((k) => !k.required)).toBe(true);
    });
});
