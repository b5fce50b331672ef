// Writes the JSON Schema of `Pulumi.<stack>.yaml` (schema/stack-config.schema.json) from the one
// config declaration, stacks/schema.ts. Editors pick it up through the `yaml-language-server`
// modeline at the top of each stack file. `npm run schema` writes it; test/stackSchema.test.ts
// fails while the committed file differs from what the declaration generates.
import * as fs from "fs";
import * as path from "path";
import { stackFileJsonSchema } from "../stacks/schema";

export const SCHEMA_FILE = path.join(__dirname, "..", "schema", "stack-config.schema.json");
/** The first line of every stack file, relative to the project root where stack files live. */
export const MODELINE = "# yaml-language-server: $schema=./schema/stack-config.schema.json";

export function stackSchemaText(): string {
    return `${JSON.stringify(stackFileJsonSchema(), null, 2)}\n`;
}

if (require.main === module) {
    fs.mkdirSync(path.dirname(SCHEMA_FILE), { recursive: true });
    fs.writeFileSync(SCHEMA_FILE, stackSchemaText());
    console.log(`Wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}
