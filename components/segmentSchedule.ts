// Runbook "Schedule segments processing": Tempo's barragem-process-next-segment tasks (one for
// global, one for the shards) become a CronJob per prototype that sends that prototype's Barragem
// one process-next-segment request per configured database.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PROCESS_NEXT_SEGMENT } from "../stacks/services";
import { RESTRICTED_CONTAINER, RESTRICTED_POD } from "./serviceWorkload";

/**
 * Databases come as arguments ($1…); each gets its own request, and one failure does not stop the
 * others, but fails the run so that it shows in the job history.
 */
export const PROCESS_NEXT_SEGMENT_SCRIPT = [
    "status=0",
    'for database in "$@"; do',
    `  curl --fail --silent --show-error --max-time 60 -X ${PROCESS_NEXT_SEGMENT.method} -H 'Content-Type: application/json' --data "{\\"database\\": \\"$database\\"}" "$BARRAGEM_URL${PROCESS_NEXT_SEGMENT.path}" || status=1`,
    "done",
    'exit "$status"',
].join("\n");

export interface SegmentScheduleArgs {
    readonly name: string;
    readonly namespace: pulumi.Input<string>;
    readonly labels: Readonly<Record<string, string>>;
    readonly cron: string;
    readonly image: string;
    readonly databases: readonly string[];
    /** Base URL of this prototype's Barragem, in-cluster. */
    readonly barragemUrl: pulumi.Input<string>;
    readonly provider: k8s.Provider;
}

export class SegmentSchedule extends pulumi.ComponentResource {
    constructor(name: string, args: SegmentScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("data-infra:k8s:SegmentSchedule", name, {}, opts);
        const metadata = { name: args.name, namespace: args.namespace, labels: args.labels };
        new k8s.batch.v1.CronJob(
            name,
            {
                metadata,
                spec: {
                    schedule: args.cron,
                    timeZone: "Etc/UTC",
                    // A slow run must not pile up requests on Barragem.
                    concurrencyPolicy: "Forbid",
                    startingDeadlineSeconds: 120,
                    successfulJobsHistoryLimit: 1,
                    failedJobsHistoryLimit: 3,
                    jobTemplate: {
                        metadata: { labels: args.labels },
                        spec: {
                            backoffLimit: 0,
                            activeDeadlineSeconds: 600,
                            template: {
                                metadata: { labels: args.labels },
                                spec: {
                                    ...RESTRICTED_POD,
                                    restartPolicy: "Never",
                                    containers: [
                                        {
                                            name: "process-next-segment",
                                            image: args.image,
                                            command: ["/bin/sh", "-c", PROCESS_NEXT_SEGMENT_SCRIPT, "process-next-segment", ...args.databases],
                                            env: [{ name: "BARRAGEM_URL", value: args.barragemUrl }],
                                            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
                                            securityContext: RESTRICTED_CONTAINER,
                                        },
                                    ],
                                },
                            },
                        },
                    },
                },
            },
            { parent: this, provider: args.provider },
        );
        this.registerOutputs({});
    }
}
