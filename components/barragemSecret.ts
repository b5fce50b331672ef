// Runbook: "The password must be saved under nu-secrets-<country>-<env>/barragem_secret_config.json",
// shaped `{"rdb-password": "<pwd>"}`. Generated here, kept a Pulumi secret from creation to the object.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** Every RandomPassword input that only shapes generation: a change to any of them makes a new password. */
export const PASSWORD_GENERATION_INPUTS = [
    "length",
    "special",
    "overrideSpecial",
    "upper",
    "lower",
    "numeric",
    "number",
    "minUpper",
    "minLower",
    "minNumeric",
    "minSpecial",
] as const;

export interface BarragemSecretArgs {
    /** The existing secrets bucket; this program writes only the one object. */
    readonly secretsBucket: string;
    readonly key: string;
    readonly provider: aws.Provider;
}

export class BarragemSecret extends pulumi.ComponentResource {
    /** The master password, as a secret Output. */
    readonly password: pulumi.Output<string>;

    constructor(name: string, args: BarragemSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super("data-infra:aurora:BarragemSecret", name, {}, opts);
        // RDS refuses '/', '@', '"' and spaces in master passwords.
        const password = new random.RandomPassword(
            `${name}-master-password`,
            { length: 32, special: true, overrideSpecial: "!#$%&*()-_=+[]{}<>:?" },
            // A hand-built country keeps its password: `pulumi import` of a RandomPassword
            // (terraform-provider-random ImportState, id = the password) records length =
            // len(password) and overrideSpecial = null, and every generation parameter forces a
            // new password. Ignoring them keeps an imported password (docs/adopt.md "The Barragem
            // password"); a fresh stack still generates with the values above.
            { parent: this, ignoreChanges: [...PASSWORD_GENERATION_INPUTS] },
        );
        this.password = pulumi.secret(password.result);
        new aws.s3.BucketObjectv2(
            `${name}-config`,
            {
                bucket: args.secretsBucket,
                key: args.key,
                contentType: "application/json",
                serverSideEncryption: "AES256",
                content: pulumi.secret(this.password.apply((pwd) => JSON.stringify({ "rdb-password": pwd }))),
            },
            { parent: this, provider: args.provider },
        );
        this.registerOutputs({});
    }
}
