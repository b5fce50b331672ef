// Prints the README's config reference from CONFIG_KEYS, which is read off the config schema
// (stacks/schema.ts) that also validates. `npx tsx tools/configReference.ts` prints it;
// test/readme.test.ts keeps the README equal to it.
import { CONFIG_KEYS, NAMESPACE } from "../stacks/config";

export function configReferenceTable(): string {
    const rows = CONFIG_KEYS.map(
        (k) => `| \`${NAMESPACE}:${k.key}\` | ${k.required ? "yes" : "no"} | ${k.default} | ${k.meaning} |`,
    );
    return ["| key | required | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

if (require.main === module) console.log(configReferenceTable());
