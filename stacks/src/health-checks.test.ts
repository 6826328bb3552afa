import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '@docflow/infra';
import { containerDefinitionsOf, findResource, onlyResource, resourcesOf, synthApp, testApp, type TerraformJson } from '@docflow/infra/testing';
import { defineDocflow } from './app.js';
import { readSettings } from './settings.js';

/**
 * Liveness and readiness of the HTTP services, per environment and service (issue 8, item 3).
 * ECS replaces a task whose container health check fails, so that check asks `/healthz` (the
 * process answers; libs/http health.ts) and never `/readyz`: otherwise a database (api) or SQS/S3
 * (ingest) outage longer than the readiness grace would get every task killed and replaced. The
 * load balancer's target group keeps `/readyz`, so a task that cannot reach its dependencies leaves
 * the rotation.
 */
const app = testApp();
defineDocflow(app, readSettings(ENVIRONMENTS, {}));
const stacks = synthApp(app);

interface HealthCheck {
  readonly command: string[];
  readonly interval: number;
  readonly retries: number;
}

/** The service's container health check (the api stack also holds the db-admin task, which has none). */
function containerHealthCheck(json: TerraformJson): HealthCheck {
  const task = findResource(json, 'aws_ecs_task_definition', ({ name }) => name.startsWith('Service_'));
  const [definition, ...others] = containerDefinitionsOf(task.block);
  expect(others).toEqual([]);
  return definition?.['healthCheck'] as HealthCheck;
}

const cases = ENVIRONMENTS.flatMap((env) => (['api', 'ingest'] as const).map((service) => [env.name, service, env.profile] as const));

describe.each(cases)('%s-%s', (envName, service, profile) => {
  const json: TerraformJson = stacks[`${envName}-${service}`] ?? {};

  it('THEN the container health check asks /healthz with node, and nothing that depends on another service', () => {
    const check = containerHealthCheck(json);
    expect(check.command.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(check.command[3]).toContain("fetch('http://127.0.0.1:8080/healthz')");
    expect(check.command.join(' ')).not.toContain('/readyz');
  });

  if (profile === 'standard') {
    it('THEN the target group asks /readyz (readiness stays with the load balancer)', () => {
      expect(onlyResource(json, 'aws_lb_target_group')['health_check']).toMatchObject({ path: '/readyz', matcher: '200' });
    });
  } else {
    it('THEN Cloud Map follows the container health check (no target group)', () => {
      expect(resourcesOf(json, 'aws_lb_target_group')).toEqual([]);
      expect(onlyResource(json, 'aws_service_discovery_service')['health_check_custom_config']).toEqual({ failure_threshold: 1 });
    });
  }
});

describe('the synthesized container health command, run by node against a real HTTP server', () => {
  // the api's command stands for both: the test above shows ingest's asks the same path
  const command = containerHealthCheck(stacks['prod-api'] ?? {}).command;
  let server: Server;
  let status = 200;
  let port = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      response.statusCode = request.url === '/healthz' ? status : 404;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  /** Exit code of the command with its port replaced by the test server's (the container's is 8080). */
  async function run(targetPort: number): Promise<number> {
    const [, executable, ...args] = command;
    const script = args.map((arg) => arg.replace('127.0.0.1:8080', `127.0.0.1:${targetPort}`));
    try {
      await promisify(execFile)(executable ?? 'node', script, { timeout: 20_000 });
      return 0;
    } catch (error) {
      return (error as { code?: number }).code ?? -1;
    }
  }

  it('THEN it exits 0 when /healthz answers 200, 1 when it answers 503, and 1 when nothing listens', async () => {
    status = 200;
    expect(await run(port)).toBe(0);
    status = 503;
    expect(await run(port)).toBe(1);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await run(closedPort)).toBe(1);
  });
});
