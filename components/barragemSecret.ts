// Runbook: "The password must be saved under nu-secrets-<country>-<env>/barragem_secret_config.json",
// shaped `{"rdb-password": "<pwd>"}`. Generated here, kept a Pulumi secret from creation to the object,
// which is encrypted under a key only the deploy role, Barragem's roles and the verify role may decrypt with.
//
// Both the generator and the object are protected: a change to the generator's inputs would make a
// new password, the clusters would take it and Barragem would keep the old one. Rotation is a
// deliberate procedure (docs/services.md "Rotating Barragem's password").
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CustomerKey, secretKeyPolicy } from "./kmsKey";

/** RDS refuses '/', '@', '"' and spaces in master passwords. */
export const PASSWORD_SPEC = { length: 32, special: true, overrideSpecial: "!#$%&*()-_=+[]{}<>:?" } as const;

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
    /** `alias/<name>` of the key the object is encrypted with. */
    readonly keyAlias: string;
    readonly accountId: string;
    readonly region: string;
    /** The role `pulumi up` runs as: it writes the object (and reads it back on refresh). */
    readonly writerRoleArn: string;
    /** Barragem's roles on every prototype: the readers. */
    readonly readerRoleArns: readonly string[];
    /** The read-only role `npm run verify` uses: it reads the object to log in to Aurora. */
    readonly verifyRoleArn: string;
    readonly provider: aws.Provider;
}

export class BarragemSecret extends pulumi.ComponentResource {
    /** The master password, as a secret Output. */
    readonly password: pulumi.Output<string>;
    /** The key of the secret file: Barragem's roles need kms:Decrypt on it. */
    readonly keyArn: pulumi.Output<string>;

    constructor(name: string, args: BarragemSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super("data-infra:aurora:BarragemSecret", name, {}, opts);
        const password = new random.RandomPassword(
            `${name}-master-password`,
            { ...PASSWORD_SPEC },
            // A hand-built country keeps its password: `pulumi import` of a RandomPassword
            // (terraform-provider-random ImportState, id = the password) records length =
            // len(password) and overrideSpecial = null, and every generation parameter forces a
            // new password. Ignoring them keeps an imported password (docs/adopt.md "The Barragem
            // password"); a fresh stack still generates with the values above.
            { parent: this, protect: true, ignoreChanges: [...PASSWORD_GENERATION_INPUTS] },
        );
        this.password = pulumi.secret(password.result);
        const key = new CustomerKey(
            `${name}-key`,
            {
                alias: args.keyAlias,
                description: `Barragem's secret file s3://${args.secretsBucket}/${args.key}: the deploy role, Barragem's roles and the verify role only`,
                policy: JSON.stringify(
                    secretKeyPolicy({ accountId: args.accountId, region: args.region, writerRoleArn: args.writerRoleArn, readerRoleArns: args.readerRoleArns, verifyRoleArn: args.verifyRoleArn }),
                ),
                provider: args.provider,
            },
            { parent: this },
        );
        this.keyArn = key.arn;
        new aws.s3.BucketObjectv2(
            `${name}-config`,
            {
                bucket: args.secretsBucket,
                key: args.key,
                contentType: "application/json",
                serverSideEncryption: "aws:kms",
                kmsKeyId: key.arn,
                content: pulumi.secret(this.password.apply((pwd) => JSON.stringify({ "rdb-password": pwd }))),
            },
            { parent: this, provider: args.provider, protect: true },
        );
        this.registerOutputs({ keyArn: this.keyArn });
    }
}
