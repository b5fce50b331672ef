// The runbook's "check if the new service is healthy": `GET /api/version` on the service's
// canonical DNS name (`nu-$country ser curl get <prototype> <service> /api/version`).
import type { Verdict } from "./runner";

export const HEALTH_PATH = "/api/version";

/** 200 passes; anything else, or no answer, is worth another attempt (pods may still be starting). */
export async function checkServiceVersion(url: string, signal: AbortSignal): Promise<Verdict> {
    const response = await fetch(url, { signal, redirect: "manual", headers: { accept: "application/json, */*" } });
    const body = (await response.text()).replace(/\s+/g, " ").trim();
    const excerpt = body.length > 80 ? `${body.slice(0, 77)}...` : body;
    if (response.status === 200) return { ok: true, detail: `HTTP 200${excerpt ? ` ${excerpt}` : ""}` };
    return {
        ok: false,
        detail: `HTTP ${response.status}${excerpt ? ` ${excerpt}` : ""}`,
        transient: true,
        remedy: "look at the service's pods and logs; services failing at start may be missing Foundation's keysets (run `npm run preflight`)",
    };
}
