// The environment the verify/preflight tests run in: dummy credentials, every AWS endpoint on
// loopback (a call nothing stands in for hits a closed loopback port, never AWS), no shared
// config or instance metadata; and an Io that captures what a command prints.
import type { Io } from "../../tools/checks/cli";
import { S3RVER_CREDENTIALS } from "./awsServers";

/** A loopback port nothing listens on: the endpoint of every AWS API not overridden more precisely. */
export const NOWHERE = "http://127.0.0.1:9";

/** Sets `vars` (plus the safe defaults) in process.env; returns a function that puts everything back. */
export function useTestEnvironment(vars: Record<string, string>): () => void {
    const saved = { ...process.env };
    for (const key of ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "PGHOST", "PGPORT", "PGPASSWORD"]) delete process.env[key];
    Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL: NOWHERE,
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_CONFIG_FILE: "/dev/null",
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        ...vars,
    });
    return () => {
        for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
        Object.assign(process.env, saved);
    };
}

export interface CapturedIo {
    readonly io: Io;
    readonly stdout: () => string;
    readonly stderr: () => string;
}

export function captureIo(env: Io["env"] = process.env): CapturedIo {
    let out = "";
    let err = "";
    return {
        io: { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env },
        stdout: () => out,
        stderr: () => err,
    };
}
