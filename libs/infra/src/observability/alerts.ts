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

/** One metric alarm, as simple as CloudWatch allows (one metric, one threshold). */
export interface MetricAlarmSpec {
  /** Suffix of the alarm name. */
  readonly name: string;
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: 'Average' | 'Maximum' | 'Minimum' | 'Sum';
  readonly comparison: 'GreaterThanThreshold' | 'LessThanThreshold' | 'GreaterThanOrEqualToThreshold';
  readonly threshold: number;
  /** @default 300 */
  readonly periodSeconds?: number;
  /** @default 2 */
  readonly evaluationPeriods?: number;
}

/**
 * The alarm topic with its email subscription, and a factory for alarms that notify it on ALARM and
 * on OK. Missing data is not breaching: a service scaled to zero is not an incident.
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

  alarm(id: string, spec: MetricAlarmSpec): CloudwatchMetricAlarm {
    const alarm = new CloudwatchMetricAlarm(this, id, {
      alarmName: `${this.namePrefix}-${spec.name}`,
      alarmDescription: spec.description,
      namespace: spec.namespace,
      metricName: spec.metricName,
      dimensions: { ...spec.dimensions },
      statistic: spec.statistic,
      comparisonOperator: spec.comparison,
      threshold: spec.threshold,
      period: spec.periodSeconds ?? 300,
      evaluationPeriods: spec.evaluationPeriods ?? 2,
      treatMissingData: 'notBreaching',
      alarmActions: [this.topic.arn],
      okActions: [this.topic.arn],
    });
    this.alarms.push(alarm);
    return alarm;
  }
}
