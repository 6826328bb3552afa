import { TerraformStack, TerraformVariable } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance/index.js';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { Lb } from '@cdktf/provider-aws/lib/lb/index.js';
import { PipesPipe } from '@cdktf/provider-aws/lib/pipes-pipe/index.js';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import { SecurityGroupRule } from '@cdktf/provider-aws/lib/security-group-rule/index.js';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { checkStack } from '@docflow/guardrails';
import { synthStack, testApp } from './testing/index.js';

/**
 * The policy checks against JSON that cdktf really synthesized (not hand-written): seed 004's
 * infrastructure written with the raw provider resources, flaws included. Each check must find its
 * flaw, so a check that silently stopped matching cdktf's output would fail here.
 */
function seed004Stack() {
  const stack = new TerraformStack(testApp(), 'seed004');
  // no default_tags: nothing says which project, environment or stack a resource belongs to
  new AwsProvider(stack, 'Aws', { region: 'eu-west-1' });
  const dbPassword = new TerraformVariable(stack, 'db_password', { type: 'string', sensitive: true });

  // the ALB group open on 80 and 443 is fine; SSH from anywhere on the ECS group is not
  const albGroup = new SecurityGroup(stack, 'AlbGroup', {
    name: 'alb',
    ingress: [80, 443].map((port) => ({ fromPort: port, toPort: port, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'] })),
  });
  new Lb(stack, 'Alb', { name: 'alb', securityGroups: [albGroup.id], subnets: ['subnet-1', 'subnet-2'] });
  const ecsGroup = new SecurityGroup(stack, 'EcsGroup', { name: 'ecs' });
  new SecurityGroupRule(stack, 'Ssh', { type: 'ingress', securityGroupId: ecsGroup.id, fromPort: 22, toPort: 22, protocol: 'tcp', cidrBlocks: ['0.0.0.0/0'] });

  // reachable from the internet, storage_encrypted forgotten
  new DbInstance(stack, 'Db', {
    engine: 'postgres',
    instanceClass: 'db.t3.micro',
    allocatedStorage: 20,
    username: 'app',
    password: dbPassword.stringValue,
    publiclyAccessible: true,
  });

  const worker = new EcsTaskDefinition(stack, 'Worker', {
    family: 'worker',
    containerDefinitions: JSON.stringify([
      {
        name: 'worker',
        image: 'worker:latest',
        environment: [
          { name: 'DB_HOST', value: 'db.internal' },
          { name: 'DB_PASSWORD', value: dbPassword.stringValue },
        ],
      },
    ]),
  });

  const queue = new SqsQueue(stack, 'Queue', { name: 'workflow' });
  new PipesPipe(stack, 'WorkerPipe', {
    name: 'worker-pipe',
    roleArn: 'arn:aws:iam::123456789012:role/pipe',
    source: queue.arn,
    target: 'arn:aws:ecs:eu-west-1:123456789012:cluster/workers',
    sourceParameters: { sqsQueueParameters: { batchSize: 1, maximumBatchingWindowInSeconds: 0 } },
    targetParameters: {
      ecsTaskParameters: {
        taskDefinitionArn: worker.arn,
        launchType: 'FARGATE',
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 100 }],
        overrides: { containerOverride: [{ name: 'worker', environment: [{ name: 'SQS_BODY', value: '$.body' }] }] },
      },
    },
  });

  new CloudwatchLogGroup(stack, 'WorkerLogs', { name: '/aws/ecs/worker' });
  const role = new IamRole(stack, 'TaskRole', {
    name: 'worker-task',
    assumeRolePolicy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ecs-tasks.amazonaws.com' } }] }),
  });
  new IamRolePolicy(stack, 'TaskPolicy', {
    role: role.id,
    policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: ['sqs:*'], Resource: [queue.arn] }] }),
  });
  return synthStack(stack);
}

/** The rules seed 004's flaws break, and one (RDP from the internet) it does not. */
const RULES = [
  'CKV_AWS_16',
  'CKV_AWS_17',
  'CKV_AWS_27',
  'DOCFLOW_QUEUE_DLQ',
  'CKV_AWS_336',
  'DOCFLOW_CONTAINER_SECRETS',
  'DOCFLOW_PIPE_LAUNCH_TYPE',
  'DOCFLOW_PIPE_OVERRIDES',
  'DOCFLOW_PIPE_ROLE',
  'CKV_AWS_24',
  'CKV_AWS_25',
  'DOCFLOW_INGRESS',
  'DOCFLOW_IAM_WILDCARDS',
  'CKV_AWS_66',
  'DOCFLOW_TAGS',
];

describe('the policy over a synthesized seed-004 stack', () => {
  const result = checkStack(seed004Stack(), RULES);
  const linesOf = (rule: string) => result.problems.filter((line) => line.split(' ')[1] === rule);

  it('THEN every rule finds its flaw, and nothing else', () => {
    // in the report's order: by rule as the policy lists them
    expect(result.problems.map((line) => line.replace(/_[0-9A-F]{8}\b/g, ''))).toEqual([
      'FAIL CKV_AWS_16 aws_db_instance.Db: storage_encrypted is not set (it must be true)',
      'FAIL CKV_AWS_17 aws_db_instance.Db: publicly_accessible is true: the database gets a public address',
      'FAIL CKV_AWS_27 aws_sqs_queue.Queue: neither kms_master_key_id nor sqs_managed_sse_enabled is set',
      "FAIL DOCFLOW_QUEUE_DLQ aws_sqs_queue.Queue: has no dead-letter queue and is no queue's DLQ: a message that always fails is retried until it expires",
      'FAIL CKV_AWS_336 aws_ecs_task_definition.Worker: container worker has a writable root filesystem',
      'FAIL DOCFLOW_CONTAINER_SECRETS aws_ecs_task_definition.Worker: container worker: environment variable DB_PASSWORD looks like a secret (pass it in secrets)',
      'FAIL DOCFLOW_PIPE_LAUNCH_TYPE aws_pipes_pipe.WorkerPipe: sets launch_type FARGATE together with a capacity provider strategy (AWS rejects the pipe)',
      'FAIL DOCFLOW_PIPE_OVERRIDES aws_pipes_pipe.WorkerPipe: override worker lacks explicit cpu and memory (the provider would send 0)',
      'UNKNOWN DOCFLOW_PIPE_ROLE aws_pipes_pipe.WorkerPipe: its role arn:aws:iam::123456789012:role/pipe is not in the synthesized stacks',
      'FAIL CKV_AWS_24 aws_security_group_rule.Ssh: aws_security_group_rule.Ssh allows tcp 22-22 from the internet',
      'FAIL DOCFLOW_INGRESS aws_security_group_rule.Ssh: aws_security_group_rule.Ssh allows tcp 22-22 from the internet',
      'FAIL DOCFLOW_IAM_WILDCARDS aws_iam_role_policy.TaskPolicy: allows the wildcard action "sqs:*"',
      'FAIL CKV_AWS_66 aws_cloudwatch_log_group.WorkerLogs: keeps logs forever (set retention_in_days)',
      'FAIL DOCFLOW_TAGS provider.aws: lacks default tags project, env, stack',
    ]);
  });

  it('THEN the ALB open on 80 and 443 was weighed and passed (only SSH fails), and the clean rules judged something', () => {
    expect(linesOf('DOCFLOW_INGRESS')).toHaveLength(1);
    expect(result.evaluated).toBeGreaterThan(RULES.length);
  });
});
