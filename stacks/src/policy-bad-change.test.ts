import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, findEnvironment } from '@docflow/infra';
import { evaluatePolicy, loadSynthesizedApp } from '@docflow/guardrails';
import { testApp } from '@docflow/infra/testing';
import { defineEnvironment } from './app.js';
import { readSettings } from './settings.js';

const PASSWORD = 'correct-horse-battery-staple-42';

/**
 * The acceptance case of the guardrails issue, on the real dev stacks: three deliberately bad changes
 * made through cdktf's escape hatches on the real constructs (a public database, a pipe with a launch
 * type, a password in the worker's environment) each fail the policy, named by rule, environment,
 * stack and resource, and the password never appears in the report.
 */
describe('GIVEN three bad changes to the dev stacks', () => {
  const app = testApp();
  const dev = defineEnvironment(app, findEnvironment(ENVIRONMENTS, 'dev'), readSettings(ENVIRONMENTS, { DOCFLOW_ENVIRONMENTS: 'dev' }));
  dev.data.data.database.instance.addOverride('publicly_accessible', true);
  const pipe = dev.worker.worker.pipe?.pipe;
  if (!pipe) throw new Error('dev runs the worker in pipe mode');
  pipe.addOverride('target_parameters.ecs_task_parameters.launch_type', 'FARGATE');
  const taskDefinition = dev.worker.worker.task.taskDefinition;
  const [container] = JSON.parse(taskDefinition.containerDefinitionsInput ?? '[]') as { environment: { name: string; value: string }[] }[];
  container?.environment.push({ name: 'DB_PASSWORD', value: PASSWORD });
  taskDefinition.addOverride('container_definitions', JSON.stringify([container]));
  // written to cdktf.out and read back, as `npm run policy` reads it
  app.synth();
  const report = evaluatePolicy(loadSynthesizedApp(app.outdir));

  it('THEN each fails the policy, naming rule, environment, stack, resource and construct', () => {
    expect(report.blocking.map(({ rule, env, stack, address, constructPath }) => ({ rule, env, stack, address, constructPath }))).toEqual([
      { rule: 'CKV_AWS_17', env: 'dev', stack: 'data', address: expect.stringMatching(/^aws_db_instance\.Data_Database_Instance_/), constructPath: 'dev-data/Data/Database/Instance' },
      { rule: 'DOCFLOW_CONTAINER_SECRETS', env: 'dev', stack: 'worker', address: expect.stringMatching(/^aws_ecs_task_definition\./), constructPath: 'dev-worker/Worker/Task/TaskDefinition' },
      { rule: 'DOCFLOW_PIPE_LAUNCH_TYPE', env: 'dev', stack: 'worker', address: expect.stringMatching(/^aws_pipes_pipe\./), constructPath: 'dev-worker/Worker/Pipe/Pipe' },
    ]);
    expect(report.blocking.find((finding) => finding.rule === 'DOCFLOW_CONTAINER_SECRETS')?.message).toBe(
      'container worker: environment variable DB_PASSWORD looks like a secret (pass it in secrets)',
    );
  });

  it('THEN the password appears nowhere in the report', () => {
    expect(JSON.stringify(report)).not.toContain(PASSWORD);
  });
});
