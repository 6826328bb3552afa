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
import { checkPolicies, type PolicyCheck } from '@docflow/guardrails';
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

  // publicly_accessible left to its default, storage_encrypted forgotten
  new DbInstance(stack, 'Db', { engine: 'postgres', instanceClass: 'db.t3.micro', allocatedStorage: 20, username: 'app', password: dbPassword.stringValue });

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

describe('checkPolicies over a synthesized seed-004 stack', () => {
  const report = checkPolicies('seed004', seed004Stack());

  it('THEN every check finds its flaw, and nothing else', () => {
    expect(report.violations).toEqual([
      'seed004: aws_security_group_rule.Ssh allows ingress from the internet (tcp 22-22)',
      'seed004: aws_db_instance.Db is not explicitly private (publicly_accessible must be false)',
      'seed004: aws_db_instance.Db has unencrypted storage',
      'seed004: aws_ecs_task_definition.Worker container worker: environment variable DB_PASSWORD looks like a secret (use secrets)',
      "seed004: aws_sqs_queue.Queue has no dead-letter queue and is no queue's DLQ",
      'seed004: aws_pipes_pipe.WorkerPipe sets launch_type (use capacity_provider_strategy only)',
      'seed004: aws_pipes_pipe.WorkerPipe override worker lacks explicit cpu and memory',
      'seed004: aws_cloudwatch_log_group.WorkerLogs keeps logs forever (set retention_in_days)',
      'seed004: aws_iam_role_policy.TaskPolicy allows the wildcard action "sqs:*"',
      'seed004: the aws provider lacks default tags project, env, stack',
    ]);
  });

  it('THEN each check inspected something (the ALB exception was weighed, not skipped)', () => {
    for (const check of Object.keys(report.checked) as PolicyCheck[]) expect(report.checked[check], check).toBeGreaterThan(0);
    expect(report.checked.ingress).toBe(3);
  });
});
