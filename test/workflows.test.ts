// The pipeline as code: every workflow is valid for GitHub Actions (action-validator), and its job
// graph encodes the promises docs/guardrails.md makes — guardrails on every PR, staging deployed
// and verified before prod, nightly drift that fails loudly, OIDC only, stacks from stack files.
import { validateWorkflow } from "@action-validator/core";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { parseCountryStack } from "../stacks/config";
import { loadStackConfig } from "../tools/mockRuntime";
import { kubeconfigCommands } from "../.github/scripts/kubeconfig";
import { verifyRoleArgs } from "../.github/scripts/verifyRoles";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const SCRIPTS = path.join(ROOT, ".github", "scripts");

interface Step {
    readonly id?: string;
    readonly name?: string;
    readonly uses?: string;
    readonly run?: string;
    readonly if?: string;
    readonly with?: Record<string, unknown>;
    readonly env?: Record<string, string>;
}
interface Job {
    readonly needs?: string | string[];
    readonly if?: string;
    readonly environment?: string | { name: string };
    readonly permissions?: Record<string, string>;
    readonly strategy?: { matrix?: Record<string, unknown>; "fail-fast"?: boolean };
    readonly env?: Record<string, string>;
    readonly steps: Step[];
}
interface Workflow {
    readonly on: Record<string, unknown>;
    readonly permissions?: Record<string, string>;
    readonly concurrency?: { group: string; "cancel-in-progress"?: boolean };
    readonly jobs: Record<string, Job>;
}

const workflowFiles = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const load = (file: string): Workflow => YAML.parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;
const pr = load("pull-request.yml");
const deploy = load("deploy.yml");
const drift = load("drift.yml");

const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);
const environmentOf = (job: Job): string | undefined => (typeof job.environment === "string" ? job.environment : job.environment?.name);
const scriptOf = (job: Job): string => job.steps.map((s) => s.run ?? "").join("\n");
const usesOf = (job: Job, action: string): Step[] => job.steps.filter((s) => s.uses?.split("@")[0] === action);

function transitiveNeeds(wf: Workflow, jobId: string): Set<string> {
    const seen = new Set<string>();
    const todo = [...needsOf(wf.jobs[jobId])];
    while (todo.length > 0) {
        const next = todo.pop()!;
        if (seen.has(next)) continue;
        seen.add(next);
        todo.push(...needsOf(wf.jobs[next]));
    }
    return seen;
}

/** Jobs whose stack matrix comes from one of the `stacks` job's lists. */
function matrixList(job: Job): string | undefined {
    const stack = job.strategy?.matrix?.stack;
    const m = typeof stack === "string" ? /^\$\{\{\s*fromJSON\(needs\.stacks\.outputs\.(\w+)\)\s*\}\}$/.exec(stack) : null;
    return m?.[1];
}

const pulumiCommand = (job: Job): string | undefined => usesOf(job, "pulumi/actions").find((s) => s.with?.command)?.with?.command as string | undefined;

describe("every workflow", () => {
    test.each(workflowFiles)("%s is valid for GitHub Actions (action-validator)", (file) => {
        const state = validateWorkflow(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));
        expect(state.errors).toEqual([]);
    });

    test("pins every action to a release tag, never a branch", () => {
        for (const file of workflowFiles) {
            for (const [id, job] of Object.entries(load(file).jobs)) {
                for (const step of job.steps.filter((s) => s.uses)) {
                    expect({ file, id, uses: step.uses, pinned: /^[\w.-]+\/[\w.-]+@v\d+(\.\d+){0,2}$/.test(step.uses!) }).toEqual({ file, id, uses: step.uses, pinned: true });
                }
            }
        }
    });

    test("reaches AWS only by assuming a role through OIDC: no long-lived keys anywhere", () => {
        for (const file of workflowFiles) {
            const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
            expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
            const wf = load(file);
            for (const [id, job] of Object.entries(wf.jobs)) {
                for (const step of usesOf(job, "aws-actions/configure-aws-credentials")) {
                    expect({ file, id, role: typeof step.with?.["role-to-assume"] }).toEqual({ file, id, role: "string" });
                    const idToken = job.permissions?.["id-token"] ?? wf.permissions?.["id-token"];
                    expect({ file, id, idToken }).toEqual({ file, id, idToken: "write" });
                }
                // Anything that talks to the cloud or the state backend assumes a role first.
                const cloudStep = job.steps.findIndex((s) => (s.uses?.startsWith("pulumi/actions@") && s.with?.command) || /\bpulumi (preview|up|refresh)\b|npm run verify/.test(s.run ?? ""));
                if (cloudStep >= 0) {
                    const assume = job.steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
                    expect({ file, id, assumesRoleFirst: assume >= 0 && assume < cloudStep }).toEqual({ file, id, assumesRoleFirst: true });
                }
            }
        }
    });

    test("gives pulumi the kubeconfig contexts of the stack's Kubernetes providers, after assuming the AWS role", () => {
        for (const file of workflowFiles) {
            for (const [id, job] of Object.entries(load(file).jobs)) {
                const pulumiStep = job.steps.findIndex((s) => (s.uses?.startsWith("pulumi/actions@") && s.with?.command) || /\bpulumi (preview|up|refresh)\b/.test(s.run ?? ""));
                if (pulumiStep < 0) continue;
                const kube = job.steps.findIndex((s) => /npx tsx \.github\/scripts\/kubeconfig\.ts "(\$\{\{ matrix\.stack \}\}|\$STACK)"/.test(s.run ?? ""));
                const assume = job.steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
                expect({ file, id, order: assume < kube && kube < pulumiStep }).toEqual({ file, id, order: true });
            }
        }
    });

    test("takes its stacks from the stack files: every stack matrix comes from the stacks job, which runs stacks.sh", () => {
        for (const file of workflowFiles) {
            const wf = load(file);
            expect(scriptOf(wf.jobs.stacks)).toContain(".github/scripts/stacks.sh");
            for (const [id, job] of Object.entries(wf.jobs)) {
                if (job.strategy?.matrix?.stack === undefined) continue;
                expect({ file, id, list: matrixList(job) !== undefined, needsStacks: needsOf(job).includes("stacks") }).toEqual({ file, id, list: true, needsStacks: true });
            }
        }
    });
});

describe("pull requests", () => {
    test("run on every pull request to main", () => {
        expect(pr.on.pull_request).toEqual({ branches: ["main"] });
    });

    test("install with npm ci and run the tests", () => {
        const script = scriptOf(pr.jobs.test);
        expect(script).toMatch(/^npm ci$/m);
        expect(script).toMatch(/^npm test$/m);
    });

    test("run the tests on Node 24 and 22, each leg on its own Node rather than the one npm ci brings", () => {
        const job = pr.jobs.test;
        expect(job.strategy?.matrix?.node).toEqual(["24", "22"]);
        expect(usesOf(job, "actions/setup-node")[0].with?.["node-version"]).toBe("${{ matrix.node }}");
        const script = scriptOf(job);
        expect(script.indexOf("rm -f node_modules/.bin/node")).toBeGreaterThan(script.indexOf("npm ci"));
        expect(script.indexOf("rm -f node_modules/.bin/node")).toBeLessThan(script.indexOf("npm test"));
    });

    test("check the guardrails and diff the offline plan for every stack, and comment the result", () => {
        const job = pr.jobs.offline;
        expect(matrixList(job)).toBe("all");
        expect(job.env?.STACK).toBe("${{ matrix.stack }}");
        const script = scriptOf(job);
        expect(script).toContain('npm run -s check:policy -- --stack "$STACK"');
        expect(script).toContain('npm run -s plan -- --stack "$STACK" --diff --against');
        expect(script).toContain(".github/scripts/pr-comment.sh");
        // A mandatory violation fails the job after the comment is posted.
        const fail = job.steps[job.steps.length - 1];
        expect(fail.if).toBe("steps.policy.outputs.code != '0'");
        expect(fail.run).toContain("exit 1");
    });

    test("preview every stack with the policy pack and comment the preview, after tests and guardrails pass", () => {
        const job = pr.jobs.preview;
        expect(matrixList(job)).toBe("all");
        expect(needsOf(job)).toEqual(expect.arrayContaining(["test", "offline"]));
        const [preview] = usesOf(job, "pulumi/actions");
        expect(preview.with).toMatchObject({ command: "preview", "stack-name": "${{ matrix.stack }}", policyPacks: "policy", "comment-on-pr": true });
        expect(job.permissions?.["pull-requests"]).toBe("write");
    });
});

describe("deploying a merge to main", () => {
    test("runs on pushes to main, one deployment at a time, never cancelling a running one", () => {
        expect(deploy.on.push).toEqual({ branches: ["main"] });
        expect(deploy.concurrency).toEqual({ group: "deploy", "cancel-in-progress": false });
    });

    test("runs preflight right before every pulumi up", () => {
        for (const id of ["deploy-staging", "deploy-prod"]) {
            const steps = deploy.jobs[id].steps;
            const up = steps.findIndex((st) => st.with?.command === "up");
            expect({ id, before: steps[up - 1].run }).toEqual({ id, before: 'npm run preflight -- --stack "${{ matrix.stack }}"' });
        }
    });

    test("deploys every staging stack with the policy pack, after tests and guardrails", () => {
        const job = deploy.jobs["deploy-staging"];
        expect(matrixList(job)).toBe("staging");
        expect(environmentOf(job)).toBe("staging");
        expect(needsOf(job)).toContain("guardrails");
        expect(scriptOf(deploy.jobs.guardrails)).toContain("npm run check:policy -- --all");
        expect(pulumiCommand(job)).toBe("up");
        expect(usesOf(job, "pulumi/actions").find((s) => s.with?.command === "up")?.with?.policyPacks).toBe("policy");
    });

    test("verifies every staging stack after it deployed", () => {
        const job = deploy.jobs["verify-staging"];
        expect(matrixList(job)).toBe("staging");
        expect(needsOf(job)).toContain("deploy-staging");
        const verify = job.steps.find((st) => st.run?.includes("npm run verify"))!;
        expect(verify.env?.STACK).toBe("${{ matrix.stack }}");
        expect(verify.run).toBe('npm run verify -- --stack "$STACK" $(npx tsx .github/scripts/verifyRoles.ts "$STACK")');
    });

    test("asks the prod environment's reviewers only after staging deployed and verified, then deploys prod", () => {
        const job = deploy.jobs["deploy-prod"];
        expect(environmentOf(job)).toBe("prod");
        expect(matrixList(job)).toBe("prod");
        expect([...transitiveNeeds(deploy, "deploy-prod")]).toEqual(expect.arrayContaining(["deploy-staging", "verify-staging"]));
        expect(job.if).toContain("github.ref == 'refs/heads/main'");
        expect(pulumiCommand(job)).toBe("up");
    });

    test("no job reaches prod without staging's deployment and verification in the same run", () => {
        for (const [id, job] of Object.entries(deploy.jobs)) {
            const touchesProd = environmentOf(job) === "prod" || matrixList(job) === "prod";
            if (!touchesProd) continue;
            expect({ id, needs: [...transitiveNeeds(deploy, id)].filter((n) => n === "deploy-staging" || n === "verify-staging").sort() }).toEqual({
                id,
                needs: ["deploy-staging", "verify-staging"],
            });
        }
        for (const file of workflowFiles.filter((f) => f !== "deploy.yml")) {
            for (const job of Object.values(load(file).jobs)) expect(environmentOf(job)).not.toBe("prod");
        }
    });

    test("verifies every prod stack after it deployed", () => {
        const job = deploy.jobs["verify-prod"];
        expect(matrixList(job)).toBe("prod");
        expect(needsOf(job)).toContain("deploy-prod");
        const verify = job.steps.find((st) => st.run?.includes("npm run verify"))!;
        expect(verify.env?.STACK).toBe("${{ matrix.stack }}");
        expect(verify.run).toBe('npm run verify -- --stack "$STACK" $(npx tsx .github/scripts/verifyRoles.ts "$STACK")');
    });

    describe("a prod stack's own check that its staging sibling was in this run", () => {
        const check = deploy.jobs["deploy-prod"].steps[0].run!.replace(/\$\{\{ github\.run_id \}\}/g, "42");
        const runCheck = (stack: string, staging: string) => spawnSync("bash", ["-c", check], { env: { ...process.env, STACK: stack, STAGING: staging }, encoding: "utf8" });

        test("passes when staging-<country> deployed in this run", () => {
            const result = runCheck("prod-co", '["staging-co","staging-mx"]');
            expect(result.status).toBe(0);
            expect(result.stdout).toContain("staging-co deployed and verified in run 42");
        });

        test("refuses when it did not", () => {
            const result = runCheck("prod-mx", '["staging-co"]');
            expect(result.status).toBe(1);
            expect(result.stdout).toContain("prod-mx has no staging-mx in this run");
        });
    });
});

describe("nightly drift detection", () => {
    test("runs on a schedule for every stack", () => {
        expect(drift.on.schedule).toEqual([{ cron: expect.stringMatching(/^\S+ \S+ \* \* \*$/) }]);
        expect(matrixList(drift.jobs.drift)).toBe("all");
        expect(drift.jobs.drift.strategy?.["fail-fast"]).toBe(false);
    });

    test("previews with a refresh and fails on any change", () => {
        const script = scriptOf(drift.jobs.drift);
        expect(script).toMatch(/pulumi preview --stack "\$STACK" --refresh --expect-no-changes/);
        expect(script).toContain("set -o pipefail");
    });

    test("fails loudly: an error annotation and an open drift issue, closed again by a clean night", () => {
        const steps = drift.jobs.drift.steps;
        const open = steps.find((s) => s.run?.includes("drift-issue.sh open"));
        const close = steps.find((s) => s.run?.includes("drift-issue.sh close"));
        expect(open?.if).toBe("failure() && steps.preview.outcome == 'failure'");
        expect(open?.run).toContain("::error::");
        expect(close?.if).toBe("success()");
        expect(drift.jobs.drift.permissions?.issues).toBe("write");
    });
});

describe(".github/scripts/kubeconfig.ts", () => {
    test.each(["staging-co", "prod-co"])("writes no context for %s: without a configured context the program reaches each EKS cluster itself", (stack) => {
        const config = parseCountryStack(stack, loadStackConfig(stack));
        expect(config.prototypes.map((p) => config.kubernetes[p].context)).toEqual(config.prototypes.map(() => undefined));
        expect(kubeconfigCommands(stack)).toEqual([]);
    });
});

describe(".github/scripts/verifyRoles.ts", () => {
    test.each(["staging-co", "prod-co"])("points verify of %s at a read-only role in each of its accounts", (stack) => {
        const config = parseCountryStack(stack, loadStackConfig(stack));
        expect(verifyRoleArgs(stack, "data-infra-read-only")).toEqual([
            "--country-role", `arn:aws:iam::${config.accounts.country.id}:role/data-infra-read-only`,
            "--data-role", `arn:aws:iam::${config.accounts.data.id}:role/data-infra-read-only`,
        ]);
    });
});

describe(".github/scripts/stacks.sh", () => {
    function stacksIn(files: string[]): { status: number | null; stdout: string; stderr: string; output: string } {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
        for (const f of ["Pulumi.yaml", ...files]) fs.writeFileSync(path.join(dir, f), "config: {}\n");
        const outputFile = path.join(dir, "github-output");
        const r = spawnSync("bash", [path.join(SCRIPTS, "stacks.sh"), dir], { env: { ...process.env, GITHUB_OUTPUT: outputFile }, encoding: "utf8" });
        const output = fs.existsSync(outputFile) ? fs.readFileSync(outputFile, "utf8") : "";
        fs.rmSync(dir, { recursive: true, force: true });
        return { status: r.status, stdout: r.stdout, stderr: r.stderr, output };
    }

    test("lists this project's stacks", () => {
        const out = execFileSync("bash", [path.join(SCRIPTS, "stacks.sh"), ROOT], { encoding: "utf8", env: { ...process.env, GITHUB_OUTPUT: "" } });
        expect(out).toContain('staging=["staging-co"]');
        expect(out).toContain('prod=["prod-co"]');
    });

    test("a new country joins the pipeline by adding its two stack files", () => {
        const r = stacksIn(["Pulumi.staging-co.yaml", "Pulumi.prod-co.yaml", "Pulumi.staging-mx.yaml", "Pulumi.prod-mx.yaml"]);
        expect(r.status).toBe(0);
        expect(r.output).toBe('all=["prod-co","prod-mx","staging-co","staging-mx"]\nstaging=["staging-co","staging-mx"]\nprod=["prod-co","prod-mx"]\n');
    });

    test("refuses a prod stack without its staging sibling", () => {
        const r = stacksIn(["Pulumi.staging-co.yaml", "Pulumi.prod-co.yaml", "Pulumi.prod-mx.yaml"]);
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("prod-mx has no Pulumi.staging-mx.yaml");
    });

    test("refuses a stack file not named <staging|prod>-<country>", () => {
        const r = stacksIn(["Pulumi.staging-co.yaml", "Pulumi.dev-co.yaml"]);
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("Pulumi.dev-co.yaml is not named Pulumi.<staging|prod>-<country>.yaml");
    });
});

describe("the GitHub-facing scripts (against a fake gh that records its calls)", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-gh-"));
        // The fake answers list queries from FAKE_GH_LIST and logs every call.
        fs.writeFileSync(
            path.join(dir, "gh"),
            `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >>"${dir}/calls"\ncase "$*" in *"--jq"*) printf '%s' "\${FAKE_GH_LIST:-}" ;; esac\n`,
            { mode: 0o755 },
        );
        fs.writeFileSync(path.join(dir, "body.md"), "### Policy check: `staging-co`\n");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const runScript = (script: string, args: string[], list = "") => {
        const env = { ...process.env, PATH: `${dir}:${process.env.PATH}`, GH_TOKEN: "t", GITHUB_REPOSITORY: "org/data-infra", PR_NUMBER: "7", FAKE_GH_LIST: list, RUN_URL: "https://run/1" };
        const r = spawnSync("bash", [path.join(SCRIPTS, script), ...args], { env, encoding: "utf8" });
        const calls = fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8") : "";
        return { status: r.status, calls };
    };

    test("pr-comment.sh creates the stack's comment on the first push", () => {
        const { status, calls } = runScript("pr-comment.sh", ["offline-staging-co", path.join(dir, "body.md")]);
        expect(status).toBe(0);
        expect(calls).toContain("api --method POST repos/org/data-infra/issues/7/comments -f body=<!-- data-infra:offline-staging-co -->");
    });

    test("pr-comment.sh edits the same comment on later pushes", () => {
        const { status, calls } = runScript("pr-comment.sh", ["offline-staging-co", path.join(dir, "body.md")], "991");
        expect(status).toBe(0);
        expect(calls).toContain("api --method PATCH repos/org/data-infra/issues/comments/991");
        expect(calls).not.toContain("--method POST");
    });

    test("drift-issue.sh opens an issue for a drifted stack, and comments on it when it is already open", () => {
        fs.writeFileSync(path.join(dir, "drift.log"), "~ aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock update\n");
        const first = runScript("drift-issue.sh", ["open", "prod-co", path.join(dir, "drift.log")]);
        expect(first.status).toBe(0);
        expect(first.calls).toContain("issue create --repo org/data-infra --title Drift detected in stack prod-co --label drift");
        fs.rmSync(path.join(dir, "calls"));
        const again = runScript("drift-issue.sh", ["open", "prod-co", path.join(dir, "drift.log")], "12");
        expect(again.calls).toContain("issue comment 12 --repo org/data-infra");
        expect(again.calls).not.toContain("issue create");
    });

    test("drift-issue.sh closes the open issue once the stack is clean", () => {
        const { status, calls } = runScript("drift-issue.sh", ["close", "prod-co"], "12");
        expect(status).toBe(0);
        expect(calls).toContain("issue close 12 --repo org/data-infra");
    });
});

describe("docs/guardrails.md", () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs", "guardrails.md"), "utf8");

    test("draws exactly the deploy workflow's job graph", () => {
        const mermaid = /```mermaid\n([\s\S]*?)```/.exec(doc.slice(doc.indexOf("## The pipeline")))?.[1] ?? "";
        const drawn = new Set<string>();
        for (const line of mermaid.split("\n")) {
            const m = /^\s*([\w-]+)(?:\[[^\]]*\])?\s*-->\s*(?:\|[^|]*\|\s*)?([\w-]+)/.exec(line);
            if (m) drawn.add(`${m[1]} -> ${m[2]}`);
        }
        const edges = new Set(Object.entries(deploy.jobs).flatMap(([id, job]) => needsOf(job).map((n) => `${n} -> ${id}`)));
        expect([...drawn].sort()).toEqual([...edges].sort());
    });
});
