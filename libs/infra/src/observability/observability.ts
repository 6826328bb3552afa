import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard/index.js';
import type { EcsService } from '@cdktf/provider-aws/lib/ecs-service/index.js';
import type { PipesPipe } from '@cdktf/provider-aws/lib/pipes-pipe/index.js';
import type { Database } from '../data/database.js';
import type { DocumentQueues } from '../data/document-queues.js';
import type { Cluster } from '../platform/cluster.js';
import type { Edge } from '../platform/edge.js';
import { Alerts } from './alerts.js';
import { MonthlyBudget } from './budget.js';
import { pascalCase } from '../core/naming.js';

const GIB = 1024 ** 3;

export interface ObservabilityProps {
  readonly namePrefix: string;
  readonly region: string;
  readonly alarmEmail: string;
  /** Encrypts the alarm topic (a key whose policy admits CloudWatch alarms). @default - unencrypted */
  readonly topicKmsKeyArn?: string;
  readonly monthlyBudgetUsd: number;
  readonly cluster: Cluster;
  /** Long-running ECS services (api, ingest, the poll-mode worker), by a short label for alarm names. */
  readonly services: readonly { readonly label: string; readonly service: EcsService }[];
  readonly queues: DocumentQueues;
  readonly database: Database;
  readonly edge: Edge;
  /** The pipe-mode worker's pipe. @default - no pipe alarm */
  readonly pipe?: PipesPipe;
  /** @default 80 */
  readonly cpuAlarmPercent?: number;
  /** Visible messages that mean the worker is behind. @default 100 */
  readonly queueDepthAlarm?: number;
  /** Age of the oldest message that means nothing is consuming. @default 900 */
  readonly oldestMessageAlarmSeconds?: number;
  /** 5xx responses per 5 minutes at the edge. @default 10 */
  readonly edge5xxAlarm?: number;
  /** Database connections alarm (about 80 % of max_connections for the class). */
  readonly connectionsAlarmThreshold: number;
  /** Free storage below this share of the allocated storage alarms. @default 0.1 */
  readonly freeStorageAlarmRatio?: number;
}

/**
 * What an operator watches: a dashboard (services, queue, DLQ, database, edge), the alarms that page
 * through SNS email, and the monthly budget with 50/80/100 % notifications.
 */
export class Observability extends Construct {
  readonly alerts: Alerts;
  readonly dashboard: CloudwatchDashboard;
  readonly budget: MonthlyBudget;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const cpuAlarmPercent = props.cpuAlarmPercent ?? 80;
    const queueDepthAlarm = props.queueDepthAlarm ?? 100;
    const oldestMessageAlarmSeconds = props.oldestMessageAlarmSeconds ?? 900;
    const edge5xxAlarm = props.edge5xxAlarm ?? 10;
    const freeStorageAlarmRatio = props.freeStorageAlarmRatio ?? 0.1;

    const clusterName = props.cluster.cluster.name;
    const queueName = props.queues.queue.name;
    const deadLetterQueueName = props.queues.deadLetterQueue.name;
    const dbInstance = props.database.instance.identifier;
    const edgeMetrics = edgeMetricsOf(props.edge);

    this.alerts = new Alerts(this, 'Alerts', {
      namePrefix: props.namePrefix,
      email: props.alarmEmail,
      ...(props.topicKmsKeyArn !== undefined ? { kmsKeyArn: props.topicKmsKeyArn } : {}),
    });
    props.services.forEach(({ label, service }) => {
      this.alerts.alarm(`${pascalCase(label)}Cpu`, {
        name: `${label}-cpu`,
        description: `${label}: ECS service CPU above ${cpuAlarmPercent} % for 10 minutes`,
        namespace: 'AWS/ECS',
        metricName: 'CPUUtilization',
        dimensions: { ClusterName: clusterName, ServiceName: service.name },
        statistic: 'Average',
        comparison: 'GreaterThanThreshold',
        threshold: cpuAlarmPercent,
      });
    });
    this.alerts.alarm('QueueDepth', {
      name: 'queue-depth',
      description: `More than ${queueDepthAlarm} documents waiting for 10 minutes: the worker is behind`,
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: queueName },
      statistic: 'Maximum',
      comparison: 'GreaterThanThreshold',
      threshold: queueDepthAlarm,
    });
    this.alerts.alarm('QueueOldestMessage', {
      name: 'queue-oldest-message',
      description: `A document has waited more than ${oldestMessageAlarmSeconds} s: nothing is consuming`,
      namespace: 'AWS/SQS',
      metricName: 'ApproximateAgeOfOldestMessage',
      dimensions: { QueueName: queueName },
      statistic: 'Maximum',
      comparison: 'GreaterThanThreshold',
      threshold: oldestMessageAlarmSeconds,
    });
    this.alerts.alarm('DeadLetters', {
      name: 'dead-letters',
      description: 'A document was dead-lettered: look at the DLQ and the worker logs',
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: deadLetterQueueName },
      statistic: 'Maximum',
      comparison: 'GreaterThanThreshold',
      threshold: 0,
      evaluationPeriods: 1,
    });
    for (const errors of edgeMetrics.errors) {
      this.alerts.alarm(errors.id, {
        name: errors.name,
        description: `More than ${edge5xxAlarm} ${errors.what} per 5 minutes, twice in a row`,
        namespace: errors.namespace,
        metricName: errors.metricName,
        dimensions: errors.dimensions,
        statistic: 'Sum',
        comparison: 'GreaterThanThreshold',
        threshold: edge5xxAlarm,
      });
    }
    this.alerts.alarm('DatabaseCpu', {
      name: 'database-cpu',
      description: `Database CPU above ${cpuAlarmPercent} % for 10 minutes`,
      namespace: 'AWS/RDS',
      metricName: 'CPUUtilization',
      dimensions: { DBInstanceIdentifier: dbInstance },
      statistic: 'Average',
      comparison: 'GreaterThanThreshold',
      threshold: cpuAlarmPercent,
    });
    this.alerts.alarm('DatabaseConnections', {
      name: 'database-connections',
      description: `More than ${props.connectionsAlarmThreshold} database connections for 10 minutes`,
      namespace: 'AWS/RDS',
      metricName: 'DatabaseConnections',
      dimensions: { DBInstanceIdentifier: dbInstance },
      statistic: 'Maximum',
      comparison: 'GreaterThanThreshold',
      threshold: props.connectionsAlarmThreshold,
    });
    this.alerts.alarm('DatabaseFreeStorage', {
      name: 'database-free-storage',
      description: `Less than ${freeStorageAlarmRatio * 100} % of the allocated storage free`,
      namespace: 'AWS/RDS',
      metricName: 'FreeStorageSpace',
      dimensions: { DBInstanceIdentifier: dbInstance },
      statistic: 'Minimum',
      comparison: 'LessThanThreshold',
      threshold: Math.round(props.database.allocatedStorageGiB * GIB * freeStorageAlarmRatio),
    });
    if (props.pipe) {
      this.alerts.alarm('PipeFailures', {
        name: 'worker-pipe-failures',
        description: 'The worker pipe failed to start tasks (messages return to the queue, then the DLQ)',
        namespace: 'AWS/EventBridge/Pipes',
        metricName: 'ExecutionFailed',
        dimensions: { PipeName: props.pipe.name },
        statistic: 'Sum',
        comparison: 'GreaterThanThreshold',
        threshold: 0,
        evaluationPeriods: 1,
      });
    }

    const widget = (title: string, metrics: unknown[][], extra: Record<string, unknown> = {}) => ({
      type: 'metric',
      width: 12,
      height: 6,
      properties: { title, region: props.region, period: 300, view: 'timeSeries', stacked: false, metrics, ...extra },
    });
    this.dashboard = new CloudwatchDashboard(this, 'Dashboard', {
      dashboardName: props.namePrefix,
      dashboardBody: JSON.stringify({
        widgets: [
          widget(
            'ECS CPU and memory (%)',
            props.services.flatMap(({ service }) => [
              ['AWS/ECS', 'CPUUtilization', 'ClusterName', clusterName, 'ServiceName', service.name],
              ['AWS/ECS', 'MemoryUtilization', 'ClusterName', clusterName, 'ServiceName', service.name],
            ]),
          ),
          widget('Queue depth', [
            ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', queueName, { stat: 'Maximum' }],
            ['AWS/SQS', 'ApproximateNumberOfMessagesNotVisible', 'QueueName', queueName, { stat: 'Maximum' }],
          ]),
          widget('Age of oldest message (s)', [['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', queueName, { stat: 'Maximum' }]]),
          widget('Dead-letter queue depth', [
            ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', deadLetterQueueName, { stat: 'Maximum' }],
          ]),
          widget('Database CPU (%) and connections', [
            ['AWS/RDS', 'CPUUtilization', 'DBInstanceIdentifier', dbInstance],
            ['AWS/RDS', 'DatabaseConnections', 'DBInstanceIdentifier', dbInstance, { yAxis: 'right' }],
          ]),
          widget('Database free storage (bytes)', [['AWS/RDS', 'FreeStorageSpace', 'DBInstanceIdentifier', dbInstance, { stat: 'Minimum' }]]),
          widget('Edge 5xx', edgeMetrics.errors.map((errors) => [errors.namespace, errors.metricName, ...Object.entries(errors.dimensions).flat()]), {
            stat: 'Sum',
          }),
          widget(`Edge latency (p95, ${edgeMetrics.latencyUnit})`, [edgeMetrics.latency], { stat: 'p95' }),
        ],
      }),
    });

    this.budget = new MonthlyBudget(this, 'Budget', {
      budgetName: `${props.namePrefix}-monthly`,
      limitUsd: props.monthlyBudgetUsd,
      email: props.alarmEmail,
    });
  }
}

/** The edge's error and latency metrics: ALB (its own and the targets' 5xx) or HTTP API. */
function edgeMetricsOf(edge: Edge) {
  if (edge.kind === 'alb') {
    const dimensions = { LoadBalancer: edge.loadBalancer.arnSuffix };
    return {
      errors: [
        {
          id: 'LoadBalancer5xx',
          name: 'alb-5xx',
          what: 'load balancer 5xx (no healthy target, timeouts)',
          namespace: 'AWS/ApplicationELB',
          metricName: 'HTTPCode_ELB_5XX_Count',
          dimensions,
        },
        {
          id: 'Target5xx',
          name: 'alb-target-5xx',
          what: 'service 5xx answers',
          namespace: 'AWS/ApplicationELB',
          metricName: 'HTTPCode_Target_5XX_Count',
          dimensions,
        },
      ],
      latency: ['AWS/ApplicationELB', 'TargetResponseTime', 'LoadBalancer', dimensions.LoadBalancer],
      latencyUnit: 's',
    };
  }
  const dimensions = { ApiId: edge.api.id };
  return {
    errors: [{ id: 'HttpApi5xx', name: 'http-api-5xx', what: 'HTTP API 5xx', namespace: 'AWS/ApiGateway', metricName: '5xx', dimensions }],
    latency: ['AWS/ApiGateway', 'Latency', 'ApiId', dimensions.ApiId],
    latencyUnit: 'ms',
  };
}
