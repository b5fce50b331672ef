// The real local servers for S3 (s3rver) and DynamoDB (dynalite), in-process on 127.0.0.1
// and an ephemeral port, started by the tests themselves.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { AddressInfo } from "net";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require("dynalite");

export interface LocalServer {
    readonly endpoint: string;
    close(): Promise<void>;
}

/** s3rver's only key pair: tests sign with it, and the stand-in STS hands it out. */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

const START_TIMEOUT_MS = 15_000;

function withTimeout<T>(what: string, promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function startS3Server(): Promise<LocalServer> {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "data-infra-s3rver-"));
    const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, resetOnClose: true });
    const address: AddressInfo = await withTimeout("s3rver", server.run());
    return {
        endpoint: `http://127.0.0.1:${address.port}`,
        close: async () => {
            await withTimeout("s3rver close", server.close());
            fs.rmSync(directory, { recursive: true, force: true });
        },
    };
}

export async function startDynamoServer(): Promise<LocalServer> {
    // Tables are ACTIVE at once; in memory.
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await withTimeout(
        "dynalite",
        new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(0, "127.0.0.1", () => resolve());
        }),
    );
    const { port } = server.address() as AddressInfo;
    return {
        endpoint: `http://127.0.0.1:${port}`,
        close: () =>
            withTimeout(
                "dynalite close",
                new Promise<void>((resolve) => {
                    server.closeAllConnections?.();
                    server.close(() => resolve());
                }),
            ),
    };
}
