import { describe, expect, it } from 'vitest';
import { checkPolicies, type PolicyCheck } from './policy.js';
import type { TerraformJson } from './terraform-json.js';

/** A stack that passes every check, to change one thing at a time. */
function cleanStack(): TerraformJson {
  return {
    provider: { aws: [{ region: 'eu-west-1', default_tags: [{ tags: { project: 'docflow', env: 'dev', stack: 'x' } }] }] },
    resource: {
      aws_lb: { Alb: { security_groups: ['${aws_security_group.AlbGroup.id}'] } },
      aws_security_group: { AlbGroup: { name: 'alb' } },
      aws_vpc_security_group_ingress_rule: {
        Https: { security_group_id: '${aws_security_group.AlbGroup.id}', cidr_ipv4: '0.0.0.0/0', ip_protocol: 'tcp', from_port: 443, to_port: 443 },
      },
      aws_db_instance: { Db: { publicly_accessible: false, storage_encrypted: true } },
      aws_ecs_task_definition: {
        Task: { container_definitions: JSON.stringify([{ name: 'api', environment: [{ name: 'DB_HOST', value: 'db' }] }]) },
      },
      aws_sqs_queue: {
        Queue: { redrive_policy: JSON.stringify({ deadLetterTargetArn: '${aws_sqs_queue.Dlq.arn}', maxReceiveCount: 5 }) },
        Dlq: { message_retention_seconds: 1_209_600 },
      },
      aws_pipes_pipe: {
        Pipe: {
          source: '${aws_sqs_queue.Queue.arn}',
          source_parameters: { sqs_queue_parameters: { batch_size: 1 } },
          target_parameters: {
            ecs_task_parameters: {
              capacity_provider_strategy: [{ capacity_provider: 'FARGATE_SPOT' }],
              overrides: { container_override: [{ name: 'worker', cpu: 1024, memory: 2048, environment: [{ name: 'SQS_BODY', value: '$.body' }] }] },
            },
          },
        },
      },
      aws_cloudwatch_log_group: { Logs: { retention_in_days: 7 } },
      aws_iam_role_policy: {
        Policy: { policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['x'] }] }) },
      },
      aws_s3_bucket_policy: {
        Tls: { policy: JSON.stringify({ Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: 'x', Principal: { AWS: '*' } }] }) },
      },
    },
  };
}

function withResource(type: string, name: string, block: Record<string, unknown>): TerraformJson {
  const json = cleanStack();
  return { ...json, resource: { ...json.resource, [type]: { ...json.resource?.[type], [name]: block } } };
}

describe('checkPolicies', () => {
  it('GIVEN a clean stack THEN no violation, and every check looked at something', () => {
    const report = checkPolicies('dev-x', cleanStack());
    expect(report.violations).toEqual([]);
    for (const check of Object.keys(report.checked) as PolicyCheck[]) expect(report.checked[check], check).toBeGreaterThan(0);
  });

  it('GIVEN SSH open to the internet, or a non-web port on the ALB THEN it reports the rule', () => {
    const ssh = withResource('aws_vpc_security_group_ingress_rule', 'Ssh', {
      security_group_id: '${aws_security_group.Other.id}',
      cidr_ipv4: '0.0.0.0/0',
      ip_protocol: 'tcp',
      from_port: 22,
      to_port: 22,
    });
    expect(checkPolicies('dev-x', ssh).violations).toEqual(['dev-x: aws_vpc_security_group_ingress_rule.Ssh allows ingress from the internet (tcp 22-22)']);
    const albAll = withResource('aws_vpc_security_group_ingress_rule', 'AlbAll', {
      security_group_id: '${aws_security_group.AlbGroup.id}',
      cidr_ipv6: '::/0',
      ip_protocol: '-1',
    });
    expect(checkPolicies('dev-x', albAll).violations).toEqual(['dev-x: aws_vpc_security_group_ingress_rule.AlbAll allows ingress from the internet (-1 -1--1)']);
    const inline = withResource('aws_security_group', 'Legacy', { ingress: [{ cidr_blocks: ['0.0.0.0/0'], protocol: 'tcp', from_port: 5432, to_port: 5432 }] });
    expect(checkPolicies('dev-x', inline).violations).toEqual(['dev-x: aws_security_group.Legacy (inline) allows ingress from the internet (tcp 5432-5432)']);
  });

  it('GIVEN a public or unencrypted database THEN it reports both', () => {
    const json = withResource('aws_db_instance', 'Db', { publicly_accessible: true });
    expect(checkPolicies('dev-x', json).violations).toEqual([
      'dev-x: aws_db_instance.Db is not explicitly private (publicly_accessible must be false)',
      'dev-x: aws_db_instance.Db has unencrypted storage',
    ]);
  });

  it('GIVEN seed 004\'s DB_PASSWORD in a container environment (or a secret-looking value, or one in a pipe override) THEN it reports them', () => {
    const json = withResource('aws_ecs_task_definition', 'Seed004', {
      container_definitions: JSON.stringify([
        { name: 'worker', environment: [{ name: 'DB_PASSWORD', value: 'x' }, { name: 'DATABASE_URL', value: 'postgres://u:p@db/docflow' }] },
      ]),
    });
    expect(checkPolicies('dev-x', json).violations).toEqual([
      'dev-x: aws_ecs_task_definition.Seed004 container worker: environment variable DB_PASSWORD looks like a secret (use secrets)',
      'dev-x: aws_ecs_task_definition.Seed004 container worker: the value of environment variable DATABASE_URL looks like a secret',
    ]);
    const pipe = withResource('aws_pipes_pipe', 'Leaky', {
      target_parameters: {
        ecs_task_parameters: {
          capacity_provider_strategy: [{}],
          overrides: { container_override: [{ name: 'worker', cpu: 1, memory: 1, environment: [{ name: 'API_KEY', value: 'k' }] }] },
        },
      },
    });
    expect(checkPolicies('dev-x', pipe).violations).toEqual(['dev-x: aws_pipes_pipe.Leaky override worker: environment variable API_KEY looks like a secret (use secrets)']);
  });

  it('GIVEN a queue with no DLQ, or one that dead-letters too early THEN it reports it', () => {
    const orphan = withResource('aws_sqs_queue', 'Orphan', {});
    expect(checkPolicies('dev-x', orphan).violations).toEqual(["dev-x: aws_sqs_queue.Orphan has no dead-letter queue and is no queue's DLQ"]);
    const hasty = withResource('aws_sqs_queue', 'Queue', { redrive_policy: JSON.stringify({ deadLetterTargetArn: '${aws_sqs_queue.Dlq.arn}', maxReceiveCount: 2 }) });
    expect(checkPolicies('dev-x', hasty).violations).toEqual(['dev-x: aws_sqs_queue.Queue dead-letters after 2 receives (at least 5)']);
  });

  it('GIVEN a DLQ that keeps messages no longer than its queue (SQS defaults both to 4 days) THEN it reports it', () => {
    const json = withResource('aws_sqs_queue', 'Dlq', {});
    expect(checkPolicies('dev-x', json).violations).toEqual([
      'dev-x: aws_sqs_queue.Queue keeps messages 345600 s, its DLQ aws_sqs_queue.Dlq only 345600 s (the DLQ must keep them longer)',
    ]);
  });

  it('GIVEN seed 004\'s pipe (launch_type with a Spot strategy, no cpu/memory) THEN it reports both', () => {
    const json = withResource('aws_pipes_pipe', 'Pipe', {
      target_parameters: {
        ecs_task_parameters: {
          launch_type: 'FARGATE',
          capacity_provider_strategy: [{ capacity_provider: 'FARGATE_SPOT' }],
          overrides: { container_override: [{ name: 'worker', environment: [] }] },
        },
      },
    });
    expect(checkPolicies('dev-x', json).violations).toEqual([
      'dev-x: aws_pipes_pipe.Pipe sets launch_type (use capacity_provider_strategy only)',
      'dev-x: aws_pipes_pipe.Pipe override worker lacks explicit cpu and memory',
    ]);
  });

  it('GIVEN a pipe that reads SQS in batches (or leaves the batch size at its default of 10) THEN it reports it', () => {
    const clean = cleanStack().resource?.['aws_pipes_pipe']?.['Pipe'] ?? {};
    const batched = withResource('aws_pipes_pipe', 'Pipe', { ...clean, source_parameters: { sqs_queue_parameters: { batch_size: 5 } } });
    expect(checkPolicies('dev-x', batched).violations).toEqual(['dev-x: aws_pipes_pipe.Pipe reads 5 SQS messages per task (use batch_size 1)']);
    const { source_parameters: _omitted, ...defaulted } = clean;
    expect(checkPolicies('dev-x', withResource('aws_pipes_pipe', 'Pipe', defaulted)).violations).toEqual([
      'dev-x: aws_pipes_pipe.Pipe reads 10 SQS messages per task (use batch_size 1)',
    ]);
  });

  it('GIVEN a log group without retention THEN it reports it', () => {
    expect(checkPolicies('dev-x', withResource('aws_cloudwatch_log_group', 'Forever', {})).violations).toEqual([
      'dev-x: aws_cloudwatch_log_group.Forever keeps logs forever (set retention_in_days)',
    ]);
  });

  it('GIVEN an Allow with a wildcard action THEN it reports it (a Deny with s3:* is fine)', () => {
    const json = withResource('aws_iam_role_policy', 'Admin', { policy: JSON.stringify({ Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }) });
    expect(checkPolicies('dev-x', json).violations).toEqual(['dev-x: aws_iam_role_policy.Admin allows the wildcard action "*"']);
    const partial = withResource('aws_iam_role', 'Role', { assume_role_policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'sts:*' }] }) });
    expect(checkPolicies('dev-x', partial).violations).toEqual(['dev-x: aws_iam_role.Role allows the wildcard action "sts:*"']);
    const inverted = withResource('aws_iam_policy', 'AllBut', {
      policy: JSON.stringify({ Statement: [{ Effect: 'Allow', NotAction: ['iam:*'], Resource: ['*'] }] }),
    });
    expect(checkPolicies('dev-x', inverted).violations).toEqual(['dev-x: aws_iam_policy.AllBut allows every action except some (NotAction); list the actions']);
  });

  it('GIVEN a provider without the tags THEN it names the missing ones', () => {
    const json = { ...cleanStack(), provider: { aws: [{ region: 'eu-west-1', default_tags: [{ tags: { project: 'docflow' } }] }] } };
    expect(checkPolicies('dev-x', json).violations).toEqual(['dev-x: the aws provider lacks default tags env, stack']);
  });
});
