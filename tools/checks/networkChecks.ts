// What the Aurora clusters are placed into and opened to, which the program only looks up
// (components/barragemAurora.ts): the `<env>-<stack-id>-vpc` and the Kubernetes nodes'
// security group, looked up the same way.
import { DescribeSecurityGroupsCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import type { Verdict } from "./runner";

export class VpcLookupError extends Error {
    readonly transient = false;
    constructor(message: string) {
        super(message);
        this.name = "VpcLookupError";
    }
}

/** The one VPC tagged `Name=<vpcName>`; throws VpcLookupError when there is none or more than one. */
export async function findVpcId(ec2: EC2Client, vpcName: string, signal: AbortSignal): Promise<string> {
    const answer = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:Name", Values: [vpcName] }] }), { abortSignal: signal });
    const ids = (answer.Vpcs ?? []).map((v) => v.VpcId).filter((id): id is string => Boolean(id));
    if (ids.length === 0) throw new VpcLookupError(`no VPC named ${vpcName}`);
    if (ids.length > 1) throw new VpcLookupError(`${ids.length} VPCs are named ${vpcName} (${ids.join(", ")}); the program needs exactly one`);
    return ids[0];
}

export function vpcRemedy(vpcName: string): string {
    return (
        `the runbook's VPC is "<env>-<color>-vpc" (${vpcName} for this stack): if the colour changed, set data-infra:stackId ` +
        "or data-infra:vpcName in the stack file; if it does not exist, the country account is not set up yet (infra-ops)"
    );
}

export async function checkVpc(lookup: () => Promise<string>, vpcName: string): Promise<Verdict> {
    try {
        return { ok: true, detail: `found ${await lookup()}` };
    } catch (err) {
        if (err instanceof VpcLookupError) return { ok: false, detail: err.message, remedy: vpcRemedy(vpcName) };
        throw err;
    }
}

export async function checkNodesSecurityGroup(
    ec2: EC2Client,
    lookupVpc: () => Promise<string>,
    vpcName: string,
    groupName: string,
    signal: AbortSignal,
): Promise<Verdict> {
    const remedy =
        `the runbook: "${groupName} is the name of the security group assigned to the instances running Barragem. ` +
        'We don\'t control it and it should be considered subject to change": find its current name and set ' +
        "data-infra:kubernetesNodesSecurityGroupName in the stack file";
    let vpcId: string;
    try {
        vpcId = await lookupVpc();
    } catch (err) {
        if (err instanceof VpcLookupError) return { ok: false, detail: `cannot look for it: ${err.message}`, remedy: vpcRemedy(vpcName) };
        throw err;
    }
    const answer = await ec2.send(
        new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }, { Name: "group-name", Values: [groupName] }] }),
        { abortSignal: signal },
    );
    const ids = (answer.SecurityGroups ?? []).map((g) => g.GroupId).filter(Boolean);
    if (ids.length === 0) return { ok: false, detail: `no security group named ${groupName} in ${vpcId}`, remedy };
    return { ok: true, detail: `found ${ids.join(", ")} in ${vpcId}` };
}
