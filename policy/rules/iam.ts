// Least privilege for the data services: every IAM policy names its actions and its resources.
import type { ReportViolation } from "@pulumi/policy";
import { statements } from "./iamDocument";
import { asArray, isObject, resourceRule } from "./values";

export const POLICY_DOCUMENT_TYPES: readonly string[] = [
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
];
export const ROLE_TYPE = "aws:iam/role:Role";

function checkDocument(document: unknown, where: string, reportViolation: ReportViolation) {
    const found = statements(document);
    if (found === undefined) {
        if (document !== undefined && document !== "") reportViolation(`${where} is not a readable policy document.`);
        return;
    }
    found.forEach((s, i) => {
        if (s.effect !== "Allow") return;
        const at = `${where} statement ${s.sid ?? i}`;
        const wildActions = s.actions.filter((a) => a === "*" || a === "*:*");
        if (wildActions.length > 0) reportViolation(`${at} allows Action "${wildActions[0]}".`);
        if (s.notActions.length > 0) reportViolation(`${at} allows everything but ${s.notActions.join(", ")} (NotAction).`);
        if (s.resources.includes("*")) reportViolation(`${at} allows ${s.actions.join(", ") || "its actions"} on Resource "*".`);
        if (s.notResources.length > 0) reportViolation(`${at} allows every resource but ${s.notResources.join(", ")} (NotResource).`);
    });
}

export const iamNoWildcards = resourceRule(
    {
        name: "iam-no-wildcards",
        summary: 'No IAM policy of the data services allows Action "*" or Resource "*" (nor NotAction/NotResource)',
        ids: { checkov: ["CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_355"], trivy: ["AVD-AWS-0057"] },
        fix: "List the service's own actions and the exact ARNs of its own tables and buckets (see components/serviceAccess.ts); an action with no resource-level permissions needs a documented exception.",
    },
    {
        validateResource: (args, reportViolation) => {
            if (POLICY_DOCUMENT_TYPES.includes(args.type)) {
                checkDocument(args.props.policy, `Policy "${args.name}"`, reportViolation);
            } else if (args.type === ROLE_TYPE) {
                asArray(args.props.inlinePolicies).forEach((p, i) => {
                    if (isObject(p)) checkDocument(p.policy, `Role "${args.name}" inline policy ${typeof p.name === "string" ? p.name : i}`, reportViolation);
                });
            }
        },
    },
);
