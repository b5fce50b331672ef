// Runbook `update-canonical-dns` (payload prototype, stack-id, service): the canonical name
// `<env>-<prototype>-<service>.<domain>` points at the `<stack-id>` deployment's own name, which
// points at the load balancer of that deployment's Ingress. Moving to another stack-id changes the
// canonical record only.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The country's public zone, found by its domain (config `domain`). */
export function lookupCountryZone(domain: string, provider: aws.Provider): pulumi.Output<string> {
    return aws.route53.getZoneOutput({ name: domain, privateZone: false }, { provider }).zoneId;
}

export const DNS_TTL_SECONDS = 60;

export interface CanonicalDnsArgs {
    readonly zoneId: pulumi.Input<string>;
    readonly canonicalHost: string;
    readonly stackHost: string;
    /** Hostname of the load balancer serving the stack-id deployment. */
    readonly target: pulumi.Input<string>;
    readonly provider: aws.Provider;
}

export class CanonicalDns extends pulumi.ComponentResource {
    readonly canonicalHost: string;

    constructor(name: string, args: CanonicalDnsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("data-infra:dns:CanonicalDns", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        // The runbook upserts: records made by hand before this program are taken over, not duplicated.
        const record = (host: string, target: pulumi.Input<string>, dependsOn: pulumi.Resource[]) =>
            new aws.route53.Record(
                host,
                { zoneId: args.zoneId, name: host, type: aws.route53.RecordType.CNAME, ttl: DNS_TTL_SECONDS, records: [target], allowOverwrite: true },
                { ...child, dependsOn },
            );
        const stackRecord = record(args.stackHost, args.target, []);
        record(args.canonicalHost, args.stackHost, [stackRecord]);
        this.canonicalHost = args.canonicalHost;
        this.registerOutputs({ canonicalHost: this.canonicalHost });
    }
}
