// Runbook: "disable any kind of alerts while your service is not yet healthy". Alarms always
// exist; their actions follow the stack's alertsEnabled switch.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface AlertRouting {
    /** Topic alarms notify. */
    readonly topicArn: pulumi.Input<string>;
    /** Whether alarm actions fire. */
    readonly enabled: boolean;
}

export interface AlarmSpec {
    readonly name: string;
    readonly description: string;
    readonly args: Omit<aws.cloudwatch.MetricAlarmArgs, "name" | "alarmDescription" | "actionsEnabled" | "alarmActions" | "okActions">;
}

/** Creates an alarm wired to the routing, so every alarm obeys the same switch. */
export function alarm(spec: AlarmSpec, routing: AlertRouting, opts: pulumi.CustomResourceOptions): aws.cloudwatch.MetricAlarm {
    return new aws.cloudwatch.MetricAlarm(
        spec.name,
        {
            ...spec.args,
            name: spec.name,
            alarmDescription: spec.description,
            actionsEnabled: routing.enabled,
            alarmActions: [routing.topicArn],
            okActions: [routing.topicArn],
        },
        opts,
    );
}

export interface AlertTopicArgs {
    readonly topicName: string;
    readonly enabled: boolean;
    readonly provider: aws.Provider;
}

/** The SNS topic every alarm of the stack notifies; subscribe the on-call tooling to it. */
export class AlertTopic extends pulumi.ComponentResource {
    readonly routing: AlertRouting;
    readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: AlertTopicArgs, opts?: pulumi.ComponentResourceOptions) {
        super("data-infra:alerts:AlertTopic", name, {}, opts);
        const topic = new aws.sns.Topic(name, { name: args.topicName }, { parent: this, provider: args.provider });
        this.topicArn = topic.arn;
        this.routing = { topicArn: topic.arn, enabled: args.enabled };
        this.registerOutputs({ topicArn: this.topicArn });
    }
}
