import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard/index.js';
import type { EcsService } from '@cdktf/provider-aws/lib/ecs-service/index.js';
import type { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group/index.js';
import type { PipesPipe } from '@cdktf/provider-aws/lib/pipes-pipe/index.js';
import type { Database } from '../data/database.js';
import { REPLICATION_TIME_MINUTES, type DocumentReplication } from '../data/document-replication.js';
import type { DocumentQueues } from '../data/document-queues.js';
import type { Cluster } from '../platform/cluster.js';
import type { Edge } from '../platform/edge.js';
import { Alerts } from './alerts.js';
import { MonthlyBudget } from './budget.js';
import { burstableClass } from './burstable-classes.js';
import { ServiceTaskFailures } from './service-task-failures.js';
import { pascalCase } from '../core/naming.js';

const GIB = 1024 ** 3;

export interface ObservabilityProps {
  readonly namePrefix: string;
  readonly region: string;
  readonly alarmEmail: string;
  /** Encrypts the alarm topic (a key whose policy admits CloudWatch alarms). @default - unencrypted */
  readonly topicKmsKeyArn?: string;
  readonly monthlyBudgetUsd: number;
  /** The environment's name: the budget counts the resources whose `env` cost-allocation tag has it. */
  readonly envName: string;
  readonly cluster: Cluster;
  /**
   * Long-running ECS services (api, ingest, the poll-mode worker), by a short label for alarm names,
   * with the load balancer target group of those behind the ALB (unhealthy hosts alarm).
   */
  readonly services: readonly { readonly label: string; readonly service: EcsService; readonly targetGroup?: LbTargetGroup }[];
  readonly queues: DocumentQueues;
  readonly database: Database;
  readonly edge: Edge;
  /** The database's RDS class: burstable classes (db.t3, db.t4g) get CPU credit and freeable memory alarms. */
  readonly databaseInstanceClass: string;
  /** The pipe-mode worker's pipe. @default - no pipe alarm */
  readonly pipe?: PipesPipe;
  /** Names of the pipe's task-stopped rules by a short label (hand-back, dead-letter): their matches and failed deliveries alarm. @default - none */
  readonly taskStoppedRules?: Readonly<Record<string, string>>;
  /** The documents bucket's replication to the copy region: its latency and failures alarm. @default - no replication alarms */
  readonly documentReplication?: DocumentReplication;
  /** Retention of the service task failures' log group. */
  readonly logRetentionDays: number;
  /** Encrypts that log group. @default - the CloudWatch Logs service key */
  readonly logKmsKeyArn?: string;
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
  readonly serviceTaskFailures: ServiceTaskFailures;

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
        // a service at zero tasks (the poll worker when idle) publishes nothing: not an incident
        treatMissingData: 'notBreaching',
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
      // an idle queue stops publishing after 6 h: nothing waits; once messages arrive it publishes again
      treatMissingData: 'notBreaching',
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
      // as queue depth: silence is an idle queue, and a waiting message makes it publish again (up to 15 min late)
      treatMissingData: 'notBreaching',
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
      // an empty DLQ goes idle; a dead letter is an action on it, which makes it publish again
      treatMissingData: 'notBreaching',
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
        // the edge publishes error counts only when there are errors
        treatMissingData: 'notBreaching',
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
      // RDS publishes every minute while the instance runs; silence is reported by the free storage alarm
      treatMissingData: 'notBreaching',
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
      treatMissingData: 'notBreaching',
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
      // the one database alarm that pages on silence: RDS stops publishing only when the instance is stopped or gone
      treatMissingData: 'breaching',
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
        // Pipes publishes failures only when there are some
        treatMissingData: 'notBreaching',
      });
    }
    this.alarmRunningBelowDesired(props.services, clusterName);
    this.alarmUnhealthyHosts(props.services, edgeMetrics.loadBalancer);
    this.alarmBurstableDatabase(props.databaseInstanceClass, dbInstance);
    this.serviceTaskFailures = new ServiceTaskFailures(this, 'ServiceTaskFailures', {
      namePrefix: props.namePrefix,
      cluster: props.cluster.cluster,
      logRetentionDays: props.logRetentionDays,
      ...(props.logKmsKeyArn !== undefined ? { logKmsKeyArn: props.logKmsKeyArn } : {}),
    });
    this.ruleCountAlarm('ServiceTaskFailures', 'service-task-failures', this.serviceTaskFailures.rule.name, 'TriggeredRules',
      `An ECS service task failed to start or its container exited by itself (the events are in ${this.serviceTaskFailures.logGroup.name})`);
    for (const [label, ruleName] of Object.entries(props.taskStoppedRules ?? {})) this.alarmTaskStoppedRule(label, ruleName);
    if (props.documentReplication) this.alarmDocumentReplication(props.documentReplication);

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
      envTag: props.envName,
    });
  }

  /** Per service: fewer tasks running than desired for 5 minutes (tasks failing to start or to stay up). */
  /**
   * The documents' replication to the copy region (Replication Time Control's metrics, published in
   * the source region per rule): a replica later than RTC's 15 minutes means the region-loss RPO is
   * not held, a failed operation means an object is not replicated at all (a key or role problem).
   */
  private alarmDocumentReplication(replication: DocumentReplication): void {
    const dimensions = {
      SourceBucket: replication.source.bucket.bucket,
      DestinationBucket: replication.replica.bucket.bucket,
      RuleId: replication.ruleId,
    };
    this.alerts.alarm('DocumentsReplicationLatency', {
      name: 'documents-replication-latency',
      description: `Documents reach the replica in ${replication.copyRegion} later than ${REPLICATION_TIME_MINUTES} minutes (Replication Time Control's threshold): a region loss now costs more than that`,
      namespace: 'AWS/S3',
      metricName: 'ReplicationLatency',
      dimensions,
      statistic: 'Maximum',
      comparison: 'GreaterThanThreshold',
      threshold: REPLICATION_TIME_MINUTES * 60,
      evaluationPeriods: 1,
      // S3 publishes replication metrics only while objects are replicated
      treatMissingData: 'notBreaching',
    });
    this.alerts.alarm('DocumentsReplicationFailed', {
      name: 'documents-replication-failed',
      description: 'Documents failed to replicate to the copy region (check the replication role and both keys): they exist in one region only',
      namespace: 'AWS/S3',
      metricName: 'OperationsFailedReplication',
      dimensions,
      statistic: 'Sum',
      comparison: 'GreaterThanThreshold',
      threshold: 0,
      evaluationPeriods: 1,
      treatMissingData: 'notBreaching',
    });
  }

  private alarmRunningBelowDesired(services: ObservabilityProps['services'], clusterName: string) {
    for (const { label, service } of services) {
      const dimensions = { ClusterName: clusterName, ServiceName: service.name };
      this.alerts.alarm(`${pascalCase(label)}RunningBelowDesired`, {
        name: `${label}-running-below-desired`,
        description: `${label}: fewer tasks running than desired for 5 minutes (tasks fail to start or keep stopping)`,
        metrics: [
          { id: 'desired', namespace: 'ECS/ContainerInsights', metricName: 'DesiredTaskCount', dimensions, statistic: 'Minimum' },
          { id: 'running', namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount', dimensions, statistic: 'Minimum' },
        ],
        // a service whose tasks all stopped may publish no RunningTaskCount: that is 0 running
        expression: 'desired - FILL(running, 0)',
        comparison: 'GreaterThanThreshold',
        threshold: 0,
        periodSeconds: 60,
        evaluationPeriods: 5,
        // no DesiredTaskCount at all means no service to watch (Container Insights publishes it while the service exists)
        treatMissingData: 'notBreaching',
      });
    }
  }

  /** Per target group behind the ALB: a target failing its health checks for 3 minutes. */
  private alarmUnhealthyHosts(services: ObservabilityProps['services'], loadBalancer: string | undefined) {
    for (const { label, targetGroup } of services) {
      if (targetGroup === undefined || loadBalancer === undefined) continue;
      this.alerts.alarm(`${pascalCase(label)}UnhealthyHosts`, {
        name: `${label}-unhealthy-hosts`,
        description: `${label}: a load balancer target has failed its health checks for 3 minutes`,
        namespace: 'AWS/ApplicationELB',
        metricName: 'UnHealthyHostCount',
        dimensions: { TargetGroup: targetGroup.arnSuffix, LoadBalancer: loadBalancer },
        statistic: 'Maximum',
        comparison: 'GreaterThanThreshold',
        threshold: 0,
        periodSeconds: 60,
        evaluationPeriods: 3,
        // the ALB publishes the count (0 included) every minute for a target group in use
        treatMissingData: 'notBreaching',
      });
    }
  }

  /** Burstable classes only: the CPU credit balance below one hour of earnings, and freeable memory below 10 %. */
  private alarmBurstableDatabase(instanceClass: string, dbInstance: string) {
    const burstable = burstableClass(instanceClass);
    if (burstable === undefined) return;
    this.alerts.alarm('DatabaseCpuCredits', {
      name: 'database-cpu-credits',
      description: `Database CPU credit balance below ${burstable.creditsPerHour} (one hour of earnings of ${instanceClass}): past zero, CPU is billed as surplus credits`,
      namespace: 'AWS/RDS',
      metricName: 'CPUCreditBalance',
      dimensions: { DBInstanceIdentifier: dbInstance },
      statistic: 'Minimum',
      comparison: 'LessThanThreshold',
      threshold: burstable.creditsPerHour,
      evaluationPeriods: 3,
      treatMissingData: 'notBreaching',
    });
    this.alerts.alarm('DatabaseFreeableMemory', {
      name: 'database-freeable-memory',
      description: `Database freeable memory below 10 % of the ${burstable.memoryGiB} GiB of ${instanceClass} for 10 minutes`,
      namespace: 'AWS/RDS',
      metricName: 'FreeableMemory',
      dimensions: { DBInstanceIdentifier: dbInstance },
      statistic: 'Minimum',
      comparison: 'LessThanThreshold',
      threshold: Math.round(burstable.memoryGiB * GIB * 0.1),
      treatMissingData: 'notBreaching',
    });
  }

  /** A pipe task-stopped rule: each match is a task that died without finishing its message; a failed delivery lost the hand-back to the DLQ. */
  private alarmTaskStoppedRule(label: string, ruleName: string) {
    const id = `TaskStopped${pascalCase(label)}`;
    this.ruleCountAlarm(`${id}Matched`, `task-stopped-${label}-matched`, ruleName, 'TriggeredRules',
      `${ruleName}: a worker task stopped without finishing with its message (the rule handed it back or dead-lettered it; the stop reason is in the ECS task events)`);
    this.ruleCountAlarm(`${id}FailedInvocations`, `task-stopped-${label}-failed-invocations`, ruleName, 'FailedInvocations',
      `${ruleName}: EventBridge could not deliver a hand-back (the whole event went to the DLQ)`);
  }

  /** Any count of an EventBridge rule's metric in 5 minutes. */
  private ruleCountAlarm(id: string, name: string, ruleName: string, metricName: 'TriggeredRules' | 'FailedInvocations', description: string) {
    this.alerts.alarm(id, {
      name,
      description,
      namespace: 'AWS/Events',
      metricName,
      dimensions: { RuleName: ruleName },
      statistic: 'Sum',
      comparison: 'GreaterThanThreshold',
      threshold: 0,
      evaluationPeriods: 1,
      // EventBridge publishes rule counts only when they are not zero
      treatMissingData: 'notBreaching',
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
      loadBalancer: dimensions.LoadBalancer,
    };
  }
  const dimensions = { ApiId: edge.api.id };
  return {
    errors: [{ id: 'HttpApi5xx', name: 'http-api-5xx', what: 'HTTP API 5xx', namespace: 'AWS/ApiGateway', metricName: '5xx', dimensions }],
    latency: ['AWS/ApiGateway', 'Latency', 'ApiId', dimensions.ApiId],
    latencyUnit: 'ms',
    loadBalancer: undefined,
  };
}
