import { describe, expect, it } from 'vitest';
import { environment, onlyResource, resourcesOf, synthApp, testApp } from '@docflow/infra/testing';
import { ApiStack } from '@docflow/stack-api';
import { DataStack } from '@docflow/stack-data';
import { IngestStack } from '@docflow/stack-ingest';
import { FoundationStack } from '@docflow/stack-foundation';
import { NetworkStack } from '@docflow/stack-network';
import { PlatformStack } from '@docflow/stack-platform';
import { WorkerStack } from '@docflow/stack-worker';
import { ObservabilityStack } from './observability-stack.js';

const synthFor = (name: 'dev' | 'prod') => {
  const app = testApp();
  const env = environment(name);
  const foundation = new FoundationStack(app, { env });
  const network = new NetworkStack(app, { env, foundation });
  const data = new DataStack(app, { env, foundation, network });
  const platform = new PlatformStack(app, { env, foundation, network });
  const api = new ApiStack(app, { env, foundation, network, data, platform });
  const ingest = new IngestStack(app, { env, foundation, network, data, platform });
  const worker = new WorkerStack(app, { env, foundation, network, data, platform, api });
  new ObservabilityStack(app, { env, foundation, data, platform, api, ingest, worker });
  return synthApp(app)[`${name}-observability`] ?? {};
};

const alarmNames = (json: ReturnType<typeof synthFor>) => resourcesOf(json, 'aws_cloudwatch_metric_alarm').map(({ block }) => String(block['alarm_name'])).sort();

describe('ObservabilityStack', () => {
  it('GIVEN prod (poll worker, ALB) THEN CPU alarms for the three services and the ALB alarms, budget as in the table', () => {
    const prod = synthFor('prod');
    expect(alarmNames(prod)).toEqual([
      'docflow-prod-alb-5xx',
      'docflow-prod-alb-target-5xx',
      'docflow-prod-api-cpu',
      'docflow-prod-api-running-below-desired',
      'docflow-prod-api-unhealthy-hosts',
      'docflow-prod-database-connections',
      'docflow-prod-database-cpu',
      'docflow-prod-database-cpu-credits',
      'docflow-prod-database-free-storage',
      'docflow-prod-database-freeable-memory',
      'docflow-prod-dead-letters',
      'docflow-prod-documents-replication-failed',
      'docflow-prod-documents-replication-latency',
      'docflow-prod-ingest-cpu',
      'docflow-prod-ingest-running-below-desired',
      'docflow-prod-ingest-unhealthy-hosts',
      'docflow-prod-queue-depth',
      'docflow-prod-queue-oldest-message',
      'docflow-prod-service-task-failures',
      'docflow-prod-worker-cpu',
      'docflow-prod-worker-running-below-desired',
    ]);
    expect(onlyResource(prod, 'aws_budgets_budget')['limit_amount']).toBe('800.00');
    expect(onlyResource(prod, 'aws_sns_topic_subscription')['endpoint']).toBe(environment('prod').alarmEmail);
  });

  it('GIVEN dev (pipe worker, HTTP API) THEN a pipe failure alarm instead of a worker CPU alarm', () => {
    const names = alarmNames(synthFor('dev'));
    expect(names).toContain('docflow-dev-worker-pipe-failures');
    expect(names).toContain('docflow-dev-http-api-5xx');
    expect(names).not.toContain('docflow-dev-worker-cpu');
    expect(names).toContain('docflow-dev-task-stopped-hand-back-matched');
    expect(names).toContain('docflow-dev-task-stopped-dead-letter-failed-invocations');
  });
});
