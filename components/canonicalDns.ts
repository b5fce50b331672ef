// Runbook `update-canonical-dns` (payload prototype, stack-id, service): the canonical name
// `<env>-<prototype>-<service>.<domain>` points at the `<stack-id>` deployment's own name, which
// points at the load balancer of that deployment's Ingress. Moving to another stack-id changes the
// canonical record only. The names live in the country's private zone by default: the services
// are for the country's VPC (and the networks peered with it), not for the internet.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { LoadBalancerTarget } from "./serviceWorkload";

export interface CountryZone {
    /** The hosted zone's name, e.g. nu.com.co. */
    readonly name: string;
    /** A private zone (associated with the VPC), or the public one. */
    readonly private: boolean;
    /** The zone's id, given when two zones share the name and visibility (one private zone per VPC). */
    readonly id?: string;
}

/**
 * The country's hosted zone, found by name and visibility: a public zone of the same name is never
 * picked by mistake. Two private zones may share a name (one per VPC), and then the lookup fails
 * as ambiguous: config names the zone by `id` instead, used as given (Route53 still refuses a
 * record whose name is outside that zone).
 */
export function lookupCountryZone(zone: CountryZone, provider: aws.Provider): pulumi.Output<string> {
    if (zone.id !== undefined) return pulumi.output(zone.id);
    return aws.route53.getZoneOutput({ name: zone.name, privateZone: zone.private }, { provider }).zoneId;
}

export const DNS_TTL_SECONDS = 60;

export interface CanonicalDnsArgs {
    readonly zoneId: pulumi.Input<string>;
    readonly canonicalHost: string;
    readonly stackHost: string;
    /** The load balancer serving the stack-id deployment: a hostname (CNAME) or an IP (A record). */
    readonly target: pulumi.Output<LoadBalancerTarget>;
    readonly provider: aws.Provider;
}

export class CanonicalDns extends pulumi.ComponentResource {
    readonly canonicalHost: string;

    constructor(name: string, args: CanonicalDnsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("data-infra:dns:CanonicalDns", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        // The runbook upserts: records made by hand before this program are taken over, not duplicated.
        // deleteBeforeReplace: a record is replaced when its type flips (the stack record goes A <->
        // CNAME when the load balancer changes from an IP to a hostname) or its zone changes. Pulumi's
        // default creates the new record first, which Route53 refuses (a CNAME may not share its
        // name with another record), and with allowOverwrite the later delete of the old record would
        // remove the name just written. A replacement leaves the name unresolvable for seconds (TTL 60).
        const record = (host: string, type: pulumi.Input<string>, target: pulumi.Input<string>, dependsOn: pulumi.Resource[]) =>
            new aws.route53.Record(
                host,
                { zoneId: args.zoneId, name: host, type, ttl: DNS_TTL_SECONDS, records: [target], allowOverwrite: true },
                { ...child, dependsOn, deleteBeforeReplace: true },
            );
        const stackRecord = record(
            args.stackHost,
            args.target.apply((t) => t.type),
            args.target.apply((t) => t.value),
            [],
        );
        record(args.canonicalHost, aws.route53.RecordType.CNAME, args.stackHost, [stackRecord]);
        this.canonicalHost = args.canonicalHost;
        this.registerOutputs({ canonicalHost: this.canonicalHost });
    }
}
