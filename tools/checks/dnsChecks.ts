// The country's Route 53 hosted zone, which the program writes the canonical names into and never
// creates (components/canonicalDns.ts lookupCountryZone): by name and visibility, exactly one zone,
// or the zone `dnsZone.id` names. A public zone where the config says private would publish the
// internal names; the program's lookup never picks one, but an `id` is used as given.
import { GetHostedZoneCommand, HostedZone, ListHostedZonesByNameCommand, Route53Client } from "@aws-sdk/client-route-53";
import type { DnsZone } from "../../stacks/config";
import { errorName } from "./awsAccess";
import type { Verdict } from "./runner";

/** `nu.com.co.`: Route 53 spells zone names with the final dot. */
function fqdn(name: string): string {
    return `${name.replace(/\.$/, "")}.`;
}

const visibility = (isPrivate: boolean) => (isPrivate ? "private" : "public");
const zoneId = (zone: HostedZone) => (zone.Id ?? "?").replace(/^\/hostedzone\//, "");
const isPrivate = (zone: HostedZone) => zone.Config?.PrivateZone ?? false;

/** Every hosted zone named exactly `name`, of either visibility (ListHostedZonesByName starts at the name). */
async function zonesNamed(route53: Route53Client, name: string, signal: AbortSignal): Promise<HostedZone[]> {
    const found: HostedZone[] = [];
    let next: { DNSName?: string; HostedZoneId?: string } = { DNSName: name };
    for (let page = 0; page < 10; page += 1) {
        const answer = await route53.send(new ListHostedZonesByNameCommand({ ...next, MaxItems: 100 }), { abortSignal: signal });
        const zones = answer.HostedZones ?? [];
        found.push(...zones.filter((z) => z.Name === name));
        // Sorted by name: past the name, or at the end, there are no more of it.
        if (!answer.IsTruncated || answer.NextDNSName !== name || zones.some((z) => z.Name !== name)) break;
        next = { DNSName: answer.NextDNSName, HostedZoneId: answer.NextHostedZoneId };
    }
    return found;
}

/** The stack's VPC, for a private zone's association: looked up by the `vpc` row's own lookup. */
export interface StackVpc {
    readonly name: string;
    readonly region: string;
    lookup(): Promise<string>;
}

export async function checkDnsZone(route53: Route53Client, zone: DnsZone, signal: AbortSignal, vpc?: StackVpc): Promise<Verdict> {
    const found = await lookUpZone(route53, zone, signal);
    if (!found.ok) return found;
    const verdict: Verdict = { ok: true, detail: found.detail };
    if (!zone.private || vpc === undefined) return verdict;
    return associated(route53, found.zoneId, verdict, vpc, signal);
}

/**
 * A private zone answers only inside the VPCs associated with it: not associated with the stack's
 * VPC, the canonical names the program writes do not resolve where the services and the pipeline's
 * VPC runners are. Not checked when the VPC itself is not found (the `vpc` row says so).
 */
async function associated(route53: Route53Client, id: string, found: Verdict, vpc: StackVpc, signal: AbortSignal): Promise<Verdict> {
    let vpcId: string;
    try {
        vpcId = await vpc.lookup();
    } catch {
        return { ...found, detail: `${found.detail}; its VPC association not checked: the VPC ${vpc.name} was not found (the vpc row)` };
    }
    const answer = await route53.send(new GetHostedZoneCommand({ Id: id }), { abortSignal: signal });
    const vpcs = answer.VPCs ?? [];
    if (vpcs.some((v) => v.VPCId === vpcId && v.VPCRegion === vpc.region)) return { ...found, detail: `${found.detail}, associated with ${vpc.name} (${vpcId})` };
    const others = vpcs.map((v) => `${v.VPCId} in ${v.VPCRegion}`).join(", ");
    return {
        ok: false,
        detail: `private zone ${id} is not associated with the stack's VPC ${vpc.name} (${vpcId}, ${vpc.region})${others ? `; it is with ${others}` : ""}`,
        remedy:
            `inside the VPC the canonical names would not resolve: associate it (infra-ops), ` +
            `aws route53 associate-vpc-with-hosted-zone --hosted-zone-id ${id} --vpc VPCRegion=${vpc.region},VPCId=${vpcId}`,
    };
}

async function lookUpZone(route53: Route53Client, zone: DnsZone, signal: AbortSignal): Promise<(Verdict & { ok: false }) | { ok: true; detail: string; zoneId: string }> {
    const name = fqdn(zone.name);
    const wanted = visibility(zone.private);
    const setVisibility = zone.private
        ? "the canonical names are internal: use the country's private zone (associated with its VPC); public names need data-infra:dnsZone.private: false with a publicReason (docs/guardrails.md dns-private-zone)"
        : "data-infra:dnsZone.private says public: use the public zone, or set it to true (the default) for the private one";
    if (zone.id !== undefined) {
        let found: HostedZone | undefined;
        try {
            found = (await route53.send(new GetHostedZoneCommand({ Id: zone.id }), { abortSignal: signal })).HostedZone;
        } catch (err) {
            if (errorName(err) !== "NoSuchHostedZone") throw err;
        }
        const fix = `set data-infra:dnsZone.id to the ${wanted} zone named ${name} in the country account, or remove it to look the zone up by name`;
        if (!found) return { ok: false, detail: `no hosted zone ${zone.id} in the country account`, remedy: fix };
        if (found.Name !== name) return { ok: false, detail: `hosted zone ${zone.id} is ${found.Name ?? "unnamed"}, not ${name}`, remedy: fix };
        if (isPrivate(found) !== zone.private) {
            return { ok: false, detail: `hosted zone ${zone.id} (${name}) is ${visibility(isPrivate(found))}, but data-infra:dnsZone.private is ${zone.private}`, remedy: `${setVisibility}; ${fix}` };
        }
        return { ok: true, detail: `${wanted} zone ${zone.id} is ${name}`, zoneId: zone.id };
    }

    const named = await zonesNamed(route53, name, signal);
    const matching = named.filter((z) => isPrivate(z) === zone.private);
    if (matching.length === 1) return { ok: true, detail: `${wanted} zone ${zoneId(matching[0])}`, zoneId: zoneId(matching[0]) };
    if (matching.length > 1) {
        return {
            ok: false,
            detail: `${matching.length} ${wanted} zones are named ${name} (${matching.map(zoneId).join(", ")}); the program's lookup needs exactly one`,
            remedy: `set data-infra:dnsZone.id to the one associated with the stack's VPC`,
        };
    }
    const others = named.filter((z) => isPrivate(z) !== zone.private);
    const also = others.length > 0 ? `; only a ${visibility(!zone.private)} one (${others.map(zoneId).join(", ")})` : "";
    return {
        ok: false,
        detail: `no ${wanted} hosted zone named ${name} in the country account${also}`,
        remedy: others.length > 0 ? setVisibility : `the program does not create the zone: create the ${wanted} zone ${name} (infra-ops), or set data-infra:dnsZone.name to the zone's name`,
    };
}
