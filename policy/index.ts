// The data-infra guardrails as a Pulumi policy pack: `pulumi preview --policy-pack policy`.
// The only file that constructs the PolicyPack (doing so starts the analyzer's gRPC server); the
// rules live in ./rules, where the offline check (npm run check:policy) and the tests use them.
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, RULES } from "./rules";

new PolicyPack(PACK_NAME, {
    description: "data-infra guardrails: the runbook's settings for buckets, tables, Aurora, network, IAM and workloads, as mandatory rules.",
    enforcementLevel: "mandatory",
    policies: [...RULES],
});
