import { TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { DataLayer } from '../data/data-layer.js';
import { databaseConnection } from '../data/database.js';
import type { WorkerMode } from '../environments/types.js';
import { checkStack } from '@docflow/guardrails';
import {
  at,
  containerDefinitionsOf,
  onlyResource,
  findResource,
  resourcesOf,
  rolePolicyStatements,
  synthStack,
  testApp,
  testNetwork,
  testPlatform,
  type TerraformJson,
} from '../testing/index.js';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service/index.js';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { Cluster } from '../platform/cluster.js';
import { BacklogScaling } from './backlog-scaling.js';
import { Worker, type WorkerProps } from './worker.js';
import { HAND_BACK_TEMPLATE, TASK_BODY_PATH, handBackPrefix } from '@docflow/contracts';
import { taskStoppedRulePrefix } from './task-stopped-hand-back.js';
import { PIPE_BODY_VARIABLE } from './worker-pipe.js';

type WorkerOverrides = Partial<Pick<WorkerProps, 'maxCount' | 'backlogPerTask' | 'capacityProvider' | 'pipeLogRetentionDays'>>;

function synthWorker(mode: WorkerMode, overrides: WorkerOverrides = {}): TerraformJson {
  const stack = new TerraformStack(testApp(), 'test');
  const lean = mode === 'pipe';
  const { network, securityGroups } = testNetwork(stack, lean ? { createPrivateSubnets: false, natMode: 'none' } : {});
  const platform = testPlatform(stack, network, lean ? 'lean' : 'standard', { logRetentionDays: 7 });
  const data = new DataLayer(stack, 'Data', {
    namePrefix: 'docflow-test',
    network,
    databaseClients: [securityGroups.of('worker')],
    queues: { visibilityTimeoutSeconds: 720, ...(lean ? { acceptRulesNamed: taskStoppedRulePrefix('docflow-test') } : {}) },
  });
  new Worker(stack, 'Worker', {
    namePrefix: 'docflow-test',
    mode,
    cluster: platform.cluster,
    placement: network.workloadPlacement,
    securityGroup: securityGroups.of('worker'),
    repository: platform.repositories.of('worker'),
    imageTag: 'abc123',
    logGroup: platform.logGroups.of('worker'),
    region: 'eu-west-1',
    cpu: 1024,
    memoryMiB: 2048,
    queues: data.queues,
    processingTimeoutSeconds: 120,
    bucket: data.documents.bucket,
    database: databaseConnection(data.database, 'worker'),
    environment: { DOCFLOW_ENV: 'dev' },
    ...overrides,
  });
  return synthStack(stack);
}

const taskPolicy = (json: TerraformJson) => rolePolicyStatements(json, 'Worker_Task_TaskRole');

describe('Worker', () => {
  describe('GIVEN pipe mode', () => {
    const json = synthWorker('pipe');
    const pipe = onlyResource(json, 'aws_pipes_pipe');
    const ecs = pipe['target_parameters']['ecs_task_parameters'];

    it('THEN the pipe reads one message at a time and runs one task on Fargate Spot, by strategy and without a launch type', () => {
      expect(pipe['source_parameters']).toEqual({ sqs_queue_parameters: { batch_size: 1, maximum_batching_window_in_seconds: 0 } });
      expect(ecs['capacity_provider_strategy']).toEqual([{ capacity_provider: 'FARGATE_SPOT', weight: 1, base: 0 }]);
      expect(ecs['launch_type']).toBeUndefined();
      expect(ecs['task_count']).toBe(1);
      expect(checkStack(json, ['DOCFLOW_PIPE_LAUNCH_TYPE', 'DOCFLOW_PIPE_BATCH', 'DOCFLOW_PIPE_OVERRIDES', 'DOCFLOW_PIPE_ROLE']).problems).toEqual([]);
    });

    it('THEN the message body reaches the container as SQS_BODY, with explicit cpu and memory in the override', () => {
      expect(ecs['overrides']).toEqual({
        cpu: '1024',
        memory: '2048',
        container_override: [{ name: 'worker', cpu: 1024, memory: 2048, environment: [{ name: 'SQS_BODY', value: '$.body' }] }],
      });
    });

    it('THEN the pipe role may read this queue, run this task family on this cluster and pass its two roles, nothing more', () => {
      const role = rolePolicyStatements(json, 'Worker_Pipe_Role');
      expect(role.map((statement) => statement['Action'])).toEqual([
        ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
        ['ecs:RunTask'],
        ['ecs:TagResource'],
        ['iam:PassRole'],
        ['logs:CreateLogStream', 'logs:PutLogEvents'],
      ]);
      expect(at(role, 0)['Resource']).toEqual([expect.stringMatching(/^\$\{aws_sqs_queue\.Data_Queues_Queue_\w+\.arn\}$/)]);
      expect(at(role, 1)['Resource']).toEqual([expect.stringMatching(/^\$\{aws_ecs_task_definition\.Worker_Task_TaskDefinition_\w+\.arn_without_revision\}:\*$/)]);
      expect(at(role, 1)['Condition']).toEqual({ ArnEquals: { 'ecs:cluster': expect.stringContaining('aws_ecs_cluster') } });
      expect(at(role, 3)['Resource']).toHaveLength(2);
      expect(at(role, 3)['Condition']).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    });

    it('THEN the task may read raw documents (and learn that one is missing) and send to the queue and DLQ, but not receive (the pipe does)', () => {
      expect(taskPolicy(json)).toEqual([
        { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [expect.stringMatching(/\.arn\}\/raw\/\*$/)] },
        { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [expect.stringMatching(/\.arn\}$/)] },
        { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [expect.stringContaining('Queues_Queue_'), expect.stringContaining('Queues_DeadLetterQueue_')] },
        { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [expect.stringContaining('WorkerLoginSecret')] },
      ]);
    });

    it('THEN the container runs in pipe mode with the queue URLs, bucket and database settings, and fetches its own role\'s login (no secret injected)', () => {
      const definition = at(containerDefinitionsOf(onlyResource(json, 'aws_ecs_task_definition')), 0);
      const environment = Object.fromEntries((definition['environment'] as { name: string; value: string }[]).map(({ name, value }) => [name, value]));
      expect(environment).toMatchObject({ WORKER_MODE: 'pipe', WORKER_MAX_ATTEMPTS: '5', WORKER_VISIBILITY_TIMEOUT_SECONDS: '720', DB_SSL: 'verify-full', DB_USER: 'docflow_worker', DB_POOL_MAX: '2' });
      expect(Object.keys(environment)).toEqual(expect.arrayContaining(['DOCFLOW_QUEUE_URL', 'DOCFLOW_DLQ_URL', 'DOCFLOW_BUCKET', 'DB_HOST']));
      expect(definition['secrets']).toEqual([]);
      expect(definition['stopTimeout']).toBe(120);
      expect(checkStack(json, ['DOCFLOW_CONTAINER_SECRETS']).problems).toEqual([]);
    });

    it('THEN there is no ECS service to pay for while the queue is empty', () => {
      expect(resourcesOf(json, 'aws_ecs_service')).toEqual([]);
    });

    it('WHEN poll-mode settings are given THEN it refuses them', () => {
      expect(() => synthWorker('pipe', { backlogPerTask: 4 })).toThrow(
        'Worker: backlogPerTask and capacityProvider configure the poll-mode service; pipe mode runs one FARGATE_SPOT task per message',
      );
    });

    it('THEN maxCount is no setting silently ignored: it caps the tasks processing at once (WORKER_PIPE_MAX_TASKS, the worker gate)', () => {
      const environmentOf = (synthesized: TerraformJson) =>
        Object.fromEntries(
          (at(containerDefinitionsOf(onlyResource(synthesized, 'aws_ecs_task_definition')), 0)['environment'] as { name: string; value: string }[]).map(
            ({ name, value }) => [name, value],
          ),
        );
      expect(environmentOf(json)['WORKER_PIPE_MAX_TASKS']).toBe('1');
      expect(environmentOf(synthWorker('pipe', { maxCount: 3 }))['WORKER_PIPE_MAX_TASKS']).toBe('3');
      expect(() => synthWorker('pipe', { maxCount: 0 })).toThrow('Worker: maxCount must be a positive integer, got 0');
    });

    describe('AND a task that stops before finishing with its message', () => {
      const definition = at(containerDefinitionsOf(onlyResource(json, 'aws_ecs_task_definition')), 0);
      const environment = Object.fromEntries((definition['environment'] as { name: string; value: string }[]).map(({ name, value }) => [name, value]));
      const rule = (suffix: string) => findResource(json, 'aws_cloudwatch_event_rule', ({ block }) => block['name'] === `docflow-test-task-stopped-${suffix}`);
      const targetOf = (ruleName: string) => findResource(json, 'aws_cloudwatch_event_target', ({ block }) => block['rule'] === `\${aws_cloudwatch_event_rule.${ruleName}.name}`).block;
      const patternOf = (suffix: string) => JSON.parse(rule(suffix).block['event_pattern'] as string) as { detail: Record<string, unknown> };

      it('THEN the pipe puts exactly one override, the task definition container, with one variable: where the rules read the body', () => {
        const overrides = ecs['overrides']['container_override'] as { name: string; environment: { name: string; value: string }[] }[];
        expect(overrides).toHaveLength(1);
        expect(at(overrides, 0).name).toBe(definition['name']);
        expect(at(overrides, 0).environment).toEqual([{ name: PIPE_BODY_VARIABLE, value: '$.body' }]);
        expect(TASK_BODY_PATH).toBe(`$.detail.overrides.containerOverrides[0].environment[0].value`);
        expect(ecs['group']).toBe('docflow-test-worker-pipe');
      });

      it("THEN two rules watch this cluster's STOPPED tasks of the pipe's group whose worker did not finish (exit other than 0 and 10, or none)", () => {
        for (const suffix of ['hand-back', 'dead-letter']) {
          const { detail } = patternOf(suffix);
          expect(patternOf(suffix)).toMatchObject({ source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'] });
          expect(detail).toMatchObject({
            clusterArn: [expect.stringMatching(/^\$\{aws_ecs_cluster\.\w+\.arn\}$/)],
            group: [ecs['group']],
            lastStatus: ['STOPPED'],
            overrides: { containerOverrides: { name: [definition['name']], environment: { name: [PIPE_BODY_VARIABLE] } } },
            $or: [
              { containers: { name: [definition['name']], exitCode: [{ 'anything-but': [0, 10] }] } },
              { containers: { name: [definition['name']], exitCode: [{ exists: false }] } },
            ],
          });
        }
        // the limit is the worker's own: a body handed back WORKER_MAX_ATTEMPTS - 1 times goes to the DLQ
        const limit = Number(environment['WORKER_MAX_ATTEMPTS']) - 1;
        const valueOf = (suffix: string) => (patternOf(suffix).detail['overrides'] as { containerOverrides: { environment: { value: unknown } } }).containerOverrides.environment.value;
        expect(valueOf('hand-back')).toEqual([{ 'anything-but': { prefix: handBackPrefix(limit) } }]);
        expect(valueOf('dead-letter')).toEqual([{ prefix: handBackPrefix(limit) }]);
      });

      it('THEN the hand-back goes to the queue and the last one to the DLQ, through the input path into the override, with no role, and undeliverable events go whole to the DLQ', () => {
        const queueArn = expect.stringMatching(/^\$\{aws_sqs_queue\.Data_Queues_Queue_\w+\.arn\}$/);
        const dlqArn = expect.stringMatching(/^\$\{aws_sqs_queue\.Data_Queues_DeadLetterQueue_\w+\.arn\}$/);
        for (const [suffix, arn] of [['hand-back', queueArn], ['dead-letter', dlqArn]] as const) {
          const target = targetOf(rule(suffix).name);
          expect(target).toMatchObject({ arn, input_transformer: { input_paths: { body: TASK_BODY_PATH }, input_template: HAND_BACK_TEMPLATE }, dead_letter_config: { arn: dlqArn } });
          expect(target['role_arn']).toBeUndefined();
          expect(target['retry_policy']).toEqual({ maximum_retry_attempts: 185, maximum_event_age_in_seconds: 86_400 });
        }
      });

      it("THEN both queues admit exactly this environment's task-stopped rules, beside the TLS-only deny", () => {
        for (const name of ['Queue', 'DeadLetterQueue']) {
          const policy = JSON.parse(findResource(json, 'aws_sqs_queue_policy', ({ name: id }) => id.includes(`Queues_${name}TlsOnly`)).block['policy'] as string) as { Statement: Record<string, unknown>[] };
          expect(policy.Statement.map((statement) => statement['Sid'])).toEqual(['DenyInsecureTransport', 'AllowTaskStoppedRules']);
          expect(at(policy.Statement, 1)).toMatchObject({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnLike: { 'aws:SourceArn': expect.stringMatching(/^arn:aws:events:\*:\$\{data\.aws_caller_identity\.\w+\.account_id\}:rule\/docflow-test-task-stopped-\*$/) } },
          });
        }
      });
    });
  });

  describe('GIVEN poll mode', () => {
    const json = synthWorker('poll', { maxCount: 6, backlogPerTask: 10, capacityProvider: 'FARGATE' });

    it('THEN an ECS service starts at zero tasks and leaves the count to the autoscaling', () => {
      expect(onlyResource(json, 'aws_ecs_service')).toMatchObject({
        desired_count: 0,
        capacity_provider_strategy: [{ capacity_provider: 'FARGATE', weight: 1, base: 0 }],
        lifecycle: { ignore_changes: ['desired_count'] },
        deployment_circuit_breaker: { enable: true, rollback: true },
      });
      expect(onlyResource(json, 'aws_appautoscaling_target')).toMatchObject({ min_capacity: 0, max_capacity: 6 });
    });

    it('THEN target tracking keeps backlog per task (visible + in flight over running tasks) at the target', () => {
      const tracking = findResource(json, 'aws_appautoscaling_policy', ({ block }) => block['policy_type'] === 'TargetTrackingScaling').block;
      const configuration = tracking['target_tracking_scaling_policy_configuration'];
      expect(configuration['target_value']).toBe(10);
      const metrics = configuration['customized_metric_specification']['metrics'];
      expect(metrics.map((metric: { id: string }) => metric.id)).toEqual(['visible', 'inflight', 'running', 'backlog']);
      expect(metrics[2].metric_stat.metric).toMatchObject({ namespace: 'ECS/ContainerInsights', metric_name: 'RunningTaskCount' });
      expect(metrics[3]).toMatchObject({ expression: '(visible + inflight) / running', return_data: true });
    });

    it('THEN a step policy adds one task when messages wait and the desired count is zero or missing: it can never lower the count, and its cooldown outlasts a start', () => {
      const step = findResource(json, 'aws_appautoscaling_policy', ({ block }) => block['policy_type'] === 'StepScaling');
      // ExactCapacity 1 would set a busy service whose desired-count datapoint is late to one task
      expect(step.block['step_scaling_policy_configuration']).toEqual({
        adjustment_type: 'ChangeInCapacity',
        cooldown: 300,
        metric_aggregation_type: 'Maximum',
        step_adjustment: [{ metric_interval_lower_bound: '0', scaling_adjustment: 1 }],
      });
      const alarm = onlyResource(json, 'aws_cloudwatch_metric_alarm');
      expect(alarm['metric_query'][1].metric).toMatchObject({ namespace: 'ECS/ContainerInsights', metric_name: 'DesiredTaskCount', period: 60 });
      expect(alarm['metric_query'][2]).toMatchObject({ expression: 'IF(visible > 0 AND FILL(desired, 0) == 0, 1, 0)', return_data: true });
      // an idle queue publishes nothing: no data is no reason to start a task
      expect(alarm).toMatchObject({ treat_missing_data: 'notBreaching', evaluation_periods: 1, threshold: 1 });
      expect(alarm['alarm_actions']).toEqual([`\${aws_appautoscaling_policy.${step.name}.arn}`]);
    });

    it('THEN the task may also receive, delete and extend visibility on the queue', () => {
      expect(taskPolicy(json)[4]).toEqual({
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
        Resource: [expect.stringContaining('Queues_Queue_')],
      });
      expect(resourcesOf(json, 'aws_pipes_pipe')).toEqual([]);
    });

    it('WHEN a pipe setting is given THEN it refuses it', () => {
      expect(() => synthWorker('poll', { pipeLogRetentionDays: 7 })).toThrow('Worker: pipeLogRetentionDays applies to pipe mode only');
    });
  });
});

describe('BacklogScaling GIVEN invalid props', () => {
  const scaling = (containerInsights: boolean, maxCount: number) => () => {
    const stack = new TerraformStack(testApp(), 'test');
    const cluster = new Cluster(stack, 'Cluster', { clusterName: 'c', containerInsights });
    const service = new EcsService(stack, 'Service', { name: 'worker' });
    new BacklogScaling(stack, 'Scaling', { namePrefix: 'd', cluster, service, queue: new SqsQueue(stack, 'Queue', {}), maxCount, backlogPerTask: 10 });
  };

  it('THEN a cluster without Container Insights (no RunningTaskCount) is refused', () => {
    expect(scaling(false, 4)).toThrow('BacklogScaling: reads RunningTaskCount from Container Insights, but the cluster has it turned off');
  });

  it('THEN a ceiling of zero tasks is refused', () => {
    expect(scaling(true, 0)).toThrow('BacklogScaling: maxCount must be at least 1, got 0');
  });
});
