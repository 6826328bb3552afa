import { AnnotationMetadataEntryType } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { environment, environmentWith, onlyResource, resourcesOf, synthApp, testApp } from '@docflow/infra/testing';
import { FoundationStack } from '@docflow/stack-foundation';
import { NetworkStack } from '@docflow/stack-network';
import { PlatformStack } from './platform-stack.js';

const stackFor = (env: ReturnType<typeof environment>) => {
  const app = testApp();
  const foundation = new FoundationStack(app, { env });
  const network = new NetworkStack(app, { env, foundation });
  return { app, stack: new PlatformStack(app, { env, foundation, network }) };
};
const synthFor = (env: ReturnType<typeof environment>) => synthApp(stackFor(env).app)[`${env.name}-platform`] ?? {};
/** The warnings synth prints for the stack. */
const warnings = (env: ReturnType<typeof environment>) =>
  stackFor(env)
    .stack.node.findAll()
    .flatMap((construct) => construct.node.metadata)
    .filter((entry) => entry.type === AnnotationMetadataEntryType.WARN)
    .map((entry) => String(entry.data));

describe('PlatformStack', () => {
  it('GIVEN dev THEN the edge is an HTTP API, and the outputs name its URL and the API keys secret', () => {
    const json = synthFor(environment('dev'));
    expect(resourcesOf(json, 'aws_lb')).toEqual([]);
    expect(json.output?.['url']?.['value']).toMatch(/^\$\{aws_apigatewayv2_api\.Platform_Edge_Api_\w+\.api_endpoint\}$/);
    expect(json.output?.['api_keys_secret']?.['value']).toContain('aws_secretsmanager_secret');
  });

  it('GIVEN prod THEN the ALB listens on HTTPS (port 80 only redirects), is deletion-protected, and the url is the https domain', () => {
    const json = synthFor(environment('prod'));
    expect(onlyResource(json, 'aws_lb')['enable_deletion_protection']).toBe(true);
    expect(resourcesOf(json, 'aws_lb_listener').map(({ block }) => block['protocol']).sort()).toEqual(['HTTP', 'HTTPS']);
    expect(json.output?.['url']?.['value']).toBe('https://docflow.example.com');
  });

  it('GIVEN a zone the foundation creates THEN the certificate records and the alias go into it, through the foundation\'s state', () => {
    const json = synthFor(environment('prod'));
    const zoneIds = resourcesOf(json, 'aws_route53_record').map(({ block }) => block['zone_id']);
    expect(zoneIds).toHaveLength(2);
    for (const zoneId of zoneIds) expect(zoneId).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-prod-foundation\.outputs\./);
  });

  it('GIVEN an existing zone id in the table THEN the records go there and the foundation creates no zone', () => {
    const env = environmentWith('prod', { domain: { name: 'docflow.acme-test.dev', hostedZone: { hostedZoneId: 'Z0EXISTING' } } });
    const json = synthFor(env);
    expect(resourcesOf(json, 'aws_route53_record').map(({ block }) => block['zone_id'])).toEqual(['Z0EXISTING', 'Z0EXISTING']);
  });

  it('GIVEN the shipped placeholder domain THEN synth warns (delivery refuses to deploy it); a real domain passes quietly', () => {
    expect(warnings(environment('staging'))).toEqual([
      'domain "staging.docflow.example.com" is a placeholder (a reserved example domain): no certificate can validate for it; set domain in the environment table',
    ]);
    expect(warnings(environmentWith('staging', { domain: { name: 'staging.docflow.acme-test.dev', hostedZone: { createZone: true } } }))).toEqual([]);
  });
});
