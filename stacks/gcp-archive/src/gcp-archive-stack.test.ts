import { describe, expect, it } from 'vitest';
import { environment, findResource, synthApp, testApp } from '@docflow/infra/testing';
import { GcpFoundationStack } from '@docflow/stack-gcp-foundation';
import { GcpArchiveStack } from './gcp-archive-stack.js';

const synthFor = (name: 'dev' | 'staging' | 'prod') => {
  const app = testApp();
  const env = environment(name);
  new GcpArchiveStack(app, { env, foundation: new GcpFoundationStack(app, { env }) });
  const json = synthApp(app)[`${name}-gcp-archive`] ?? {};
  const bucket = (part: string) => findResource(json, 'google_storage_bucket', ({ name: id }) => id.startsWith(part)).block;
  return { env, archive: bucket('Archive'), work: bucket('Work') };
};

describe('GcpArchiveStack', () => {
  it('GIVEN prod THEN the archive is private, kept for the table\'s retention under a locked policy (no identity can delete an archive inside it), grows colder, is never deleted by lifecycle and has no versioning', () => {
    const { env, archive } = synthFor('prod');
    expect(archive).toMatchObject({
      name: `docflow-prod-archive-${env.gcp?.projectId}`,
      location: env.gcp?.archiveLocation ?? env.gcp?.region,
      uniform_bucket_level_access: true,
      public_access_prevention: 'enforced',
      versioning: { enabled: false },
      retention_policy: { retention_period: (env.gcp?.archive.retentionDays ?? 0) * 86_400, is_locked: true },
      force_destroy: false,
    });
    const rules = archive['lifecycle_rule'] as { action: { type: string; storage_class?: string } }[];
    expect(rules.filter((rule) => rule.action.type === 'SetStorageClass').map((rule) => rule.action.storage_class)).toEqual(['NEARLINE', 'COLDLINE', 'ARCHIVE']);
    expect(rules.filter((rule) => rule.action.type === 'Delete')).toEqual([]);
  });

  it('GIVEN dev and staging THEN the retention stays unlocked (they can be torn down)', () => {
    for (const name of ['dev', 'staging'] as const) {
      expect(synthFor(name).archive['retention_policy'], name).toMatchObject({ is_locked: false });
    }
  });

  it('GIVEN dev THEN a shorter retention, and a work bucket that forgets after 30 days', () => {
    const { env, archive, work } = synthFor('dev');
    expect(archive['retention_policy']).toEqual({ retention_period: (env.gcp?.archive.retentionDays ?? 0) * 86_400, is_locked: false });
    expect(work).toMatchObject({ name: `docflow-dev-export-work-${env.gcp?.projectId}`, public_access_prevention: 'enforced', force_destroy: true });
    expect(work['retention_policy']).toBeUndefined();
    expect(work['lifecycle_rule']).toContainEqual({ action: { type: 'Delete' }, condition: { age: 30 } });
  });
});
