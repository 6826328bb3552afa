import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '@docflow/infra';
import { resourcesOf, synthApp, testApp, type TerraformJson } from '@docflow/infra/testing';
import { defineDocflow } from './app.js';
import { readSettings } from './settings.js';

/**
 * Alarms that reach someone (issue 8, item 4), on every environment's synthesized stacks: each alarm
 * notifies its environment's alarm topic on ALARM and on OK. The only alarms with other actions are
 * the poll worker's scale-from-zero alarms, whose action is its scaling policy.
 */
const app = testApp();
defineDocflow(app, readSettings(ENVIRONMENTS, {}));
const stacks = synthApp(app);

const alarmsOf = (name: string) =>
  Object.entries(stacks)
    .filter(([id]) => id.startsWith(`${name}-`))
    .flatMap(([id, json]) => resourcesOf(json, 'aws_cloudwatch_metric_alarm').map(({ block }) => ({ stackId: id, block })));

const topicOf = (name: string) => {
  const json: TerraformJson = stacks[`${name}-observability`] ?? {};
  const topics = resourcesOf(json, 'aws_sns_topic');
  expect(topics.map(({ block }) => block['name'])).toEqual([`docflow-${name}-alarms`]);
  return `\${aws_sns_topic.${topics[0]?.name}.arn}`;
};

describe.each(ENVIRONMENTS.map((env) => [env.name, env] as const))('the alarms of %s', (name, env) => {
  const alarms = alarmsOf(name);
  const scaling = alarms.filter(({ block }) => String(block['alarm_name']).endsWith('-scale-from-zero'));
  const notifying = alarms.filter((alarm) => !scaling.includes(alarm));

  it('each notifies the environment\'s topic on ALARM and on OK, from the observability stack', () => {
    const topic = topicOf(name);
    expect(notifying.length).toBeGreaterThan(10);
    for (const { stackId, block } of notifying) {
      expect(stackId, String(block['alarm_name'])).toBe(`${name}-observability`);
      expect(block['alarm_actions'], String(block['alarm_name'])).toEqual([topic]);
      expect(block['ok_actions'], String(block['alarm_name'])).toEqual([topic]);
      expect(String(block['alarm_name'])).toMatch(new RegExp(`^docflow-${name}-`));
    }
  });

  it('the only others are the poll worker\'s scale-from-zero alarm, acting on its scaling policy', () => {
    expect(scaling.map(({ stackId }) => stackId)).toEqual(env.worker.mode === 'poll' ? [`${name}-worker`] : []);
    for (const { block } of scaling) expect(block['alarm_actions']).toEqual([expect.stringMatching(/^\$\{aws_appautoscaling_policy\.[^.]+\.arn\}$/)]);
  });

  it('covers item 4: running below desired per service, task failures, and per profile and class the rest', () => {
    const names = notifying.map(({ block }) => String(block['alarm_name']));
    const services = ['api', 'ingest', ...(env.worker.mode === 'poll' ? ['worker'] : [])];
    for (const service of services) expect(names).toContain(`docflow-${name}-${service}-running-below-desired`);
    expect(names).toContain(`docflow-${name}-service-task-failures`);
    const unhealthy = names.filter((alarm) => alarm.endsWith('-unhealthy-hosts')).sort();
    expect(unhealthy).toEqual(env.profile === 'standard' ? [`docflow-${name}-api-unhealthy-hosts`, `docflow-${name}-ingest-unhealthy-hosts`] : []);
    const burstable = env.database.instanceClass.startsWith('db.t');
    expect(names.includes(`docflow-${name}-database-cpu-credits`)).toBe(burstable);
    expect(names.includes(`docflow-${name}-database-freeable-memory`)).toBe(burstable);
    const pipeAlarms = names.filter((alarm) => alarm.startsWith(`docflow-${name}-task-stopped-`)).sort();
    expect(pipeAlarms).toEqual(
      env.worker.mode === 'pipe'
        ? ['dead-letter-failed-invocations', 'dead-letter-matched', 'hand-back-failed-invocations', 'hand-back-matched'].map((suffix) => `docflow-${name}-task-stopped-${suffix}`)
        : [],
    );
  });

  it('the queue and DLQ alarms treat an idle queue\'s silence as fine (it publishes again once a message arrives)', () => {
    for (const suffix of ['queue-depth', 'queue-oldest-message', 'dead-letters']) {
      const alarm = notifying.find(({ block }) => block['alarm_name'] === `docflow-${name}-${suffix}`);
      expect(alarm?.block['treat_missing_data'], suffix).toBe('notBreaching');
    }
  });
});
