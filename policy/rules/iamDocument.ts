// IAM / bucket policy documents as the engine shows them: a JSON string or an object, with
// Statement as one object or a list, and Action/Resource/Principal as a string or a list.
import { asArray, asStrings, isObject, Props } from "./values";

export interface Statement {
    readonly effect: "Allow" | "Deny";
    readonly actions: string[];
    readonly notActions: string[];
    readonly resources: string[];
    readonly notResources: string[];
    /** `"*"`, or every principal value (`{AWS: [...]}` flattened). */
    readonly principals: string[];
    readonly condition: Props;
    readonly sid?: string;
}

/** The statements of a policy document, or undefined when it is not a readable document. */
export function statements(document: unknown): Statement[] | undefined {
    let doc = document;
    if (typeof doc === "string") {
        try {
            doc = JSON.parse(doc);
        } catch {
            return undefined;
        }
    }
    if (!isObject(doc)) return undefined;
    return asArray(doc.Statement)
        .filter(isObject)
        .map((s) => ({
            effect: s.Effect === "Deny" ? "Deny" : "Allow",
            actions: asStrings(s.Action),
            notActions: asStrings(s.NotAction),
            resources: asStrings(s.Resource),
            notResources: asStrings(s.NotResource),
            principals: principals(s.Principal),
            condition: isObject(s.Condition) ? s.Condition : {},
            sid: typeof s.Sid === "string" ? s.Sid : undefined,
        }));
}

function principals(value: unknown): string[] {
    if (typeof value === "string") return [value];
    if (isObject(value)) return Object.values(value).flatMap((v) => asStrings(v));
    return [];
}

export function isEveryone(statement: Statement): boolean {
    return statement.principals.includes("*");
}

/** Whether an action pattern (`s3:*`, `*`, `s3:Get*`) covers the action (`s3:GetObject`). */
export function actionCovers(pattern: string, action: string): boolean {
    const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "i");
    return re.test(action);
}
