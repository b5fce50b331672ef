// The read-only roles `npm run verify` checks a stack's accounts with in the pipeline, so the
// verification jobs never hold deploy rights: `--country-role … --data-role …`, one role of the
// same name in each account the stack file names (READ_ONLY_ROLE_NAME, default data-infra-read-only).
//   npm run verify -- --stack <stack> $(npx tsx .github/scripts/verifyRoles.ts <stack>)
import { parseCountryStack } from "../../stacks/config";
import { loadStackConfig } from "../../tools/mockRuntime";

export const DEFAULT_READ_ONLY_ROLE = "data-infra-read-only";

export function verifyRoleArgs(stackName: string, roleName = process.env.READ_ONLY_ROLE_NAME || DEFAULT_READ_ONLY_ROLE): string[] {
    const stack = parseCountryStack(stackName, loadStackConfig(stackName));
    return [
        "--country-role", `arn:aws:iam::${stack.accounts.country.id}:role/${roleName}`,
        "--data-role", `arn:aws:iam::${stack.accounts.data.id}:role/${roleName}`,
    ];
}

if (require.main === module) {
    const stackName = process.argv[2];
    if (!stackName) {
        process.stderr.write("usage: npx tsx .github/scripts/verifyRoles.ts <stack>\n");
        process.exit(2);
    }
    process.stdout.write(`${verifyRoleArgs(stackName).join(" ")}\n`);
}
