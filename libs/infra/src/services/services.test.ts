import { TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { allow } from '../core/iam.js';
import { checkStack } from '@docflow/guardrails';
import {
  at,
  containerDefinitionsOf,
  onlyResource,
  resourcesOf,
  rolePolicyStatements,
  synthStack,
  testApp,
  testNetwork,
  testPlatform,
  type TerraformJson,
} from '../testing/index.js';
import { containerDefinition, type ContainerProps } from './container.js';
import { FargateService, type FargateServiceProps } from './fargate-service.js';

const container = (props: Partial<ContainerProps> = {}) =>
  containerDefinition({
    name: 'api',
    image: 'repo:tag',
    environment: { DB_HOST: 'db' },
    secrets: { DB_PASSWORD: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::' },
    logGroupName: '/docflow-test/api',
    region: 'eu-west-1',
    port: 8080,
    healthCheckPath: '/healthz',
    stopTimeoutSeconds: 30,
    ...props,
  });

describe('containerDefinition', () => {
  it('THEN the container runs as non-root on a read-only root filesystem with a writable /tmp, no capabilities and an init process', () => {
    expect(container()).toMatchObject({
      user: '1000:1000',
      readonlyRootFilesystem: true,
      mountPoints: [{ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false }],
      linuxParameters: { initProcessEnabled: true, capabilities: { drop: ['ALL'] } },
      stopTimeout: 30,
    });
  });

  it('THEN credentials travel in secrets (valueFrom), not environment', () => {
    const definition = container();
    expect(definition['secrets']).toEqual([{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password::' }]);
    expect(definition['environment']).toEqual([{ name: 'DB_HOST', value: 'db' }]);
  });

  it('THEN the health check asks the given path with node (the images have no curl), and logs go to awslogs non-blocking', () => {
    const definition = container();
    expect((definition['healthCheck'] as { command: string[] }).command.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect((definition['healthCheck'] as { command: string[] }).command[3]).toContain("fetch('http://127.0.0.1:8080/healthz')");
    expect(definition['logConfiguration']).toMatchObject({ logDriver: 'awslogs', options: { 'awslogs-group': '/docflow-test/api', mode: 'non-blocking' } });
  });

  it('GIVEN a secret in the environment THEN it refuses, naming the variable and the policy rule, never the value', () => {
    expect(() => container({ environment: { DB_PASSWORD: 'x' }, secrets: {} })).toThrow(
      'Container "api": environment variable "DB_PASSWORD" looks like a secret; pass it in secrets (DOCFLOW_CONTAINER_SECRETS)',
    );
    expect(() => container({ environment: { DATABASE_URL: 'postgres://docflow:hunter2@db/docflow' } })).toThrow(
      'Container "api": the value of environment variable "DATABASE_URL" looks like a secret; pass it in secrets (DOCFLOW_CONTAINER_SECRETS)',
    );
    expect(() => container({ environment: { DB_PASSWORD: 'x' } })).toThrow('"DB_PASSWORD" is set both in environment and in secrets');
  });

  it('GIVEN a stop timeout above Fargate Spot\'s 120 s THEN it refuses', () => {
    expect(() => container({ stopTimeoutSeconds: 300 })).toThrow('Container "api": stopTimeoutSeconds must be 2 to 120, got 300');
  });
});

type ServiceOverrides = Partial<Omit<FargateServiceProps, 'cluster' | 'vpc' | 'placement' | 'securityGroup' | 'repository' | 'logGroup' | 'edge'>> & {
  withEdge?: boolean;
};

function synthService(profile: 'standard' | 'lean', overrides: ServiceOverrides = {}): { json: TerraformJson; service: FargateService } {
  const stack = new TerraformStack(testApp(), 'test');
  const { network, securityGroups } = testNetwork(stack, profile === 'lean' ? { createPrivateSubnets: false, natMode: 'none' } : {});
  const platform = testPlatform(stack, network, profile);
  const { withEdge = true, ...props } = overrides;
  const service = new FargateService(stack, 'Ingest', {
    serviceName: 'ingest',
    namePrefix: 'docflow-test',
    cluster: platform.cluster,
    vpc: network.vpc,
    placement: network.workloadPlacement,
    securityGroup: securityGroups.of('ingest'),
    repository: platform.repositories.of('ingest'),
    imageTag: 'abc123',
    logGroup: platform.logGroups.of('ingest'),
    region: 'eu-west-1',
    cpu: 256,
    memoryMiB: 512,
    secrets: { DOCFLOW_API_KEYS: { secretArn: platform.apiKeys.secret.arn } },
    taskStatements: [allow(['sqs:SendMessage'], ['arn:aws:sqs:eu-west-1:123456789012:q'])],
    ...(withEdge ? { edge: platform.edge, route: { priority: 100, httpMethods: ['POST'] } } : {}),
    ...props,
  });
  return { json: synthStack(stack), service };
}

describe('FargateService', () => {
  describe('GIVEN the standard profile (ALB)', () => {
    const { json } = synthService('standard', { desiredCount: 2, maxCount: 4 });
    const ecsService = onlyResource(json, 'aws_ecs_service');

    it('THEN deployments roll back on failure and the service waits for a steady state', () => {
      expect(ecsService).toMatchObject({
        deployment_circuit_breaker: { enable: true, rollback: true },
        deployment_minimum_healthy_percent: 100,
        wait_for_steady_state: true,
        enable_execute_command: false,
        capacity_provider_strategy: [{ capacity_provider: 'FARGATE', weight: 1, base: 0 }],
        network_configuration: { assign_public_ip: false },
      });
      expect(ecsService['launch_type']).toBeUndefined();
    });

    it('THEN the container health check (liveness, what ECS replaces a task on) asks /healthz, the process only', () => {
      const [definition] = containerDefinitionsOf(onlyResource(json, 'aws_ecs_task_definition'));
      const command = (definition?.['healthCheck'] as { command: string[] }).command;
      expect(command[3]).toContain("fetch('http://127.0.0.1:8080/healthz')");
      expect(command.join(' ')).not.toContain('/readyz');
    });

    it('THEN the target group checks /readyz on 8080 and the listener rule takes POST only', () => {
      expect(onlyResource(json, 'aws_lb_target_group')).toMatchObject({ name: 'docflow-test-ingest', target_type: 'ip', port: 8080, health_check: { path: '/readyz' } });
      expect(onlyResource(json, 'aws_lb_listener_rule')['condition']).toEqual([
        { path_pattern: { values: ['/*'] } },
        { http_request_method: { values: ['POST'] } },
      ]);
      expect(ecsService['load_balancer']).toEqual([{ container_name: 'ingest', container_port: 8080, target_group_arn: expect.stringContaining('aws_lb_target_group') }]);
    });

    it('THEN the service port is open to the ALB security group only', () => {
      const toService = resourcesOf(json, 'aws_vpc_security_group_ingress_rule').filter(({ block }) => block['from_port'] === 8080);
      expect(toService).toHaveLength(1);
      expect(at(toService, 0).block['referenced_security_group_id']).toContain('Platform_Edge_SecurityGroup');
      expect(checkStack(json, ['DOCFLOW_INGRESS']).problems).toEqual([]);
    });

    it('THEN the container gets PORT 8080 and HOST 0.0.0.0, and no secret in its environment', () => {
      const [definition] = containerDefinitionsOf(onlyResource(json, 'aws_ecs_task_definition'));
      expect(definition?.['environment']).toEqual([
        { name: 'HOST', value: '0.0.0.0' },
        { name: 'PORT', value: '8080' },
      ]);
      expect(definition?.['image']).toMatch(/repository_url\}:abc123$/);
      expect(checkStack(json, ['DOCFLOW_CONTAINER_SECRETS']).problems).toEqual([]);
    });

    it('THEN the execution role may pull this image, write this log group and read exactly the listed secrets', () => {
      const execution = rolePolicyStatements(json, 'ExecutionRole');
      expect(execution.map((statement) => statement['Action'])).toEqual([
        ['ecr:GetAuthorizationToken'],
        ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
        ['logs:CreateLogStream', 'logs:PutLogEvents'],
        ['secretsmanager:GetSecretValue'],
      ]);
      expect(at(execution, 3)['Resource']).toEqual([expect.stringContaining('aws_secretsmanager_secret.Platform_ApiKeys_Secret')]);
      const task = rolePolicyStatements(json, 'TaskRole');
      expect(task).toEqual([{ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: ['arn:aws:sqs:eu-west-1:123456789012:q'] }]);
    });

    it('THEN CPU target tracking scales between desiredCount and maxCount, and Terraform leaves the count to it', () => {
      expect(onlyResource(json, 'aws_appautoscaling_target')).toMatchObject({ min_capacity: 2, max_capacity: 4 });
      expect(onlyResource(json, 'aws_appautoscaling_policy')['target_tracking_scaling_policy_configuration']).toMatchObject({
        target_value: 60,
        predefined_metric_specification: { predefined_metric_type: 'ECSServiceAverageCPUUtilization' },
      });
      expect(ecsService['lifecycle']).toEqual({ ignore_changes: ['desired_count'] });
    });
  });

  describe('GIVEN the lean profile (HTTP API)', () => {
    const { json } = synthService('lean');

    it('THEN the service registers SRV records in Cloud Map and the HTTP API routes POST to it through the VPC link', () => {
      expect(onlyResource(json, 'aws_service_discovery_service')['dns_config']).toMatchObject({ dns_records: [{ type: 'SRV', ttl: 10 }] });
      expect(onlyResource(json, 'aws_ecs_service')['service_registries']).toMatchObject({ container_name: 'ingest', container_port: 8080 });
      expect(onlyResource(json, 'aws_apigatewayv2_integration')).toMatchObject({ connection_type: 'VPC_LINK', integration_type: 'HTTP_PROXY' });
      expect(resourcesOf(json, 'aws_apigatewayv2_route').map(({ block }) => block['route_key']).sort()).toEqual(['POST /', 'POST /{proxy+}']);
    });

    it('THEN tasks in the public subnets get a public IP but accept 8080 only from the VPC link', () => {
      expect(onlyResource(json, 'aws_ecs_service')['network_configuration']).toMatchObject({ assign_public_ip: true });
      const toService = resourcesOf(json, 'aws_vpc_security_group_ingress_rule').filter(({ block }) => block['from_port'] === 8080);
      expect(toService.map(({ block }) => block['referenced_security_group_id'])).toEqual([expect.stringContaining('VpcLinkSecurityGroup')]);
      expect(checkStack(json, ['DOCFLOW_INGRESS']).problems).toEqual([]);
    });

    it('THEN Cloud Map follows the container health check, which asks /healthz (no target group here)', () => {
      expect(onlyResource(json, 'aws_service_discovery_service')['health_check_custom_config']).toEqual({ failure_threshold: 1 });
      const [definition] = containerDefinitionsOf(onlyResource(json, 'aws_ecs_task_definition'));
      expect((definition?.['healthCheck'] as { command: string[] }).command[3]).toContain("fetch('http://127.0.0.1:8080/healthz')");
      expect(resourcesOf(json, 'aws_lb_target_group')).toEqual([]);
    });

    it('THEN without autoscaling Terraform owns the count', () => {
      expect(resourcesOf(json, 'aws_appautoscaling_target')).toEqual([]);
      expect(onlyResource(json, 'aws_ecs_service')['desired_count']).toBe(1);
    });
  });

  it('GIVEN an edge without a route THEN it refuses', () => {
    expect(() => synthService('standard', { withEdge: false, route: { priority: 1 } })).toThrow(
      'FargateService "ingest": edge and route go together; set both or neither',
    );
  });

  it('GIVEN a name that makes the target group name longer than ALB allows THEN it refuses', () => {
    expect(() => synthService('standard', { namePrefix: 'docflow-a-much-longer-prefix' })).toThrow(
      'EdgeAttachment: targetGroupName "docflow-a-much-longer-prefix-ingest" is longer than the 32 characters ALB allows',
    );
  });

  it('GIVEN a size Fargate does not offer THEN it names the allowed memory', () => {
    expect(() => synthService('standard', { cpu: 512, memoryMiB: 512 })).toThrow(
      'FargateTask "docflow-test-ingest": memoryMiB 512 does not fit cpu 512 (Fargate allows 1024 to 4096 MiB)',
    );
  });
});
