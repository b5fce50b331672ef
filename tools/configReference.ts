// Prints the README's config reference from CONFIG_KEYS, so the table and the validation share
// one source. `npx tsx tools/configReference.ts` prints it; test/readme.test.ts keeps them equal.
import { CONFIG_KEYS, NAMESPACE } from "../stacks/config";

export function configReferenceTable(): string {
    const rows = CONFIG_KEYS.map(
        (k) => `| \`${NAMESPACE}:${k.key}\` | ${k.required ? "yes" : "no"} | ${k.default} | ${k.meaning} |`,
    );
    return ["| key | required | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

if (require.main === module) console.log(configReferenceTable());
