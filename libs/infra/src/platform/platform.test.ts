import { AnnotationMetadataEntryType, TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { checkStack } from '@docflow/guardrails';
import { at, onlyResource, resourcesOf, synthStack, testApp, testNetwork } from '../testing/index.js';
import { logGroupWithRetention } from '../core/log-group.js';
import { AppLogGroups } from './app-log-groups.js';
import { LoadBalancerEdge, TLS_POLICY } from './load-balancer-edge.js';
import { Platform, type PlatformProps } from './platform.js';
import { Repositories } from './repositories.js';

function synthPlatform(props: Partial<Omit<PlatformProps, 'network'>> = {}) {
  const stack = new TerraformStack(testApp(), 'test');
  const { network } = testNetwork(stack, props.profile === 'lean' ? { createPrivateSubnets: false, natMode: 'none' } : {});
  const platform = new Platform(stack, 'Platform', { namePrefix: 'docflow-test', profile: 'standard', network, logRetentionDays: 30, ...props });
  return { json: synthStack(stack), stack, platform };
}

const CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc';

describe('Platform', () => {
  describe('GIVEN any profile', () => {
    const { json } = synthPlatform();

    it('THEN the ECS cluster has Container Insights and both Fargate capacity providers', () => {
      expect(onlyResource(json, 'aws_ecs_cluster')).toMatchObject({ name: 'docflow-test', setting: [{ name: 'containerInsights', value: 'enabled' }] });
      expect(onlyResource(json, 'aws_ecs_cluster_capacity_providers')).toMatchObject({
        capacity_providers: ['FARGATE', 'FARGATE_SPOT'],
        default_capacity_provider_strategy: [{ capacity_provider: 'FARGATE', weight: 1, base: 0 }],
      });
    });

    it('THEN each app has an ECR repository with immutable tags, scan on push and a lifecycle', () => {
      const repositories = resourcesOf(json, 'aws_ecr_repository').map(({ block }) => block);
      expect(repositories.map((repository) => repository['name']).sort()).toEqual(['docflow-test-api', 'docflow-test-ingest', 'docflow-test-worker']);
      for (const repository of repositories) {
        expect(repository).toMatchObject({ image_tag_mutability: 'IMMUTABLE', image_scanning_configuration: { scan_on_push: true }, force_delete: false });
      }
      const rules = JSON.parse(at(resourcesOf(json, 'aws_ecr_lifecycle_policy'), 0).block['policy']).rules;
      expect(rules.map((rule: { selection: { tagStatus: string; countType: string } }) => [rule.selection.tagStatus, rule.selection.countType])).toEqual([
        ['untagged', 'sinceImagePushed'],
        ['any', 'imageCountMoreThan'],
      ]);
    });

    it('THEN each app has a log group with retention, and the API keys secret has no value in Terraform', () => {
      const groups = resourcesOf(json, 'aws_cloudwatch_log_group').map(({ block }) => [block['name'], block['retention_in_days']]);
      expect(groups).toEqual(expect.arrayContaining([['/docflow-test/api', 30], ['/docflow-test/ingest', 30], ['/docflow-test/worker', 30]]));
      expect(checkStack(json, ['CKV_AWS_66']).problems).toEqual([]);
      expect(onlyResource(json, 'aws_secretsmanager_secret')['name']).toBe('docflow-test/api-keys');
      expect(resourcesOf(json, 'aws_secretsmanager_secret_version')).toEqual([]);
    });
  });

  describe('GIVEN the standard profile with a certificate', () => {
    const { json, platform } = synthPlatform({ certificateArn: CERTIFICATE });

    it('THEN the ALB is public, drops invalid headers and listens with HTTPS (TLS 1.2+) and an HTTP redirect', () => {
      expect(onlyResource(json, 'aws_lb')).toMatchObject({ internal: false, drop_invalid_header_fields: true, enable_deletion_protection: true });
      const listeners = resourcesOf(json, 'aws_lb_listener').map(({ block }) => block);
      const https = at(listeners.filter((listener) => listener['port'] === 443), 0);
      const http = at(listeners.filter((listener) => listener['port'] === 80), 0);
      expect(https).toMatchObject({ protocol: 'HTTPS', ssl_policy: TLS_POLICY, certificate_arn: CERTIFICATE });
      expect(https['default_action'][0]).toMatchObject({ type: 'fixed-response', fixed_response: { status_code: '404' } });
      expect(http['default_action'][0]).toMatchObject({ type: 'redirect', redirect: { protocol: 'HTTPS', status_code: 'HTTP_301' } });
      expect(platform.edge.kind).toBe('alb');
    });

    it('THEN only the ALB is open to the internet, on 80 and 443', () => {
      const open = resourcesOf(json, 'aws_vpc_security_group_ingress_rule').filter(({ block }) => block['cidr_ipv4'] === '0.0.0.0/0');
      expect(open.map(({ block }) => block['from_port']).sort()).toEqual([443, 80]);
      expect(checkStack(json, ['DOCFLOW_INGRESS']).problems).toEqual([]);
    });
  });

  describe('GIVEN the standard profile without a certificate', () => {
    it('THEN the ALB serves HTTP and cdktf warns that API keys would cross in clear', () => {
      const { json, stack } = synthPlatform();
      expect(resourcesOf(json, 'aws_lb_listener').map(({ block }) => [block['port'], block['protocol']])).toEqual([[80, 'HTTP']]);
      const warnings = stack.node
        .findAll()
        .flatMap((construct) => construct.node.metadata)
        .filter((entry) => entry.type === AnnotationMetadataEntryType.WARN)
        .map((entry) => String(entry.data));
      expect(warnings.some((warning) => warning.includes('API keys cross the internet unencrypted'))).toBe(true);
    });
  });

  describe('GIVEN the lean profile', () => {
    const { json, platform } = synthPlatform({ profile: 'lean', protectFromDeletion: false });

    it('THEN there is no load balancer, but an HTTP API reaching the VPC through a VPC link and Cloud Map', () => {
      expect(resourcesOf(json, 'aws_lb')).toEqual([]);
      expect(onlyResource(json, 'aws_apigatewayv2_api')).toMatchObject({ protocol_type: 'HTTP' });
      expect(onlyResource(json, 'aws_apigatewayv2_vpc_link')['subnet_ids']).toHaveLength(2);
      expect(onlyResource(json, 'aws_service_discovery_private_dns_namespace')['name']).toBe('docflow-test.internal');
      expect(platform.edge.kind).toBe('http-api');
    });

    it('THEN the stage is throttled and access-logged to a group with retention', () => {
      const stage = onlyResource(json, 'aws_apigatewayv2_stage');
      expect(stage).toMatchObject({ name: '$default', auto_deploy: true, default_route_settings: { throttling_rate_limit: 50, throttling_burst_limit: 100 } });
      expect(stage['access_log_settings']['destination_arn']).toContain('aws_cloudwatch_log_group');
      expect(checkStack(json, ['DOCFLOW_INGRESS']).problems).toEqual([]);
    });

    it('THEN repositories and the secret may be deleted with the environment', () => {
      expect(resourcesOf(json, 'aws_ecr_repository').every(({ block }) => block['force_delete'] === true)).toBe(true);
      expect(onlyResource(json, 'aws_secretsmanager_secret')['recovery_window_in_days']).toBe(0);
    });

    it('WHEN a certificate is given THEN it refuses (no ALB to put it on)', () => {
      expect(() => synthPlatform({ profile: 'lean', certificateArn: CERTIFICATE })).toThrow(
        'Platform: certificateArn configures the ALB, which the lean profile does not have',
      );
    });
  });
});

describe('platform constructs GIVEN invalid props', () => {
  const inStack = (build: (stack: TerraformStack) => void) => () => build(new TerraformStack(testApp(), 'test'));

  it('THEN an ALB with fewer than two public subnets is refused', () => {
    expect(
      inStack((stack) => {
        const { network } = testNetwork(stack);
        new LoadBalancerEdge(stack, 'Edge', { namePrefix: 'docflow-test', vpc: network.vpc, publicSubnets: network.publicSubnets.slice(0, 1) });
      }),
    ).toThrow('LoadBalancerEdge: an ALB needs public subnets in at least two AZs');
  });

  it('THEN a lifecycle keeping no image, or an unknown app, is refused naming the known ones', () => {
    expect(inStack((stack) => new Repositories(stack, 'Repositories', { namePrefix: 'd', apps: ['api'], keepImages: 0 }))).toThrow(
      'Repositories: keepImages must be at least 1, got 0',
    );
    expect(inStack((stack) => new Repositories(stack, 'Repositories', { namePrefix: 'd', apps: ['api', 'ingest'] }).of('worker'))).toThrow(
      'Repositories: no repository for "worker" (have api, ingest)',
    );
    expect(inStack((stack) => new AppLogGroups(stack, 'Logs', { namePrefix: 'd', apps: ['api'], retentionDays: 7 }).of('worker'))).toThrow(
      'AppLogGroups: no log group for "worker" (have api)',
    );
  });

  it('THEN a log group retention CloudWatch does not offer is refused', () => {
    expect(inStack((stack) => logGroupWithRetention(stack, 'Logs', { name: '/d/api', retentionDays: 10 }))).toThrow(
      'Log group "/d/api": retentionDays 10 is not a CloudWatch retention',
    );
  });
});
