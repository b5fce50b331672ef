// The last guard before anything the plan writes leaves the process: the values behind every
// secret input of the run (the harness knows them in clear; under mocks they are the fake
// cloud's) must appear in no output. The harness already masks secret inputs, so a hit here
// means a secret flowed into an input that is not marked secret: a leak `pulumi up` would
// write to state in plain text.
import type { ProgramRun } from "../mockRuntime";

/** Shorter strings (`true`, `AES256`) would match by accident and protect nothing. */
const MIN_SECRET_LENGTH = 6;

function at(value: unknown, path: string): unknown {
    let current = value;
    for (const part of path.match(/[^.[\]]+/g) ?? []) {
        if (current === null || typeof current !== "object") return undefined;
        current = (current as Record<string, unknown>)[part];
    }
    return current;
}

function strings(value: unknown, out: Set<string>): void {
    if (typeof value === "string") {
        if (value.length >= MIN_SECRET_LENGTH) out.add(value);
    } else if (value !== null && typeof value === "object") {
        for (const v of Object.values(value)) strings(v, out);
        out.add(JSON.stringify(value));
    }
}

/** Every plain-text value of a secret input of the run. */
export function secretValues(run: ProgramRun): string[] {
    const found = new Set<string>();
    for (const r of run.resources) {
        const plain = run.plainInputs.get(r.urn);
        for (const path of r.secretInputs) strings(path === "" ? plain : at(plain, path), found);
    }
    return [...found].sort((a, b) => b.length - a.length);
}

export interface Redacted {
    readonly text: string;
    /** How many secret values were found and masked. */
    readonly leaks: number;
}

/** Masks every secret value in a text; also catches JSON-escaped copies of them. */
export function redact(text: string, secrets: readonly string[], mask = "[secret]"): Redacted {
    let leaks = 0;
    let out = text;
    for (const secret of secrets) {
        for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) {
            if (!out.includes(form)) continue;
            leaks++;
            out = out.split(form).join(mask);
        }
    }
    return { text: out, leaks };
}
