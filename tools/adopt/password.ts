// `npm run adopt -- --stack <stack> --import-password`: the one step of adopting that reads a
// secret. The hand-set Barragem master password lives only in
// nu-secrets-<country>-<env>/barragem_secret_config.json; the program's RandomPassword must hold
// exactly it, or the first `pulumi up` generates a new one, rewrites the object and sets it on
// every cluster. `pulumi import` of a RandomPassword takes the password itself as the id
// (terraform-provider-random ImportState), so it must never go into the committed import file.
// This reads the object with the deploy role, writes a one-entry import file readable only by
// this user in a fresh temporary directory (never on the command line, where `ps` shows it),
// runs `pulumi import` on it, and removes it. The password is never printed: anything pulumi
// prints is passed through with the password replaced.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import type { CountryStack } from "../../stacks/config";
import { barragemSecret } from "../../stacks/naming";
import type { AwsAccess } from "../checks/awsAccess";
import type { ProgramRun } from "../mockRuntime";
import { engineUrn, ImportFile } from "./importFile";
import { secretObjectName } from "./probes";

export const PASSWORD_TYPE = "random:index/randomPassword:RandomPassword";

export class PasswordImportError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PasswordImportError";
    }
}

export interface PasswordImportIo {
    stdout(text: string): void;
    stderr(text: string): void;
}

/** The one-entry import file: the password under the program's name, parent by URN through the name table. */
export function passwordImportFile(run: ProgramRun, password: string): ImportFile {
    const resource = run.resources.find((r) => r.type === PASSWORD_TYPE);
    const parent = resource?.parent ? run.resources.find((r) => r.urn === resource.parent) : undefined;
    if (!resource || !parent) throw new PasswordImportError(`the program registers no ${PASSWORD_TYPE} under a component: nothing to import`);
    return {
        nameTable: { [parent.name]: engineUrn(run, parent.urn) },
        resources: [{ type: resource.type, name: resource.name, logicalName: resource.name, id: password, parent: parent.name }],
    };
}

/** The password in the object, or a message that says what is wrong without showing the content. */
export function passwordOf(content: string, where: string): string {
    let parsed: unknown;
    try {
        parsed = JSON.parse(content);
    } catch {
        throw new PasswordImportError(`${where} is not JSON (the runbook writes {"rdb-password": "<pwd>"})`);
    }
    const password = (parsed as Record<string, unknown> | null)?.["rdb-password"];
    if (typeof password !== "string" || password === "") throw new PasswordImportError(`${where} has no "rdb-password" string (the runbook writes {"rdb-password": "<pwd>"})`);
    return password;
}

/** Replaces every occurrence of the secret. */
function redact(text: string, secret: string): string {
    return text.split(secret).join("[secret]");
}

export async function importPassword(
    run: ProgramRun,
    stack: CountryStack,
    access: AwsAccess,
    io: PasswordImportIo,
    pulumi: string,
    signal: AbortSignal,
): Promise<number> {
    const where = secretObjectName(stack);
    const object = await access
        .s3("country", stack.region)
        .send(new GetObjectCommand({ Bucket: barragemSecret.bucket(stack.country, stack.env), Key: barragemSecret.key }), { abortSignal: signal });
    const password = passwordOf((await object.Body?.transformToString("utf8")) ?? "", where);
    const file = passwordImportFile(run, password);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "data-infra-password-"));
    const filePath = path.join(dir, "import.json");
    try {
        fs.writeFileSync(filePath, JSON.stringify(file), { mode: 0o600 });
        const args = ["import", "--stack", stack.stackName, "--file", filePath, "--protect", "--generate-code=false", "--yes"];
        io.stderr(`adopt ${stack.stackName}: importing the Barragem password from ${where} (${pulumi} ${args.join(" ")})\n`);
        const code = await new Promise<number>((resolve, reject) => {
            // Whole outputs, redacted once: a chunk boundary could split the password.
            const out: Buffer[] = [];
            const err: Buffer[] = [];
            const child = spawn(pulumi, args, { stdio: ["ignore", "pipe", "pipe"], signal });
            child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
            child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
            child.on("error", (e) => reject(new PasswordImportError(`cannot run ${pulumi}: ${e.message}`)));
            child.on("close", (status) => {
                io.stdout(redact(Buffer.concat(out).toString("utf8"), password));
                io.stderr(redact(Buffer.concat(err).toString("utf8"), password));
                resolve(status ?? 1);
            });
        });
        io.stderr(
            code === 0
                ? `adopt ${stack.stackName}: password imported (protected); \`pulumi preview\` must now show no change to masterPassword\n`
                : `adopt ${stack.stackName}: pulumi import exited ${code}; nothing else was changed\n`,
        );
        return code === 0 ? 0 : 1;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
