// The pipeline as code: every workflow is valid for GitHub Actions (action-validator), and its job
// graph encodes the promises docs/guardrails.md makes — guardrails on every PR, each country's
// staging deployed and verified before its prod, nightly drift that fails loudly and never runs
// during a deploy, OIDC only, deploy rights only from the staging/prod environments, network
// checks on the runners inside the VPC, every action pinned to a commit, stacks from stack files.
import { validateWorkflow } from "@action-validator/core";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { parseCountryStack } from "../stacks/config";
import { listStacks, loadStackConfig } from "../tools/mockRuntime";
import { stackRun } from "./helpers/stacks";
import { verifyRoleArgs } from "../.github/scripts/verifyRoles";
import { driftExcludeArgs, unreadableBuckets } from "../.github/scripts/driftExcludes";
import { readRunRole } from "../stacks/read";
import { actionCovers, statements } from "../policy/rules/iamDocument";
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
    readonly "continue-on-error"?: boolean;
}
interface Job {
    readonly needs?: string | string[];
    readonly if?: string;
    readonly "runs-on"?: string | string[];
    readonly environment?: string | { name: string };
    readonly concurrency?: { group: string; "cancel-in-progress"?: boolean };
    readonly permissions?: Record<string, string>;
    readonly strategy?: { matrix?: Record<string, unknown>; "fail-fast"?: boolean };
    readonly env?: Record<string, string>;
    /** A job that calls a reusable workflow has no steps. */
    readonly uses?: string;
    readonly with?: Record<string, unknown>;
    readonly steps?: Step[];
}
interface Workflow {
    readonly on: Record<string, unknown>;
    readonly permissions?: Record<string, string>;
    readonly concurrency?: { group: string; "cancel-in-progress"?: boolean };
    readonly jobs: Record<string, Job>;
}

const workflowFiles = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const textOf = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
const load = (file: string): Workflow => YAML.parse(textOf(file)) as Workflow;
const pr = load("pull-request.yml");
const deploy = load("deploy.yml");
const country = load("country.yml");
const drift = load("drift.yml");

const stepsOf = (job: Job): Step[] => job.steps ?? [];
const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);
const environmentOf = (job: Job): string | undefined => (typeof job.environment === "string" ? job.environment : job.environment?.name);
const scriptOf = (job: Job): string => stepsOf(job).map((s) => s.run ?? "").join("\n");
const usesOf = (job: Job, action: string): Step[] => stepsOf(job).filter((s) => s.uses?.split("@")[0] === action);
const pulumiCommand = (job: Job): string | undefined => usesOf(job, "pulumi/actions").find((s) => s.with?.command)?.with?.command as string | undefined;

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
function matrixList(job: Job, key = "stack"): string | undefined {
    const value = job.strategy?.matrix?.[key];
    const m = typeof value === "string" ? /^\$\{\{\s*fromJSON\(needs\.stacks\.outputs\.(\w+)\)\s*\}\}$/.exec(value) : null;
    return m?.[1];
}

// ---- The rules the workflows must keep. Each is a function of a parsed workflow, so that the
// ---- tests can show it passes on the real files and catches a deliberately weakened copy.

/** The runners inside the VPC: the only place private EKS, Aurora and internal names are reachable.
 *  Two pools: pull-request code runs only on the preview pool; deploy, verify and everything that
 *  may decrypt prod's state runs only on the deploy pool, which pull requests never reach. */
export const PREVIEW_RUNNERS = "${{ fromJSON(vars.DATA_INFRA_PREVIEW_RUNNER_LABELS) }}";
export const DEPLOY_RUNNERS = "${{ fromJSON(vars.DATA_INFRA_DEPLOY_RUNNER_LABELS) }}";
const VPC_RUNNERS = [PREVIEW_RUNNERS, DEPLOY_RUNNERS];
const GITHUB_HOSTED = /^(ubuntu|windows|macos)-/;

/** A step that needs the private network: `npm run verify`, or any pulumi command against the stack. */
function reachesPrivateEndpoints(step: Step): boolean {
    if (/\bnpm run verify\b/.test(step.run ?? "")) return true;
    if (/\bpulumi (preview|up|refresh|destroy)\b/.test(step.run ?? "")) return true;
    return step.uses?.split("@")[0] === "pulumi/actions" && step.with?.command !== undefined;
}

function networkProblems(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [id, job] of Object.entries(wf.jobs)) {
        if (!stepsOf(job).some(reachesPrivateEndpoints)) continue;
        const labels = [job["runs-on"] ?? []].flat();
        if (labels.some((l) => GITHUB_HOSTED.test(l)) || !VPC_RUNNERS.includes(job["runs-on"] as string)) {
            problems.push(`${id} reaches private endpoints but runs on ${JSON.stringify(job["runs-on"])}, not the VPC runners (${VPC_RUNNERS.join(" or ")})`);
        }
    }
    return problems;
}

/** Environments whose jobs run only main's code and may hold deploy, verify or prod-state rights. */
const MAIN_ONLY_ENVIRONMENTS = ["staging", "prod", "verify", "prod-preview"];
const isPullRequestWorkflow = (wf: Workflow) => Object.keys(wf.on).some((t) => t.startsWith("pull_request"));

/** Pull-request code never lands on the deploy runner pool; main-only environments run only there. */
function runnerPoolProblems(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [id, job] of Object.entries(wf.jobs)) {
        const onDeployPool = JSON.stringify(job["runs-on"] ?? "").includes("DATA_INFRA_DEPLOY_RUNNER_LABELS");
        if (isPullRequestWorkflow(wf) && onDeployPool) problems.push(`${id} runs pull-request code on the deploy runner pool`);
        const environment = environmentOf(job);
        if (MAIN_ONLY_ENVIRONMENTS.includes(environment ?? "") && job["runs-on"] !== DEPLOY_RUNNERS) {
            problems.push(`${id} runs in ${environment} but not on the deploy runner pool (${DEPLOY_RUNNERS})`);
        }
        if (environment === "preview" && stepsOf(job).some(reachesPrivateEndpoints) && job["runs-on"] !== PREVIEW_RUNNERS) {
            problems.push(`${id} runs in preview but not on the preview runner pool (${PREVIEW_RUNNERS})`);
        }
    }
    return problems;
}

/** A pull request previews staging stacks only: prod's state (and its secrets) is read on main only. */
function prodPreviewProblems(wf: Workflow): string[] {
    if (!isPullRequestWorkflow(wf)) return [];
    const problems: string[] = [];
    for (const [id, job] of Object.entries(wf.jobs)) {
        const touchesStacks = stepsOf(job).some(reachesPrivateEndpoints) || usesOf(job, "aws-actions/configure-aws-credentials").length > 0;
        if (!touchesStacks) continue;
        const list = matrixList(job);
        if (list !== "staging") problems.push(`${id} previews the stacks of the '${list ?? "no"}' list on a pull request; only the staging list is allowed`);
        if (/prod-/.test(JSON.stringify({ env: job.env, steps: job.steps }))) problems.push(`${id} names a prod stack on a pull request`);
        if (environmentOf(job) !== "preview") problems.push(`${id} runs in ${environmentOf(job) ?? "no environment"} on a pull request; only preview (staging state key) is allowed`);
    }
    return problems;
}

const DEPLOY_ROLE = "${{ vars.AWS_DEPLOY_ROLE_ARN }}";
const PREVIEW_ROLE = "${{ vars.AWS_PREVIEW_ROLE_ARN }}";
const DEPLOY_ENVIRONMENTS = ["staging", "prod"];
/** Triggers that run code nobody reviewed for deployment (a pull request) or unattended (a schedule). */
const PREVIEW_TRIGGERS = ["pull_request", "pull_request_target", "schedule"];

function deployRightsProblems(wf: Workflow): string[] {
    const problems: string[] = [];
    const previewOnly = Object.keys(wf.on).some((t) => PREVIEW_TRIGGERS.includes(t));
    for (const [id, job] of Object.entries(wf.jobs)) {
        const environment = environmentOf(job);
        const roles = usesOf(job, "aws-actions/configure-aws-credentials").map((s) => String(s.with?.["role-to-assume"]));
        const jobText = JSON.stringify(job);
        if (jobText.includes("AWS_DEPLOY_ROLE_ARN") && !DEPLOY_ENVIRONMENTS.includes(environment ?? "")) {
            problems.push(`${id} uses the deploy role outside the staging/prod environments (environment ${environment ?? "none"})`);
        }
        if (!previewOnly) continue;
        if (DEPLOY_ENVIRONMENTS.includes(environment ?? "")) problems.push(`${id} runs in the ${environment} environment on ${Object.keys(wf.on).join("/")}`);
        if (jobText.includes("AWS_DEPLOY_ROLE_ARN")) problems.push(`${id} names the deploy role on ${Object.keys(wf.on).join("/")}`);
        for (const role of roles) if (role !== PREVIEW_ROLE) problems.push(`${id} assumes ${role}, not the preview role`);
        // prod-preview (main only) may decrypt prod's state: a schedule runs main, a pull request never may.
        const previewEnvironments = isPullRequestWorkflow(wf) ? ["preview"] : ["preview", "prod-preview"];
        if (roles.length > 0 && !previewEnvironments.includes(environment ?? "")) problems.push(`${id} assumes a role outside the ${previewEnvironments.join("/")} environment`);
        if (stepsOf(job).some(reachesPrivateEndpoints) && job.env?.DATA_INFRA_ROLE !== "preview") {
            problems.push(`${id} runs pulumi without DATA_INFRA_ROLE=preview, so the program would assume the deploy roles`);
        }
        if (["up", "destroy", "refresh"].includes(pulumiCommand(job) ?? "") || /\bpulumi (up|destroy)\b/.test(scriptOf(job))) {
            problems.push(`${id} changes a stack on ${Object.keys(wf.on).join("/")}`);
        }
    }
    return problems;
}

/** Every `uses:` line: a local workflow or action, or owner/repo@<40-hex SHA> # v<version>. */
function unpinnedUses(text: string): string[] {
    return text
        .split("\n")
        .map((line) => /^\s*(?:-\s+)?uses:\s*(.+)$/.exec(line)?.[1].trim())
        .filter((uses): uses is string => uses !== undefined)
        .filter((uses) => !uses.startsWith("./") && !/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/.test(uses));
}

/** The Pulumi CLI version every job installs: one file, an exact release. */
export const PULUMI_VERSION_FILE = ".pulumi-version";

/** Every pulumi/actions step installs the pinned CLI; no step installs pulumi any other way. */
function unpinnedPulumi(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [id, job] of Object.entries(wf.jobs)) {
        for (const step of usesOf(job, "pulumi/actions")) {
            const file = step.with?.["pulumi-version-file"];
            const version = step.with?.["pulumi-version"];
            if (file !== PULUMI_VERSION_FILE && !(typeof version === "string" && /^\d+\.\d+\.\d+$/.test(version))) {
                problems.push(`${id}: pulumi/actions step "${step.name ?? step.with?.command ?? ""}" installs an unpinned Pulumi CLI (set pulumi-version-file: ${PULUMI_VERSION_FILE})`);
            }
        }
        if (/get\.pulumi\.com|\bbrew install pulumi|npm (i|install) (-g )?pulumi\b/.test(scriptOf(job))) problems.push(`${id} installs the Pulumi CLI outside pulumi/actions`);
    }
    return problems;
}

/** A copy of a workflow with one job changed, for the weakened-copy tests. */
function weakened(wf: Workflow, jobId: string, change: (job: Job) => Job): Workflow {
    return { ...wf, jobs: { ...wf.jobs, [jobId]: change(wf.jobs[jobId]) } };
}

describe("every workflow", () => {
    test.each(workflowFiles)("%s is valid for GitHub Actions (action-validator)", (file) => {
        const state = validateWorkflow(textOf(file));
        expect(state.errors).toEqual([]);
    });

    test.each(workflowFiles)("%s pins every third-party action to a full commit SHA with its version in a comment", (file) => {
        expect(unpinnedUses(textOf(file))).toEqual([]);
    });

    test("an action on a tag, a branch or a short SHA is refused", () => {
        expect(unpinnedUses("    steps:\n      - uses: actions/checkout@v6\n      - uses: pulumi/actions@main\n      - uses: actions/setup-node@2499707\n")).toEqual([
            "actions/checkout@v6",
            "pulumi/actions@main",
            "actions/setup-node@2499707",
        ]);
        expect(unpinnedUses("      - uses: actions/checkout@d23441a48e516b6c34aea4fa41551a30e30af803\n")).toEqual(["actions/checkout@d23441a48e516b6c34aea4fa41551a30e30af803"]);
        expect(unpinnedUses("      - uses: actions/checkout@d23441a48e516b6c34aea4fa41551a30e30af803 # v6.1.0\n    uses: ./.github/workflows/country.yml\n")).toEqual([]);
    });

    test("a workflow weakened back to a release tag is caught", () => {
        const weakenedText = textOf("country.yml").replace(/actions\/checkout@[0-9a-f]{40} # v[\d.]+/, "actions/checkout@v6");
        expect(unpinnedUses(weakenedText)).toEqual(["actions/checkout@v6"]);
    });

    test.each(workflowFiles)("%s installs the Pulumi CLI pinned by .pulumi-version on every pulumi/actions step", (file) => {
        expect(unpinnedPulumi(load(file))).toEqual([]);
    });

    test(".pulumi-version is an exact release, at least the @pulumi/pulumi SDK's version", () => {
        const cli = fs.readFileSync(path.join(ROOT, PULUMI_VERSION_FILE), "utf8").trim();
        expect(cli).toMatch(/^\d+\.\d+\.\d+$/);
        const sdk = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")) as { version: string }).version;
        const parts = (v: string) => v.split(".").map(Number);
        const [a, b] = [parts(cli), parts(sdk)];
        const cliNotOlder = (a[0] - b[0] || a[1] - b[1] || a[2] - b[2]) >= 0;
        expect({ cli, sdk, cliNotOlder }).toEqual({ cli, sdk, cliNotOlder: true });
    });

    test("a pulumi/actions step without the version pin, or a curl install of the CLI, is caught", () => {
        const unpin = weakened(country, "deploy-staging", (job) => ({
            ...job,
            steps: stepsOf(job).map((s) => (s.uses?.startsWith("pulumi/actions@") && s.with?.command === "up" ? { ...s, with: { ...s.with, "pulumi-version-file": undefined, "pulumi-version": "^3" } } : s)),
        }));
        expect(unpinnedPulumi(unpin)).toEqual(['deploy-staging: pulumi/actions step "up" installs an unpinned Pulumi CLI (set pulumi-version-file: .pulumi-version)']);
        const curl = weakened(drift, "drift-staging", (job) => ({ ...job, steps: [...stepsOf(job), { run: "curl -fsSL https://get.pulumi.com | sh" }] }));
        expect(unpinnedPulumi(curl)).toEqual(["drift-staging installs the Pulumi CLI outside pulumi/actions"]);
    });

    test("CODEOWNERS makes the data-infra team review the pipeline, the guardrails, the pipeline's IAM and the components", () => {
        const owners = fs
            .readFileSync(path.join(ROOT, ".github", "CODEOWNERS"), "utf8")
            .split("\n")
            .filter((line) => line.trim() !== "" && !line.startsWith("#"))
            .map((line) => line.trim().split(/\s+/));
        const ownersOf = (pattern: string) => owners.find(([p]) => p === pattern)?.slice(1);
        for (const dir of ["/.github/", "/policy/", "/docs/iam/", "/components/", `/${PULUMI_VERSION_FILE}`]) expect({ dir, owners: ownersOf(dir) }).toEqual({ dir, owners: ["@<org>/data-infra"] });
        // A later catch-all line would override them (the last matching pattern wins).
        expect(owners.filter(([p]) => p === "*" || p === "/")).toEqual([]);
    });

    test("Dependabot updates the pinned actions and npm weekly", () => {
        const config = YAML.parse(fs.readFileSync(path.join(ROOT, ".github", "dependabot.yml"), "utf8")) as { version: number; updates: { "package-ecosystem": string; directory: string; schedule: { interval: string } }[] };
        expect(config.version).toBe(2);
        const weekly = config.updates.filter((u) => u.schedule.interval === "weekly" && u.directory === "/").map((u) => u["package-ecosystem"]);
        expect(weekly).toEqual(expect.arrayContaining(["github-actions", "npm"]));
    });

    test("reaches AWS only by assuming a role through OIDC: no long-lived keys anywhere", () => {
        for (const file of workflowFiles) {
            expect(textOf(file)).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
            const wf = load(file);
            for (const [id, job] of Object.entries(wf.jobs)) {
                for (const step of usesOf(job, "aws-actions/configure-aws-credentials")) {
                    expect({ file, id, role: typeof step.with?.["role-to-assume"] }).toEqual({ file, id, role: "string" });
                    const idToken = job.permissions?.["id-token"] ?? wf.permissions?.["id-token"];
                    expect({ file, id, idToken }).toEqual({ file, id, idToken: "write" });
                }
                // Anything that talks to the cloud or the state backend assumes a role first.
                const steps = stepsOf(job);
                const cloudStep = steps.findIndex((s) => reachesPrivateEndpoints(s) || /\bpulumi (login|stack)\b/.test(s.run ?? "") || /stack-exists\.sh/.test(s.run ?? ""));
                if (cloudStep >= 0) {
                    const assume = steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
                    expect({ file, id, assumesRoleFirst: assume >= 0 && assume < cloudStep }).toEqual({ file, id, assumesRoleFirst: true });
                }
            }
        }
    });

    test("takes its stacks from the stack files: every stack or country matrix comes from the stacks job, which runs stacks.sh", () => {
        for (const file of workflowFiles.filter((f) => f !== "country.yml")) {
            const wf = load(file);
            expect(scriptOf(wf.jobs.stacks)).toContain(".github/scripts/stacks.sh");
            for (const [id, job] of Object.entries(wf.jobs)) {
                for (const key of ["stack", "country"]) {
                    if (job.strategy?.matrix?.[key] === undefined) continue;
                    expect({ file, id, list: matrixList(job, key) !== undefined, needsStacks: needsOf(job).includes("stacks") }).toEqual({ file, id, list: true, needsStacks: true });
                }
            }
        }
    });
});

/** The first step that runs a pulumi command against a stack, or -1. */
const firstPulumiStep = (job: Job): number =>
    stepsOf(job).findIndex((s) => (s.uses?.startsWith("pulumi/actions@") && s.with?.command) || /\bpulumi (preview|up|refresh|destroy)\b/.test(s.run ?? ""));

/** Jobs that run pulumi without checking for the AWS CLI first (the Kubernetes providers exec `aws eks get-token`). */
function awsCliProblems(wf: Workflow): string[] {
    return Object.entries(wf.jobs)
        .filter(([, job]) => firstPulumiStep(job) >= 0)
        .filter(([, job]) => {
            const check = stepsOf(job).findIndex((s) => s.run === ".github/scripts/aws-cli.sh");
            const assume = stepsOf(job).findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
            return !(check >= 0 && assume < check && check < firstPulumiStep(job));
        })
        .map(([id]) => `${id} runs pulumi without checking for the AWS CLI first`);
}

describe("every job that runs pulumi", () => {
    const pulumiWorkflows = workflowFiles.filter((f) => Object.values(load(f).jobs).some((j) => firstPulumiStep(j) >= 0));

    test("the rule has something to judge: the deploy, preview and drift jobs", () => {
        expect(pulumiWorkflows.sort()).toEqual(["country.yml", "drift.yml", "pull-request.yml"]);
    });

    test.each(pulumiWorkflows)("%s checks for the AWS CLI after assuming the role and before pulumi", (file) => {
        expect(awsCliProblems(load(file))).toEqual([]);
    });

    test("a job without the AWS CLI check is caught", () => {
        const without = weakened(pr, "preview", (job) => ({ ...job, steps: stepsOf(job).filter((s) => s.run !== ".github/scripts/aws-cli.sh") }));
        expect(awsCliProblems(without)).toEqual(["preview runs pulumi without checking for the AWS CLI first"]);
    });

    test.each(pulumiWorkflows)("%s falls back to the state's secrets manager when a stack file has no secrets configuration", (file) => {
        const wf = load(file) as Workflow & { env?: Record<string, string> };
        for (const [id, job] of Object.entries(wf.jobs).filter(([, j]) => firstPulumiStep(j) >= 0)) {
            const value = job.env?.PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER ?? wf.env?.PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER;
            expect({ file, id, value }).toEqual({ file, id, value: "true" });
        }
    });
});

/** A step that runs `pulumi up`: through pulumi/actions or on a command line. */
const runsUp = (s: Step): boolean => (s.uses?.split("@")[0] === "pulumi/actions" && s.with?.command === "up") || /\bpulumi up\b/.test(s.run ?? "");
const STATE_EXPORT = 'pulumi stack export --stack "$STACK" > "$RUNNER_TEMP/state.json"';
const STATE_CHECK = 'npm run adopt -- --stack "$STACK" --check-state "$RUNNER_TEMP/state.json"';

/**
 * Every `pulumi up` is preceded in its job by the take-over check (docs/adopt.md, "The pipeline
 * refuses to take over what exists"): the stack's state exported, then adopt --check-state on
 * that export, after the stack is selected (a new one is created there) and preflight has run.
 */
function takeOverProblems(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [id, job] of Object.entries(wf.jobs)) {
        const steps = stepsOf(job);
        steps.forEach((step, up) => {
            if (!runsUp(step)) return;
            const check = steps.findIndex((s) => {
                const run = s.run ?? "";
                return run.includes(STATE_EXPORT) && run.includes(STATE_CHECK) && run.indexOf(STATE_EXPORT) < run.indexOf(STATE_CHECK);
            });
            const select = steps.findIndex((s) => s.run?.includes(".github/scripts/select-stack.sh"));
            const preflight = steps.findIndex((s) => s.run?.startsWith("npm run preflight"));
            if (check < 0 || check > up) problems.push(`${id}: step ${up} runs pulumi up without adopt --check-state on the stack's exported state before it`);
            else if (select < 0 || select > check || preflight < 0 || preflight > check) problems.push(`${id}: adopt --check-state runs before the stack is selected and preflight has run`);
        });
    }
    return problems;
}

describe("every pulumi up is refused when it would take over what exists outside the stack's state", () => {
    const upJobs = workflowFiles.flatMap((f) => Object.entries(load(f).jobs).filter(([, j]) => stepsOf(j).some(runsUp)).map(([id]) => ({ file: f, id })));

    test("the rule has something to judge: some jobs run pulumi up", () => {
        expect(upJobs.length).toBeGreaterThan(0);
    });

    test.each(workflowFiles)("%s exports the state and runs adopt --check-state on it before every pulumi up, after select-stack and preflight", (file) => {
        expect(takeOverProblems(load(file))).toEqual([]);
    });

    test.each(upJobs.map(({ file, id }) => [file, id]))("%s %s without the check, or with it after pulumi up, is caught", (file, id) => {
        const wf = load(file);
        const isCheck = (s: Step) => (s.run ?? "").includes(STATE_CHECK);
        const without = weakened(wf, id, (job) => ({ ...job, steps: stepsOf(job).filter((s) => !isCheck(s)) }));
        expect(takeOverProblems(without)).toEqual([expect.stringMatching(new RegExp(`^${id}: step \\d+ runs pulumi up without`))]);
        const late = weakened(wf, id, (job) => ({ ...job, steps: [...stepsOf(job).filter((s) => !isCheck(s)), ...stepsOf(job).filter(isCheck)] }));
        expect(takeOverProblems(late)).toEqual([expect.stringMatching(new RegExp(`^${id}: step \\d+ runs pulumi up without`))]);
        const beforePreflight = weakened(wf, id, (job) => ({ ...job, steps: [...stepsOf(job).filter(isCheck), ...stepsOf(job).filter((s) => !isCheck(s))] }));
        expect(takeOverProblems(beforePreflight)).toEqual([`${id}: adopt --check-state runs before the stack is selected and preflight has run`]);
    });

    test("a check without the state export, or a pulumi up on a command line without a check, is caught", () => {
        const [{ file, id }] = upJobs;
        const wf = load(file);
        const noExport = weakened(wf, id, (job) => ({ ...job, steps: stepsOf(job).map((s) => (s.run?.includes(STATE_CHECK) ? { ...s, run: STATE_CHECK } : s)) }));
        expect(takeOverProblems(noExport)).toHaveLength(1);
        const byHand = weakened(wf, id, (job) => ({ ...job, steps: [{ run: 'pulumi up --stack "$STACK" --yes' }, ...stepsOf(job)] }));
        expect(takeOverProblems(byHand)).toEqual([`${id}: step 0 runs pulumi up without adopt --check-state on the stack's exported state before it`]);
    });
});

describe(".github/scripts/aws-cli.sh", () => {
    function run(withAws: boolean) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aws-cli-"));
        if (withAws) fs.writeFileSync(path.join(dir, "aws"), "#!/bin/sh\necho 'aws-cli/2.31.0 Python/3.13.7 Linux/6.8 exe/x86_64'\n", { mode: 0o755 });
        const r = spawnSync("/bin/bash", [path.join(SCRIPTS, "aws-cli.sh")], { env: { PATH: dir }, encoding: "utf8" });
        fs.rmSync(dir, { recursive: true, force: true });
        return r;
    }

    test("passes and prints the version when aws is on the PATH", () => {
        const r = run(true);
        expect(r.status).toBe(0);
        expect(r.stdout).toContain("aws-cli/2.31.0");
    });

    test("fails with the set-up instruction when the runner has no aws", () => {
        const r = run(false);
        expect(r.status).toBe(1);
        expect(r.stdout).toContain("::error::The AWS CLI (aws) is not on this runner's PATH; the Kubernetes providers run 'aws eks get-token'. Install AWS CLI v2 on the VPC runners");
    });
});

describe("network checks run where the network is", () => {
    test.each(workflowFiles)("%s: every job that runs npm run verify or a pulumi command runs on the VPC runners", (file) => {
        expect(networkProblems(load(file))).toEqual([]);
    });

    test("the jobs that reach private endpoints are the ones expected (the rule has something to judge)", () => {
        const placed = workflowFiles.flatMap((file) =>
            Object.entries(load(file).jobs)
                .filter(([, job]) => stepsOf(job).some(reachesPrivateEndpoints))
                .map(([id]) => `${file} ${id}`),
        );
        expect(placed.sort()).toEqual([
            "country.yml deploy-prod",
            "country.yml deploy-staging",
            "country.yml preview-prod",
            "country.yml verify-prod",
            "country.yml verify-staging",
            "drift.yml drift-prod",
            "drift.yml drift-staging",
            "pull-request.yml preview",
        ]);
    });

    test("a verify job moved to a GitHub-hosted runner is caught", () => {
        expect(networkProblems(weakened(country, "verify-staging", (job) => ({ ...job, "runs-on": "ubuntu-latest" })))).toEqual([
            `verify-staging reaches private endpoints but runs on "ubuntu-latest", not the VPC runners (${VPC_RUNNERS.join(" or ")})`,
        ]);
        expect(networkProblems(weakened(drift, "drift-staging", (job) => ({ ...job, "runs-on": ["self-hosted", "ubuntu-latest"] })))).toHaveLength(1);
    });

    test("offline jobs stay on GitHub-hosted runners: pull-request code reaches the VPC only through the preview job", () => {
        for (const id of ["stacks", "test", "offline"]) expect(pr.jobs[id]["runs-on"]).toBe("ubuntu-latest");
    });
});

describe("pull requests and drift never hold deploy rights", () => {
    test.each(workflowFiles)("%s: the deploy role only in the staging/prod environments; pull-request and scheduled jobs only the preview role", (file) => {
        expect(deployRightsProblems(load(file))).toEqual([]);
    });

    test("the pull-request preview and the drift check assume the preview role in the preview environment with DATA_INFRA_ROLE=preview", () => {
        for (const job of [pr.jobs.preview, drift.jobs["drift-staging"]]) {
            expect(environmentOf(job)).toBe("preview");
            expect(usesOf(job, "aws-actions/configure-aws-credentials")[0].with?.["role-to-assume"]).toBe(PREVIEW_ROLE);
            expect(job.env?.DATA_INFRA_ROLE).toBe("preview");
        }
    });

    test("a preview job given the deploy role, a deploy environment, or no role switch is caught", () => {
        const withDeployRole = weakened(pr, "preview", (job) => ({
            ...job,
            steps: stepsOf(job).map((s) => (s.uses?.startsWith("aws-actions/configure-aws-credentials@") ? { ...s, with: { ...s.with, "role-to-assume": DEPLOY_ROLE } } : s)),
        }));
        expect(deployRightsProblems(withDeployRole)).toEqual([
            "preview uses the deploy role outside the staging/prod environments (environment preview)",
            "preview names the deploy role on pull_request",
            `preview assumes ${DEPLOY_ROLE}, not the preview role`,
        ]);
        expect(deployRightsProblems(weakened(pr, "preview", (job) => ({ ...job, environment: "prod" })))).toEqual([
            "preview runs in the prod environment on pull_request",
            "preview assumes a role outside the preview environment",
        ]);
        expect(deployRightsProblems(weakened(drift, "drift-prod", (job) => ({ ...job, env: { ...job.env, DATA_INFRA_ROLE: "deploy" } })))).toEqual([
            "drift-prod runs pulumi without DATA_INFRA_ROLE=preview, so the program would assume the deploy roles",
        ]);
    });

    test("the deploy jobs assume the deploy role, only in the staging/prod environments", () => {
        for (const [id, env] of [["deploy-staging", "staging"], ["deploy-prod", "prod"]]) {
            const job = country.jobs[id];
            expect(environmentOf(job)).toBe(env);
            expect(usesOf(job, "aws-actions/configure-aws-credentials")[0].with?.["role-to-assume"]).toBe(DEPLOY_ROLE);
            expect(job.env?.DATA_INFRA_ROLE).toBe("deploy");
        }
        expect(country.on).toEqual({ workflow_call: expect.anything() });
        expect(deploy.on.push).toEqual({ branches: ["main"] });
    });

    test("forks: no preview, and the offline comment is skipped on purpose with a notice", () => {
        const fork = "github.event.pull_request.head.repo.full_name == github.repository";
        expect(pr.jobs.preview.if).toBe(fork);
        const steps = stepsOf(pr.jobs.offline);
        const comment = steps.find((s) => s.run?.includes("pr-comment.sh"))!;
        expect(comment.if).toBe(`always() && ${fork}`);
        const summary = steps.find((s) => s.if === "always() && github.event.pull_request.head.repo.full_name != github.repository")!;
        expect(summary.run).toContain("GITHUB_STEP_SUMMARY");
        expect(summary.run).toContain("::notice::Not commenting: pull requests from forks get a read-only token");
    });
});

describe("deploy and drift of one stack never overlap", () => {
    /** The concurrency group a job would take for a stack, its expressions filled in. */
    const groupFor = (job: Job, stack: string) =>
        job.concurrency?.group.replace("${{ matrix.stack }}", stack).replace("${{ inputs.country }}", stack.split("-")[1]);

    test.each(listStacks())("%s: its deploy job and its drift job share the group data-infra-<stack>, and neither cancels the other", (stack) => {
        const env = stack.startsWith("prod-") ? "prod" : "staging";
        const deployJob = country.jobs[`deploy-${env}`];
        const driftJob = drift.jobs[`drift-${env}`];
        expect(matrixList(driftJob)).toBe(env);
        expect(groupFor(deployJob, stack)).toBe(`data-infra-${stack}`);
        expect(groupFor(driftJob, stack)).toBe(`data-infra-${stack}`);
        expect(deployJob.concurrency?.["cancel-in-progress"]).toBe(false);
        expect(driftJob.concurrency?.["cancel-in-progress"]).toBe(false);
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
        const steps = stepsOf(job);
        const fail = steps[steps.length - 1];
        expect(fail.if).toBe("steps.policy.outputs.code != '0'");
        expect(fail.run).toContain("exit 1");
    });

    test("preview every existing staging stack (never prod) with the policy pack and comment the preview, after tests and guardrails pass", () => {
        const job = pr.jobs.preview;
        expect(matrixList(job)).toBe("staging");
        expect(needsOf(job)).toEqual(expect.arrayContaining(["test", "offline"]));
        const [, preview] = usesOf(job, "pulumi/actions");
        expect(preview.with).toMatchObject({ command: "preview", "stack-name": "${{ matrix.stack }}", policyPacks: "policy", "comment-on-pr": true });
        expect(preview.with?.upsert).toBeUndefined();
        expect(preview.if).toBe("steps.exists.outputs.exists == 'true'");
        expect(stepsOf(job).find((s) => s.id === "exists")?.run).toBe('.github/scripts/stack-exists.sh "$STACK"');
        expect(job.permissions?.["pull-requests"]).toBe("write");
    });
});

describe("deploying a merge to main", () => {
    test("runs on pushes to main, one deployment run at a time, never cancelling a running one", () => {
        expect(deploy.on.push).toEqual({ branches: ["main"] });
        expect(deploy.concurrency).toEqual({ group: "deploy", "cancel-in-progress": false });
    });

    test("runs every country's chain in its own matrix leg, after tests and guardrails; one failing country does not stop another", () => {
        const job = deploy.jobs.country;
        expect(job.uses).toBe("./.github/workflows/country.yml");
        expect(matrixList(job, "country")).toBe("countries");
        expect(job.strategy?.["fail-fast"]).toBe(false);
        expect(needsOf(job)).toEqual(expect.arrayContaining(["stacks", "guardrails"]));
        expect(scriptOf(deploy.jobs.guardrails)).toContain("npm run check:policy -- --all");
        expect(job.with).toEqual({ country: "${{ matrix.country }}", prod: "${{ contains(fromJSON(needs.stacks.outputs.prod), format('prod-{0}', matrix.country)) }}" });
        expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
    });

    test("a country's prod waits for its own staging deployment and verification, the prod approval, and main", () => {
        const job = country.jobs["deploy-prod"];
        expect(environmentOf(job)).toBe("prod");
        expect([...transitiveNeeds(country, "deploy-prod")].sort()).toEqual(["deploy-staging", "preview-prod", "verify-staging"]);
        expect(job.if).toBe("inputs.prod && github.ref == 'refs/heads/main'");
        expect(job.env?.STACK).toBe("prod-${{ inputs.country }}");
        expect(country.jobs["deploy-staging"].env?.STACK).toBe("staging-${{ inputs.country }}");
        for (const file of workflowFiles.filter((f) => f !== "country.yml")) {
            for (const j of Object.values(load(file).jobs)) expect(environmentOf(j)).not.toBe("prod");
        }
    });

    test.each(["deploy-staging", "deploy-prod"])("%s runs preflight before the preview (its rows say cause and remedy, a preview error does not), then the preview, then pulumi up with the policy pack", (id) => {
        const steps = stepsOf(country.jobs[id]);
        const preflight = steps.findIndex((st) => st.run === 'npm run preflight -- --stack "$STACK"');
        const preview = steps.findIndex((st) => /\bpulumi preview\b/.test(st.run ?? ""));
        const up = steps.findIndex((st) => st.with?.command === "up");
        expect(preflight).toBeGreaterThan(steps.findIndex((st) => st.run?.includes("select-stack.sh")));
        expect([preflight < preview, preview < up, preview > 0]).toEqual([true, true, true]);
        expect(steps[up].with).toMatchObject({ "stack-name": "${{ env.STACK }}", policyPacks: "policy" });
    });

    test.each(["deploy-staging", "deploy-prod"])("%s holds the deploy role for two hours, not the default one (a first deploy outlasts it)", (id) => {
        expect(usesOf(country.jobs[id], "aws-actions/configure-aws-credentials")[0].with?.["role-duration-seconds"]).toBe(7200);
    });

    test.each(["deploy-staging", "deploy-prod"])("%s selects its stack through select-stack.sh (never pulumi stack select --create, which leaves the data key uncommitted)", (id) => {
        const steps = stepsOf(country.jobs[id]);
        const select = steps.findIndex((st) => st.run?.includes('.github/scripts/select-stack.sh "$STACK"'));
        const up = steps.findIndex((st) => st.with?.command === "up");
        expect(select).toBeGreaterThan(steps.findIndex((st) => st.uses?.startsWith("pulumi/actions@")));
        expect(select).toBeLessThan(up);
        expect(scriptOf(country.jobs[id])).not.toContain("--create");
    });

    test.each(["verify-staging", "verify-prod"])("%s verifies with the read-only verify role after its deployment", (id) => {
        const job = country.jobs[id];
        expect(needsOf(job)).toEqual([id.replace("verify", "deploy")]);
        expect(environmentOf(job)).toBe("verify");
        expect(usesOf(job, "aws-actions/configure-aws-credentials")[0].with?.["role-to-assume"]).toBe("${{ vars.AWS_VERIFY_ROLE_ARN }}");
        const verify = stepsOf(job).find((st) => st.run?.includes("npm run verify"))!;
        expect(verify.run).toBe('npm run verify -- --stack "$STACK" $(npx tsx .github/scripts/verifyRoles.ts "$STACK")');
    });
});

describe("nightly drift detection", () => {
    const driftJobs = ["drift-staging", "drift-prod"] as const;

    test("runs on a schedule for every stack: staging stacks in preview, prod stacks in the main-only prod-preview environment", () => {
        expect(drift.on.schedule).toEqual([{ cron: expect.stringMatching(/^\S+ \S+ \* \* \*$/) }]);
        expect(matrixList(drift.jobs["drift-staging"])).toBe("staging");
        expect(environmentOf(drift.jobs["drift-staging"])).toBe("preview");
        expect(matrixList(drift.jobs["drift-prod"])).toBe("prod");
        expect(environmentOf(drift.jobs["drift-prod"])).toBe("prod-preview");
        for (const id of driftJobs) expect(drift.jobs[id].strategy?.["fail-fast"]).toBe(false);
    });

    test.each(driftJobs)("%s refreshes as a preview with this run's (preview) role from the program and fails on any change", (id) => {
        const script = scriptOf(drift.jobs[id]);
        expect(script).toMatch(/pulumi refresh --stack "\$STACK" --run-program --preview-only --expect-no-changes/);
        expect(script).toContain('$(npx tsx .github/scripts/driftExcludes.ts "$STACK")');
        expect(script).toContain("set -o pipefail");
        expect(script).not.toMatch(/pulumi up\b/);
    });

    test.each(driftJobs)("%s fails loudly: an error annotation and an open drift issue, closed again by a clean night", (id) => {
        const steps = stepsOf(drift.jobs[id]);
        const open = steps.find((s) => s.run?.includes("drift-issue.sh open"));
        const close = steps.find((s) => s.run?.includes("drift-issue.sh close"));
        expect(open?.if).toBe("failure() && steps.preview.outcome == 'failure'");
        expect(open?.run).toContain("::error::");
        expect(close?.if).toBe("success() && steps.preview.outcome == 'success'");
        expect(drift.jobs[id].permissions?.issues).toBe("write");
    });
});

describe("prod state is read on main only: pull requests preview staging stacks", () => {
    test.each(workflowFiles)("%s: no pull-request job previews a prod stack or leaves the preview environment", (file) => {
        expect(prodPreviewProblems(load(file))).toEqual([]);
    });

    test("a pull-request preview given every stack, the prod list, a prod stack name or the prod-preview environment is caught", () => {
        const matrix = (list: string) => weakened(pr, "preview", (job) => ({ ...job, strategy: { ...job.strategy, matrix: { stack: `\${{ fromJSON(needs.stacks.outputs.${list}) }}` } } }));
        expect(prodPreviewProblems(matrix("all"))).toEqual(["preview previews the stacks of the 'all' list on a pull request; only the staging list is allowed"]);
        expect(prodPreviewProblems(matrix("prod"))).toEqual(["preview previews the stacks of the 'prod' list on a pull request; only the staging list is allowed"]);
        expect(prodPreviewProblems(weakened(pr, "preview", (job) => ({ ...job, env: { ...job.env, STACK: "prod-co" } })))).toEqual(["preview names a prod stack on a pull request"]);
        expect(prodPreviewProblems(weakened(pr, "preview", (job) => ({ ...job, environment: "prod-preview" })))).toEqual([
            "preview runs in prod-preview on a pull request; only preview (staging state key) is allowed",
        ]);
        expect(deployRightsProblems(weakened(pr, "preview", (job) => ({ ...job, environment: "prod-preview" })))).toEqual(["preview assumes a role outside the preview environment"]);
    });

    test("prod is previewed on main before the prod approval, in prod-preview with the preview role, and deploy-prod waits for it", () => {
        const job = country.jobs["preview-prod"];
        expect(environmentOf(job)).toBe("prod-preview");
        expect(job.if).toBe("inputs.prod && github.ref == 'refs/heads/main'");
        expect(job.env).toMatchObject({ STACK: "prod-${{ inputs.country }}", DATA_INFRA_ROLE: "preview" });
        expect(usesOf(job, "aws-actions/configure-aws-credentials")[0].with?.["role-to-assume"]).toBe(PREVIEW_ROLE);
        expect(pulumiCommand(job)).toBe("preview");
        expect(needsOf(country.jobs["deploy-prod"])).toContain("preview-prod");
        expect(transitiveNeeds(country, "preview-prod")).toEqual(new Set(["deploy-staging", "verify-staging"]));
    });

    test("the prod-preview environment appears only in workflows that run main's code (push, schedule, call from deploy)", () => {
        for (const file of workflowFiles) {
            const wf = load(file);
            const inProdPreview = Object.entries(wf.jobs).filter(([, job]) => environmentOf(job) === "prod-preview").map(([id]) => id);
            if (isPullRequestWorkflow(wf)) expect({ file, inProdPreview }).toEqual({ file, inProdPreview: [] });
        }
    });
});

describe("two runner pools: pull-request code never runs where deploys run", () => {
    test.each(workflowFiles)("%s: pull-request jobs use the preview pool; deploy, verify and prod-preview jobs the deploy pool", (file) => {
        expect(runnerPoolProblems(load(file))).toEqual([]);
    });

    test("the pools are the ones expected (the rule has something to judge)", () => {
        expect(pr.jobs.preview["runs-on"]).toBe(PREVIEW_RUNNERS);
        expect(drift.jobs["drift-staging"]["runs-on"]).toBe(PREVIEW_RUNNERS);
        for (const id of ["deploy-staging", "verify-staging", "preview-prod", "deploy-prod", "verify-prod"]) expect(country.jobs[id]["runs-on"]).toBe(DEPLOY_RUNNERS);
        expect(drift.jobs["drift-prod"]["runs-on"]).toBe(DEPLOY_RUNNERS);
    });

    test("a pull-request job moved to the deploy pool, or a deploy job moved to the preview pool, is caught", () => {
        expect(runnerPoolProblems(weakened(pr, "preview", (job) => ({ ...job, "runs-on": DEPLOY_RUNNERS })))).toEqual([
            "preview runs pull-request code on the deploy runner pool",
            `preview runs in preview but not on the preview runner pool (${PREVIEW_RUNNERS})`,
        ]);
        expect(runnerPoolProblems(weakened(pr, "offline", (job) => ({ ...job, "runs-on": ["self-hosted", "${{ vars.DATA_INFRA_DEPLOY_RUNNER_LABELS }}"] })))).toEqual([
            "offline runs pull-request code on the deploy runner pool",
        ]);
        expect(runnerPoolProblems(weakened(country, "deploy-prod", (job) => ({ ...job, "runs-on": PREVIEW_RUNNERS })))).toEqual([
            `deploy-prod runs in prod but not on the deploy runner pool (${DEPLOY_RUNNERS})`,
        ]);
    });
});

/** Repository variables a job's runs-on reads (`vars.X`): the runner-label lists of the VPC pools. */
const runsOnVariables = (job: Job): string[] => [...JSON.stringify(job["runs-on"] ?? "").matchAll(/\bvars\.([A-Za-z_]\w*)/g)].map((m) => m[1]);

/** Every job whose runs-on reads a repository variable, with that variable, read from the files. */
const labelledJobs = (wfs: Record<string, Workflow>) =>
    Object.entries(wfs).flatMap(([file, wf]) => Object.entries(wf.jobs).flatMap(([id, job]) => runsOnVariables(job).map((variable) => ({ file, id, variable }))));

const RUNNER_LABELS = ".github/scripts/runner-labels.sh";

/** The variables a step runs runner-labels.sh on (none if it does not run it). */
const labelArgs = (s: Step): string[] => s.run?.match(/\.github\/scripts\/runner-labels\.sh\b(.*)/)?.[1].trim().split(/\s+/) ?? [];

/** A step of `job` that runs runner-labels.sh on `variable`, given the repository variable through env,
 *  whose failure fails the job, and that runs whenever the guarded job would (its `if`, if any, is one
 *  of the guarded job's `&&` conditions: the pull-request check is skipped for forks like the preview). */
function checksLabels(job: Job, variable: string, guardedIf: string | undefined): boolean {
    return stepsOf(job).some((s) => {
        const args = labelArgs(s);
        const runsWhenGuardedRuns = s.if === undefined || (guardedIf ?? "").split(/\s+&&\s+/).includes(s.if);
        return args.includes(variable) && s.env?.[variable] === `\${{ vars.${variable} }}` && s["continue-on-error"] !== true && runsWhenGuardedRuns;
    });
}

/** A job whose `if` runs it although a job it needs failed: what it needs guards nothing. */
const runsDespiteFailure = (job: Job) => /\b(always|failure|cancelled)\(\)/.test(job.if ?? "");

/** Whether `jobId` runs only after a job that checked `variable` succeeded (directly or through `needs`). */
function labelsChecked(wf: Workflow, jobId: string, variable: string, guardedIf: string | undefined): boolean {
    const job = wf.jobs[jobId];
    if (job === undefined || runsDespiteFailure(job)) return false;
    return needsOf(job).some((n) => wf.jobs[n] !== undefined && (checksLabels(wf.jobs[n], variable, guardedIf) || labelsChecked(wf, n, variable, guardedIf)));
}

/** The jobs (in any of `wfs`) that call the reusable workflow `file`. */
const callersOf = (file: string, wfs: Record<string, Workflow>) =>
    Object.entries(wfs).flatMap(([callerFile, w]) =>
        Object.entries(w.jobs)
            .filter(([, job]) => job.uses === `./.github/workflows/${file}`)
            .map(([id, job]) => ({ file: callerFile, wf: w, id, if: job.if })),
    );

/** Jobs of `file` that could reach their runs-on with a runner-label variable nobody checked. A workflow
 *  run only by workflow_call is checked through its callers: every caller job must have checked it. */
function labelCheckProblems(file: string, wfs: Record<string, Workflow>): string[] {
    const wf = wfs[file];
    const callers = callersOf(file, wfs);
    const onlyCalled = Object.keys(wf.on).every((t) => t === "workflow_call") && callers.length > 0;
    return labelledJobs({ [file]: wf })
        .filter(({ id, variable }) => !labelsChecked(wf, id, variable, wf.jobs[id].if))
        .filter(({ variable }) => !(onlyCalled && callers.every((c) => labelsChecked(c.wf, c.id, variable, c.if))))
        .map(({ id, variable }) => `${file} ${id} runs on vars.${variable} without needing a job that checked it (${RUNNER_LABELS} ${variable})`);
}

describe("the runner-label variables are checked before any job's runs-on reads them", () => {
    const all = (): Record<string, Workflow> => Object.fromEntries(workflowFiles.map((f) => [f, load(f)]));
    /** A copy of the workflows with every runner-labels.sh step changed (or dropped when `change` returns undefined). */
    const withChecks = (change: (step: Step) => Step | undefined): Record<string, Workflow> =>
        Object.fromEntries(
            Object.entries(all()).map(([file, wf]) => [
                file,
                { ...wf, jobs: Object.fromEntries(Object.entries(wf.jobs).map(([id, job]) => [id, { ...job, steps: job.steps?.flatMap((s) => (s.run?.includes(RUNNER_LABELS) ? [change(s)].filter((x): x is Step => x !== undefined) : [s])) }])) },
            ]),
        );
    const everyProblem = (wfs: Record<string, Workflow>) => workflowFiles.flatMap((f) => labelCheckProblems(f, wfs));

    test.each(workflowFiles)("%s: every job whose runs-on reads vars.X needs (transitively, or through its caller) a job that ran runner-labels.sh on X", (file) => {
        expect(labelCheckProblems(file, all())).toEqual([]);
    });

    test("the rule has something to judge: jobs in several workflows run on runner-label variables", () => {
        const jobs = labelledJobs(all());
        expect(new Set(jobs.map((j) => j.file)).size).toBeGreaterThan(1);
        expect(new Set(jobs.map((j) => j.variable)).size).toBeGreaterThan(1);
    });

    test("without any runner-labels.sh step, every labelled job is caught", () => {
        const problems = everyProblem(withChecks(() => undefined));
        expect(problems).toEqual(labelledJobs(all()).map(({ file, id, variable }) => `${file} ${id} runs on vars.${variable} without needing a job that checked it (${RUNNER_LABELS} ${variable})`));
    });

    test.each(labelledJobs(all()).map(({ file, id, variable }) => [variable, `${file} ${id}`] as const))(
        "a check that leaves out %s, or does not pass it through env, or may fail without failing its job, no longer covers %s",
        (variable, job) => {
            const caught = (wfs: Record<string, Workflow>) => everyProblem(wfs).some((p) => p.startsWith(`${job} runs on vars.${variable} `));
            const leftOut = withChecks((s) => ({ ...s, run: s.run!.replace(new RegExp(` ${variable}\\b`), "") }));
            const noEnv = withChecks((s) => ({ ...s, env: Object.fromEntries(Object.entries(s.env ?? {}).filter(([k]) => k !== variable)) }));
            const wrongEnv = withChecks((s) => ({ ...s, env: { ...s.env, [variable]: "${{ vars.SOMETHING_ELSE }}" } }));
            const ignored = withChecks((s) => ({ ...s, "continue-on-error": true }));
            expect({ leftOut: caught(leftOut), noEnv: caught(noEnv), wrongEnv: caught(wrongEnv), ignored: caught(ignored) }).toEqual({ leftOut: true, noEnv: true, wrongEnv: true, ignored: true });
        },
    );

    test("a labelled job that stops needing the checking job, or runs although it failed, is caught; a called workflow's jobs through their caller", () => {
        for (const { file, id, variable } of labelledJobs(all())) {
            const wfs = all();
            const wf = wfs[file];
            // Cut the chain where it starts: the job itself, or the job calling its workflow.
            const caller = callersOf(file, wfs)[0];
            const [cutFile, cutId] = labelsChecked(wf, id, variable, wf.jobs[id].if) ? [file, id] : [caller.file, caller.id];
            const expected = `${file} ${id} runs on vars.${variable} without needing a job that checked it (${RUNNER_LABELS} ${variable})`;
            const cut = { ...wfs, [cutFile]: weakened(wfs[cutFile], cutId, (job) => ({ ...job, needs: [] })) };
            expect({ cutFile, cutId, problems: everyProblem(cut) }).toEqual({ cutFile, cutId, problems: expect.arrayContaining([expected]) });
            const always = { ...wfs, [cutFile]: weakened(wfs[cutFile], cutId, (job) => ({ ...job, if: `always() && ${job.if ?? "true"}` })) };
            expect({ cutFile, cutId, problems: everyProblem(always) }).toEqual({ cutFile, cutId, problems: expect.arrayContaining([expected]) });
        }
    });

    test("a check for a job that forks skip is skipped for forks too: they get no repository variables, so it would fail their pull requests", () => {
        const wfs = all();
        const FORKS_SKIP = /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/;
        const forkSkipped = labelledJobs(wfs).filter(({ file, id }) => FORKS_SKIP.test(wfs[file].jobs[id].if ?? ""));
        expect(forkSkipped.length).toBeGreaterThan(0);
        for (const { file, id, variable } of forkSkipped) {
            const wf = wfs[file];
            const checkers = needsOf(wf.jobs[id]).filter((n) => wf.jobs[n] !== undefined && checksLabels(wf.jobs[n], variable, wf.jobs[id].if));
            expect({ file, id, checkers: checkers.length > 0 }).toEqual({ file, id, checkers: true });
            for (const n of checkers) expect({ file, job: n, forksSkip: FORKS_SKIP.test(wf.jobs[n].if ?? "") }).toEqual({ file, job: n, forksSkip: true });
        }
    });

    test("a bad variable stops only the jobs of its own pool: no job waits on a check of a variable it does not use", () => {
        const wfs = all();
        const checked = (job: Job) => stepsOf(job).flatMap(labelArgs);
        const uses = (job: Job): string[] => {
            const called = job.uses?.match(/^\.\/\.github\/workflows\/(.+)$/)?.[1];
            return called && wfs[called] ? Object.values(wfs[called].jobs).flatMap(runsOnVariables) : runsOnVariables(job);
        };
        let judged = 0;
        for (const [file, wf] of Object.entries(wfs)) {
            for (const [id, job] of Object.entries(wf.jobs)) {
                const own = new Set(uses(job));
                if (own.size === 0) continue;
                judged += 1;
                const foreign = needsOf(job).flatMap((n) => (wf.jobs[n] ? checked(wf.jobs[n]) : [])).filter((v) => !own.has(v));
                expect({ file, id, foreign }).toEqual({ file, id, foreign: [] });
            }
        }
        expect(judged).toBeGreaterThan(0);
    });

    test("the offline checks never wait for the runner-label check: a missing variable stops only the VPC jobs", () => {
        const wfs = all();
        const checking = (wf: Workflow, id: string) => stepsOf(wf.jobs[id]).some((s) => s.run?.includes(RUNNER_LABELS));
        for (const [file, wf] of Object.entries(wfs)) {
            for (const [id, job] of Object.entries(wf.jobs)) {
                // VPC jobs, the checks themselves and calls of a reusable workflow of VPC jobs (country.yml) aside,
                // a job on GitHub's runners (offline checks, tests, the stack list) needs no checking job.
                if (runsOnVariables(job).length > 0 || checking(wf, id) || job.uses !== undefined) continue;
                expect({ file, id, needsCheck: needsOf(job).some((n) => wf.jobs[n] !== undefined && checking(wf, n)) }).toEqual({ file, id, needsCheck: false });
            }
        }
    });
});

describe(".github/scripts/runner-labels.sh", () => {
    const PREVIEW = "DATA_INFRA_PREVIEW_RUNNER_LABELS";
    const DEPLOY = "DATA_INFRA_DEPLOY_RUNNER_LABELS";
    /** Runs the script on the given variables; undefined means not in the environment at all. */
    function check(vars: Record<string, string | undefined>) {
        const env: NodeJS.ProcessEnv = { ...process.env };
        for (const [name, value] of Object.entries(vars)) {
            delete env[name];
            if (value !== undefined) env[name] = value;
        }
        const r = spawnSync("bash", [path.join(SCRIPTS, "runner-labels.sh"), ...Object.keys(vars)], { env, encoding: "utf8" });
        return { status: r.status, stdout: r.stdout, errors: r.stdout.split("\n").filter((l) => l.startsWith("::error")) };
    }

    test("an unset variable fails naming it, 'unset', what is allowed, an example, where to set it and every job whose runs-on reads it", () => {
        const r = check({ [PREVIEW]: undefined });
        expect(r.status).toBe(1);
        expect(r.errors).toHaveLength(1);
        const [error] = r.errors;
        expect(error).toContain(`::error title=${PREVIEW}::Repository variable ${PREVIEW} is unset`);
        expect(error).toContain('It must be a JSON list of one or more non-empty runner labels (or a single label as a JSON string, or a runner group as {"group": "…", "labels": [ … ]})');
        expect(error).toContain('e.g. ["self-hosted","linux","data-infra-preview"]');
        expect(error).toContain("Settings → Secrets and variables → Actions → Variables");
        const needing = labelledJobs(Object.fromEntries(workflowFiles.map((f) => [f, load(f)]))).filter((j) => j.variable === PREVIEW);
        expect(needing.length).toBeGreaterThan(0);
        for (const { file, id } of needing) expect({ file, id, named: new RegExp(`${file.replace(".", "\\.")}: ([\\w-]+, )*${id}\\b`).test(error) }).toEqual({ file, id, named: true });
    });

    test("an empty variable (what ${{ vars.X }} gives for a missing one) is unset too; the deploy pool's example says deploy", () => {
        const r = check({ [DEPLOY]: "" });
        expect(r.status).toBe(1);
        expect(r.errors[0]).toContain(`Repository variable ${DEPLOY} is unset`);
        expect(r.errors[0]).toContain('e.g. ["self-hosted","linux","data-infra-deploy"]');
    });

    test.each([
        ["not json", "not valid JSON"],
        ["[]", "an empty list"],
        ['[""]', "a list with an empty or non-string label"],
        ["[1]", "a list with an empty or non-string label"],
        ['{"a":1}', 'an object other than {"group": …, "labels": …}'],
        ["{}", 'an object other than {"group": …, "labels": …}'],
        ['{"group":"g","runner":"x"}', 'an object other than {"group": …, "labels": …}'],
        ['{"group":""}', "an empty or non-string group"],
        ['{"group":"g","labels":[]}', "labels that are an empty list"],
        ["5", "a JSON number"],
        ['""', "an empty label"],
        ['"a" "b"', "not valid JSON"],
    ])("%s is refused, quoting the value and saying why", (value, why) => {
        const r = check({ [PREVIEW]: value });
        expect(r.status).toBe(1);
        expect(r.errors).toHaveLength(1);
        expect(r.errors[0]).toContain(`Repository variable ${PREVIEW} holds '${value}' (${why}).`);
    });

    test("a value over several lines stays one annotation", () => {
        const r = check({ [PREVIEW]: "not\njson" });
        expect(r.errors).toEqual([expect.stringContaining(`${PREVIEW} holds 'not%0Ajson' (not valid JSON)`)]);
    });

    test("a list of labels passes and prints them", () => {
        const r = check({ [PREVIEW]: '["self-hosted", "linux", "data-infra-preview"]' });
        expect(r).toEqual({ status: 0, errors: [], stdout: `${PREVIEW}: the jobs that need it run on a runner with all of the labels self-hosted, linux, data-infra-preview\n` });
    });

    test("a single label as a JSON string passes (runs-on takes one label too)", () => {
        const r = check({ [DEPLOY]: '"data-infra-deploy"' });
        expect(r).toEqual({ status: 0, errors: [], stdout: `${DEPLOY}: the jobs that need it run on a runner with all of the labels data-infra-deploy\n` });
    });

    test("a runner group, with or without labels, passes (runs-on takes {group, labels} too)", () => {
        expect(check({ [DEPLOY]: '{"group":"data-infra","labels":["linux"]}' })).toEqual({
            status: 0,
            errors: [],
            stdout: `${DEPLOY}: the jobs that need it run on a runner of the group data-infra with all of the labels linux\n`,
        });
        expect(check({ [DEPLOY]: '{"group":"data-infra"}' }).stdout).toBe(`${DEPLOY}: the jobs that need it run on a runner of the group data-infra\n`);
    });

    test("checks every variable before failing: two bad ones are both reported, a good one still printed", () => {
        const r = check({ [PREVIEW]: undefined, X_RUNNER_LABELS: '["ok"]', [DEPLOY]: "[]" });
        expect(r.status).toBe(1);
        expect(r.errors.map((e) => /^::error title=(\w+)::/.exec(e)?.[1])).toEqual([PREVIEW, DEPLOY]);
        expect(r.stdout).toContain("X_RUNNER_LABELS: the jobs that need it run on a runner with all of the labels ok\n");
    });
});

describe(".github/scripts/verifyRoles.ts", () => {
    test.each(listStacks())("points verify of %s at a read-only role in each of its accounts", (stack) => {
        const config = parseCountryStack(stack, loadStackConfig(stack));
        expect(verifyRoleArgs(stack, "data-infra-read-only")).toEqual([
            "--country-role", `arn:aws:iam::${config.accounts.country.id}:role/data-infra-read-only`,
            "--data-role", `arn:aws:iam::${config.accounts.data.id}:role/data-infra-read-only`,
        ]);
    });

    test.each(listStacks())("verify of %s uses, in the country account, exactly the role Barragem's secret key lets decrypt", async (stack) => {
        const run = await stackRun(stack);
        const key = run.resources.find((r) => r.type === "aws:kms/key:Key" && r.name === "barragem-secret-key")!;
        const verifyReader = statements(JSON.parse(String(key.inputs.policy)))!.find((s) => s.sid === "VerifyReadsTheSecret")!;
        const [, countryRole] = verifyRoleArgs(stack);
        expect(verifyReader.condition.ArnEquals).toEqual({ "aws:PrincipalArn": countryRole });
        // A non-default role name in config moves both together.
        const renamed = parseCountryStack(stack, { ...loadStackConfig(stack), "data-infra:countryReadOnlyRoleArn": `arn:aws:iam::${parseCountryStack(stack, loadStackConfig(stack)).accounts.country.id}:role/verify-x` });
        expect(renamed.accounts.country.readOnlyRoleArn).toMatch(/:role\/verify-x$/);
    });
});

describe(".github/scripts/driftExcludes.ts", () => {
    test.each(listStacks())("%s: leaves out exactly the objects in the secrets and keysets buckets the preview role cannot read", async (stack) => {
        const run = await stackRun(stack);
        const buckets = unreadableBuckets(stack);
        const args = driftExcludeArgs(run, buckets);
        const secretObject = run.resources.find((r) => r.inputs.bucket === buckets[0] && r.custom)!;
        expect(secretObject).toBeDefined();
        expect(args).toEqual(["--exclude", secretObject.urn]);
        expect(args[1]).toMatch(new RegExp(`^urn:pulumi:${stack}::data-infra::`));
    });
});
describe(".github/scripts/stacks.sh", () => {
    const secretsProvider = (stack: string) => `secretsprovider: awskms://alias/data-infra-${stack.split("-")[0]}?region=us-east-1\nconfig: {}\n`;
    function stacksIn(files: string[], content: (stack: string) => string = secretsProvider) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: data-infra\n");
        for (const f of files) fs.writeFileSync(path.join(dir, f), content(f.replace(/^Pulumi\.|\.yaml$/g, "")));
        const outputFile = path.join(dir, "github-output");
        const r = spawnSync("bash", [path.join(SCRIPTS, "stacks.sh"), dir], { env: { ...process.env, GITHUB_OUTPUT: outputFile }, encoding: "utf8" });
        const output = fs.existsSync(outputFile) ? fs.readFileSync(outputFile, "utf8") : "";
        fs.rmSync(dir, { recursive: true, force: true });
        return { status: r.status, stdout: r.stdout, stderr: r.stderr, output };
    }
    const json = (names: string[]) => JSON.stringify(names);

    test("lists exactly this project's stack files, and their countries", () => {
        const out = execFileSync("bash", [path.join(SCRIPTS, "stacks.sh"), ROOT], { encoding: "utf8", env: { ...process.env, GITHUB_OUTPUT: "" }, stdio: ["ignore", "pipe", "ignore"] });
        const stacks = listStacks();
        const staging = stacks.filter((s) => s.startsWith("staging-"));
        expect(staging.length).toBeGreaterThan(0);
        expect(out).toBe(
            `all=${json(stacks)}\nstaging=${json(staging)}\nprod=${json(stacks.filter((s) => s.startsWith("prod-")))}\ncountries=${json(staging.map((s) => s.slice("staging-".length)))}\n`,
        );
    });

    test("a new country joins the pipeline by adding its two stack files", () => {
        const r = stacksIn(["Pulumi.staging-co.yaml", "Pulumi.prod-co.yaml", "Pulumi.staging-mx.yaml", "Pulumi.prod-mx.yaml"]);
        expect(r.status).toBe(0);
        expect(r.output).toBe('all=["prod-co","prod-mx","staging-co","staging-mx"]\nstaging=["staging-co","staging-mx"]\nprod=["prod-co","prod-mx"]\ncountries=["co","mx"]\n');
    });

    test("warns (without refusing: a new country's pull request has no stack yet) about a stack file without its encryptedkey line", () => {
        const r = stacksIn(["Pulumi.staging-co.yaml", "Pulumi.staging-mx.yaml"], (stack) => secretsProvider(stack) + (stack === "staging-co" ? "encryptedkey: AQICAH\n" : ""));
        expect(r.status).toBe(0);
        expect(r.stderr).toContain("::warning file=Pulumi.staging-mx.yaml::Pulumi.staging-mx.yaml has no encryptedkey line");
        expect(r.stderr).toContain("pulumi stack init staging-mx --secrets-provider 'awskms://alias/data-infra-staging?region=us-east-1' and commit the encryptedkey line");
        expect(r.stderr).not.toContain("Pulumi.staging-co.yaml has no encryptedkey");
        expect(r.stdout).not.toContain("::warning");
        expect(r.output).toContain('all=["staging-co","staging-mx"]');
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

    test("refuses a stack file without its env's KMS secrets provider, and says how to create the stack", () => {
        const missing = stacksIn(["Pulumi.staging-mx.yaml"], () => "config: {}\n");
        expect(missing.status).toBe(1);
        expect(missing.stderr).toContain("Pulumi.staging-mx.yaml has no 'secretsprovider: awskms://alias/data-infra-staging?region=us-east-1' line");
        expect(missing.stderr).toContain("pulumi stack init staging-mx --secrets-provider 'awskms://alias/data-infra-staging?region=us-east-1'");
        // prod's key never encrypts staging's secrets, nor the other way round.
        const crossed = stacksIn(["Pulumi.staging-mx.yaml"], () => secretsProvider("prod-mx"));
        expect(crossed.status).toBe(1);
    });
});

describe(".github/scripts/select-stack.sh (against a fake pulumi)", () => {
    const PROVIDER = "awskms://alias/data-infra-staging?region=us-east-1";
    /** Runs select-stack.sh in a project holding Pulumi.<stack>.yaml; the fake pulumi's `stack init` adds a data key unless the file has one. */
    function select(stack: string, opts: { exists: boolean; key?: string }) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "select-stack-"));
        const file = path.join(dir, `Pulumi.${stack}.yaml`);
        fs.writeFileSync(file, `secretsprovider: ${PROVIDER}\n${opts.key ? `encryptedkey: ${opts.key}\n` : ""}config: {}\n`);
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        const listing = opts.exists ? `[{"name": "${stack}"}]` : "[]";
        fs.writeFileSync(
            path.join(bin, "pulumi"),
            `#!/usr/bin/env bash\necho "$*" >>"${dir}/calls"\ncase "$1 $2" in\n  "stack ls") printf '%s' '${listing}' ;;\n  "stack init") grep -q '^encryptedkey:' "Pulumi.$3.yaml" || echo "encryptedkey: AQICAHnew" >>"Pulumi.$3.yaml" ;;\nesac\n`,
            { mode: 0o755 },
        );
        const r = spawnSync("bash", [path.join(SCRIPTS, "select-stack.sh"), stack], { cwd: dir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, GITHUB_OUTPUT: "", GITHUB_STEP_SUMMARY: "" }, encoding: "utf8" });
        const calls = fs.existsSync(path.join(dir, "calls")) ? fs.readFileSync(path.join(dir, "calls"), "utf8").trim().split("\n") : [];
        const text = fs.readFileSync(file, "utf8");
        fs.rmSync(dir, { recursive: true, force: true });
        return { status: r.status, stdout: r.stdout, calls, text };
    }

    test("an existing stack with its committed data key is selected", () => {
        const r = select("staging-co", { exists: true, key: "AQICAHcommitted" });
        expect(r.status).toBe(0);
        expect(r.calls).toEqual(["stack ls --json", "stack select --stack staging-co"]);
    });

    test("a new country's stack is created with the stack file's KMS provider, and the job stops with the encryptedkey line to commit", () => {
        const r = select("staging-mx", { exists: false });
        expect(r.calls).toEqual(["stack ls --json", `stack init staging-mx --secrets-provider ${PROVIDER}`]);
        expect(r.status).toBe(1);
        expect(r.stdout).toContain("::error::Created stack staging-mx now, with a new data key. Commit this encryptedkey line to Pulumi.staging-mx.yaml on main, then rerun this job:");
        expect(r.stdout).toContain("\nencryptedkey: AQICAHnew\n");
    });

    test("a stack created from a file that already holds its data key goes on", () => {
        const r = select("staging-mx", { exists: false, key: "AQICAHcommitted" });
        expect(r.status).toBe(0);
        expect(r.text).toContain("encryptedkey: AQICAHcommitted\n");
    });

    test("an existing stack whose file lost its data key is refused before pulumi could re-key it, with how to recover the line", () => {
        const r = select("staging-co", { exists: true });
        expect(r.status).toBe(1);
        expect(r.calls).toEqual(["stack ls --json"]);
        expect(r.stdout).toContain("::error::Pulumi.staging-co.yaml has no encryptedkey line");
        expect(r.stdout).toContain("pulumi stack export --stack staging-co | jq -r .deployment.secrets_providers.state.encryptedkey");
    });
});

describe(".github/scripts/stack-exists.sh (against a fake pulumi)", () => {
    function exists(stack: string, listing: string, status = 0) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
        fs.writeFileSync(path.join(dir, "pulumi"), `#!/usr/bin/env bash\nprintf '%s' '${listing}'\nexit ${status}\n`, { mode: 0o755 });
        const out = path.join(dir, "out");
        const r = spawnSync("bash", [path.join(SCRIPTS, "stack-exists.sh"), stack], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, GITHUB_OUTPUT: out }, encoding: "utf8" });
        const output = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "";
        fs.rmSync(dir, { recursive: true, force: true });
        return { status: r.status, stdout: r.stdout, output };
    }

    test("an existing stack: exists=true", () => {
        const r = exists("staging-co", '[{"name": "organization/data-infra/staging-co", "current": false}]');
        expect(r).toMatchObject({ status: 0, output: "exists=true\n" });
    });

    test("a new country's stack: exists=false and a notice that the preview is skipped on purpose", () => {
        const r = exists("staging-mx", '[{"name": "staging-co"}, {"name": "staging-mxx"}]');
        expect(r).toMatchObject({ status: 0, output: "exists=false\n" });
        expect(r.stdout).toContain("::notice::Stack staging-mx does not exist in the backend yet: its first deploy creates it");
    });

    test("a CLI failure (no credentials) fails the step instead of skipping the preview", () => {
        const r = exists("staging-co", "error: could not access backend", 255);
        expect(r.status).toBe(1);
        expect(r.stdout).toContain("::error::pulumi stack ls failed");
    });
});

describe("the role switch DATA_INFRA_ROLE", () => {
    test("unset or deploy is the deploy role; preview is the preview role; anything else is refused with the allowed values", () => {
        expect(readRunRole({})).toBe("deploy");
        expect(readRunRole({ DATA_INFRA_ROLE: "deploy" })).toBe("deploy");
        expect(readRunRole({ DATA_INFRA_ROLE: "preview" })).toBe("preview");
        expect(() => readRunRole({ DATA_INFRA_ROLE: "admin" })).toThrow('DATA_INFRA_ROLE has value "admin"; allowed: deploy | preview (unset means deploy)');
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

    test("draws exactly the deploy workflow's job graph, with each country's chain from country.yml", () => {
        const mermaid = /```mermaid\n([\s\S]*?)```/.exec(doc.slice(doc.indexOf("## The pipeline")))?.[1] ?? "";
        const drawn = new Set<string>();
        for (const line of mermaid.split("\n")) {
            const m = /^\s*([\w-]+)(?:\[[^\]]*\])?\s*-->\s*(?:\|[^|]*\|\s*)?([\w-]+)/.exec(line);
            if (m) drawn.add(`${m[1]} -> ${m[2]}`);
        }
        const edges = (wf: Workflow) => Object.entries(wf.jobs).flatMap(([id, job]) => needsOf(job).map((n) => `${n} -> ${id}`));
        // The country job calls country.yml: its first job hangs off "country".
        const expected = [...edges(deploy), ...edges(country), "country -> deploy-staging"];
        expect([...drawn].sort()).toEqual([...new Set(expected)].sort());
    });
});

describe("docs/iam: the roles the pipeline uses", () => {
    const iam = (file: string) => statements(JSON.parse(fs.readFileSync(path.join(ROOT, "docs", "iam", file), "utf8")))!;
    const preview = iam("data-infra-preview.json");
    const allowed = preview.filter((s) => s.effect === "Allow").flatMap((s) => s.actions);

    test("the preview role only reads: every allowed action is a Describe, Get or List", () => {
        expect(allowed.length).toBeGreaterThan(0);
        expect(allowed.filter((a) => !/^[a-z0-9]+:(Describe|Get|List)[A-Za-z*]*$/.test(a))).toEqual([]);
        expect(preview.flatMap((s) => s.notActions)).toEqual([]);
    });

    test.each(listStacks())("the preview role cannot read %s's secrets or keysets objects, and is not allowed any object read at all", (stack) => {
        const buckets = unreadableBuckets(stack);
        const denies = preview.filter((s) => s.effect === "Deny");
        for (const bucket of buckets) {
            const object = `arn:aws:s3:::${bucket}/barragem_secret_config.json`;
            expect({ bucket, denied: denies.some((s) => s.actions.some((a) => actionCovers(a, "s3:GetObject")) && s.resources.some((r) => actionCovers(r, object))) }).toEqual({ bucket, denied: true });
        }
        expect(allowed.filter((a) => actionCovers(a, "s3:GetObject"))).toEqual([]);
    });

    test.each(listStacks())("the preview role can read every AWS service %s's program manages or looks up", async (stack) => {
        // Pulumi module → IAM service prefix, where they differ.
        const PREFIX: Record<string, string> = { vpc: "ec2" };
        const run = await stackRun(stack);
        const modules = new Set(
            [...run.resources.map((r) => r.type), ...run.invokes.map((i) => i.token)].filter((t) => t.startsWith("aws:")).map((t) => t.split(":")[1].split("/")[0]).filter((m) => m !== "index"),
        );
        expect(modules.size).toBeGreaterThan(3);
        for (const module of modules) {
            const prefix = PREFIX[module] ?? module.toLowerCase();
            expect({ module, readable: allowed.some((a) => a.startsWith(`${prefix}:`)) }).toEqual({ module, readable: true });
        }
    });

    test("a pipeline role trusts one GitHub environment of this repository, never a wildcard", () => {
        const [trust] = iam("data-infra-pipeline-trust.json");
        const equals = trust.condition.StringEquals as Record<string, string>;
        expect(equals["token.actions.githubusercontent.com:aud"]).toBe("sts.amazonaws.com");
        expect(equals["token.actions.githubusercontent.com:sub"]).toMatch(/^repo:<org>\/<repo>:environment:/);
        expect(Object.keys(trust.condition)).toEqual(["StringEquals"]);
        const [previewTrust] = iam("data-infra-preview-trust.json");
        expect(previewTrust.principals).toEqual([
            "arn:aws:iam::<tooling-account-id>:role/data-infra-pipeline-preview",
            "arn:aws:iam::<tooling-account-id>:role/data-infra-pipeline-prod-preview",
        ]);
    });

    test("a data-infra-deploy role trusts only its env's deploy pipeline role, never a preview or verify one", () => {
        const trust = iam("data-infra-deploy-trust.json");
        expect(trust.map((s) => [s.effect, s.principals])).toEqual([["Allow", ["arn:aws:iam::<tooling-account-id>:role/data-infra-pipeline-<env>"]]]);
        expect(trust[0].actions.every((a) => a.startsWith("sts:AssumeRole") || a === "sts:SetSourceIdentity")).toBe(true);
    });

    /** What a pipeline preview role may do with the state backend, judged from its policy document. */
    const STATE = "arn:aws:s3:::nu-data-infra-pulumi-state";
    const allows = (doc: ReturnType<typeof iam>, action: string, resource: string) =>
        doc.some((s) => s.effect === "Allow" && s.actions.some((a) => actionCovers(a, action)) && s.resources.some((r) => actionCovers(r, resource)));
    const previewPipeline = (env: "staging" | "prod") => iam(env === "staging" ? "data-infra-pipeline-preview.json" : "data-infra-pipeline-prod-preview.json");
    const keyOf = (env: string) => `arn:aws:kms:us-east-1:<tooling-account-id>:key/<alias/data-infra-${env} key id>`;

    test.each([["staging", "prod"], ["prod", "staging"]] as const)("the %s preview pipeline role reads and decrypts its env's state only, never the %s state or key", (env, other) => {
        const doc = previewPipeline(env);
        expect(allows(doc, "kms:Decrypt", keyOf(env))).toBe(true);
        expect(allows(doc, "kms:Decrypt", keyOf(other))).toBe(false);
        expect(doc.flatMap((s) => s.actions).filter((a) => a.startsWith("kms:"))).toEqual(["kms:Decrypt"]);
        expect(allows(doc, "s3:GetObject", `${STATE}/.pulumi/stacks/data-infra/${env}-co.json`)).toBe(true);
        expect(allows(doc, "s3:GetObject", `${STATE}/.pulumi/stacks/data-infra/${other}-co.json`)).toBe(false);
        expect(allows(doc, "s3:GetObject", `${STATE}/.pulumi/history/data-infra/${other}-co/x.history.json`)).toBe(false);
        // Writes: only its own stacks' locks.
        expect(allows(doc, "s3:PutObject", `${STATE}/.pulumi/locks/data-infra/${env}-co/lock.json`)).toBe(true);
        expect(allows(doc, "s3:PutObject", `${STATE}/.pulumi/stacks/data-infra/${env}-co.json`)).toBe(false);
        expect(allows(doc, "s3:PutObject", `${STATE}/.pulumi/locks/data-infra/${other}-co/lock.json`)).toBe(false);
        // It can become nothing but the read-only preview role in the accounts.
        expect(allows(doc, "sts:AssumeRole", "arn:aws:iam::111111111111:role/data-infra-preview")).toBe(true);
        expect(allows(doc, "sts:AssumeRole", "arn:aws:iam::111111111111:role/data-infra-deploy")).toBe(false);
    });

    test("a preview pipeline policy weakened to both state keys is caught", () => {
        const doc = previewPipeline("staging").map((s) => (s.actions.includes("kms:Decrypt") ? { ...s, resources: [keyOf("staging"), keyOf("prod")] } : s));
        expect(allows(doc, "kms:Decrypt", keyOf("prod"))).toBe(true);
    });
});
