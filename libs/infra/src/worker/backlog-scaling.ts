import { Construct } from 'constructs';
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy/index.js';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target/index.js';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js';
import type { EcsService } from '@cdktf/provider-aws/lib/ecs-service/index.js';
import type { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import type { Cluster } from '../platform/cluster.js';

/**
 * Seconds after the scale-from-zero step during which it adds no second task: longer than a
 * Fargate task's start (about a minute) plus Container Insights' lag and the alarm's period, so the
 * alarm sees the new desired count before the step could fire again.
 */
export const SCALE_FROM_ZERO_COOLDOWN_SECONDS = 300;

export interface BacklogScalingProps {
  readonly namePrefix: string;
  readonly cluster: Cluster;
  readonly service: EcsService;
  readonly queue: SqsQueue;
  readonly maxCount: number;
  /** Messages (waiting or in flight) per running task that the tracking policy keeps. */
  readonly backlogPerTask: number;
}

/**
 * Poll-mode worker autoscaling between 0 and maxCount:
 * - target tracking on backlog per task, (visible + in flight) / RunningTaskCount (metric math over
 *   SQS and Container Insights), which scales out and back in to zero;
 * - a step policy that starts the first task: target tracking is proportional to the running count,
 *   so from zero tasks it cannot scale out. Its alarm fires while messages wait and the service's
 *   desired count (Container Insights) is 0 or missing: missing counts as 0 because it is not
 *   proven that Container Insights publishes the count of a service at zero tasks, and scaling from
 *   zero must work either way. Because a missing datapoint also happens to a busy service (late or
 *   lost metrics), the step adds one task (ChangeInCapacity +1) instead of setting exactly one: it
 *   can never lower the count. Its cooldown (SCALE_FROM_ZERO_COOLDOWN_SECONDS) outlasts a task's
 *   start and the metric's lag, and Application Auto Scaling does not add again within the
 *   cooldown while the alarm stays in ALARM, so one start makes one task. A spurious +1 on a busy
 *   service is bounded by maxCount and by one per cooldown, and target tracking scales it back in.
 *   The queue keeps publishing metrics because ingest's readiness check calls GetQueueAttributes on
 *   it (docs/infrastructure.md, scaling from zero).
 */
export class BacklogScaling extends Construct {
  readonly target: AppautoscalingTarget;
  readonly trackingPolicy: AppautoscalingPolicy;
  readonly scaleFromZeroPolicy: AppautoscalingPolicy;
  readonly scaleFromZeroAlarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: BacklogScalingProps) {
    super(scope, id);
    if (!props.cluster.containerInsights) {
      throw new Error('BacklogScaling: reads RunningTaskCount from Container Insights, but the cluster has it turned off');
    }
    if (props.maxCount < 1) throw new Error(`BacklogScaling: maxCount must be at least 1, got ${props.maxCount}`);
    const name = `${props.namePrefix}-worker`;
    const queueDimensions = [{ name: 'QueueName', value: props.queue.name }];
    const serviceDimensions = [
      { name: 'ClusterName', value: props.cluster.cluster.name },
      { name: 'ServiceName', value: props.service.name },
    ];

    this.target = new AppautoscalingTarget(this, 'Target', {
      serviceNamespace: 'ecs',
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId: `service/${props.cluster.cluster.name}/${props.service.name}`,
      minCapacity: 0,
      maxCapacity: props.maxCount,
    });

    this.trackingPolicy = new AppautoscalingPolicy(this, 'BacklogPerTask', {
      name: `${name}-backlog-per-task`,
      policyType: 'TargetTrackingScaling',
      serviceNamespace: this.target.serviceNamespace,
      scalableDimension: this.target.scalableDimension,
      resourceId: this.target.resourceId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: props.backlogPerTask,
        scaleInCooldown: 300,
        scaleOutCooldown: 60,
        customizedMetricSpecification: {
          metrics: [
            {
              id: 'visible',
              returnData: false,
              metricStat: {
                metric: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: queueDimensions },
                stat: 'Sum',
              },
            },
            {
              id: 'inflight',
              returnData: false,
              metricStat: {
                metric: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesNotVisible', dimensions: queueDimensions },
                stat: 'Sum',
              },
            },
            {
              id: 'running',
              returnData: false,
              metricStat: {
                metric: { namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount', dimensions: serviceDimensions },
                stat: 'Average',
              },
            },
            { id: 'backlog', label: 'Backlog per task', expression: '(visible + inflight) / running', returnData: true },
          ],
        },
      },
    });

    this.scaleFromZeroPolicy = new AppautoscalingPolicy(this, 'ScaleFromZero', {
      name: `${name}-scale-from-zero`,
      policyType: 'StepScaling',
      serviceNamespace: this.target.serviceNamespace,
      scalableDimension: this.target.scalableDimension,
      resourceId: this.target.resourceId,
      stepScalingPolicyConfiguration: {
        // +1, never "exactly 1": a missing desired count on a busy service must not shrink it
        adjustmentType: 'ChangeInCapacity',
        cooldown: SCALE_FROM_ZERO_COOLDOWN_SECONDS,
        metricAggregationType: 'Maximum',
        stepAdjustment: [{ metricIntervalLowerBound: '0', scalingAdjustment: 1 }],
      },
    });

    this.scaleFromZeroAlarm = new CloudwatchMetricAlarm(this, 'ScaleFromZeroAlarm', {
      alarmName: `${name}-scale-from-zero`,
      alarmDescription: 'Messages are waiting and the worker is scaled to zero: start one',
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: 'notBreaching',
      metricQuery: [
        {
          id: 'visible',
          returnData: false,
          metric: {
            namespace: 'AWS/SQS',
            metricName: 'ApproximateNumberOfMessagesVisible',
            dimensions: { QueueName: props.queue.name },
            stat: 'Maximum',
            period: 60,
          },
        },
        {
          // desired, not running: a task that is starting must not count as missing. Missing is
          // filled as 0 below (it may be what a service at zero tasks publishes); the step's +1
          // makes that harmless for a busy service
          id: 'desired',
          returnData: false,
          metric: {
            namespace: 'ECS/ContainerInsights',
            metricName: 'DesiredTaskCount',
            dimensions: { ClusterName: props.cluster.cluster.name, ServiceName: props.service.name },
            stat: 'Maximum',
            period: 60,
          },
        },
        {
          id: 'idleWithBacklog',
          label: 'Messages waiting with the worker scaled to zero',
          expression: 'IF(visible > 0 AND FILL(desired, 0) == 0, 1, 0)',
          returnData: true,
        },
      ],
      alarmActions: [this.scaleFromZeroPolicy.arn],
    });
  }
}
