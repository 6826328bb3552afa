import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '@docflow/infra';
import { resourcesOf, synthApp, testApp, type TerraformJson } from '@docflow/infra/testing';
import { defineDocflow } from './app.js';
import { readSettings } from './settings.js';

/**
 * Scaling from zero (issue 8, item 7) needs the queue's metrics: SQS stops publishing them for a
 * queue no action has touched for 6 hours, and the scale-from-zero alarm cannot see messages
 * then. What keeps the queue active is ingest's readiness check (`/readyz` calls SQS
 * GetQueueAttributes; apps/ingest failures.test.ts shows /readyz naming sqs). So wherever the poll
 * worker scales from zero, ingest must never scale to zero itself, and the load balancer must ask
 * its `/readyz` often.
 */
const app = testApp();
defineDocflow(app, readSettings(ENVIRONMENTS, {}));
const stacks = synthApp(app);
const pollEnvironments = ENVIRONMENTS.filter((env) => env.worker.mode === 'poll');

describe.each(pollEnvironments.map((env) => [env.name] as const))('%s: the queue stays active while the worker is at zero', (name) => {
  const ingest: TerraformJson = stacks[`${name}-ingest`] ?? {};

  it('the worker scales from zero there (otherwise this rule is moot)', () => {
    const worker: TerraformJson = stacks[`${name}-worker`] ?? {};
    const targets = resourcesOf(worker, 'aws_appautoscaling_target').map(({ block }) => block['min_capacity']);
    expect(targets).toEqual([0]);
  });

  it('the scale-from-zero step can only add tasks, so a late or missing desired count on a busy worker cannot shrink it', () => {
    const worker: TerraformJson = stacks[`${name}-worker`] ?? {};
    const alarm = resourcesOf(worker, 'aws_cloudwatch_metric_alarm').find(({ block }) => String(block['alarm_name']).endsWith('-scale-from-zero'));
    const actions = (alarm?.block['alarm_actions'] ?? []) as string[];
    const steps = resourcesOf(worker, 'aws_appautoscaling_policy').filter(({ name: policy }) => actions.some((action) => action.includes(`.${policy}.`)));
    expect(steps).toHaveLength(1);
    const configuration = steps[0]?.block['step_scaling_policy_configuration'] as { adjustment_type: string; cooldown: number; step_adjustment: { scaling_adjustment: number }[] };
    // ExactCapacity sets the count whatever it was; ChangeInCapacity with positive steps only raises it
    expect(configuration.adjustment_type).toBe('ChangeInCapacity');
    for (const step of configuration.step_adjustment) expect(step.scaling_adjustment).toBeGreaterThan(0);
    // one start makes one task: no second +1 before the first task shows in the desired count
    expect(configuration.cooldown).toBeGreaterThanOrEqual(180);
  });

  it('the scale-from-zero alarm still fires if Container Insights publishes no desired count at zero tasks (missing counts as zero)', () => {
    const worker: TerraformJson = stacks[`${name}-worker`] ?? {};
    const alarm = resourcesOf(worker, 'aws_cloudwatch_metric_alarm').find(({ block }) => String(block['alarm_name']).endsWith('-scale-from-zero'));
    const queries = (alarm?.block['metric_query'] ?? []) as { id: string; expression?: string; return_data?: boolean }[];
    expect(queries.find((query) => query.return_data)?.expression).toBe('IF(visible > 0 AND FILL(desired, 0) == 0, 1, 0)');
  });

  it('ingest keeps at least one task: desired count and scaling minimum', () => {
    const services = resourcesOf(ingest, 'aws_ecs_service');
    expect(services).toHaveLength(1);
    expect(Number(services[0]?.block['desired_count'])).toBeGreaterThanOrEqual(1);
    for (const { block } of resourcesOf(ingest, 'aws_appautoscaling_target')) expect(Number(block['min_capacity'])).toBeGreaterThanOrEqual(1);
  });

  it('the load balancer asks ingest /readyz at least every minute', () => {
    const groups = resourcesOf(ingest, 'aws_lb_target_group');
    expect(groups).toHaveLength(1);
    const check = groups[0]?.block['health_check'] as Record<string, unknown>;
    expect(check['path']).toBe('/readyz');
    expect(Number(check['interval'])).toBeLessThanOrEqual(60);
  });
});

it('at least one shipped environment runs the poll worker (else the rules above check nothing)', () => {
  expect(pollEnvironments.length).toBeGreaterThan(0);
});
