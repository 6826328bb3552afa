import { AnnotationMetadataEntryType, TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { DataLayer } from '../data/data-layer.js';
import { FargateService } from '../services/fargate-service.js';
import { at, onlyResource, resourcesOf, synthStack, testApp, testNetwork, testPlatform, type TerraformJson } from '../testing/index.js';
import { Alerts } from './alerts.js';
import { MonthlyBudget } from './budget.js';
import { Observability } from './observability.js';

function synthObservability(profile: 'lean' | 'standard'): TerraformJson {
  const stack = new TerraformStack(testApp(), 'test');
  const { network, securityGroups } = testNetwork(stack, profile === 'lean' ? { createPrivateSubnets: false, natMode: 'none' } : {});
  const platform = testPlatform(stack, network, profile, { logRetentionDays: 7 });
  const data = new DataLayer(stack, 'Data', {
    namePrefix: 'docflow-test',
    network,
    databaseClients: [securityGroups.of('api')],
    database: { allocatedStorageGiB: 50 },
    queues: { visibilityTimeoutSeconds: 720 },
  });
  const api = new FargateService(stack, 'Api', {
    serviceName: 'api',
    namePrefix: 'docflow-test',
    cluster: platform.cluster,
    vpc: network.vpc,
    placement: network.workloadPlacement,
    securityGroup: securityGroups.of('api'),
    repository: platform.repositories.of('api'),
    imageTag: 't',
    logGroup: platform.logGroups.of('api'),
    region: 'eu-west-1',
    cpu: 256,
    memoryMiB: 512,
  });
  new Observability(stack, 'Observability', {
    namePrefix: 'docflow-test',
    region: 'eu-west-1',
    alarmEmail: 'ops@example.com',
    monthlyBudgetUsd: 50,
    cluster: platform.cluster,
    services: [{ label: 'api', service: api.service }],
    queues: data.queues,
    database: data.database,
    edge: platform.edge,
    connectionsAlarmThreshold: 150,
  });
  return synthStack(stack);
}

const alarmsByName = (json: TerraformJson) =>
  Object.fromEntries(resourcesOf(json, 'aws_cloudwatch_metric_alarm').map(({ block }) => [block['alarm_name'] as string, block]));

describe('Observability', () => {
  describe('GIVEN the standard profile', () => {
    const json = synthObservability('standard');
    const alarms = alarmsByName(json);

    it('THEN service CPU above 80 % for 2 x 5 minutes alarms', () => {
      expect(alarms['docflow-test-api-cpu']).toMatchObject({
        namespace: 'AWS/ECS',
        metric_name: 'CPUUtilization',
        threshold: 80,
        period: 300,
        evaluation_periods: 2,
        comparison_operator: 'GreaterThanThreshold',
      });
    });

    it('THEN more than 100 waiting documents for 2 x 5 minutes, and any dead letter, alarm', () => {
      expect(alarms['docflow-test-queue-depth']).toMatchObject({ metric_name: 'ApproximateNumberOfMessagesVisible', threshold: 100, period: 300, evaluation_periods: 2 });
      expect(alarms['docflow-test-dead-letters']).toMatchObject({ threshold: 0, comparison_operator: 'GreaterThanThreshold', evaluation_periods: 1 });
      expect(alarms['docflow-test-dead-letters']?.['dimensions']['QueueName']).toContain('DeadLetterQueue');
    });

    it('THEN ALB 5xx (its own and the targets\') and database CPU, connections and free storage alarm', () => {
      expect(alarms['docflow-test-alb-5xx']).toMatchObject({ namespace: 'AWS/ApplicationELB', metric_name: 'HTTPCode_ELB_5XX_Count' });
      expect(alarms['docflow-test-alb-target-5xx']).toMatchObject({ metric_name: 'HTTPCode_Target_5XX_Count' });
      expect(alarms['docflow-test-database-cpu']).toMatchObject({ namespace: 'AWS/RDS', threshold: 80 });
      expect(alarms['docflow-test-database-connections']).toMatchObject({ metric_name: 'DatabaseConnections', threshold: 150 });
      expect(alarms['docflow-test-database-free-storage']).toMatchObject({ comparison_operator: 'LessThanThreshold', threshold: 5 * 1024 ** 3 });
    });

    it('THEN every alarm notifies the SNS topic, which mails the alarm address', () => {
      const topic = at(resourcesOf(json, 'aws_sns_topic'), 0);
      const topicArn = `\${aws_sns_topic.${topic.name}.arn}`;
      for (const alarm of Object.values(alarms)) {
        expect(alarm['alarm_actions']).toEqual([topicArn]);
        expect(alarm['treat_missing_data']).toBe('notBreaching');
      }
      expect(onlyResource(json, 'aws_sns_topic_subscription')).toMatchObject({ protocol: 'email', endpoint: 'ops@example.com' });
    });

    it('THEN the dashboard shows ECS, queue depth and age, DLQ, RDS and ALB metrics', () => {
      const body = JSON.parse(onlyResource(json, 'aws_cloudwatch_dashboard')['dashboard_body']);
      const metricNames = body.widgets.flatMap((widget: { properties: { metrics: unknown[][] } }) => widget.properties.metrics.map((metric) => metric[1]));
      expect(metricNames).toEqual(
        expect.arrayContaining([
          'CPUUtilization',
          'MemoryUtilization',
          'ApproximateNumberOfMessagesVisible',
          'ApproximateAgeOfOldestMessage',
          'DatabaseConnections',
          'FreeStorageSpace',
          'HTTPCode_ELB_5XX_Count',
          'TargetResponseTime',
        ]),
      );
    });

    it('THEN the monthly budget notifies at 50, 80 and 100 % of actual spend, and at 100 % forecast', () => {
      const budget = onlyResource(json, 'aws_budgets_budget');
      expect(budget).toMatchObject({ budget_type: 'COST', limit_amount: '50.00', limit_unit: 'USD', time_unit: 'MONTHLY' });
      expect(budget['notification'].map((notification: { threshold: number; notification_type: string }) => [notification.threshold, notification.notification_type])).toEqual([
        [50, 'ACTUAL'],
        [80, 'ACTUAL'],
        [100, 'ACTUAL'],
        [100, 'FORECASTED'],
      ]);
    });
  });

  it('GIVEN a placeholder alarm address THEN synth warns that alarms reach nobody; a real one passes quietly', () => {
    const warnings = (email: string) => {
      const stack = new TerraformStack(testApp(), 'alerts');
      new Alerts(stack, 'Alerts', { namePrefix: 'd', email });
      return stack.node
        .findAll()
        .flatMap((construct) => construct.node.metadata)
        .filter((entry) => entry.type === AnnotationMetadataEntryType.WARN)
        .map((entry) => String(entry.data));
    };
    expect(warnings('docflow-alerts@example.com')).toEqual([
      'Alerts: the alarm email "docflow-alerts@example.com" is a placeholder (a reserved example domain), so no alarm reaches anyone; set alarmEmail in the environment table',
    ]);
    expect(warnings('oncall@docflow.io')).toEqual([]);
  });

  it('GIVEN a budget of zero THEN it refuses', () => {
    expect(() => new MonthlyBudget(new TerraformStack(testApp(), 'budget'), 'Budget', { budgetName: 'b', limitUsd: 0, email: 'ops@example.com' })).toThrow(
      'MonthlyBudget: limitUsd must be positive, got 0',
    );
  });

  describe('GIVEN the lean profile', () => {
    it('THEN edge errors and latency come from the HTTP API', () => {
      const json = synthObservability('lean');
      const alarms = alarmsByName(json);
      expect(alarms['docflow-test-http-api-5xx']).toMatchObject({ namespace: 'AWS/ApiGateway', metric_name: '5xx' });
      expect(alarms['docflow-test-alb-5xx']).toBeUndefined();
    });
  });
});
