// The pack against whole programs: every stack file passes with zero violations, deliberately
// weakened copies of the program are caught (exactly what was weakened, nothing else), and
// `npm run check:policy` reports and exits accordingly.
import * as path from "path";
import { RULES } from "../policy/rules";
import { checkPolicy } from "../tools/checkPolicy";
import { listStacks } from "../tools/mockRuntime";
import { evaluate } from "../tools/policy/evaluate";
import { runWithShards, sharedRun, stackRun } from "./helpers/stacks";

const fixture = (name: string) => path.join(__dirname, "fixtures", name);

async function check(argv: string[]): Promise<{ code: number; out: string }> {
    const lines: string[] = [];
    const code = await checkPolicy(argv, (t) => lines.push(t), sharedRun);
    return { code, out: lines.join("\n") };
}

describe.each(listStacks())("stack file %s", (stack) => {
    test("passes every rule of the pack with zero violations", async () => {
        const run = await stackRun(stack);
        const evaluation = await evaluate(run);
        expect(evaluation.violations).toEqual([]);
        expect(evaluation.rulesRun).toBe(RULES.length);
        // The rules had something to judge: the stateful resources they are about are there.
        for (const type of ["aws:s3/bucket:Bucket", "aws:dynamodb/table:Table", "aws:rds/cluster:Cluster", "aws:rds/clusterInstance:ClusterInstance"]) {
            expect({ type, present: run.resources.some((r) => r.type === type) }).toEqual({ type, present: true });
        }
    });
});

test("a synthetic 4-shard stack passes every rule too", async () => {
    const evaluation = await evaluate(await runWithShards(4));
    expect(evaluation.violations).toEqual([]);
});

describe("weakened copies of the program are caught", () => {
    async function caught(program: string): Promise<string[]> {
        const evaluation = await evaluate(await sharedRun({ stack: "staging-co", program: fixture(program) }));
        expect(evaluation.violations.every((v) => v.enforcementLevel === "mandatory")).toBe(true);
        return [...new Set(evaluation.violations.map((v) => `${v.rule} ${v.resourceName}`))].sort();
    }

    test("deletion protection off, a password typed into the code, PostgreSQL from 0.0.0.0/0", async () => {
        expect(await caught("weakenedAurora.ts")).toEqual([
            "aurora-deletion-protection staging-s9-barragem-aurora",
            "aurora-master-password-generated staging-s9-barragem-aurora",
            "sg-database-ports-from-security-groups staging-s9-barragem-aurora-from-anywhere",
            "sg-no-public-ingress staging-s9-barragem-aurora-from-anywhere",
        ]);
    });

    test("a hand-made bucket on the ambient provider, unprotected, without block, encryption or policy", async () => {
        expect(await caught("weakenedBuckets.ts")).toEqual([
            "explicit-providers nu-spark-handmade-co-staging",
            "s3-deny-insecure-transport nu-spark-handmade-co-staging",
            "s3-encryption nu-spark-handmade-co-staging",
            "s3-public-access-block nu-spark-handmade-co-staging",
            "s3-retention nu-spark-handmade-co-staging",
            "stateful-resources-protected nu-spark-handmade-co-staging",
        ]);
    });

    test("a copy/paste grant: the other account's whole root, allowed to delete versioned data", async () => {
        expect(await caught("weakenedGrants.ts")).toEqual([
            "s3-cross-account-delete-recoverable nu-spark-copypaste-co-staging",
            "s3-cross-account-named-principals nu-spark-copypaste-co-staging-policy",
        ]);
    });

    test("a privileged root workload with a plain password env var, a Resource * policy and a table without PITR", async () => {
        expect(await caught("weakenedWorkload.ts")).toEqual([
            "dynamodb-point-in-time-recovery staging-global-weakened",
            "iam-no-wildcards weakened-access",
            "k8s-no-privileged-or-host-namespaces global-weakened",
            "k8s-read-only-root-filesystem global-weakened",
            "k8s-readiness-probe global-weakened",
            "k8s-resources global-weakened",
            "k8s-run-as-non-root global-weakened",
            "no-plain-secrets global-weakened",
        ]);
    });

    test("a public zone, a namespace without NetworkPolicy, a writable root filesystem, unconditioned trust, an internet-facing Ingress", async () => {
        expect(await caught("weakenedExposure.ts")).toEqual([
            "dns-private-zone weakened-public-zone",
            "iam-trust-scoped staging-global-weakened-irsa",
            "iam-trust-scoped staging-weakened-monitoring",
            "k8s-ingress-internal weakened-public",
            "k8s-namespace-default-deny weakened-namespace",
            "k8s-read-only-root-filesystem weakened-writable",
        ]);
    });
});

describe("npm run check:policy", () => {
    test("reports OK and exits 0 for a compliant stack", async () => {
        const { code, out } = await check(["--stack", "staging-co"]);
        expect(code).toBe(0);
        expect(out).toMatch(/^staging-co: OK, 0 mandatory and 0 advisory violation\(s\); \d+ rules checked \d+ resources\.$/m);
    });

    test("prints each violation with its resource, rule and fix, and exits 1", async () => {
        const { code, out } = await check(["--stack", "staging-co", "--program", fixture("weakenedAurora.ts")]);
        expect(code).toBe(1);
        expect(out).toContain("✗ [mandatory] aurora-deletion-protection");
        expect(out).toContain('resource: aws:rds/cluster:Cluster "staging-s9-barragem-aurora"');
        expect(out).toContain("fix:      Set deletionProtection: true");
        expect(out).toMatch(/staging-co: FAILED, 4 mandatory/);
    });

    test("prints a Markdown table for pull-request comments", async () => {
        const { out } = await check(["--stack", "staging-co", "--markdown", "--program", fixture("weakenedBuckets.ts")]);
        expect(out).toContain("### Policy check: `staging-co`");
        expect(out).toContain("| level | rule | resource | problem | fix |");
        expect(out).toContain('| mandatory | `explicit-providers` | aws:s3/bucket:Bucket "nu-spark-handmade-co-staging" |');
    });

    test("names the stacks that exist and exits 2 for a stack without a stack file", async () => {
        const { code, out } = await check(["--stack", "staging-zz"]);
        expect(code).toBe(2);
        expect(out).toContain("No stack file Pulumi.staging-zz.yaml");
        expect(out).toContain("staging-co");
    });

    test("--all checks every stack file of the project, and they all pass", async () => {
        const { code, out } = await check(["--all"]);
        expect(code).toBe(0);
        for (const stack of listStacks()) expect(out).toMatch(new RegExp(`^${stack}: OK, 0 mandatory and 0 advisory violation\\(s\\)`, "m"));
    });

    test("prints usage and exits 2 without a stack", async () => {
        const { code, out } = await check([]);
        expect(code).toBe(2);
        expect(out).toContain("usage: npm run check:policy -- --stack <stack>");
    });
});
