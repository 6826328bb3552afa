import { describe, expect, it } from 'vitest';
import { environment, environmentWith, onlyResource, resourcesOf, synthApp, testApp } from '@docflow/infra/testing';
import { FoundationStack } from '@docflow/stack-foundation';
import { NetworkStack } from '@docflow/stack-network';
import { PlatformStack } from './platform-stack.js';

const synthFor = (env: ReturnType<typeof environment>) => {
  const app = testApp();
  const foundation = new FoundationStack(app, { env });
  const network = new NetworkStack(app, { env, foundation });
  new PlatformStack(app, { env, foundation, network });
  return synthApp(app)[`${env.name}-platform`] ?? {};
};

describe('PlatformStack', () => {
  it('GIVEN dev THEN the edge is an HTTP API, and the outputs name its URL and the API keys secret', () => {
    const json = synthFor(environment('dev'));
    expect(resourcesOf(json, 'aws_lb')).toEqual([]);
    expect(json.output?.['url']?.['value']).toMatch(/^\$\{aws_apigatewayv2_api\.Platform_Edge_Api_\w+\.api_endpoint\}$/);
    expect(json.output?.['api_keys_secret']?.['value']).toContain('aws_secretsmanager_secret');
  });

  it('GIVEN prod with a certificate THEN the ALB listens on HTTPS and is deletion-protected', () => {
    const json = synthFor(environmentWith('prod', { certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }));
    expect(onlyResource(json, 'aws_lb')['enable_deletion_protection']).toBe(true);
    expect(resourcesOf(json, 'aws_lb_listener').map(({ block }) => block['protocol']).sort()).toEqual(['HTTP', 'HTTPS']);
    expect(String(json.output?.['url']?.['value'])).toMatch(/^https:\/\//);
  });
});
