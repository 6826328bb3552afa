import { describe, expect, it } from 'vitest';
import { checkStacks } from '@docflow/guardrails';
import { environment, onlyResource, resourcesOf, synthApp, testApp } from '@docflow/infra/testing';
import { ApiStack } from '@docflow/stack-api';
import { DataStack } from '@docflow/stack-data';
import { FoundationStack } from '@docflow/stack-foundation';
import { NetworkStack } from '@docflow/stack-network';
import { PlatformStack } from '@docflow/stack-platform';
import { WorkerStack } from './worker-stack.js';

/** Every stack of the environment up to the worker (the api's included: the worker deploys after it). */
const defineStacks = (name: 'dev' | 'staging' | 'prod') => {
  const app = testApp();
  const env = environment(name);
  const foundation = new FoundationStack(app, { env });
  const network = new NetworkStack(app, { env, foundation });
  const data = new DataStack(app, { env, foundation, network });
  const platform = new PlatformStack(app, { env, foundation, network });
  const api = new ApiStack(app, { env, foundation, network, data, platform });
  const worker = new WorkerStack(app, { env, foundation, network, data, platform, api });
  return { app, api, worker };
};
/** Those stacks' JSON, keyed by stack id. */
const synthStacks = (name: 'dev' | 'staging' | 'prod') => synthApp(defineStacks(name).app);
const synthFor = (name: 'dev' | 'staging' | 'prod') => synthStacks(name)[`${name}-worker`] ?? {};

describe('WorkerStack', () => {
  it('GIVEN dev (pipe mode) THEN an EventBridge Pipe runs Fargate Spot tasks in the public subnets, no ECS service', () => {
    const stacks = synthStacks('dev');
    const dev = stacks['dev-worker'] ?? {};
    const pipe = onlyResource(dev, 'aws_pipes_pipe');
    expect(pipe['source']).toContain('cross-stack-reference-input-dev-data');
    expect(pipe['target_parameters']['ecs_task_parameters']['network_configuration']['aws_vpc_configuration']['assign_public_ip']).toBe('ENABLED');
    // the pipe's queue lives in dev-data: the rules follow the cross-stack references to it
    const pipeRules = ['DOCFLOW_PIPE_LAUNCH_TYPE', 'DOCFLOW_PIPE_BATCH', 'DOCFLOW_PIPE_OVERRIDES', 'DOCFLOW_PIPE_ROLE', 'DOCFLOW_QUEUE_VISIBILITY'];
    expect(checkStacks(stacks, pipeRules)).toEqual({ problems: [], evaluated: 5 });
    expect(resourcesOf(dev, 'aws_ecs_service')).toEqual([]);
    expect(onlyResource(dev, 'aws_ecs_task_definition')).toMatchObject({ cpu: '1024', memory: '2048' });
  });

  it('GIVEN staging (poll mode) THEN an autoscaled service on Fargate Spot, up to four tasks', () => {
    const staging = synthFor('staging');
    expect(onlyResource(staging, 'aws_ecs_service')['capacity_provider_strategy']).toEqual([{ capacity_provider: 'FARGATE_SPOT', weight: 1, base: 0 }]);
    expect(onlyResource(staging, 'aws_appautoscaling_target')).toMatchObject({ min_capacity: 0, max_capacity: 4 });
    expect(resourcesOf(staging, 'aws_pipes_pipe')).toEqual([]);
  });

  it('depends on the api stack, whose deploy runs the migrations, though no value crosses from it', () => {
    const { api, worker } = defineStacks('prod');
    expect(worker.dependencies).toContain(api);
    const remoteStates = Object.keys((synthStacks('prod')['prod-worker'] ?? {})['data']?.['terraform_remote_state'] ?? {});
    expect(remoteStates.length).toBeGreaterThan(0);
    expect(remoteStates.filter((name) => name.includes('prod-api'))).toEqual([]);
  });

  it('GIVEN prod THEN 2 vCPU / 4 GiB on regular Fargate', () => {
    const prod = synthFor('prod');
    expect(onlyResource(prod, 'aws_ecs_task_definition')).toMatchObject({ cpu: '2048', memory: '4096' });
    expect(onlyResource(prod, 'aws_ecs_service')['capacity_provider_strategy']).toEqual([{ capacity_provider: 'FARGATE', weight: 1, base: 0 }]);
  });
});
