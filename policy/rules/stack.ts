// Rules about the program as a whole (SPEC "Safety"): stateful resources survive `pulumi destroy`,
// nothing lands on an ambient default provider, and nothing secret is stored in plain text.
import type { PolicyProviderResource } from "@pulumi/policy";
import { CLUSTER_TYPE } from "./aurora";
import { TABLE_TYPE } from "./dynamodb";
import { BUCKET_TYPES } from "./s3";
import { plainSecrets, secretsVisible, withSecrets } from "./secrets";
import { resourceRule } from "./values";

export const STATEFUL_TYPES: readonly string[] = [...BUCKET_TYPES, TABLE_TYPE, CLUSTER_TYPE];

export const statefulResourcesProtected = resourceRule(
    {
        name: "stateful-resources-protected",
        summary: "Every stateful resource (S3 bucket, DynamoDB table, Aurora cluster) has the protect option, so `pulumi destroy` or a rename cannot delete it",
        ids: { checkov: [], trivy: [], note: "no Checkov/Trivy equivalent (protect is a Pulumi resource option); complements CKV_AWS_139 / AVD-AWS-0343 deletion protection" },
        fix: "Pass { protect: true } (buckets also retainOnDelete: true) when creating the resource; unprotect only in a reviewed change that retires it.",
    },
    {
        validateResource: (args, reportViolation) => {
            if (STATEFUL_TYPES.includes(args.type) && args.opts.protect !== true) {
                reportViolation(`${args.type} "${args.name}" is not protected.`);
            }
        },
    },
);

/** Packages whose resources must name their provider: ambient credentials/kubeconfig pick the wrong account or cluster. */
export const EXPLICIT_PROVIDER_PACKAGES: readonly string[] = ["aws", "kubernetes"];

/**
 * The engine hands every custom resource its provider, the default one included (named like
 * `default_7_48_0`); a component resource has none of its own (its children carry one).
 */
export function isDefaultProvider(provider: PolicyProviderResource | undefined): boolean {
    return provider !== undefined && /^default(_|$)/.test(provider.name);
}

export const explicitProviders = resourceRule(
    {
        name: "explicit-providers",
        summary: "Every AWS and Kubernetes resource names an explicit provider (one per account/region or per prototype), never the default provider",
        ids: { checkov: [], trivy: [], note: "no Checkov/Trivy equivalent (Pulumi-specific): the pulumi-awsx#866 class of bug, a resource landing in the wrong account" },
        fix: "Pass { provider } from AwsProviders (aws.country(), aws.get(account, region)) or the prototype's Kubernetes provider, or { parent } of a component created with it.",
    },
    {
        validateResource: (args, reportViolation) => {
            const pkg = args.type.split(":")[0];
            if (!EXPLICIT_PROVIDER_PACKAGES.includes(pkg) || args.type.startsWith("pulumi:providers:")) return;
            if (isDefaultProvider(args.provider)) {
                reportViolation(`${args.type} "${args.name}" uses the default ${pkg} provider (ambient credentials, region or kubeconfig).`);
            }
        },
    },
);

export const noPlainSecrets = resourceRule(
    {
        name: "no-plain-secrets",
        summary:
            "No secret-looking input (a name containing password, secret, token, credential, private key or api key; see docs/guardrails.md) holds a value that is not a Pulumi secret",
        ids: { checkov: ["CKV_AWS_41", "CKV_AWS_45", "CKV_AWS_46"], trivy: [], note: "Checkov/Trivy secret scanning covers hard-coded text; this covers values Pulumi would store unencrypted" },
        fix: "Make the value a Pulumi secret (pulumi.secret(), config.requireSecret(), a random.RandomPassword result), or read it at run time from the secrets bucket / a Kubernetes Secret (env valueFrom.secretKeyRef).",
        // Remediate: in `pulumi up` the engine lets only remediations see secretness, so there this
        // rule encrypts the value; offline (check:policy) it is reported as mandatory.
        enforcementLevel: "remediate",
    },
    {
        validateResource: (args, reportViolation) => {
            if (!secretsVisible(args.props)) {
                args.notApplicable("the engine does not show policies which inputs are secret (pulumi/pulumi-policy#241); enforced by remediation and by npm run check:policy");
            }
            for (const plain of plainSecrets(args.props)) {
                reportViolation(`${args.type} "${args.name}" input ${plain.path} ("${plain.name}") is a plain value, not a Pulumi secret.`);
            }
        },
        remediateResource: (args) => {
            const plain = plainSecrets(args.props);
            if (plain.length === 0) return undefined;
            return withSecrets(args.props, plain.map((p) => p.steps));
        },
    },
);
