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
    queues: { visibilityTimeoutSeconds: 720 },
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
    database: databaseConnection(data.database),
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
      ]);
    });

    it('THEN the container runs in pipe mode with the queue URLs, bucket and database settings, and the credentials as secrets', () => {
      const definition = at(containerDefinitionsOf(onlyResource(json, 'aws_ecs_task_definition')), 0);
      const environment = Object.fromEntries((definition['environment'] as { name: string; value: string }[]).map(({ name, value }) => [name, value]));
      expect(environment).toMatchObject({ WORKER_MODE: 'pipe', WORKER_MAX_ATTEMPTS: '5', WORKER_VISIBILITY_TIMEOUT_SECONDS: '720', DB_SSL: 'require', DB_POOL_MAX: '2' });
      expect(Object.keys(environment)).toEqual(expect.arrayContaining(['DOCFLOW_QUEUE_URL', 'DOCFLOW_DLQ_URL', 'DOCFLOW_BUCKET', 'DB_HOST']));
      expect((definition['secrets'] as { name: string }[]).map(({ name }) => name)).toEqual(['DB_PASSWORD', 'DB_USER']);
      expect(definition['stopTimeout']).toBe(120);
      expect(checkStack(json, ['DOCFLOW_CONTAINER_SECRETS']).problems).toEqual([]);
    });

    it('THEN there is no ECS service to pay for while the queue is empty', () => {
      expect(resourcesOf(json, 'aws_ecs_service')).toEqual([]);
    });

    it('WHEN poll-mode settings are given THEN it refuses them', () => {
      expect(() => synthWorker('pipe', { maxCount: 4 })).toThrow(
        'Worker: maxCount, backlogPerTask and capacityProvider configure the poll-mode service; pipe mode runs one FARGATE_SPOT task per message',
      );
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

    it('THEN a step policy starts the first task when messages wait and none runs', () => {
      const step = findResource(json, 'aws_appautoscaling_policy', ({ block }) => block['policy_type'] === 'StepScaling');
      expect(step.block['step_scaling_policy_configuration']).toMatchObject({ adjustment_type: 'ChangeInCapacity', step_adjustment: [{ scaling_adjustment: 1 }] });
      const alarm = onlyResource(json, 'aws_cloudwatch_metric_alarm');
      expect(alarm['metric_query'][2]).toMatchObject({ expression: 'IF(visible > 0 AND FILL(running, 0) == 0, 1, 0)', return_data: true });
      expect(alarm['alarm_actions']).toEqual([`\${aws_appautoscaling_policy.${step.name}.arn}`]);
    });

    it('THEN the task may also receive, delete and extend visibility on the queue', () => {
      expect(taskPolicy(json)[3]).toEqual({
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
