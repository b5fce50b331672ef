// Local HTTP servers standing in for the services: one loopback server answering
// `/<prototype>/<service>/api/version`, each service behaving as a test sets it (healthy,
// answering an error, never answering, or starting up).
import * as http from "http";
import type { AddressInfo } from "net";

export type Behaviour =
    | { readonly kind: "healthy" }
    | { readonly kind: "status"; readonly status: number }
    /** Accepts the request and never answers. */
    | { readonly kind: "silent" }
    /** Answers 503 to the first `failures` requests, then 200. */
    | { readonly kind: "starting"; readonly failures: number };

export class ServiceStandIns {
    private readonly behaviours = new Map<string, Behaviour>();
    private readonly hits = new Map<string, number>();
    private server?: http.Server;

    /** `VERIFY_SERVICE_URL` for verify: routes every canonical host here by prototype and service. */
    urlTemplate = "";

    async start(): Promise<void> {
        this.server = http.createServer((req, res) => this.answer(req, res));
        await new Promise<void>((resolve, reject) => {
            this.server!.once("error", reject);
            this.server!.listen(0, "127.0.0.1", () => resolve());
        });
        const { port } = this.server.address() as AddressInfo;
        this.urlTemplate = `http://127.0.0.1:${port}/{prototype}/{service}`;
    }

    set(prototype: string, service: string, behaviour: Behaviour): void {
        this.behaviours.set(`${prototype}/${service}`, behaviour);
    }

    /** Every service healthy, request counts forgotten. */
    reset(): void {
        this.behaviours.clear();
        this.hits.clear();
    }

    requests(prototype: string, service: string): number {
        return this.hits.get(`${prototype}/${service}`) ?? 0;
    }

    async stop(): Promise<void> {
        const server = this.server;
        if (!server) return;
        // Drop the connections of silent services, or close() would wait for them.
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
        const match = /^\/([^/]+)\/([^/]+)\/api\/version$/.exec(req.url ?? "");
        if (!match || req.method !== "GET") {
            res.writeHead(404).end("not found");
            return;
        }
        const key = `${match[1]}/${match[2]}`;
        const seen = (this.hits.get(key) ?? 0) + 1;
        this.hits.set(key, seen);
        const behaviour = this.behaviours.get(key) ?? { kind: "healthy" };
        const healthy = (): void => void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ version: `${match[2]}-1.2.3` }));
        switch (behaviour.kind) {
            case "healthy":
                return healthy();
            case "status":
                res.writeHead(behaviour.status, { "content-type": "text/plain" }).end("Internal Server Error");
                return;
            case "silent":
                return;
            case "starting":
                if (seen <= behaviour.failures) res.writeHead(503).end("starting");
                else healthy();
                return;
        }
    }
}
