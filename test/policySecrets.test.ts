// The "no plain secrets" guardrail: which names look secret, and how the rule behaves with the
// props the real engine builds (deserialized exactly as @pulumi/policy's server does) — blind in
// validation (pulumi/pulumi-policy#241), encrypting plain values in remediation.
import { ResourceValidationArgs, Secret, unknownCheckingProxy } from "@pulumi/policy";
import { isSecretLookingName, plainSecrets } from "../policy/rules/secrets";
import { noPlainSecrets } from "../policy/rules/stack";

// Internals of @pulumi/pulumi and @pulumi/policy, used only to reproduce the engine's wire format.
/* eslint-disable @typescript-eslint/no-require-imports */
const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(o: object): unknown } };
const rpc = require("@pulumi/pulumi/runtime/rpc") as { specialSigKey: string; specialSecretSig: string; specialAssetSig: string };
const { asset } = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
const wire = require("@pulumi/policy/deserialize") as {
    deserializeProperties(struct: unknown, proxySecrets: boolean): Record<string, unknown>;
    serializeProperties(props: unknown): Promise<Record<string, unknown>>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

const secret = (value: unknown) => ({ [rpc.specialSigKey]: rpc.specialSecretSig, value });

/** A Deployment-like resource as the engine sends it: one secret input, one plain env password. */
const ENGINE_INPUTS = {
    masterPassword: secret("generated-Zq8!"),
    secretsBucket: "nu-secrets-co-staging",
    spec: {
        containers: [
            {
                name: "barragem",
                env: [
                    { name: "NU_ENV", value: "staging" },
                    { name: "RDB_PASSWORD", value: "hunter2" },
                ],
            },
        ],
    },
};

/** Props as the engine's analyzer builds them: for validation (secrets unwrapped) or remediation. */
function engineProps(inputs: object, forRemediation: boolean): Record<string, unknown> {
    return unknownCheckingProxy(wire.deserializeProperties(Struct.fromJavaScript(inputs), forRemediation));
}

function engineArgs(props: Record<string, unknown>, onNotApplicable: (reason?: string) => never): ResourceValidationArgs {
    return {
        type: "kubernetes:apps/v1:Deployment",
        name: "global-barragem",
        urn: "urn:pulumi:staging-co::data-infra::kubernetes:apps/v1:Deployment::global-barragem",
        props,
        opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: onNotApplicable,
    };
}

describe("secret-looking names", () => {
    test.each([
        "password",
        "masterPassword",
        "masterPasswordWo",
        "secretKey",
        "authToken",
        "privateKey",
        "apiKey",
        "APIKey",
        "DB_PASSWORD",
        "rdb-password",
        "client_secret",
        "passphrase",
        "kafka-credentials",
    ])("%s looks secret", (name) => {
        expect(isSecretLookingName(name)).toBe(true);
    });

    test.each([
        "secretsBucket",
        "secretArn",
        "secretName",
        "kmsKeyId",
        "masterUserSecretKmsKeyId",
        "keyName",
        "key",
        "tokenUrl",
        "passwordLength",
        "skipCredentialsValidation",
        "sessionName",
        "overrideSpecial",
        "RDB_PASSWORD_FILE",
    ])("%s only refers to a secret or is not one", (name) => {
        expect(isSecretLookingName(name)).toBe(false);
    });

    test("tags, labels and annotations are metadata, not inputs", () => {
        expect(plainSecrets({ tags: { "secret-level": "pii" }, metadata: { annotations: { "checksum/secret": "abc123" }, labels: { token: "x" } } })).toEqual([]);
    });

    test("booleans and numbers written as text are not secrets", () => {
        expect(plainSecrets({ password: "true", token: "3600", secret: "" })).toEqual([]);
    });
});

describe("the no-plain-secrets rule with the engine's props", () => {
    test("in validation the engine hides secretness, so the rule says it is not applicable instead of guessing", async () => {
        const reasons: string[] = [];
        const reported: string[] = [];
        const args = engineArgs(engineProps(ENGINE_INPUTS, false), (reason) => {
            reasons.push(reason ?? "");
            throw new Error("not applicable");
        });
        const validate = noPlainSecrets.validateResource as (a: ResourceValidationArgs, r: (m: string) => void) => void;
        expect(() => validate(args, (m) => reported.push(m))).toThrow("not applicable");
        expect(reported).toEqual([]);
        expect(reasons[0]).toMatch(/pulumi-policy#241/);
    });

    test("in remediation the plain env password becomes a secret and everything else is kept as it was", async () => {
        const props = engineProps(ENGINE_INPUTS, true);
        const args = engineArgs(props, () => {
            throw new Error("remediation must apply");
        });
        const fixed = (await noPlainSecrets.remediateResource!(args)) as Record<string, unknown>;
        const spec = fixed.spec as { containers: { env: { name: string; value: unknown }[] }[] };
        const env = spec.containers[0].env;
        expect(env[1].value).toBeInstanceOf(Secret);
        expect((env[1].value as Secret).value).toBe("hunter2");
        expect(env[0].value).toBe("staging");
        expect(fixed.masterPassword).toBeInstanceOf(Secret);
        expect((fixed.masterPassword as Secret).value).toBe("generated-Zq8!");
        expect(fixed.secretsBucket).toBe("nu-secrets-co-staging");

        // What the engine receives back: both passwords as secrets on the wire.
        const sent = (await wire.serializeProperties(fixed)) as typeof ENGINE_INPUTS & { spec: { containers: { env: { value: unknown }[] }[] } };
        expect(sent.spec.containers[0].env[1].value).toEqual(secret("hunter2"));
        expect(sent.masterPassword).toEqual(secret("generated-Zq8!"));
    });

    test("remediation hands assets back as assets", async () => {
        const props = engineProps({ source: { [rpc.specialSigKey]: rpc.specialAssetSig, path: "/srv/config.json" }, authToken: "plain-token" }, true);
        const fixed = (await noPlainSecrets.remediateResource!(engineArgs(props, () => { throw new Error("remediation must apply"); }))) as Record<string, unknown>;
        expect(fixed.source).toBeInstanceOf(asset.FileAsset);
        expect(fixed.authToken).toBeInstanceOf(Secret);
    });

    test("remediation leaves a resource whose secret-looking inputs are all secrets untouched", async () => {
        const props = engineProps({ masterPassword: secret("generated"), spec: { containers: [{ env: [{ name: "RDB_PASSWORD", value: secret("x") }] }] } }, true);
        const args = engineArgs(props, () => {
            throw new Error("remediation must apply");
        });
        expect(await noPlainSecrets.remediateResource!(args)).toBeUndefined();
    });
});
