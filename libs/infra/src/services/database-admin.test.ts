import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerraformStack } from 'cdktf';
import { afterAll, describe, expect, it } from 'vitest';
import { checkStack } from '@docflow/guardrails';
import { DataLayer } from '../data/data-layer.js';
import { at, containerDefinitionsOf, findResource, onlyResource, parsePolicy, resourcesOf, rolePolicyStatements, synthStack, testApp, testNetwork, testPlatform } from '../testing/index.js';
import { DatabaseAdmin, SETUP_SCRIPT } from './database-admin.js';

function synthAdmin(rotationDays = 30) {
  const stack = new TerraformStack(testApp(), 'test');
  const { network, securityGroups } = testNetwork(stack);
  const platform = testPlatform(stack, network, 'standard');
  const data = new DataLayer(stack, 'Data', { namePrefix: 'docflow-test', network, databaseClients: [securityGroups.of('api')], queues: { visibilityTimeoutSeconds: 720 } });
  new DatabaseAdmin(stack, 'DatabaseAdmin', {
    namePrefix: 'docflow-test',
    region: 'eu-west-1',
    cluster: platform.cluster,
    repository: platform.repositories.of('api'),
    imageTag: 'abc123',
    logGroup: platform.logGroups.of('api'),
    placement: network.workloadPlacement,
    securityGroup: securityGroups.of('api'),
    database: data.database,
    rotationDays,
    environment: { DOCFLOW_ENV: 'test', AWS_REGION: 'eu-west-1', LOG_LEVEL: 'info' },
  });
  return synthStack(stack);
}

describe('DatabaseAdmin', () => {
  const json = synthAdmin();
  const task = findResource(json, 'aws_ecs_task_definition', ({ block }) => block['family'] === 'docflow-test-db-admin').block;
  const container = at(containerDefinitionsOf(task), 0);
  const setupEnvironment = (onlyResource(json, 'terraform_data')['provisioner'] as { 'local-exec': { environment: Record<string, string> } }[])[0]?.['local-exec'].environment ?? {};

  it('THEN the task runs db-admin.js from the api image as the master user, verifying the server\'s certificate', () => {
    expect(container['command']).toEqual(['node', '--enable-source-maps', 'db-admin.js', 'rotate']);
    expect(String(container['image'])).toMatch(/^\$\{aws_ecr_repository\.Platform_Repositories_Api_\w+\.repository_url\}:abc123$/);
    const environment = Object.fromEntries((container['environment'] as { name: string; value: string }[]).map(({ name, value }) => [name, value]));
    expect(environment).toMatchObject({ DB_USER: 'docflow', DB_SSL: 'verify-full', DB_SSL_CA_FILE: '/app/rds-ca-bundle.pem' });
    expect(environment['DB_LOGIN_ARN']).toContain('master_user_secret');
    expect(container['secrets']).toEqual([]);
    expect(checkStack(json, ['DOCFLOW_DB_MASTER_SECRET', 'DOCFLOW_CONTAINER_SECRETS']).problems).toEqual([]);
  });

  it('THEN its role reads the master secret and writes only the two login secrets', () => {
    const statements = rolePolicyStatements(json, 'DatabaseAdmin_Task_TaskRole');
    expect(statements.map((statement) => statement['Action'])).toEqual([
      ['secretsmanager:GetSecretValue'],
      ['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
    ]);
    expect(statements[1]?.['Resource']).toEqual([expect.stringContaining('ApiLoginSecret'), expect.stringContaining('WorkerLoginSecret')]);
  });

  it('THEN the scheduler rotates every 30 days by running the task as defined (its command is `rotate`, no input), through a role that may start only it', () => {
    const schedule = onlyResource(json, 'aws_scheduler_schedule');
    expect(schedule).toMatchObject({
      name: 'docflow-test-db-rotation',
      schedule_expression: 'rate(30 days)',
      target: { ecs_parameters: { launch_type: 'FARGATE', task_count: 1, task_definition_arn: expect.stringMatching(/^\$\{aws_ecs_task_definition\.DatabaseAdmin_Task_TaskDefinition_\w+\.arn\}$/) } },
    });
    expect(schedule['target']['input']).toBeUndefined();
    const role = findResource(json, 'aws_iam_role', ({ block }) => block['name'] === 'docflow-test-db-rotation').block;
    expect(at(parsePolicy(role['assume_role_policy']).Statement, 0)['Principal']).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(rolePolicyStatements(json, 'SchedulerRole').map((statement) => statement['Action'])).toEqual([['ecs:RunTask'], ['iam:PassRole']]);
  });

  it('GIVEN a daily rotation THEN the rate uses the singular unit, as EventBridge requires (DOCFLOW_SCHEDULE checks both)', () => {
    const daily = synthAdmin(1);
    expect(onlyResource(daily, 'aws_scheduler_schedule')['schedule_expression']).toBe('rate(1 day)');
    expect(checkStack(daily, ['DOCFLOW_SCHEDULE']).problems).toEqual([]);
    expect(checkStack(json, ['DOCFLOW_SCHEDULE']).problems).toEqual([]);
  });

  it('THEN the deploy runs the setup task again whenever the task definition changes, overriding the command with `setup`', () => {
    const setup = onlyResource(json, 'terraform_data');
    expect(JSON.parse(setupEnvironment['OVERRIDES'] ?? '')).toEqual({ containerOverrides: [{ name: 'db-admin', command: ['node', '--enable-source-maps', 'db-admin.js', 'setup'] }] });
    expect(setup['triggers_replace']).toEqual({ task_definition: expect.stringMatching(/^\$\{aws_ecs_task_definition\.DatabaseAdmin_Task_TaskDefinition_\w+\.arn\}$/) });
    expect(setup['provisioner']).toEqual([{ 'local-exec': expect.objectContaining({ command: SETUP_SCRIPT, interpreter: ['/bin/sh', '-c'] }) }]);
  });

  it('THEN no password passes through Terraform (no secret version)', () => {
    expect(resourcesOf(json, 'aws_secretsmanager_secret_version')).toEqual([]);
  });
});

/**
 * The setup run as `terraform apply` runs it: real Terraform applying a `terraform_data` with the
 * same provisioner and script, and a stand-in `aws` CLI on the PATH (there is no AWS here) that
 * answers run-task, wait and describe-tasks and records its calls.
 */
describe('the deploy\'s setup run (a stand-in aws CLI: no AWS here)', () => {
  const root = mkdtempSync(join(tmpdir(), 'docflow-setup-run-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function apply(exitCode: number) {
    const dir = mkdtempSync(join(root, 'run-'));
    const calls = join(dir, 'calls.log');
    const aws = join(dir, 'aws');
    writeFileSync(
      aws,
      [
        '#!/bin/sh',
        `echo "$*" >> "${calls}"`,
        'case "$2" in',
        '  run-task) echo "arn:aws:ecs:eu-west-1:123456789012:task/docflow/abc" ;;',
        '  wait) exit 0 ;;',
        `  describe-tasks) echo "${exitCode}" ;;`,
        'esac',
      ].join('\n'),
    );
    chmodSync(aws, 0o755);
    writeFileSync(
      join(dir, 'main.tf.json'),
      JSON.stringify({
        resource: {
          terraform_data: {
            Setup: {
              triggers_replace: ['task-definition:1'],
              provisioner: [
                {
                  'local-exec': {
                    interpreter: ['/bin/sh', '-c'],
                    environment: {
                      AWS_REGION: 'eu-west-1',
                      CLUSTER: 'docflow-test',
                      TASK_DEFINITION: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/docflow-test-db-admin:1',
                      NETWORK: 'awsvpcConfiguration={subnets=[subnet-1],securityGroups=[sg-1],assignPublicIp=DISABLED}',
                      OVERRIDES: '{"containerOverrides":[{"name":"db-admin","command":["node","--enable-source-maps","db-admin.js","setup"]}]}',
                    },
                    command: SETUP_SCRIPT,
                  },
                },
              ],
            },
          },
        },
      }),
    );
    const env = { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}`, TF_IN_AUTOMATION: '1' };
    const init = spawnSync('terraform', ['init', '-input=false', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    const result = spawnSync('terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
    return { result, calls: readFileSync(calls, 'utf8').trim().split('\n') };
  }

  it('GIVEN the task exits 0 THEN the apply succeeds, after starting the task with the network and waiting for it to stop', () => {
    const { result, calls } = apply(0);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('db-admin setup: done');
    expect(calls).toEqual([
      'ecs run-task --cluster docflow-test --task-definition arn:aws:ecs:eu-west-1:123456789012:task-definition/docflow-test-db-admin:1 --launch-type FARGATE --count 1 --network-configuration awsvpcConfiguration={subnets=[subnet-1],securityGroups=[sg-1],assignPublicIp=DISABLED} --overrides {"containerOverrides":[{"name":"db-admin","command":["node","--enable-source-maps","db-admin.js","setup"]}]} --query tasks[0].taskArn --output text',
      'ecs wait tasks-stopped --cluster docflow-test --tasks arn:aws:ecs:eu-west-1:123456789012:task/docflow/abc',
      'ecs describe-tasks --cluster docflow-test --tasks arn:aws:ecs:eu-west-1:123456789012:task/docflow/abc --query tasks[0].containers[0].exitCode --output text',
    ]);
  });

  it('GIVEN the task exits 1 THEN the apply fails, so the api service is not changed', () => {
    const { result } = apply(1);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('db-admin setup failed (exit code 1)');
  });
});
