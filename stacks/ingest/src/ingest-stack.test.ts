import { describe, expect, it } from 'vitest';
import { at, containerDefinitionsOf, environment, onlyResource, rolePolicyStatements, synthApp, testApp } from '@docflow/infra/testing';
import { DataStack } from '@docflow/stack-data';
import { FoundationStack } from '@docflow/stack-foundation';
import { NetworkStack } from '@docflow/stack-network';
import { PlatformStack } from '@docflow/stack-platform';
import { IngestStack } from './ingest-stack.js';

const synthFor = (name: 'dev' | 'staging') => {
  const app = testApp();
  const env = environment(name);
  const foundation = new FoundationStack(app, { env });
  const network = new NetworkStack(app, { env, foundation });
  const data = new DataStack(app, { env, foundation, network });
  const platform = new PlatformStack(app, { env, foundation, network });
  new IngestStack(app, { env, foundation, network, data, platform });
  return synthApp(app)[`${name}-ingest`] ?? {};
};

describe('IngestStack', () => {
  const staging = synthFor('staging');

  it('THEN the task role allows exactly what ingest calls: PutObject under raw/, HeadBucket, SendMessage and GetQueueAttributes', () => {
    expect(rolePolicyStatements(staging, 'TaskRole').map((statement) => [statement['Action'], String(statement['Resource']).replace(/\$\{[^}]+\}/, '<arn>')])).toEqual([
      [['s3:PutObject'], '<arn>/raw/*'],
      [['s3:ListBucket'], '<arn>'],
      [['sqs:SendMessage', 'sqs:GetQueueAttributes'], '<arn>'],
    ]);
  });

  it('THEN ingest gets the queue and bucket, the API keys as a secret, and nothing about the database', () => {
    const container = at(containerDefinitionsOf(onlyResource(staging, 'aws_ecs_task_definition')), 0);
    const names = (container['environment'] as { name: string }[]).map(({ name }) => name);
    expect(names).toEqual(expect.arrayContaining(['DOCFLOW_QUEUE_URL', 'DOCFLOW_BUCKET', 'PORT', 'HOST']));
    expect(names.filter((name) => name.startsWith('DB_'))).toEqual([]);
    expect((container['secrets'] as { name: string }[]).map(({ name }) => name)).toEqual(['DOCFLOW_API_KEYS']);
  });

  it('THEN the ALB sends it POST requests, ahead of the api', () => {
    const rule = onlyResource(staging, 'aws_lb_listener_rule');
    expect(rule['priority']).toBe(100);
    expect(rule['condition']).toContainEqual({ http_request_method: { values: ['POST'] } });
  });

  it('GIVEN dev THEN the HTTP API routes POST to it', () => {
    const dev = synthFor('dev');
    expect(Object.values(dev.resource?.['aws_apigatewayv2_route'] ?? {}).map((route) => route['route_key']).sort()).toEqual(['POST /', 'POST /{proxy+}']);
  });
});
