// Runbook "Security group": ingress tcp 5432 only from the Kubernetes nodes' security group.
// Generalised: nothing is open to the internet, and database ports only accept security groups.
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { asArray, asStrings, isObject, isSet, resourceRule } from "./values";

export const SECURITY_GROUP_TYPE = "aws:ec2/securityGroup:SecurityGroup";
export const SECURITY_GROUP_RULE_TYPE = "aws:ec2/securityGroupRule:SecurityGroupRule";
export const INGRESS_RULE_TYPE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

export const ANYWHERE_IPV4 = "0.0.0.0/0";
export const ANYWHERE_IPV6 = "::/0";

/** Ports of the database engines AWS runs (PostgreSQL, MySQL, SQL Server, Oracle, MongoDB/DocumentDB, Redis, Memcached, Cassandra, Redshift, Neptune). */
export const DATABASE_PORTS: readonly number[] = [5432, 3306, 1433, 1521, 27017, 6379, 11211, 9042, 5439, 8182];

/** One ingress permission, whichever of the three ways it was written. */
export interface Ingress {
    readonly where: string;
    readonly protocol: string;
    readonly fromPort: number | undefined;
    readonly toPort: number | undefined;
    readonly cidrs: string[];
    readonly prefixLists: string[];
    readonly fromSecurityGroup: boolean;
}

export function ingressesOf(args: Pick<ResourceValidationArgs, "type" | "name" | "props">): Ingress[] {
    const p = args.props;
    const num = (v: unknown) => (typeof v === "number" ? v : undefined);
    switch (args.type) {
        case SECURITY_GROUP_TYPE:
            return asArray(p.ingress)
                .filter(isObject)
                .map((rule, i) => ({
                    where: `security group "${args.name}" ingress[${i}]`,
                    protocol: String(rule.protocol ?? ""),
                    fromPort: num(rule.fromPort),
                    toPort: num(rule.toPort),
                    cidrs: [...asStrings(rule.cidrBlocks), ...asStrings(rule.ipv6CidrBlocks)],
                    prefixLists: asStrings(rule.prefixListIds),
                    fromSecurityGroup: asStrings(rule.securityGroups).length > 0 || rule.self === true,
                }));
        case SECURITY_GROUP_RULE_TYPE:
            if (p.type !== "ingress") return [];
            return [
                {
                    where: `security group rule "${args.name}"`,
                    protocol: String(p.protocol ?? ""),
                    fromPort: num(p.fromPort),
                    toPort: num(p.toPort),
                    cidrs: [...asStrings(p.cidrBlocks), ...asStrings(p.ipv6CidrBlocks)],
                    prefixLists: asStrings(p.prefixListIds),
                    fromSecurityGroup: isSet(p, "sourceSecurityGroupId") || p.self === true,
                },
            ];
        case INGRESS_RULE_TYPE:
            return [
                {
                    where: `ingress rule "${args.name}"`,
                    protocol: String(p.ipProtocol ?? ""),
                    fromPort: num(p.fromPort),
                    toPort: num(p.toPort),
                    cidrs: [p.cidrIpv4, p.cidrIpv6].filter((c): c is string => typeof c === "string"),
                    prefixLists: asStrings(p.prefixListId),
                    fromSecurityGroup: isSet(p, "referencedSecurityGroupId"),
                },
            ];
        default:
            return [];
    }
}

function allPorts(ingress: Ingress): boolean {
    return ingress.protocol === "-1" || ingress.protocol.toLowerCase() === "all";
}

export function coversPort(ingress: Ingress, port: number): boolean {
    if (allPorts(ingress)) return true;
    if (!["tcp", "6"].includes(ingress.protocol.toLowerCase())) return false;
    const from = ingress.fromPort ?? 0;
    const to = ingress.toPort ?? 65535;
    return from <= port && port <= to;
}

function portText(ingress: Ingress): string {
    if (allPorts(ingress)) return "all ports";
    return ingress.fromPort === ingress.toPort ? `port ${ingress.fromPort}` : `ports ${ingress.fromPort}-${ingress.toPort}`;
}

export const sgNoPublicIngress = resourceRule(
    {
        name: "sg-no-public-ingress",
        summary: "No security group accepts ingress from 0.0.0.0/0 or ::/0",
        ids: { checkov: ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277"], trivy: ["AVD-AWS-0107"] },
        fix: "Allow the peer's security group (referencedSecurityGroupId) or a narrow CIDR instead of the whole internet.",
    },
    {
        validateResource: (args, reportViolation: ReportViolation) => {
            for (const ingress of ingressesOf(args)) {
                const open = ingress.cidrs.filter((c) => c === ANYWHERE_IPV4 || c === ANYWHERE_IPV6);
                if (open.length > 0) reportViolation(`${ingress.where} accepts ${portText(ingress)} from ${open.join(" and ")}.`);
            }
        },
    },
);

export const sgDatabasePortsFromSecurityGroups = resourceRule(
    {
        name: "sg-database-ports-from-security-groups",
        summary: `Ingress to a database port (${DATABASE_PORTS.join(", ")}) comes only from security groups, never from CIDR ranges or prefix lists`,
        ids: { checkov: [], trivy: [], note: "no exact Checkov/Trivy check: a stricter form of CKV_AWS_277 / AVD-AWS-0107 for database ports (runbook: tcp 5432 --source-group)" },
        fix: "Write the rule with referencedSecurityGroupId (the Kubernetes nodes' security group, as BarragemAurora does) and no cidrIpv4/cidrIpv6/prefixListId.",
    },
    {
        validateResource: (args, reportViolation: ReportViolation) => {
            for (const ingress of ingressesOf(args)) {
                const ports = DATABASE_PORTS.filter((port) => coversPort(ingress, port));
                if (ports.length === 0) return;
                const sources = [...ingress.cidrs, ...ingress.prefixLists];
                if (sources.length > 0) {
                    reportViolation(`${ingress.where} opens database port(s) ${ports.join(", ")} to ${sources.join(", ")} instead of a security group.`);
                } else if (!ingress.fromSecurityGroup) {
                    reportViolation(`${ingress.where} opens database port(s) ${ports.join(", ")} without naming a source security group.`);
                }
            }
        },
    },
);

export const HOSTED_ZONE_TYPE = "aws:route53/zone:Zone";

export const dnsPrivateZone = resourceRule(
    {
        name: "dns-private-zone",
        summary: "Every Route53 hosted zone the program creates is private (associated with a VPC): the services' names are not published to the internet",
        ids: { checkov: [], trivy: [], note: "no Checkov/Trivy equivalent; SPEC: services are private, their canonical names live in the country's private zone" },
        fix: "Give the zone vpcs: [{ vpcId }] (a private zone), or look the country's private zone up (data-infra:dnsZone, private: true) instead of creating a public one.",
    },
    {
        validateResource: (args, reportViolation: ReportViolation) => {
            if (args.type !== HOSTED_ZONE_TYPE) return;
            if (asArray(args.props.vpcs).length === 0) reportViolation(`Hosted zone "${args.name}" (${String(args.props.name ?? "")}) is public: it has no VPC association.`);
        },
    },
);
