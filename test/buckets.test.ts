// Bucket grants and retention, as pure functions (stacks/bucketAccess.ts, stacks/catalogue.ts,
// components/bucketPolicy.ts): every cross-account grant names its principals, deleting is only
// for scratch, data that cannot be recomputed is versioned and scratch expires.
import { bucketPolicyDocument, OBJECT_ACTIONS } from "../components/bucketPolicy";
import { lifecycleRules } from "../components/bucketSet";
import * as fs from "fs";
import * as path from "path";
import { bucketAccessTable, bucketPlans } from "../stacks/bucketAccess";
import { parseCountryStack } from "../stacks/config";
import { listStacks, loadStackConfig } from "../tools/mockRuntime";
import { configProblems, VALID_CONFIG } from "./helpers/config";
import { actionCovers } from "../policy/rules/iamDocument";

const ETL = "arn:aws:iam::222222222222:role/data-infra-etl";
const grant = (access: "read" | "read-write" | "read-write-delete") => ({ accountId: "222222222222", principalArns: [ETL], access, why: "test" });
const readWrite = bucketPolicyDocument({ bucket: "nu-ds-co", grants: [grant("read-write")] });
const readOnly = bucketPolicyDocument({ bucket: "nu-spark-static-co-prod", grants: [grant("read")] });
const scratch = bucketPolicyDocument({ bucket: "nu-tmp-co", grants: [grant("read-write-delete")] });
const actions = (doc: typeof readWrite) => doc.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => s.Action);

describe("generated bucket policies", () => {
    test("deny every request without TLS, on the bucket and its objects", () => {
        expect(readWrite.Statement[0]).toEqual({
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: ["arn:aws:s3:::nu-ds-co", "arn:aws:s3:::nu-ds-co/*"],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        });
    });

    test("grant the other account's named roles: its root narrowed by aws:PrincipalArn, never the bare root, never everyone", () => {
        const allows = readWrite.Statement.filter((s) => s.Effect === "Allow");
        expect(allows).toHaveLength(2);
        for (const s of allows) {
            expect(s.Principal).toEqual({ AWS: "arn:aws:iam::222222222222:root" });
            expect(s.Condition).toEqual({ ArnLike: { "aws:PrincipalArn": [ETL] } });
        }
    });

    test("read-write puts but never deletes; read-write-delete (scratch or versioned buckets) deletes; read only reads", () => {
        expect(actions(readWrite)).toEqual(expect.arrayContaining(["s3:GetObject", "s3:PutObject", "s3:ListBucket"]));
        expect(actions(readWrite)).not.toContain("s3:DeleteObject");
        expect(actions(scratch)).toContain("s3:DeleteObject");
        expect(actions(readOnly)).toEqual(expect.arrayContaining(["s3:GetObject", "s3:ListBucket"]));
        expect(actions(readOnly)).not.toContain("s3:PutObject");
        for (const level of Object.values(OBJECT_ACTIONS)) expect(level).not.toContain("s3:DeleteObjectVersion");
    });

    test("never allow a wildcard action", () => {
        for (const doc of [readWrite, readOnly, scratch]) expect(actions(doc)).not.toContain("s3:*");
    });

    test("a bucket nobody else uses gets only the TLS deny", () => {
        expect(bucketPolicyDocument({ bucket: "nu-spark-static-co-prod", grants: [] }).Statement.map((s) => s.Sid)).toEqual(["DenyInsecureTransport"]);
    });

    test("a grant that names no principal is refused", () => {
        expect(() => bucketPolicyDocument({ bucket: "nu-ds-co", grants: [{ ...grant("read"), principalArns: [] }] })).toThrow("bucket nu-ds-co: a grant to account 222222222222 names no principal");
    });
});

describe.each(listStacks())("who may use the buckets of %s", (stackName) => {
    const stack = parseCountryStack(stackName, loadStackConfig(stackName));
    const plans = bucketPlans(stack);
    const byRole = Object.fromEntries(plans.map((p) => [p.role, p]));
    const etlRoles = stack.dataEtlRoleArns;
    const days = stack.bucketRetention;

    test("country buckets grant only the nu-data ETL roles", () => {
        for (const b of plans.filter((p) => p.account === "country")) {
            expect({ bucket: b.name, grants: b.grants.map((g) => [g.accountId, g.principalArns]) }).toEqual({ bucket: b.name, grants: [[stack.accounts.data.id, etlRoles]] });
        }
    });

    test("of the nu-data buckets, only metapod-ephemeral-pii grants the country, and only to Tapir's role on global", () => {
        const granted = plans.filter((p) => p.account === "data" && p.grants.length > 0);
        expect(granted.map((p) => p.role)).toEqual(["metapod-ephemeral-pii"]);
        expect(byRole["metapod-ephemeral-pii"].grants).toEqual([
            {
                accountId: stack.accounts.country.id,
                principalArns: [`arn:aws:iam::${stack.accounts.country.id}:role/${stack.env}-global-tapir`],
                access: "read",
                why: "the country's tapir (global, partitions-bucket)",
            },
        ]);
    });

    test("another account deletes only on the scratch buckets and on dataset-series (the ETL compacts it; versioned, so recoverable)", () => {
        expect(plans.filter((p) => p.grants.some((g) => g.access === "read-write-delete")).map((p) => p.role)).toEqual(["dataset-series", "tmp", "spark-devel"]);
    });

    test("scratch expires after the configured days; data that cannot be recomputed is versioned; spark-devel is neither", () => {
        const kinds = Object.fromEntries(plans.map((p) => [p.role, p.retention]));
        expect(kinds.tmp).toEqual({ kind: "expires", days: days.expiryDays.tmp });
        expect(kinds["spark-tmp-raw"]).toEqual({ kind: "expires", days: days.expiryDays["spark-tmp-raw"] });
        for (const clearance of stack.clearances) {
            expect(kinds[`metapod-ephemeral-${clearance}`]).toEqual({ kind: "expires", days: days.expiryDays["metapod-ephemeral"] });
            expect(kinds[`metapod-permanent-${clearance}`]).toEqual({ kind: "versioned", noncurrentVersionDays: days.noncurrentVersionDays });
        }
        for (const role of ["ds", "dataset-series", "datomic-logs", "metapod-manual-dataset-series", "static", "ds-artifacts-realtime", "ds-artifacts-batch", "ds-kubeflow", "ouroboros-partition-pointers"]) {
            expect({ role, kind: kinds[role].kind }).toEqual({ role, kind: "versioned" });
        }
        expect(kinds["spark-devel"]).toEqual({ kind: "recomputable" });
        // Every bucket says why.
        for (const p of plans) expect(p.retentionWhy.length).toBeGreaterThan(0);
    });

    test("a versioned bucket's cross-account delete is only s3:DeleteObject (a delete marker), never s3:DeleteObjectVersion", () => {
        for (const p of plans.filter((b) => b.retention.kind === "versioned")) {
            const actions = bucketPolicyDocument({ bucket: p.name, grants: p.grants }).Statement.filter((s) => s.Effect === "Allow").flatMap((s) => [s.Action].flat());
            expect({ bucket: p.name, permanent: actions.filter((a) => actionCovers(a, "s3:DeleteObjectVersion")) }).toEqual({ bucket: p.name, permanent: [] });
        }
    });
});

describe("lifecycle rules", () => {
    test("versioned: noncurrent versions expire, the current one stays", () => {
        expect(lifecycleRules({ kind: "versioned", noncurrentVersionDays: 90 })).toEqual([
            { id: "expire-noncurrent-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 90 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
        ]);
    });

    test("expires: every object after its days", () => {
        expect(lifecycleRules({ kind: "expires", days: 7 })).toEqual([
            { id: "expire-scratch", status: "Enabled", filter: {}, expiration: { days: 7 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
        ]);
    });

    test("recomputable: no rule", () => {
        expect(lifecycleRules({ kind: "recomputable" })).toEqual([]);
    });
});

test("docs/guardrails.md's bucket table is the one generated from the catalogue and the service matrix", () => {
    const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "guardrails.md"), "utf8");
    expect(doc).toContain(bucketAccessTable());
});

describe("the config keys of grants, retention and the preview roles", () => {
    const stack = (extra: Record<string, string> = {}) => parseCountryStack("staging-co", { ...VALID_CONFIG, ...extra });

    test("defaults: the nu-data data-infra-etl role, tmp 30 / spark-tmp-raw 7 / metapod-ephemeral 30 days, 90 days of old versions, data-infra-preview roles", () => {
        const s = stack();
        expect(s.dataEtlRoleArns).toEqual(["arn:aws:iam::400000000900:role/data-infra-etl"]);
        expect(s.bucketRetention).toEqual({ expiryDays: { tmp: 30, "spark-tmp-raw": 7, "metapod-ephemeral": 30 }, noncurrentVersionDays: 90 });
        expect(s.accounts.country.previewRoleArn).toBe("arn:aws:iam::400000000101:role/data-infra-preview");
        expect(s.accounts.data.previewRoleArn).toBe("arn:aws:iam::400000000900:role/data-infra-preview");
    });

    test("set in the stack file, they reach the plans: the grants name the configured ETL roles, the rules use the configured days", () => {
        const s = stack({
            "data-infra:dataEtlRoleArns": JSON.stringify(["arn:aws:iam::400000000900:role/itaipu", "arn:aws:iam::400000000900:role/metapod"]),
            "data-infra:bucketExpiryDays": JSON.stringify({ tmp: 3 }),
            "data-infra:noncurrentVersionExpiryDays": "30",
        });
        const plans = Object.fromEntries(bucketPlans(s).map((p) => [p.role, p]));
        expect(plans["dataset-series"].grants[0].principalArns).toEqual(["arn:aws:iam::400000000900:role/itaipu", "arn:aws:iam::400000000900:role/metapod"]);
        expect(plans.tmp.retention).toEqual({ kind: "expires", days: 3 });
        expect(plans["spark-tmp-raw"].retention).toEqual({ kind: "expires", days: 7 });
        expect(plans.ds.retention).toEqual({ kind: "versioned", noncurrentVersionDays: 30 });
    });

    test.each([
        [{ "data-infra:dataEtlRoleArns": JSON.stringify(["arn:aws:iam::400000000101:role/etl"]) }, 'data-infra:dataEtlRoleArns has value "arn:aws:iam::400000000101:role/etl"; allowed: an IAM role ARN in the nu-data account 400000000900'],
        [{ "data-infra:dataEtlRoleArns": JSON.stringify(["arn:aws:iam::400000000900:root"]) }, 'data-infra:dataEtlRoleArns has value "arn:aws:iam::400000000900:root"; allowed: an IAM role ARN in the nu-data account'],
        [{ "data-infra:bucketExpiryDays": JSON.stringify({ tmp: 0 }) }, 'data-infra:bucketExpiryDays.tmp has the number 0; allowed: a whole number of days from 1 to 3650'],
        [{ "data-infra:bucketExpiryDays": JSON.stringify({ scratch: 5 }) }, 'data-infra:bucketExpiryDays.scratch has the number 5; allowed: one of the fields tmp, spark-tmp-raw, metapod-ephemeral'],
        [{ "data-infra:noncurrentVersionExpiryDays": "forever" }, 'data-infra:noncurrentVersionExpiryDays has value "forever"; allowed: a whole number of days from 1 to 3650'],
        [{ "data-infra:countryPreviewRoleArn": "arn:aws:iam::400000000900:role/data-infra-preview" }, 'data-infra:countryPreviewRoleArn has value "arn:aws:iam::400000000900:role/data-infra-preview"; allowed: an IAM role ARN in account 400000000101'],
    ])("refuses %j, naming the key, the value and what is allowed", (extra, says) => {
        expect(configProblems("staging-co", { ...VALID_CONFIG, ...extra }).message).toContain(says);
    });
});
