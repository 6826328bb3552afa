import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { resourceName } from '@docflow/infra';
import { GcpStack, PrivateBucket, projectBucketName, type GcpStackProps, type StorageTransition } from '@docflow/infra-gcp';
import type { GcpFoundationStack } from '@docflow/stack-gcp-foundation';

export interface GcpArchiveStackProps extends GcpStackProps {
  readonly foundation: GcpFoundationStack;
}

/**
 * Archives grow colder as they age: nearline after a month, coldline after a quarter, archive
 * after a year (each at or beyond the previous class's minimum storage duration, so no early
 * deletion charge applies to an object that stays).
 */
export const ARCHIVE_TRANSITIONS: readonly StorageTransition[] = [
  { ageDays: 30, storageClass: 'NEARLINE' },
  { ageDays: 120, storageClass: 'COLDLINE' },
  { ageDays: 365, storageClass: 'ARCHIVE' },
];

/** Days the work bucket keeps anything: an unfinished export, and the manifests `--since last` reads (the job runs nightly). */
export const WORK_RETENTION_DAYS = 30;

/**
 * `<env>-gcp-archive`: the archive bucket (private, a retention policy so that no archive can be
 * deleted or replaced before it is `gcp.archive.retentionDays` old, colder classes over time,
 * never deleted by lifecycle: a restore needs the newest full export and every later one) and the
 * export's work bucket (parts and progress of an unfinished export, manifests for `--since last`).
 * No Object Versioning on the archive: GCS refuses it beside a retention policy, which already
 * protects every object for its whole period.
 */
export class GcpArchiveStack extends GcpStack {
  readonly archive: PrivateBucket;
  readonly work: PrivateBucket;

  constructor(scope: Construct, props: GcpArchiveStackProps) {
    super(scope, 'gcp-archive', props);
    const { env, gcp } = this;
    this.archive = new PrivateBucket(this, 'Archive', {
      name: projectBucketName(gcp.projectId, resourceName(env, 'archive')),
      location: gcp.archiveLocation ?? gcp.region,
      retentionDays: gcp.archive.retentionDays,
      lockRetention: gcp.archive.lockRetention,
      transitions: ARCHIVE_TRANSITIONS,
    });
    this.work = new PrivateBucket(this, 'Work', {
      name: projectBucketName(gcp.projectId, resourceName(env, 'export-work')),
      location: gcp.region,
      deleteAfterDays: WORK_RETENTION_DAYS,
      forceDestroy: true,
    });
    new TerraformOutput(this, 'archive_url', { value: `gs://${this.archive.bucket.name}`, description: 'npm run restore -- --from <this>/nightly' });
  }
}
