import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { S3BucketReplicationConfigurationA as S3BucketReplicationConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration/index.js';
import { accountIdOf } from '../core/account.js';
import { allow, FOUNDATION_ROLE_PATH, policyDocument } from '../core/iam.js';
import { SecureBucket } from './secure-bucket.js';

/** Minutes within which Replication Time Control replicates 99.99 % of objects (the only value S3 accepts), and the metrics' event threshold. */
export const REPLICATION_TIME_MINUTES = 15;

/** Name of the environment's documents replication role (foundation; the data stack's replication configuration hands it to S3). */
export function documentReplicationRoleName(envName: string): string {
  return `docflow-${envName}-document-replication`;
}

/** Name prefix of the documents bucket (data layer) and of its replica in the copy region: the foundation's role names both by prefix. */
export function documentsBucketPrefix(namePrefix: string): string {
  return `${namePrefix}-documents-`;
}
export function replicaBucketPrefix(namePrefix: string): string {
  return `${namePrefix}-dr-documents-`;
}

export interface DocumentReplicationRoleProps {
  readonly envName: string;
  /** The environment's region (the documents bucket's). */
  readonly region: string;
  /** The region of the replica. */
  readonly copyRegion: string;
  /** The documents bucket's key (keys: customer-managed): the role decrypts what it replicates. @default - SSE-S3, no key */
  readonly sourceKmsKeyArn?: string;
  /** The copy region's key, which encrypts the replicas. */
  readonly replicaKmsKeyArn: string;
}

/**
 * The role S3 assumes to replicate the documents bucket to the copy region (foundation, beside
 * AWS Backup's role): applied by an administrator, under the foundation's path and outside the
 * workload boundary, which therefore does not have to grant replication (s3:ReplicateObject,
 * kms:Encrypt) to every workload role. The deploy role may only pass it to S3. The buckets get
 * generated names, so it names them by their prefixes; the keys' policies leave the decision to
 * IAM (the account root statement), so its own policy is what admits it to them.
 */
export class DocumentReplicationRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: DocumentReplicationRoleProps) {
    super(scope, id);
    const namePrefix = `docflow-${props.envName}`;
    const source = `arn:aws:s3:::${documentsBucketPrefix(namePrefix)}*`;
    const replica = `arn:aws:s3:::${replicaBucketPrefix(namePrefix)}*`;
    this.role = new IamRole(this, 'Role', {
      name: documentReplicationRoleName(props.envName),
      path: FOUNDATION_ROLE_PATH,
      description: `S3: replicates docflow ${props.envName}'s documents to ${props.copyRegion}`,
      assumeRolePolicy: policyDocument([
        { Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': accountIdOf(this) } } },
      ]),
    });
    const viaS3 = (region: string) => ({ StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } });
    new IamRolePolicy(this, 'Policy', {
      name: 'replicate-documents',
      role: this.role.id,
      policy: policyDocument([
        allow(['s3:GetReplicationConfiguration', 's3:ListBucket'], [source]),
        allow(['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'], [`${source}/*`]),
        allow(['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], [`${replica}/*`]),
        ...(props.sourceKmsKeyArn !== undefined ? [allow(['kms:Decrypt'], [props.sourceKmsKeyArn], viaS3(props.region))] : []),
        allow(['kms:Encrypt'], [props.replicaKmsKeyArn], viaS3(props.copyRegion)),
      ]),
    });
  }
}

export interface DocumentReplicationProps {
  readonly namePrefix: string;
  /** The documents bucket (versioned; SecureBucket). */
  readonly source: SecureBucket;
  readonly copyRegion: string;
  /** Encrypts the replica (a key of the copy region). */
  readonly replicaKmsKeyArn: string;
  /** The foundation's DocumentReplicationRole. */
  readonly roleArn: string;
  /** Days a replaced version is kept in the replica. @default 30 (as in the documents bucket) */
  readonly noncurrentVersionExpirationDays?: number;
}

/**
 * The documents bucket replicated to the copy region (data stack): a versioned, KMS-encrypted
 * replica bucket there, and one replication rule for every object with Replication Time Control
 * (99.99 % within 15 minutes) and its metrics (ReplicationLatency, OperationsFailedReplication).
 * Objects encrypted with the source key are replicated (sse_kms_encrypted_objects) and re-encrypted
 * with the copy region's key. Delete markers are not replicated: docflow never deletes a document,
 * so a delete in the source is a mistake or an attack, and the replica keeps the object.
 */
export class DocumentReplication extends Construct {
  readonly source: SecureBucket;
  readonly replica: SecureBucket;
  readonly copyRegion: string;
  readonly configuration: S3BucketReplicationConfiguration;
  /** The rule's id (a dimension of its CloudWatch metrics). */
  readonly ruleId: string;

  constructor(scope: Construct, id: string, props: DocumentReplicationProps) {
    super(scope, id);
    const noncurrentVersionExpirationDays = props.noncurrentVersionExpirationDays ?? 30;
    this.source = props.source;
    this.copyRegion = props.copyRegion;
    this.ruleId = `documents-to-${props.copyRegion}`;
    this.replica = new SecureBucket(this, 'Replica', {
      region: props.copyRegion,
      bucketPrefix: replicaBucketPrefix(props.namePrefix),
      kmsKeyArn: props.replicaKmsKeyArn,
      noncurrentVersionExpirationDays,
    });
    this.configuration = new S3BucketReplicationConfiguration(this, 'Configuration', {
      bucket: props.source.bucket.id,
      role: props.roleArn,
      rule: [
        {
          id: this.ruleId,
          status: 'Enabled',
          // the current schema (V2): a filter, which makes priority and delete_marker_replication required
          priority: 1,
          filter: { prefix: '' },
          deleteMarkerReplication: { status: 'Disabled' },
          ...(props.source.kmsKeyArn !== undefined ? { sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } } } : {}),
          destination: {
            bucket: this.replica.bucket.arn,
            storageClass: 'STANDARD',
            encryptionConfiguration: { replicaKmsKeyId: props.replicaKmsKeyArn },
            replicationTime: { status: 'Enabled', time: { minutes: REPLICATION_TIME_MINUTES } },
            metrics: { status: 'Enabled', eventThreshold: { minutes: REPLICATION_TIME_MINUTES } },
          },
        },
      ],
      // S3 refuses a replication configuration unless both buckets are versioned
      dependsOn: [props.source.versioning, this.replica.versioning],
    });
  }
}
