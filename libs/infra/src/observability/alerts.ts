import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic/index.js';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription/index.js';
import { isPlaceholderDomain, warnPlaceholder } from '../core/placeholders.js';

export interface AlertsProps {
  readonly namePrefix: string;
  /** Subscribed to the topic (AWS sends a confirmation email first). */
  readonly email: string;
  /** Encrypts the topic; the key policy must let CloudWatch alarms use it. @default - unencrypted */
  readonly kmsKeyArn?: string;
}

/**
 * What a period without data means for an alarm (CloudWatch's `treat_missing_data`), stated per
 * alarm: `notBreaching` where silence means nothing happened (an idle queue stops publishing, AWS/Events
 * publishes only non-zero counts), `breaching` where silence is itself the failure.
 */
export type MissingData = 'notBreaching' | 'breaching' | 'ignore' | 'missing';

export type AlarmStatistic = 'Average' | 'Maximum' | 'Minimum' | 'Sum';

/** One metric of a metric-math alarm, referred to by `id` in the expression. */
export interface AlarmMetric {
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: AlarmStatistic;
}

interface AlarmSpecBase {
  /** Suffix of the alarm name. */
  readonly name: string;
  readonly description: string;
  readonly comparison: 'GreaterThanThreshold' | 'LessThanThreshold' | 'GreaterThanOrEqualToThreshold';
  readonly threshold: number;
  /** Required: each alarm says what silence means for it (see MissingData). */
  readonly treatMissingData: MissingData;
  /** @default 300 */
  readonly periodSeconds?: number;
  /** @default 2 */
  readonly evaluationPeriods?: number;
}

/** An alarm on one metric. */
export interface MetricAlarmSpec extends AlarmSpecBase {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: AlarmStatistic;
}

/** An alarm on a metric-math expression over several metrics (e.g. `desired - FILL(running, 0)`). */
export interface MathAlarmSpec extends AlarmSpecBase {
  readonly metrics: readonly AlarmMetric[];
  readonly expression: string;
}

/**
 * The alarm topic with its email subscription, and the one factory for docflow's alarms: each
 * notifies the topic on ALARM and on OK (so whoever was paged hears when it is over).
 */
export class Alerts extends Construct {
  readonly topic: SnsTopic;
  readonly alarms: CloudwatchMetricAlarm[] = [];
  private readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    this.namePrefix = props.namePrefix;
    // CloudWatch alarms cannot publish to a topic under the AWS-managed SNS key: only a
    // customer-managed key whose policy admits cloudwatch.amazonaws.com (keys: customer-managed)
    this.topic = new SnsTopic(this, 'Topic', { name: `${props.namePrefix}-alarms`, ...(props.kmsKeyArn !== undefined ? { kmsMasterKeyId: props.kmsKeyArn } : {}) });
    new SnsTopicSubscription(this, 'Email', { topicArn: this.topic.arn, protocol: 'email', endpoint: props.email });
    if (isPlaceholderDomain(props.email)) {
      warnPlaceholder(
        this,
        `Alerts: the alarm email "${props.email}" is a placeholder (a reserved example domain), so no alarm reaches anyone; set alarmEmail in the environment table`,
      );
    }
  }

  alarm(id: string, spec: MetricAlarmSpec | MathAlarmSpec): CloudwatchMetricAlarm {
    const period = spec.periodSeconds ?? 300;
    const what =
      'expression' in spec
        ? {
            metricQuery: [
              ...spec.metrics.map((metric) => ({
                id: metric.id,
                returnData: false,
                metric: { namespace: metric.namespace, metricName: metric.metricName, dimensions: { ...metric.dimensions }, period, stat: metric.statistic },
              })),
              { id: 'alarmed', expression: spec.expression, label: spec.description, returnData: true },
            ],
          }
        : { namespace: spec.namespace, metricName: spec.metricName, dimensions: { ...spec.dimensions }, statistic: spec.statistic, period };
    const alarm = new CloudwatchMetricAlarm(this, id, {
      alarmName: `${this.namePrefix}-${spec.name}`,
      alarmDescription: spec.description,
      ...what,
      comparisonOperator: spec.comparison,
      threshold: spec.threshold,
      evaluationPeriods: spec.evaluationPeriods ?? 2,
      treatMissingData: spec.treatMissingData,
      alarmActions: [this.topic.arn],
      okActions: [this.topic.arn],
    });
    this.alarms.push(alarm);
    return alarm;
  }
}
