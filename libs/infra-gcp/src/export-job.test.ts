import { describe, expect, it } from 'vitest';
import { at, findResource, onlyResource, resourcesOf, synthScope, type TerraformJson } from '@docflow/infra/testing';
import { PrivateBucket } from './bucket.js';
import { ExportJob, type ExportJobProps } from './export-job.js';
import { JobSchedule } from './schedule.js';
import { workloadServiceAccount } from './service-account.js';

function synth(props: Partial<ExportJobProps> = {}, withSchedule = false): TerraformJson {
  return synthScope((scope) => {
    const archive = new PrivateBucket(scope, 'Archive', { name: 'docflow-dev-archive-acme', location: 'europe-west1', retentionDays: 30 });
    const work = new PrivateBucket(scope, 'Work', { name: 'docflow-dev-export-work-acme', location: 'europe-west1' });
    // the foundation's, in the real stacks
    const account = (id: string, accountId: string) => workloadServiceAccount(scope, id, { accountId, displayName: accountId, description: accountId });
    const job = new ExportJob(scope, 'Export', {
      name: 'docflow-dev-export',
      region: 'europe-west1',
      serviceAccount: account('ExportServiceAccount', 'docflow-dev-export'),
      image: 'europe-west1-docker.pkg.dev/acme/docflow-dev/exporter:0123456789abcdef0123',
      archiveBucket: archive.bucket,
      workBucket: work.bucket,
      apiUrl: 'https://api.docflow.acme.com',
      apiKeySecretId: 'docflow-dev-api-key',
      environmentName: 'dev',
      cpu: 1,
      memoryMiB: 2048,
      scratchMiB: 1024,
      timeoutSeconds: 3600,
      maxRetries: 3,
      ...props,
    });
    if (withSchedule) new JobSchedule(scope, 'Nightly', { name: 'docflow-dev-nightly-export', region: 'europe-west1', job: job.job, serviceAccount: account('SchedulerServiceAccount', 'docflow-dev-scheduler'), schedule: '0 2 * * *' });
  });
}

/** `${<type>.<name>.<attribute>}` of the resource whose name contains `part`. */
const ref = (json: TerraformJson, type: string, part: string, attribute: string) => `\${${type}.${findResource(json, type, ({ name }) => name.includes(part)).name}.${attribute}}`;

const job = synth();
const saEmail = ref(job, 'google_service_account', 'ExportServiceAccount', 'email');
const archiveName = ref(job, 'google_storage_bucket', 'Archive', 'name');
const workName = ref(job, 'google_storage_bucket', 'Work', 'name');
const secret = (attribute: string) => ref(job, 'google_secret_manager_secret', 'ApiKeySecret', attribute);
const template = (onlyResource(job, 'google_cloud_run_v2_job')['template'] as { task_count: number; parallelism: number; template: Record<string, unknown> });
const task = template.template;
const container = at(task['containers'] as Record<string, unknown>[], 0);

describe('ExportJob', () => {
  it('GIVEN a job THEN one task at a time, its own service account, the task timeout and retries set', () => {
    expect(template).toMatchObject({ task_count: 1, parallelism: 1 });
    expect(task).toMatchObject({ timeout: '3600s', max_retries: 3, execution_environment: 'EXECUTION_ENVIRONMENT_GEN2' });
    expect(task['service_account']).toBe(saEmail);
    expect(onlyResource(job, 'google_cloud_run_v2_job')['deletion_protection']).toBe(true);
  });

  it('THEN the container runs the bundle with the export command: --to the archive, --work the work bucket, --since last', () => {
    expect(container['image']).toBe('europe-west1-docker.pkg.dev/acme/docflow-dev/exporter:0123456789abcdef0123');
    expect(container['command']).toEqual(['node', '--enable-source-maps', 'main.js']);
    expect(container['args']).toEqual([
      'export',
      '--to',
      `gs://${archiveName}/nightly`,
      '--work',
      `gs://${workName}/nightly`,
      '--since',
      'last',
      '--json',
    ]);
  });

  it('THEN the archive is assembled in an in-memory volume of a fixed size inside the memory limit (TMPDIR)', () => {
    expect(container['resources']).toEqual({ limits: { cpu: '1', memory: '2048Mi' } });
    expect(task['volumes']).toEqual([{ name: 'scratch', empty_dir: { medium: 'MEMORY', size_limit: '1024Mi' } }]);
    expect(container['volume_mounts']).toEqual([{ name: 'scratch', mount_path: '/scratch' }]);
    expect(container['env']).toContainEqual({ name: 'TMPDIR', value: '/scratch' });
  });

  it('THEN the API key comes from its secret, and nothing secret is a plain value', () => {
    const env = container['env'] as { name: string; value?: string; value_source?: unknown }[];
    expect(env.map(({ name }) => name)).toEqual(['DOCFLOW_ENV', 'DOCFLOW_API_URL', 'DOCFLOW_API_KEY', 'GOOGLE_CLOUD_PROJECT', 'TMPDIR']);
    expect(env.find(({ name }) => name === 'DOCFLOW_API_KEY')).toEqual({
      name: 'DOCFLOW_API_KEY',
      value_source: { secret_key_ref: { secret: secret('secret_id'), version: 'latest' } },
    });
    expect(resourcesOf(job, 'google_secret_manager_secret_version')).toEqual([]);
  });

  it('THEN its service account may create objects in the archive bucket, use the work bucket and read the one secret, nothing else', () => {
    const member = saEmail;
    const grants = [
      ...resourcesOf(job, 'google_storage_bucket_iam_member').map(({ block }) => [block['bucket'], block['role'], block['member']]),
      ...resourcesOf(job, 'google_secret_manager_secret_iam_member').map(({ block }) => [block['secret_id'], block['role'], block['member']]),
    ];
    expect(grants).toEqual([
      [archiveName, 'roles/storage.objectCreator', `serviceAccount:${member}`],
      [workName, 'roles/storage.objectUser', `serviceAccount:${member}`],
      [secret('id'), 'roles/secretmanager.secretAccessor', `serviceAccount:${member}`],
    ]);
    expect(resourcesOf(job, 'google_project_iam_member')).toEqual([]);
    // the first execution already has its grants
    expect(onlyResource(job, 'google_cloud_run_v2_job')['depends_on']).toHaveLength(3);
  });

  it('refuses sizes Cloud Run refuses and settings that cannot work, naming them', () => {
    expect(() => synth({ cpu: 3 })).toThrow('ExportJob docflow-dev-export: cpu: must be one of 1, 2, 4, 6, 8, got 3');
    expect(() => synth({ cpu: 4, memoryMiB: 1024, scratchMiB: 256 })).toThrow('memoryMiB: must be a whole number from 2048 to 16384 with 4 CPU, got 1024');
    expect(() => synth({ cpu: 1, memoryMiB: 8192, scratchMiB: 1024 })).toThrow('memoryMiB: must be a whole number from 512 to 4096 with 1 CPU, got 8192');
    expect(() => synth({ scratchMiB: 1800 })).toThrow('scratchMiB must be from 64 to memoryMiB - 512 (1536), got 1800');
    expect(() => synth({ timeoutSeconds: 90_000, maxRetries: 11 })).toThrow('timeoutSeconds must be from 60 to 86400, got 90000; maxRetries must be from 0 to 10, got 11');
    expect(() => synth({ apiUrl: 'http://api.docflow.acme.com' })).toThrow('apiUrl must be https (the API key travels with every request)');
  });
});

describe('JobSchedule', () => {
  const scheduled = synth({}, true);
  const schedule = onlyResource(scheduled, 'google_cloud_scheduler_job');

  it('GIVEN a schedule THEN Cloud Scheduler POSTs to the job\'s :run method with an OAuth token of its own service account', () => {
    expect(schedule).toMatchObject({ schedule: '0 2 * * *', time_zone: 'Etc/UTC', region: 'europe-west1', attempt_deadline: '60s' });
    expect(schedule['http_target']).toEqual({
      http_method: 'POST',
      uri: `https://run.googleapis.com/v2/${ref(scheduled, 'google_cloud_run_v2_job', 'Export_Job', 'id')}:run`,
      oauth_token: { service_account_email: ref(scheduled, 'google_service_account', 'SchedulerServiceAccount', 'email'), scope: 'https://www.googleapis.com/auth/cloud-platform' },
    });
  });

  it('THEN its service account may run this job and nothing else', () => {
    expect(resourcesOf(scheduled, 'google_cloud_run_v2_job_iam_member').map(({ block }) => [block['name'], block['role'], block['member']])).toEqual([
      [ref(scheduled, 'google_cloud_run_v2_job', 'Export_Job', 'name'), 'roles/run.invoker', `serviceAccount:${ref(scheduled, 'google_service_account', 'SchedulerServiceAccount', 'email')}`],
    ]);
    // the two the test made: neither construct creates a service account (the foundation does, so CI's deploy account need not)
    expect(resourcesOf(scheduled, 'google_service_account').map(({ block }) => block['account_id'])).toEqual(['docflow-dev-export', 'docflow-dev-scheduler']);
  });

  it('refuses a schedule that is not unix-cron and a time zone that is not IANA', () => {
    expect(() =>
      synthScope((scope) => {
        const archive = new PrivateBucket(scope, 'A', { name: 'docflow-a-acme', location: 'EU' });
        const account = workloadServiceAccount(scope, 'Account', { accountId: 'docflow-e-export', displayName: 'e', description: 'e' });
        const exportJob = new ExportJob(scope, 'E', { name: 'j', region: 'r', serviceAccount: account, image: 'i', archiveBucket: archive.bucket, workBucket: archive.bucket, apiUrl: 'https://a.b.c', apiKeySecretId: 's', environmentName: 'dev', cpu: 1, memoryMiB: 1024, scratchMiB: 256, timeoutSeconds: 600, maxRetries: 0 });
        new JobSchedule(scope, 'S', { name: 'n', region: 'r', job: exportJob.job, serviceAccount: account, schedule: 'nightly', timeZone: 'CET+1' });
      }),
    ).toThrow('JobSchedule n: schedule must be a unix-cron expression of five fields, got "nightly"; timeZone must be an IANA time zone (Etc/UTC, Europe/Berlin), got "CET+1"');
  });
});
