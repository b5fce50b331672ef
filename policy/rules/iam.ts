// Least privilege for the data services: every IAM policy names its actions and its resources.
import type { ReportViolation } from "@pulumi/policy";
import { Statement, statements } from "./iamDocument";
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

/**
 * What a trust statement must condition on, by the kind of principal it trusts. An OIDC provider
 * (IRSA) must pin the ServiceAccount (`:sub`) and the audience (`:aud`); an AWS service must act
 * for this account only (`aws:SourceAccount` or `aws:SourceArn`), or any account's use of that
 * service could assume the role (the confused deputy).
 */
export function trustProblems(s: Statement, raw: { Principal?: unknown }): string[] {
    const problems: string[] = [];
    const principal = isObject(raw.Principal) ? raw.Principal : {};
    const keys = Object.values(s.condition).flatMap((op) => (isObject(op) ? Object.keys(op) : []));
    const federated = asArray(principal.Federated).filter((p): p is string => typeof p === "string");
    for (const provider of federated) {
        const issuer = provider.replace(/^arn:aws:iam::\d{12}:oidc-provider\//, "");
        for (const claim of ["sub", "aud"]) {
            if (!keys.includes(`${issuer}:${claim}`)) problems.push(`trusts ${provider} without a condition on ${issuer}:${claim}`);
        }
    }
    const services = asArray(principal.Service).filter((p): p is string => typeof p === "string");
    if (services.length > 0 && !keys.some((k) => ["aws:SourceAccount", "aws:SourceArn"].includes(k))) {
        problems.push(`trusts ${services.join(", ")} without aws:SourceAccount or aws:SourceArn`);
    }
    if (asArray(principal.AWS).includes("*") || raw.Principal === "*") problems.push('trusts Principal "*"');
    return problems;
}

export const iamTrustScoped = resourceRule(
    {
        name: "iam-trust-scoped",
        summary: "Every role's trust policy is scoped: OIDC (IRSA) trust conditions on the provider's :sub and :aud, AWS service trust on aws:SourceAccount/aws:SourceArn, never Principal \"*\"",
        ids: { checkov: ["CKV_AWS_358"], trivy: [], note: "CKV_AWS_358 covers GitHub OIDC sub conditions; the confused-deputy check for service principals has no scanner equivalent" },
        fix: "Use trustPolicyDocument (components/serviceAccess.ts) for IRSA roles and monitoringTrustPolicy (components/barragemAurora.ts) as the pattern for service roles: Condition StringEquals aws:SourceAccount = the account id.",
    },
    {
        validateResource: (args, reportViolation) => {
            if (args.type !== ROLE_TYPE) return;
            let document: unknown = args.props.assumeRolePolicy;
            if (typeof document === "string") {
                try {
                    document = JSON.parse(document);
                } catch {
                    reportViolation(`Role "${args.name}" has a trust policy that is not a readable policy document.`);
                    return;
                }
            }
            const raws = isObject(document) ? asArray(document.Statement).filter(isObject) : [];
            const parsed = statements(document) ?? [];
            parsed.forEach((s, i) => {
                if (s.effect !== "Allow") return;
                for (const problem of trustProblems(s, raws[i])) reportViolation(`Role "${args.name}" trust statement ${s.sid ?? i} ${problem}.`);
            });
        },
    },
);
