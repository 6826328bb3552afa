import { describe, expect, it } from 'vitest';
import { exportApiUrl } from '@docflow/infra';
import { at, environment, onlyResource, synthApp, testApp } from '@docflow/infra/testing';
import { GcpArchiveStack } from '@docflow/stack-gcp-archive';
import { GcpFoundationStack } from '@docflow/stack-gcp-foundation';
import { GcpRegistryStack } from '@docflow/stack-gcp-registry';
import { GcpExportStack } from './gcp-export-stack.js';

const synthFor = (name: 'dev' | 'prod') => {
  const app = testApp();
  const env = environment(name);
  const foundation = new GcpFoundationStack(app, { env });
  const registry = new GcpRegistryStack(app, { env, foundation });
  const archive = new GcpArchiveStack(app, { env, foundation });
  new GcpExportStack(app, { env, foundation, registry, archive });
  return { env, json: synthApp(app)[`${name}-gcp-export`] ?? {} };
};

describe('GcpExportStack', () => {
  const { env, json } = synthFor('prod');
  const job = onlyResource(json, 'google_cloud_run_v2_job');
  const task = (job['template'] as { template: Record<string, unknown> }).template;
  const container = at(task['containers'] as Record<string, unknown>[], 0);
  const settings = env.gcp?.exportJob;

  it('GIVEN prod THEN the job runs the exporter image from the registry under the required image_tag variable (a new tag is a new revision)', () => {
    expect(json.variable?.['image_tag']).toMatchObject({ type: 'string', nullable: false });
    const registry = '\\$\\{data\\.terraform_remote_state\\.cross-stack-reference-input-prod-gcp-registry\\.outputs\\.[^}]+\\}';
    expect(container['image']).toMatch(new RegExp(`^${registry}-docker\\.pkg\\.dev/${registry}/${registry}/exporter:\\$\\{var\\.image_tag\\}$`));
  });

  it('THEN sized, timed and retried as the table says, in its region, protected from destroy in prod', () => {
    expect(job).toMatchObject({ name: 'docflow-prod-export', location: env.gcp?.region, deletion_protection: true });
    expect(container['resources']).toEqual({ limits: { cpu: String(settings?.cpu), memory: `${settings?.memoryMiB}Mi` } });
    expect(task).toMatchObject({ timeout: `${(settings?.timeoutMinutes ?? 0) * 60}s`, max_retries: settings?.maxRetries });
    expect(task['volumes']).toEqual([{ name: 'scratch', empty_dir: { medium: 'MEMORY', size_limit: `${settings?.scratchMiB}Mi` } }]);
    expect(container['env']).toContainEqual({ name: 'DOCFLOW_API_URL', value: exportApiUrl(env) });
    expect(exportApiUrl(env)).toBe(`https://${env.domain?.name}`);
  });

  it('THEN it exports to the archive bucket and works in the work bucket, both read from the archive stack', () => {
    const args = container['args'] as string[];
    expect(args[2]).toMatch(/^gs:\/\/\$\{data\.terraform_remote_state\.cross-stack-reference-input-prod-gcp-archive\.outputs\.[^}]+\}\/nightly$/);
    expect(args[4]).toMatch(/^gs:\/\/\$\{data\.terraform_remote_state\.cross-stack-reference-input-prod-gcp-archive\.outputs\.[^}]+\}\/nightly$/);
    expect(args[2]).not.toBe(args[4]);
  });

  it('THEN Cloud Scheduler runs it on the table\'s schedule with its own service account', () => {
    expect(onlyResource(json, 'google_cloud_scheduler_job')).toMatchObject({ name: 'docflow-prod-nightly-export', schedule: settings?.schedule, time_zone: settings?.timeZone });
    expect(Object.keys(json.output ?? {}).sort()).toEqual(['api_key_secret', 'job']);
  });

  it('THEN the job and its schedule run as the foundation\'s service accounts: this stack (deployed by CI) creates none', () => {
    expect(json.resource?.['google_service_account']).toBeUndefined();
    const foundation = /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-prod-gcp-foundation\.outputs\.[^}]+\}$/;
    expect(task['service_account']).toMatch(foundation);
    const target = onlyResource(json, 'google_cloud_scheduler_job')['http_target'] as { oauth_token: { service_account_email: string } };
    expect(target.oauth_token.service_account_email).toMatch(foundation);
    expect(target.oauth_token.service_account_email).not.toBe(task['service_account']);
  });

  it('GIVEN dev THEN the job may be destroyed', () => {
    expect(onlyResource(synthFor('dev').json, 'google_cloud_run_v2_job')['deletion_protection']).toBe(false);
  });
});
