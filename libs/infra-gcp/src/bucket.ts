import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member/index.js';
import { StorageBucket, type StorageBucketLifecycleRule } from '@cdktf/provider-google/lib/storage-bucket/index.js';
import { bucketName, serviceAccountMember } from './naming.js';

/** GCS storage classes from warmest to coldest: lifecycle moves objects only towards the end. */
export const STORAGE_CLASSES = ['STANDARD', 'NEARLINE', 'COLDLINE', 'ARCHIVE'] as const;
export type StorageClass = (typeof STORAGE_CLASSES)[number];

/** A lifecycle step: objects of the previous class move to `storageClass` at `ageDays`. */
export interface StorageTransition {
  readonly ageDays: number;
  readonly storageClass: Exclude<StorageClass, 'STANDARD'>;
}

export interface PrivateBucketProps {
  /** The bucket's (global) name. */
  readonly name: string;
  /** A region, dual-region or multi-region. */
  readonly location: string;
  /**
   * A retention policy: no object can be deleted or overwritten before it is this many days old,
   * by anyone. GCS refuses it together with Object Versioning. @default - none
   */
  readonly retentionDays?: number;
  /** Lock the retention policy: it can then only grow, and the bucket can only be deleted empty. Irreversible. @default false */
  readonly lockRetention?: boolean;
  /** Object Versioning (keeps replaced and deleted objects as noncurrent versions). Conflicts with retentionDays. @default false */
  readonly versioning?: boolean;
  /** Days noncurrent versions are kept (with versioning). @default - kept */
  readonly noncurrentVersionDays?: number;
  /** Lifecycle steps to colder classes, in order. @default - none */
  readonly transitions?: readonly StorageTransition[];
  /** Delete objects this many days old (never before retentionDays). @default - never */
  readonly deleteAfterDays?: number;
  /** Allow `terraform destroy` to delete a bucket that still holds objects. @default false */
  readonly forceDestroy?: boolean;
  /** What must exist first (the Cloud Storage API, in the foundation). @default - nothing */
  readonly dependsOn?: readonly ITerraformDependable[];
}

const MAX_RETENTION_SECONDS = 2_147_483_647;
const SECONDS_PER_DAY = 86_400;
const wholeDays = (value: number) => Number.isInteger(value) && value >= 1;

/** The cross-field rules GCS enforces (or that make a setting meaningless), each naming the props. */
function bucketProblems(props: PrivateBucketProps): string[] {
  const problems: string[] = [];
  const { retentionDays, transitions = [], deleteAfterDays } = props;
  if (retentionDays !== undefined) {
    if (!wholeDays(retentionDays) || retentionDays * SECONDS_PER_DAY >= MAX_RETENTION_SECONDS) {
      problems.push(`retentionDays must be a whole number of days under ${Math.floor(MAX_RETENTION_SECONDS / SECONDS_PER_DAY)}, got ${retentionDays}`);
    }
    if (props.versioning === true) problems.push('retentionDays and versioning conflict (GCS refuses Object Versioning on a bucket with a retention policy)');
  }
  if (props.lockRetention === true && retentionDays === undefined) problems.push('lockRetention needs retentionDays (there is no policy to lock)');
  if (props.noncurrentVersionDays !== undefined && props.versioning !== true) problems.push('noncurrentVersionDays needs versioning (without it there are no noncurrent versions)');
  let previous: { ageDays: number; storageClass: StorageClass } = { ageDays: 0, storageClass: 'STANDARD' };
  for (const step of transitions) {
    if (!wholeDays(step.ageDays)) problems.push(`transitions: ageDays must be a whole number of days, at least 1, got ${step.ageDays}`);
    if (step.ageDays <= previous.ageDays) problems.push(`transitions: ${step.storageClass} at ${step.ageDays} days must come after ${previous.storageClass} at ${previous.ageDays} days`);
    if (STORAGE_CLASSES.indexOf(step.storageClass) <= STORAGE_CLASSES.indexOf(previous.storageClass)) {
      problems.push(`transitions: ${step.storageClass} is not colder than ${previous.storageClass} (lifecycle moves objects only to colder classes)`);
    }
    previous = step;
  }
  if (deleteAfterDays !== undefined) {
    if (!wholeDays(deleteAfterDays)) problems.push(`deleteAfterDays must be a whole number of days, at least 1, got ${deleteAfterDays}`);
    if (retentionDays !== undefined && deleteAfterDays < retentionDays) problems.push(`deleteAfterDays (${deleteAfterDays}) is shorter than retentionDays (${retentionDays}): the retention policy would refuse the deletes`);
    if (transitions.length > 0 && deleteAfterDays <= previous.ageDays) problems.push(`deleteAfterDays (${deleteAfterDays}) must come after the last transition (${previous.ageDays} days)`);
  }
  return problems;
}

/**
 * A GCS bucket nobody outside the project can read: uniform bucket-level access (no object ACLs),
 * public access prevention enforced, optional retention policy or versioning, lifecycle steps to
 * colder classes (each rule matches only the class before it, so the rules never race).
 */
export class PrivateBucket extends Construct {
  readonly bucket: StorageBucket;

  constructor(scope: Construct, id: string, props: PrivateBucketProps) {
    super(scope, id);
    const problems = bucketProblems(props);
    if (problems.length > 0) throw new Error(`PrivateBucket ${props.name}: ${problems.join('; ')}`);
    const transitions = props.transitions ?? [];

    const lifecycleRule: StorageBucketLifecycleRule[] = [];
    let previousClass: StorageClass = 'STANDARD';
    for (const step of transitions) {
      lifecycleRule.push({
        action: { type: 'SetStorageClass', storageClass: step.storageClass },
        condition: { age: step.ageDays, matchesStorageClass: [previousClass] },
      });
      previousClass = step.storageClass;
    }
    if (props.deleteAfterDays !== undefined) lifecycleRule.push({ action: { type: 'Delete' }, condition: { age: props.deleteAfterDays } });
    if (props.noncurrentVersionDays !== undefined) {
      lifecycleRule.push({ action: { type: 'Delete' }, condition: { daysSinceNoncurrentTime: props.noncurrentVersionDays, withState: 'ARCHIVED' } });
    }
    // an upload that never finishes leaves parts that are billed; a day is long enough for any
    lifecycleRule.push({ action: { type: 'AbortIncompleteMultipartUpload' }, condition: { age: 1 } });

    this.bucket = new StorageBucket(this, 'Bucket', {
      name: bucketName(props.name),
      location: props.location,
      storageClass: 'STANDARD',
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      forceDestroy: props.forceDestroy ?? false,
      versioning: { enabled: props.versioning ?? false },
      ...(props.retentionDays !== undefined
        ? { retentionPolicy: { retentionPeriod: props.retentionDays * SECONDS_PER_DAY, isLocked: props.lockRetention ?? false } }
        : {}),
      lifecycleRule,
      ...(props.dependsOn !== undefined ? { dependsOn: [...props.dependsOn] } : {}),
    });
  }
}

/**
 * Grants a service account one role on one bucket (and nothing in the project), in `scope`: the
 * stack of whoever needs the access, so the bucket's stack never depends on its users.
 */
export function grantOnBucket(scope: Construct, id: string, bucket: StorageBucket, role: string, serviceAccountEmail: string): StorageBucketIamMember {
  return new StorageBucketIamMember(scope, id, { bucket: bucket.name, role, member: serviceAccountMember(serviceAccountEmail) });
}
