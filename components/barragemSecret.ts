// Runbook: "The password must be saved under nu-secrets-<country>-<env>/barragem_secret_config.json",
// shaped `{"rdb-password": "<pwd>"}`. Generated here, kept a Pulumi secret from creation to the object.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

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
            { parent: this },
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
