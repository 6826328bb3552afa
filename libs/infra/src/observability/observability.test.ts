import { AnnotationMetadataEntryType, TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { DataLayer } from '../data/data-layer.js';
import { FargateService } from '../services/fargate-service.js';
import { at, findResource, onlyResource, resourcesOf, synthStack, testApp, testNetwork, testPlatform, type TerraformJson } from '../testing/index.js';
import { Alerts } from './alerts.js';
import { MonthlyBudget, tagKeyValue } from './budget.js';
import { Observability } from './observability.js';

function synthObservability(profile: 'lean' | 'standard', databaseInstanceClass = 'db.t3.small'): TerraformJson {
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
    edge: platform.edge,
    route: { priority: 100 },
  });
  new Observability(stack, 'Observability', {
    namePrefix: 'docflow-test',
    region: 'eu-west-1',
    alarmEmail: 'ops@example.com',
    monthlyBudgetUsd: 50,
    envName: 'test',
    cluster: platform.cluster,
    services: [{ label: 'api', service: api.service, ...(api.edgeAttachment?.targetGroup ? { targetGroup: api.edgeAttachment.targetGroup } : {}) }],
    queues: data.queues,
    database: data.database,
    edge: platform.edge,
    connectionsAlarmThreshold: 150,
    databaseInstanceClass,
    logRetentionDays: 7,
    taskStoppedRules: { 'hand-back': 'docflow-test-task-stopped-hand-back' },
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

    it('THEN every alarm notifies the SNS topic on ALARM and on OK, which mails the alarm address', () => {
      const topic = at(resourcesOf(json, 'aws_sns_topic'), 0);
      const topicArn = `\${aws_sns_topic.${topic.name}.arn}`;
      for (const alarm of Object.values(alarms)) {
        expect(alarm['alarm_actions']).toEqual([topicArn]);
        expect(alarm['ok_actions']).toEqual([topicArn]);
      }
      expect(onlyResource(json, 'aws_sns_topic_subscription')).toMatchObject({ protocol: 'email', endpoint: 'ops@example.com' });
    });

    it('THEN queue, DLQ, edge and event-rule alarms treat an idle (silent) metric as fine, and the free storage alarm pages on a silent database', () => {
      for (const name of ['queue-depth', 'queue-oldest-message', 'dead-letters', 'alb-5xx', 'service-task-failures', 'task-stopped-hand-back-matched']) {
        expect(alarms[`docflow-test-${name}`]?.['treat_missing_data'], name).toBe('notBreaching');
      }
      expect(alarms['docflow-test-database-free-storage']?.['treat_missing_data']).toBe('breaching');
    });

    it('THEN fewer tasks running than desired for 5 minutes alarms per service (Container Insights, a missing running count is 0)', () => {
      const alarm = alarms['docflow-test-api-running-below-desired'];
      expect(alarm).toMatchObject({ comparison_operator: 'GreaterThanThreshold', threshold: 0, evaluation_periods: 5 });
      expect(alarm?.['metric_name']).toBeUndefined();
      const queries = alarm?.['metric_query'] as { id: string; expression?: string; return_data: boolean; metric?: { metric_name: string; namespace: string; period: number; dimensions: Record<string, string> } }[];
      expect(queries.filter((query) => query.return_data).map((query) => query.expression)).toEqual(['desired - FILL(running, 0)']);
      expect(Object.fromEntries(queries.filter((query) => query.metric).map((query) => [query.id, [query.metric?.namespace, query.metric?.metric_name, query.metric?.period]]))).toEqual({
        desired: ['ECS/ContainerInsights', 'DesiredTaskCount', 60],
        running: ['ECS/ContainerInsights', 'RunningTaskCount', 60],
      });
      const service = at(resourcesOf(json, 'aws_ecs_service'), 0);
      for (const query of queries.filter((candidate) => candidate.metric)) {
        expect(query.metric?.dimensions['ServiceName']).toBe(`\${aws_ecs_service.${service.name}.name}`);
      }
    });

    it('THEN a target failing health checks for 3 minutes alarms, per target group of the ALB', () => {
      const alarm = alarms['docflow-test-api-unhealthy-hosts'];
      const targetGroup = at(resourcesOf(json, 'aws_lb_target_group'), 0);
      const loadBalancer = at(resourcesOf(json, 'aws_lb'), 0);
      expect(alarm).toMatchObject({ namespace: 'AWS/ApplicationELB', metric_name: 'UnHealthyHostCount', threshold: 0, period: 60, evaluation_periods: 3 });
      expect(alarm?.['dimensions']).toEqual({ TargetGroup: `\${aws_lb_target_group.${targetGroup.name}.arn_suffix}`, LoadBalancer: `\${aws_lb.${loadBalancer.name}.arn_suffix}` });
    });

    it('THEN a burstable class (db.t3.small) alarms on its CPU credit balance below an hour of earnings and on freeable memory below 10 %', () => {
      expect(alarms['docflow-test-database-cpu-credits']).toMatchObject({ metric_name: 'CPUCreditBalance', comparison_operator: 'LessThanThreshold', threshold: 24 });
      expect(alarms['docflow-test-database-freeable-memory']).toMatchObject({ metric_name: 'FreeableMemory', comparison_operator: 'LessThanThreshold', threshold: Math.round(2 * 1024 ** 3 * 0.1) });
    });

    it('THEN a service task that fails to start or whose container exits is matched by a rule on the cluster, logged, and alarms', () => {
      const rule = findResource(json, 'aws_cloudwatch_event_rule', (resource) => resource.block['name'] === 'docflow-test-service-task-failures');
      expect(JSON.parse(rule.block['event_pattern'])).toEqual({
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: { clusterArn: [`\${aws_ecs_cluster.${at(resourcesOf(json, 'aws_ecs_cluster'), 0).name}.arn}`], lastStatus: ['STOPPED'], group: [{ prefix: 'service:' }], stopCode: ['TaskFailedToStart', 'EssentialContainerExited'] },
      });
      const logGroup = findResource(json, 'aws_cloudwatch_log_group', (resource) => resource.block['name'] === '/aws/events/docflow-test-service-task-failures');
      expect(onlyResource(json, 'aws_cloudwatch_event_target')).toMatchObject({ rule: `\${aws_cloudwatch_event_rule.${rule.name}.name}`, arn: `\${aws_cloudwatch_log_group.${logGroup.name}.arn}` });
      const policy = JSON.parse(findResource(json, 'aws_cloudwatch_log_resource_policy', (resource) => resource.block['policy_name'] === 'docflow-test-service-task-failures-delivery').block['policy_document']);
      expect(policy.Statement).toEqual([
        expect.objectContaining({
          Principal: { Service: ['events.amazonaws.com', 'delivery.logs.amazonaws.com'] },
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: [`\${aws_cloudwatch_log_group.${logGroup.name}.arn}:*`],
          Condition: { ArnEquals: { 'aws:SourceArn': `\${aws_cloudwatch_event_rule.${rule.name}.arn}` } },
        }),
      ]);
      expect(alarms['docflow-test-service-task-failures']).toMatchObject({ namespace: 'AWS/Events', metric_name: 'TriggeredRules', dimensions: { RuleName: `\${aws_cloudwatch_event_rule.${rule.name}.name}` }, threshold: 0 });
    });

    it('THEN each task-stopped rule of a pipe alarms when it matches (a task died without an outcome) and when it fails to deliver', () => {
      expect(alarms['docflow-test-task-stopped-hand-back-matched']).toMatchObject({ metric_name: 'TriggeredRules', dimensions: { RuleName: 'docflow-test-task-stopped-hand-back' } });
      expect(alarms['docflow-test-task-stopped-hand-back-failed-invocations']).toMatchObject({ metric_name: 'FailedInvocations', dimensions: { RuleName: 'docflow-test-task-stopped-hand-back' } });
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
      // the env cost-allocation tag, in AWS Budgets' user:<key>$<value> form; a literal "$", never "${"
      expect(budget['cost_filter']).toEqual([{ name: 'TagKeyValue', values: ['user:env$test'] }]);
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

  it('GIVEN a tag value Terraform would interpolate THEN the filter refuses it', () => {
    expect(() => tagKeyValue('env', '${x}')).toThrow('tagKeyValue: "env" = "${x}" would be read as a Terraform interpolation');
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
      expect(Object.keys(alarms).filter((name) => name.endsWith('-unhealthy-hosts'))).toEqual([]);
    });

    it('GIVEN a class that is not burstable THEN no CPU credit or freeable memory alarm; an unknown burstable size is refused', () => {
      const alarms = alarmsByName(synthObservability('lean', 'db.m7g.large'));
      expect(alarms['docflow-test-database-cpu-credits']).toBeUndefined();
      expect(alarms['docflow-test-database-freeable-memory']).toBeUndefined();
      expect(() => synthObservability('lean', 'db.t4g.huge')).toThrow('burstableClass: "db.t4g.huge" is a burstable class docflow has no memory and CPU credit figures for');
    });
  });
});
