// Runbook `(dynamodb/create-table! prototype "<table>")`, as a protected, recoverable table.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PlannedTable } from "../stacks/catalogue";
import type { CountryStack } from "../stacks/config";
import { alarm, AlertRouting } from "./alerts";

export interface DataTableArgs {
    readonly table: PlannedTable;
    readonly billing: CountryStack["dynamodb"];
    readonly alerts: AlertRouting;
    readonly provider: aws.Provider;
}

export class DataTable extends pulumi.ComponentResource {
    readonly tableName: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    /** The table itself: what a service waits for (not its alarm). */
    readonly table: aws.dynamodb.Table;

    constructor(name: string, args: DataTableArgs, opts?: pulumi.ComponentResourceOptions) {
        super("data-infra:dynamodb:DataTable", name, {}, opts);
        const { table: planned, billing, provider } = args;
        const provisioned = billing.billingMode === "PROVISIONED";
        const table = new aws.dynamodb.Table(
            name,
            {
                name: planned.name,
                billingMode: billing.billingMode,
                ...(provisioned ? { readCapacity: billing.readCapacity, writeCapacity: billing.writeCapacity } : {}),
                hashKey: planned.hashKey,
                attributes: [{ name: planned.hashKey, type: "S" }],
                pointInTimeRecovery: { enabled: true },
                serverSideEncryption: { enabled: true },
                deletionProtectionEnabled: true,
                tags: { prototype: planned.prototype, "data-infra-table": planned.table },
            },
            { parent: this, provider, protect: true },
        );
        // Throttling is the first sign a table is starving its service.
        alarm(
            {
                name: `${planned.name}-throttled`,
                description: `${planned.purpose}: read or write requests throttled on ${planned.name}`,
                args: {
                    comparisonOperator: "GreaterThanThreshold",
                    threshold: 0,
                    evaluationPeriods: 3,
                    treatMissingData: "notBreaching",
                    metricQueries: [
                        { id: "throttled", expression: "reads + writes", label: "Throttled events", returnData: true },
                        ...(["reads", "writes"] as const).map((id) => ({
                            id,
                            metric: {
                                namespace: "AWS/DynamoDB",
                                metricName: id === "reads" ? "ReadThrottleEvents" : "WriteThrottleEvents",
                                dimensions: { TableName: planned.name },
                                period: 300,
                                stat: "Sum",
                            },
                        })),
                    ],
                },
            },
            args.alerts,
            { parent: this, provider },
        );
        this.table = table;
        this.tableName = table.name;
        this.arn = table.arn;
        this.registerOutputs({ tableName: this.tableName, arn: this.arn });
    }
}
