// The read-only roles `npm run verify` checks a stack's accounts with in the pipeline, so the
// verification jobs never hold deploy rights: `--country-role … --data-role …`.
// The country role is the stack's `data-infra:countryReadOnlyRoleArn` (default
// arn:aws:iam::<countryAccountId>:role/data-infra-read-only): the same ARN Barragem's secret key
// lets decrypt, so verify can always read the password it logs in to Aurora with. The nu-data role
// is READ_ONLY_ROLE_NAME (default data-infra-read-only) in the data account.
//   npm run verify -- --stack <stack> $(npx tsx .github/scripts/verifyRoles.ts <stack>)
import { parseCountryStack } from "../../stacks/config";
import { READ_ONLY_ROLE_NAME } from "../../stacks/constants";
import { loadStackConfig } from "../../tools/mockRuntime";

export const DEFAULT_READ_ONLY_ROLE = READ_ONLY_ROLE_NAME;

export function verifyRoleArgs(stackName: string, dataRoleName = process.env.READ_ONLY_ROLE_NAME || DEFAULT_READ_ONLY_ROLE): string[] {
    const stack = parseCountryStack(stackName, loadStackConfig(stackName));
    return [
        "--country-role", stack.accounts.country.readOnlyRoleArn,
        "--data-role", `arn:aws:iam::${stack.accounts.data.id}:role/${dataRoleName}`,
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
