import { describe, expect, it } from 'vitest';
import { onlyResource, synthScope } from '@docflow/infra/testing';
import { PrivateBucket, type PrivateBucketProps } from './bucket.js';

const synth = (props: Partial<PrivateBucketProps> = {}) =>
  onlyResource(
    synthScope((scope) => new PrivateBucket(scope, 'Bucket', { name: 'docflow-dev-archive-acme', location: 'europe-west1', ...props })),
    'google_storage_bucket',
  );

describe('PrivateBucket', () => {
  it('GIVEN defaults THEN uniform bucket-level access, public access prevention enforced, no versioning, no retention', () => {
    expect(synth()).toMatchObject({ uniform_bucket_level_access: true, public_access_prevention: 'enforced', versioning: { enabled: false }, force_destroy: false });
    expect(synth()['retention_policy']).toBeUndefined();
  });

  it('GIVEN a retention and colder classes THEN the policy in seconds, and each step matches only the class before it', () => {
    const bucket = synth({
      retentionDays: 365,
      lockRetention: true,
      transitions: [
        { ageDays: 30, storageClass: 'NEARLINE' },
        { ageDays: 120, storageClass: 'COLDLINE' },
        { ageDays: 365, storageClass: 'ARCHIVE' },
      ],
    });
    expect(bucket['retention_policy']).toEqual({ retention_period: 31_536_000, is_locked: true });
    expect(bucket['lifecycle_rule']).toEqual([
      { action: { type: 'SetStorageClass', storage_class: 'NEARLINE' }, condition: { age: 30, matches_storage_class: ['STANDARD'] } },
      { action: { type: 'SetStorageClass', storage_class: 'COLDLINE' }, condition: { age: 120, matches_storage_class: ['NEARLINE'] } },
      { action: { type: 'SetStorageClass', storage_class: 'ARCHIVE' }, condition: { age: 365, matches_storage_class: ['COLDLINE'] } },
      { action: { type: 'AbortIncompleteMultipartUpload' }, condition: { age: 1 } },
    ]);
  });

  it('GIVEN versioning THEN noncurrent versions expire after the days given', () => {
    const bucket = synth({ versioning: true, noncurrentVersionDays: 90 });
    expect(bucket['versioning']).toEqual({ enabled: true });
    expect(bucket['lifecycle_rule']).toContainEqual({ action: { type: 'Delete' }, condition: { days_since_noncurrent_time: 90, with_state: 'ARCHIVED' } });
  });

  it('refuses what GCS refuses or what would do nothing, naming the props', () => {
    const refused = (props: Partial<PrivateBucketProps>) => () => synth(props);
    expect(refused({ retentionDays: 30, versioning: true })).toThrow(
      'PrivateBucket docflow-dev-archive-acme: retentionDays and versioning conflict (GCS refuses Object Versioning on a bucket with a retention policy)',
    );
    expect(refused({ lockRetention: true })).toThrow('lockRetention needs retentionDays');
    expect(refused({ retentionDays: 90, deleteAfterDays: 30 })).toThrow('deleteAfterDays (30) is shorter than retentionDays (90): the retention policy would refuse the deletes');
    expect(refused({ transitions: [{ ageDays: 90, storageClass: 'COLDLINE' }, { ageDays: 30, storageClass: 'NEARLINE' }] })).toThrow(
      'transitions: NEARLINE at 30 days must come after COLDLINE at 90 days; transitions: NEARLINE is not colder than COLDLINE (lifecycle moves objects only to colder classes)',
    );
    expect(refused({ retentionDays: 25_000 })).toThrow('retentionDays must be a whole number of days under 24855, got 25000');
    expect(refused({ noncurrentVersionDays: 7 })).toThrow('noncurrentVersionDays needs versioning');
    expect(() => synthScope((scope) => new PrivateBucket(scope, 'B', { name: 'Docflow_Archive.', location: 'EU' }))).toThrow(/bucket name "Docflow_Archive\." is not/);
  });
});
