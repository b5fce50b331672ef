// Who may do what with each bucket from the *other* account (SPEC "a bucket policy … that grants
// the other account what it needs"), named, never a whole account:
// - country buckets: the nu-data ETL roles (`dataEtlRoleArns`), at the level the catalogue row says;
// - nu-data buckets: only the country services that use them (stacks/services.ts: Tapir reads
//   its partitions from metapod-ephemeral-pii), by their role names; a nu-data bucket no
//   country service uses grants the country account nothing.
// Pure: components/bucketPolicy.ts turns the grants into the policy document.
import { BUCKET_ROWS, bucketNameByRole, CrossAccountAccess, PlannedBucket, plannedBuckets } from "./catalogue";
import type { CountryStack } from "./config";
import { serviceRoleName } from "./naming";
import { rowsOn, SERVICE_ROWS } from "./services";

/** Access for named principals of another account. */
export interface CrossAccountGrant {
    readonly accountId: string;
    /** IAM role ARNs (ArnLike patterns) of that account; never empty. */
    readonly principalArns: readonly string[];
    readonly access: CrossAccountAccess;
    /** Why they need it (docs/guardrails.md's bucket table). */
    readonly why: string;
}

export interface BucketPlan extends PlannedBucket {
    readonly grants: readonly CrossAccountGrant[];
}

/** The country services (by role ARN) that use a nu-data bucket, grouped by access. */
function serviceGrants(stack: CountryStack, bucket: PlannedBucket): CrossAccountGrant[] {
    const byAccess = new Map<CrossAccountAccess, { arns: string[]; services: string[] }>();
    for (const prototype of stack.prototypes) {
        for (const row of rowsOn(prototype)) {
            for (const use of row.buckets) {
                if (bucketNameByRole(stack, use.role) !== bucket.name) continue;
                const entry = byAccess.get(use.access) ?? { arns: [], services: [] };
                entry.arns.push(`arn:aws:iam::${stack.accounts.country.id}:role/${serviceRoleName(stack.env, prototype, row.workload)}`);
                entry.services.push(`${row.workload} (${prototype}, ${use.configKey})`);
                byAccess.set(use.access, entry);
            }
        }
    }
    return [...byAccess].map(([access, { arns, services }]) => ({
        accountId: stack.accounts.country.id,
        principalArns: arns,
        access,
        why: `the country's ${services.join(", ")}`,
    }));
}

/** Every bucket of the stack with the grants of its policy. */
export function bucketPlans(stack: CountryStack): BucketPlan[] {
    return plannedBuckets(stack).map((bucket) => {
        const grants: CrossAccountGrant[] =
            bucket.account === "country"
                ? bucket.etl
                    ? [{ accountId: stack.accounts.data.id, principalArns: [...stack.dataEtlRoleArns], access: bucket.etl.access, why: `nu-data ETL: ${bucket.etl.why}` }]
                    : []
                : serviceGrants(stack, bucket);
        return { ...bucket, grants };
    });
}

const ACCESS_WORDS: Readonly<Record<CrossAccountAccess, string>> = {
    read: "list, read",
    "read-write": "list, read, write (no delete)",
    "read-write-delete": "list, read, write, delete (no permanent delete of versions)",
};

/**
 * docs/guardrails.md's bucket table, from the catalogue and the service matrix (so the doc cannot
 * drift from what the policies grant): every bucket, its account, who else may do what, why, and
 * its retention.
 */
export function bucketAccessTable(): string {
    const lines = [
        "| bucket | account | other account may | why | retention | why |",
        "|---|---|---|---|---|---|",
    ];
    for (const row of BUCKET_ROWS) {
        let who: string;
        let why: string;
        if (row.account === "country") {
            who = row.etl ? `nu-data ETL roles (\`dataEtlRoleArns\`): ${ACCESS_WORDS[row.etl.access]}` : "nothing";
            why = row.etl?.why ?? "no nu-data job uses it";
        } else {
            const pattern = new RegExp(`^${row.role.replace("{clearance}", "[a-z]+")}$`);
            const users = SERVICE_ROWS.flatMap((s) => s.buckets.filter((b) => pattern.test(b.role)).map((b) => ({ service: s, use: b })));
            who =
                users.length === 0
                    ? "nothing (the country account gets no access)"
                    : users.map(({ service, use }) => `\`${service.prototypes === "global" ? "<env>-global" : "<env>-<prototype>"}-${service.workload}\` role on \`${use.role}\`: ${ACCESS_WORDS[use.access]}`).join("; ");
            why = users.length === 0 ? "no country service reads it" : users.map(({ service, use }) => `${service.runbook}: \`${use.configKey}\``).join("; ");
        }
        const retention =
            row.retention === "versioned"
                ? "versioned; noncurrent versions expire after `noncurrentVersionExpiryDays`"
                : row.retention === "expires"
                  ? `objects expire after \`bucketExpiryDays.${row.expiryKey}\``
                  : "neither";
        lines.push(`| \`${row.template}\` | ${row.account === "country" ? "country" : "nu-data"} | ${who} | ${why} | ${retention} | ${row.retentionWhy} |`);
    }
    return lines.join("\n");
}
