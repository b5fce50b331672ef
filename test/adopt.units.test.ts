// The pieces of `npm run adopt` that decide without the cloud: what counts as a replacement,
// how policies compare, and how the command refuses bad flags.
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { PASSWORD_GENERATION_INPUTS } from "../components/barragemSecret";
import { adopt } from "../tools/adopt";
import { Differences, normalizePolicy } from "../tools/adopt/findings";
import { passwordOf } from "../tools/adopt/password";
import { engineVersionForReplace, SharedLookups, storageKeyForReplace } from "../tools/adopt/probes";
import { isStandInValue } from "../tools/adopt/targets";
import type { AwsAccess } from "../tools/checks/awsAccess";
import { loadCountryStack } from "../tools/checks/cli";
import { listStacks, runProgram } from "../tools/mockRuntime";
import { captureIo } from "./support/testEnv";

describe("Aurora engine versions", () => {
    test("any minor of the configured major adopts as it is: AWS owns minors and the cluster ignores engineVersion", () => {
        expect(engineVersionForReplace("16.4", "16.8")).toEqual(["", ""]);
        expect(engineVersionForReplace("16.8", "16.8")).toEqual(["", ""]);
        expect(engineVersionForReplace("16.9", "16.8")).toEqual(["", ""]);
    });

    test("another major blocks and names the config key to keep it", () => {
        const [actual, planned] = engineVersionForReplace("17.2", "16.8");
        expect(actual).toBe('17.2 (set data-infra:auroraEngineVersion: "17.2" to keep it)');
        expect(planned).toBe("16.8");
        expect(engineVersionForReplace("13.12", "16.8")[1]).toBe("16.8");
    });
});

describe("Aurora storage keys", () => {
    const ours = "arn:aws:kms:us-east-1:400000000101:key/mock-key-barragem-aurora-storage-key";
    test("a hand-built cluster under aws/rds, when the program would make its own key, blocks and names auroraStorageKey", () => {
        const awsRds = "arn:aws:kms:us-east-1:400000000101:key/0a1b2c3d-aws-rds";
        expect(storageKeyForReplace(awsRds, ours)).toEqual([`${awsRds} (set data-infra:auroraStorageKey: aws-managed, or that key's ARN, to keep it)`, ours]);
    });

    test("with aws-managed (no key declared) or the same key, the cluster adopts", () => {
        expect(storageKeyForReplace("arn:aws:kms:us-east-1:400000000101:key/x", undefined)).toEqual(["", ""]);
        expect(storageKeyForReplace(ours, ours)).toEqual(["", ""]);
    });
});

describe("differences", () => {
    test("a property that forces replacement blocks even when others only update", () => {
        const finding = new Differences().update("port", 5433, 5432).replace("engine", "aurora-mysql", "aurora-postgresql").finding("c", "fix it");
        expect(finding).toEqual({ status: "blocked", id: "c", problems: ["engine is aurora-mysql, the program declares aurora-postgresql"], remedy: "fix it" });
    });

    test("an unset boolean reads as false, the way AWS reports it", () => {
        expect(new Differences().update("deletionProtectionEnabled", undefined, false).finding("t", "").status).toBe("adopt");
        expect(new Differences().update("deletionProtectionEnabled", undefined, true).changes).toEqual(["deletionProtectionEnabled: (not set) → true"]);
    });

    test("lists compare as sets", () => {
        expect(new Differences().update("alarmActions", ["b", "a"], ["a", "b"]).changes).toEqual([]);
    });
});

test("policies compare by content: key order and IAM's URL encoding do not matter", () => {
    const ours = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
    const theirs = encodeURIComponent(JSON.stringify({ Statement: [{ Resource: "*", Action: "s3:GetObject", Effect: "Allow" }], Version: "2012-10-17" }));
    expect(normalizePolicy(theirs)).toBe(normalizePolicy(ours));
    expect(normalizePolicy(JSON.stringify({ Version: "2012-10-17", Statement: [] }))).not.toBe(normalizePolicy(ours));
});

test("values the offline plan invents (lookups, load balancers) are recognised and never compared", () => {
    expect(isStandInValue("vpc-mock-staging-blue-vpc")).toBe(true);
    expect(isStandInValue(["global-veiga.elb-mock.us-east-1.amazonaws.com"])).toBe(true);
    expect(isStandInValue("staging-global-blue-veiga.nu.com.co")).toBe(false);
    expect(isStandInValue("nu-spark-dataset-series-co-staging")).toBe(false);
});

describe("bad flags", () => {
    test("--out without a file is refused with exit 2, naming the flag, before anything is read", async () => {
        const captured = captureIo();
        expect(await adopt(["--stack", "staging-co", "--out"], captured.io)).toBe(2);
        expect(captured.stderr()).toMatch(/^--out needs a file name/);
        expect(captured.stderr()).toContain("usage: npm run adopt -- --stack <env>-<country> [--out FILE]");
    });

    test("an unknown stack is refused with the stacks there are", async () => {
        const captured = captureIo();
        expect(await adopt(["--stack", "staging-zz"], captured.io)).toBe(2);
        expect(captured.stderr()).toMatch(/No stack file Pulumi\.staging-zz\.yaml /);
        expect(captured.stderr()).toContain(`stacks here: ${listStacks().join(", ")}`);
    });
});

describe("tags", () => {
    test("the next up adds the program's tags, corrects changed ones and removes hand-set ones; AWS's own aws: tags are not the program's to remove", () => {
        const diff = new Differences().tags({ env: "stg", owner: "data", "aws:cloudformation:stack-name": "x" }, { env: "staging", "managed-by": "pulumi/data-infra" });
        expect(diff.changes).toEqual(["tags: adds managed-by=pulumi/data-infra; changes env: stg → staging; removes owner=data (set by hand, not in the program)"]);
        expect(new Differences().tags(undefined, { env: "staging" }).changes).toEqual([]);
        expect(new Differences().tags({ env: "staging" }, { env: "staging" }).finding("x", "").status).toBe("adopt");
    });
});

describe("shared lookups", () => {
    test("one probe giving up (its timeout) does not fail the lookup for the others waiting on it", async () => {
        // A client stand-in that answers after 50 ms unless the signal it was given aborts first.
        let calls = 0;
        const ec2 = {
            send: (_command: DescribeVpcsCommand, options: { abortSignal: AbortSignal }) => {
                calls += 1;
                return new Promise((resolve, reject) => {
                    const timer = setTimeout(() => resolve({ Vpcs: [{ VpcId: "vpc-0shared" }] }), 50);
                    options.abortSignal.addEventListener("abort", () => {
                        clearTimeout(timer);
                        reject(new Error("aborted by the first caller"));
                    });
                });
            },
        } as unknown as EC2Client;
        const lookups = new SharedLookups(loadCountryStack("staging-co"), { ec2: () => ec2 } as unknown as AwsAccess, 5_000);
        const first = new AbortController();
        const firstLook = lookups.vpcId(first.signal);
        const secondLook = lookups.vpcId(new AbortController().signal);
        first.abort(new Error("first probe timed out"));
        await expect(firstLook).rejects.toThrow("first probe timed out");
        await expect(secondLook).resolves.toBe("vpc-0shared");
        expect(calls).toBe(1);
    });
});

describe("the Barragem password", () => {
    test("an imported password is kept: every generation input the program passes is ignored after creation, and a fresh stack still generates 32 characters", async () => {
        const run = await runProgram({ stack: "staging-co" });
        const password = run.resources.find((r) => r.type === "random:index/randomPassword:RandomPassword")!;
        expect(password.ignoreChanges).toEqual([...PASSWORD_GENERATION_INPUTS]);
        // The two the import records differently (length = len(password), overrideSpecial = null) among them.
        expect(password.ignoreChanges).toEqual(expect.arrayContaining(["length", "overrideSpecial"]));
        for (const input of Object.keys(password.inputs)) expect(password.ignoreChanges).toContain(input);
        expect(password.inputs).toMatchObject({ length: 32, special: true });
    });

    test("the secret object is read as the runbook writes it, and a bad one is refused without showing its content", () => {
        expect(passwordOf('{"rdb-password": "s3cr3t"}', "s3://b/k")).toBe("s3cr3t");
        expect(() => passwordOf("s3cr3t-not-json", "s3://b/k")).toThrow(/^s3:\/\/b\/k is not JSON \(the runbook writes \{"rdb-password": "<pwd>"\}\)$/);
        expect(() => passwordOf('{"password": "s3cr3t"}', "s3://b/k")).toThrow(/has no "rdb-password" string/);
        try {
            passwordOf("s3cr3t-not-json", "s3://b/k");
        } catch (err) {
            expect((err as Error).message).not.toContain("s3cr3t");
        }
    });
});
