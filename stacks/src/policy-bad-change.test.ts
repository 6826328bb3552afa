import { TerraformResource } from 'cdktf';
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
      // a password fixed at start is also one the next rotation would lock out
      { rule: 'DOCFLOW_DB_CONNECTION', env: 'dev', stack: 'worker', address: expect.stringMatching(/^aws_ecs_task_definition\./), constructPath: 'dev-worker/Worker/Task/TaskDefinition' },
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

/**
 * The same on the real GCP stacks of dev: a public archive bucket, a project-wide Editor for the
 * export job's service account, a federation that admits any repository, and the scheduler's
 * account reused by the job. Each is named by rule, stack and resource.
 */
describe('GIVEN four bad changes to the GCP stacks of dev', () => {
  const app = testApp();
  const dev = defineEnvironment(app, findEnvironment(ENVIRONMENTS, 'dev'), readSettings(ENVIRONMENTS, { DOCFLOW_ENVIRONMENTS: 'dev', DOCFLOW_GITHUB_REPOSITORY: 'acme/docflow' }));
  const gcp = dev.gcp;
  if (!gcp) throw new Error('dev ships a gcp section');
  gcp.archive.archive.bucket.addOverride('public_access_prevention', 'inherited');
  // a raw resource: the Google provider's classes stay in the GCP projects (lint)
  const grant = new TerraformResource(gcp.export, 'TooMuch', { terraformResourceType: 'google_project_iam_member' });
  grant.addOverride('project', 'p');
  grant.addOverride('role', 'roles/editor');
  grant.addOverride('member', `serviceAccount:${gcp.export.exportJob.serviceAccount.email}`);
  gcp.foundation.federation?.provider.addOverride('attribute_condition', 'assertion.repository_owner_id != ""');
  gcp.export.exportJob.job.addOverride('template.template.service_account', gcp.export.schedule.serviceAccount.email);
  app.synth();
  const report = evaluatePolicy(loadSynthesizedApp(app.outdir));
  const found = report.blocking.map(({ rule, stack, address }) => `${rule} ${stack} ${address.replace(/_[0-9A-F]{8}$/, '')}`);

  it('THEN each fails the policy, naming rule, stack and resource', () => {
    expect(found).toEqual(
      expect.arrayContaining([
        'DOCFLOW_GCP_PUBLIC_BUCKET gcp-archive google_storage_bucket.Archive_Bucket',
        'DOCFLOW_GCP_PRIMITIVE_ROLES gcp-export google_project_iam_member.TooMuch',
        'DOCFLOW_GCP_WIF_CONDITION gcp-foundation google_iam_workload_identity_pool_provider.GithubFederation_Provider',
        // the accounts are the foundation's (CI creates none); the rule follows the job and the schedule to them across stacks
        'DOCFLOW_GCP_SERVICE_ACCOUNTS gcp-foundation google_service_account.SchedulerServiceAccount',
        'DOCFLOW_GCP_SERVICE_ACCOUNTS gcp-foundation google_service_account.ExportServiceAccount',
      ]),
    );
    const message = (rule: string, part: string) => report.blocking.find((finding) => finding.rule === rule && finding.address.includes(part))?.message;
    expect(message('DOCFLOW_GCP_SERVICE_ACCOUNTS', 'SchedulerServiceAccount')).toMatch(/^shared: google_cloud_run_v2_job\.Export_Job_[0-9A-F]+ runs as it; google_cloud_scheduler_job\.Nightly_Schedule_[0-9A-F]+ calls with its token/);
    expect(message('DOCFLOW_GCP_SERVICE_ACCOUNTS', 'ExportServiceAccount')).toMatch(/^nothing runs as it/);
    expect(message('DOCFLOW_GCP_WIF_CONDITION', 'Provider')).toBe("the condition does not pin the repository (GitHub's issuer is shared by every repository on github.com)");
  });
});
