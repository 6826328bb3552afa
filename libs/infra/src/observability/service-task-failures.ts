import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target/index.js';
import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { CloudwatchLogResourcePolicy } from '@cdktf/provider-aws/lib/cloudwatch-log-resource-policy/index.js';
import type { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster/index.js';
import { policyDocument } from '../core/iam.js';
import { logGroupWithRetention } from '../core/log-group.js';

/** EventBridge writes only to log groups under this prefix. */
export const EVENTS_LOG_GROUP_PREFIX = '/aws/events/';

/** Stop codes of a service task that failed on its own: it never started, or its essential container exited. */
export const SERVICE_TASK_FAILURE_STOP_CODES = ['TaskFailedToStart', 'EssentialContainerExited'] as const;

export interface ServiceTaskFailuresProps {
  readonly namePrefix: string;
  readonly cluster: EcsCluster;
  readonly logRetentionDays: number;
  /** Encrypts the log group (a key whose policy admits CloudWatch Logs). @default - the service key */
  readonly logKmsKeyArn?: string;
}

/**
 * ECS service tasks of the cluster that failed (never started, or the essential container exited by
 * itself): an EventBridge rule on "ECS Task State Change" writes each such event to a log group, where
 * the stop reason can be read, and its `TriggeredRules` count is what the task-failures alarm watches.
 * Tasks ECS stops itself (deployments, scale-in: `ServiceSchedulerInitiated`) and pipe tasks (their
 * group is not `service:`; the task-stopped rules handle them) do not match.
 */
export class ServiceTaskFailures extends Construct {
  readonly rule: CloudwatchEventRule;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: ServiceTaskFailuresProps) {
    super(scope, id);
    const name = `${props.namePrefix}-service-task-failures`;
    this.rule = new CloudwatchEventRule(this, 'Rule', {
      name,
      description: 'An ECS service task of docflow failed to start or its essential container exited',
      eventPattern: JSON.stringify({
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: {
          clusterArn: [props.cluster.arn],
          lastStatus: ['STOPPED'],
          group: [{ prefix: 'service:' }],
          stopCode: [...SERVICE_TASK_FAILURE_STOP_CODES],
        },
      }),
    });
    this.logGroup = logGroupWithRetention(this, 'Logs', {
      name: `${EVENTS_LOG_GROUP_PREFIX}${name}`,
      retentionDays: props.logRetentionDays,
      kmsKeyArn: props.logKmsKeyArn,
    });
    // EventBridge writes to CloudWatch Logs under the log group's resource policy (the console adds one; Terraform must)
    const deliveryPolicy = new CloudwatchLogResourcePolicy(this, 'DeliveryPolicy', {
      policyName: `${name}-delivery`,
      policyDocument: policyDocument([
        {
          Sid: 'EventBridgeToLogs',
          Effect: 'Allow',
          Principal: { Service: ['events.amazonaws.com', 'delivery.logs.amazonaws.com'] },
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: [`${this.logGroup.arn}:*`],
          Condition: { ArnEquals: { 'aws:SourceArn': this.rule.arn } },
        },
      ]),
    });
    new CloudwatchEventTarget(this, 'Target', {
      rule: this.rule.name,
      targetId: 'log-group',
      arn: this.logGroup.arn,
      dependsOn: [deliveryPolicy],
    });
  }
}
