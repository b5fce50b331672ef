// The pipeline refuses to deploy a stack whose preview would replace a protected resource:
// tools/checkReplacements.ts on `pulumi preview --json` output, run by deploy.yml before each `pulumi up`.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { checkReplacements, parsePreview, protectedReplacements } from "../tools/checkReplacements";
import { npmScript } from "./helpers/npmScript";

const PREVIEWS = path.join(__dirname, "fixtures", "previews");
const PROJECT_ROOT = path.join(__dirname, "..");
const preview = (name: string) => path.join(PREVIEWS, `${name}.json`);

function check(...files: string[]) {
    let out = "";
    const code = checkReplacements(files, (text) => void (out += text));
    return { code, out };
}

const CLUSTER = "urn:pulumi:staging-co::data-infra::data-infra:aurora:BarragemAurora$aws:rds/cluster:Cluster::staging-global-barragem-aurora";

test("a preview that replaces the protected Aurora cluster is refused, naming it and why, once", () => {
    const { code, out } = check(preview("replaces-protected-cluster"));
    expect(code).toBe(1);
    expect(out.match(/REFUSED/g)).toHaveLength(1);
    expect(out).toContain(`replaces protected ${CLUSTER} (id staging-global-barragem-aurora) because of engine`);
});

test("a preview whose program also drops protect is still refused (the engine would let that replacement through)", () => {
    const { steps } = parsePreview(fs.readFileSync(preview("drops-protect-and-replaces"), "utf8"), "preview");
    expect(steps.find((s) => s.op === "replace")?.newState?.protect).toBe(false);
    expect(protectedReplacements(steps).map((r) => r.urn)).toEqual([CLUSTER]);
    expect(check(preview("drops-protect-and-replaces")).code).toBe(1);
});

test("in-place updates of protected resources and replacements of unprotected ones pass", () => {
    const { code, out } = check(preview("safe"));
    expect(code).toBe(0);
    expect(out).toMatch(/^no protected resource is replaced/);
});

test("the engine's own protection error in the preview is reported as a refusal", () => {
    const { code, out } = check(preview("engine-refused"));
    expect(code).toBe(1);
    expect(out).toContain(`REFUSED: ${preview("engine-refused")}: ${CLUSTER} unable to replace resource`);
});

test("something that is not a preview's JSON fails the step instead of passing it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "data-infra-preview-"));
    try {
        fs.writeFileSync(path.join(dir, "empty.json"), "");
        fs.writeFileSync(path.join(dir, "other.json"), JSON.stringify({ resources: [] }));
        expect(check(path.join(dir, "empty.json"))).toMatchObject({ code: 2, out: expect.stringMatching(/is not JSON/) });
        expect(check(path.join(dir, "other.json"))).toMatchObject({ code: 2, out: expect.stringMatching(/has no "steps"/) });
        expect(check().code).toBe(2);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test("the deploy workflows check the preview of every stack before each pulumi up", () => {
    type Job = { steps?: { uses?: string; run?: string; with?: { command?: string } }[] };
    // deploy.yml calls country.yml once per country; the pulumi up jobs are there.
    const jobs = ["deploy.yml", "country.yml"]
        .flatMap((file) => Object.values(YAML.parse(fs.readFileSync(path.join(__dirname, "..", ".github", "workflows", file), "utf8")).jobs as Record<string, Job>))
        .filter((job): job is Required<Job> => (job.steps ?? []).some((s) => s.with?.command === "up"));
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    for (const job of jobs) {
        const up = job.steps.findIndex((s) => s.with?.command === "up");
        const guard = job.steps.findIndex((s) => s.run?.includes("npm run -s check:replacements --"));
        expect(guard).toBeGreaterThan(-1);
        expect(guard).toBeLessThan(up);
        expect(job.steps[guard].run).toMatch(/pulumi preview --stack "\$STACK" --json/);
        // The CLI the guard uses is installed before it.
        expect(job.steps.slice(0, guard).some((s) => s.uses?.startsWith("pulumi/actions@"))).toBe(true);
    }
});

test("npm run check:replacements, as deploy.yml runs it, refuses the protected replacement and passes the safe preview", () => {
    const refused = npmScript("check:replacements", [preview("replaces-protected-cluster")], { cwd: PROJECT_ROOT });
    expect(refused.stderr).toBe("");
    expect(refused.status).toBe(1);
    expect(refused.stdout).toContain(`replaces protected ${CLUSTER}`);
    const safe = npmScript("check:replacements", [preview("safe")], { cwd: PROJECT_ROOT });
    expect({ status: safe.status, stderr: safe.stderr }).toEqual({ status: 0, stderr: "" });
    expect(safe.stdout).toMatch(/^no protected resource is replaced/);
});
