import { describe, expect, it } from 'vitest';
import { at, containerDefinitionsOf, environment, findResource, onlyResource, resourcesOf, rolePolicyStatements, synthApp, testApp } from '@docflow/infra/testing';
import { DataStack } from '@docflow/stack-data';
import { FoundationStack } from '@docflow/stack-foundation';
import { NetworkStack } from '@docflow/stack-network';
import { PlatformStack } from '@docflow/stack-platform';
import { ApiStack } from './api-stack.js';

const synthFor = (name: 'dev' | 'prod') => {
  const app = testApp();
  const env = environment(name);
  const foundation = new FoundationStack(app, { env });
  const network = new NetworkStack(app, { env, foundation });
  const data = new DataStack(app, { env, foundation, network });
  const platform = new PlatformStack(app, { env, foundation, network });
  new ApiStack(app, { env, foundation, network, data, platform });
  return synthApp(app)[`${name}-api`] ?? {};
};

describe('ApiStack', () => {
  const prod = synthFor('prod');
  const apiTask = findResource(prod, 'aws_ecs_task_definition', ({ block }) => block['family'] === 'docflow-prod-api').block;
  const container = at(containerDefinitionsOf(apiTask), 0);

  it('GIVEN prod THEN 1 vCPU / 2 GiB, two tasks scaling to eight', () => {
    expect(apiTask).toMatchObject({ cpu: '1024', memory: '2048' });
    expect(onlyResource(prod, 'aws_appautoscaling_target')).toMatchObject({ min_capacity: 2, max_capacity: 8 });
  });

  it('THEN the API keys arrive as an ECS secret; the api logs in as docflow_api, fetching its login when it connects; the rest are plain settings', () => {
    expect((container['secrets'] as { name: string; valueFrom: string }[]).map(({ name, valueFrom }) => [name, valueFrom.replace(/\$\{[^}]+\}/, '<arn>')])).toEqual([
      ['DOCFLOW_API_KEYS', '<arn>'],
    ]);
    expect((container['environment'] as { name: string }[]).map(({ name }) => name)).toEqual([
      'AWS_REGION',
      'DB_HOST',
      'DB_LOGIN_ARN',
      'DB_MIGRATE',
      'DB_NAME',
      'DB_POOL_MAX_LIFETIME_SECONDS',
      'DB_PORT',
      'DB_SSL',
      'DB_SSL_CA_FILE',
      'DB_USER',
      'DOCFLOW_BUCKET',
      'DOCFLOW_ENV',
      'HOST',
      'LOG_LEVEL',
      'PORT',
    ]);
  });

  it('THEN the api may only read stored bodies: GetObject under raw/, ListBucket on the documents bucket, and in prod decrypt them with the data key', () => {
    const statements = rolePolicyStatements(prod, 'Service_Task_TaskRole');
    expect(statements.map((statement) => [statement['Action'], String(statement['Resource']).replace(/\$\{[^}]+\}/, '<arn>')])).toEqual([
      [['s3:GetObject'], '<arn>/raw/*'],
      [['s3:ListBucket'], '<arn>'],
      [['kms:Decrypt'], '<arn>'],
      [['secretsmanager:GetSecretValue'], '<arn>'],
      [['kms:Decrypt'], '<arn>'],
    ]);
    expect(String(statements[2]?.['Resource'])).toContain('cross-stack-output-aws_kms_keyKeys_DataKey');
    expect(String(statements[3]?.['Resource'])).toContain('ApiLoginSecret');
    expect(resourcesOf(prod, 'aws_iam_role_policy').filter(({ name }) => String(name).includes('Service_Task_ExecutionRole'))).toHaveLength(1);
  });

  it('THEN a deploy runs the database setup task to completion before the api service changes', () => {
    const service = findResource(prod, 'aws_ecs_service', () => true).block;
    expect(service['depends_on']).toEqual(expect.arrayContaining([expect.stringMatching(/^terraform_data\.DatabaseAdmin_Setup_\w+$/)]));
    expect(onlyResource(prod, 'aws_scheduler_schedule')['schedule_expression']).toBe('rate(30 days)');
  });

  it('THEN the image tag is a required variable, and the ALB sends every method here (ingest takes POST first)', () => {
    expect(prod.variable?.['image_tag']).toMatchObject({ type: 'string', nullable: false });
    expect(container['image']).toMatch(/:\$\{var\.image_tag\}$/);
    const rule = onlyResource(prod, 'aws_lb_listener_rule');
    expect(rule['priority']).toBe(200);
    expect(rule['condition']).toEqual([{ path_pattern: { values: ['/*'] } }]);
  });

  it('GIVEN dev THEN the api is reached through the HTTP API default route', () => {
    const dev = synthFor('dev');
    expect(onlyResource(dev, 'aws_apigatewayv2_route')['route_key']).toBe('$default');
  });
});
