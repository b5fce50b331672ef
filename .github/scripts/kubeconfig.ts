// The kubeconfig contexts a stack's Kubernetes providers are told to use (data-infra:kubernetesClusters
// `context`, an override: by default the program reaches each EKS cluster on its own): one
// `aws eks update-kubeconfig` per cluster, named by the context the provider expects and
// authenticating as the country's role for this run (deploy, or preview when DATA_INFRA_ROLE=preview,
// the same choice as the AWS providers). The pipeline runs it before any pulumi command.
//   npx tsx .github/scripts/kubeconfig.ts <stack> [--dry-run]
import { execFileSync } from "child_process";
import { runRoleArn } from "../../components/awsProviders";
import { parseCountryStack } from "../../stacks/config";
import { readRunRole, RunRole } from "../../stacks/read";
import { loadStackConfig } from "../../tools/mockRuntime";

/** The commands, one per distinct (cluster, context) of the stack's prototypes. */
export function kubeconfigCommands(stackName: string, role: RunRole = readRunRole()): string[][] {
    const stack = parseCountryStack(stackName, loadStackConfig(stackName));
    const seen = new Set<string>();
    const commands: string[][] = [];
    for (const prototype of stack.prototypes) {
        const cluster = stack.kubernetes[prototype];
        // Without a configured context the program builds its provider from the EKS cluster itself.
        if (!cluster || cluster.context === undefined || seen.has(`${cluster.eksClusterName} ${cluster.context}`)) continue;
        seen.add(`${cluster.eksClusterName} ${cluster.context}`);
        commands.push([
            "aws", "eks", "update-kubeconfig",
            "--name", cluster.eksClusterName,
            "--alias", cluster.context,
            "--region", stack.region,
            "--role-arn", runRoleArn(stack.accounts.country, role),
        ]);
    }
    return commands;
}

if (require.main === module) {
    const [stackName, flag] = process.argv.slice(2);
    if (!stackName) {
        process.stderr.write("usage: npx tsx .github/scripts/kubeconfig.ts <stack> [--dry-run]\n");
        process.exit(2);
    }
    for (const command of kubeconfigCommands(stackName)) {
        process.stdout.write(`${command.join(" ")}\n`);
        if (flag !== "--dry-run") execFileSync(command[0], command.slice(1), { stdio: "inherit" });
    }
}
