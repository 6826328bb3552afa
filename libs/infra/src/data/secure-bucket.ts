import { Construct } from 'constructs';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration/index.js';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls/index.js';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy/index.js';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block/index.js';
import { S3BucketServerSideEncryptionConfigurationA as S3BucketServerSideEncryptionConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration/index.js';
import { S3BucketVersioningA as S3BucketVersioning } from '@cdktf/provider-aws/lib/s3-bucket-versioning/index.js';
import { allow, policyDocument, type PolicyStatement, type ResourcePolicyStatement } from '../core/iam.js';

/** Key prefix of the stored documents (`raw/<sha256>`, see @docflow/blobs). */
export const RAW_PREFIX = 'raw/';

export interface SecureBucketProps {
  /** Name prefix; Terraform appends a unique suffix (bucket names are global). Set this or bucketName. @default - none */
  readonly bucketPrefix?: string;
  /** Exact name, for a bucket others must find by name (the state bucket). Set this or bucketPrefix. @default - none */
  readonly bucketName?: string;
  /** Refuse `terraform destroy` of the bucket resource. @default false */
  readonly preventDestroy?: boolean;
  /** Days a replaced or deleted object version is kept. @default 30 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Allow `terraform destroy` to delete a bucket that still holds objects. @default false */
  readonly forceDestroy?: boolean;
  /** Days an object is kept before it expires (logs). @default - objects never expire */
  readonly expirationDays?: number;
  /** KMS key of the default encryption (SSE-KMS with an S3 bucket key). @default - SSE-S3 (AES256) */
  readonly kmsKeyArn?: string;
  /** More statements for the bucket policy (a service that delivers logs), given the bucket's ARN. @default - the TLS-only deny alone */
  readonly policyStatements?: (bucketArn: string) => readonly ResourcePolicyStatement[];
  /** Region of the bucket and its settings (the provider's per-resource region: a replica in another region). @default - the provider's region */
  readonly region?: string;
}

/**
 * A private S3 bucket: SSE-S3 or SSE-KMS encryption, versioning, every public access block, bucket-owner
 * object ownership (no ACLs), a policy that refuses any request not made over TLS, and a lifecycle
 * that expires old versions and abandoned multipart uploads.
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  /** The key of its default encryption, when it is a customer-managed one. */
  readonly kmsKeyArn?: string;
  /** The bucket policy: a service that writes into the bucket must wait for it (dependsOn). */
  readonly policy: S3BucketPolicy;
  /** Its versioning: replication must wait for it (S3 refuses a replication configuration on an unversioned bucket). */
  readonly versioning: S3BucketVersioning;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const noncurrentVersionExpirationDays = props.noncurrentVersionExpirationDays ?? 30;
    const forceDestroy = props.forceDestroy ?? false;
    const preventDestroy = props.preventDestroy ?? false;
    if (props.expirationDays !== undefined && (!Number.isInteger(props.expirationDays) || props.expirationDays < 1)) {
      throw new Error(`SecureBucket: expirationDays must be a whole number of days, at least 1, got ${props.expirationDays}`);
    }
    if ((props.bucketPrefix === undefined) === (props.bucketName === undefined)) {
      throw new Error('SecureBucket: set exactly one of bucketPrefix and bucketName');
    }
    if (props.bucketPrefix !== undefined && props.bucketPrefix.length > 37) {
      throw new Error(`SecureBucket: bucketPrefix "${props.bucketPrefix}" is longer than the 37 characters S3 allows`);
    }
    if (forceDestroy && preventDestroy) throw new Error('SecureBucket: forceDestroy and preventDestroy contradict each other');

    if (props.kmsKeyArn !== undefined) this.kmsKeyArn = props.kmsKeyArn;
    const region = props.region !== undefined ? { region: props.region } : {};
    this.bucket = new S3Bucket(this, 'Bucket', {
      ...region,
      ...(props.bucketName !== undefined ? { bucket: props.bucketName } : { bucketPrefix: props.bucketPrefix }),
      forceDestroy,
      ...(preventDestroy ? { lifecycle: { preventDestroy: true } } : {}),
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, 'PublicAccessBlock', {
      ...region,
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'Ownership', {
      ...region,
      bucket: this.bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    new S3BucketServerSideEncryptionConfiguration(this, 'Encryption', {
      ...region,
      bucket: this.bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault:
            props.kmsKeyArn !== undefined ? { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn } : { sseAlgorithm: 'AES256' },
          // one data key per bucket rather than per object: fewer KMS requests
          bucketKeyEnabled: true,
        },
      ],
    });
    this.versioning = new S3BucketVersioning(this, 'Versioning', {
      ...region,
      bucket: this.bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketLifecycleConfiguration(this, 'Lifecycle', {
      ...region,
      bucket: this.bucket.id,
      rule: [
        {
          id: 'expire-old-versions',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          noncurrentVersionExpiration: [{ noncurrentDays: noncurrentVersionExpirationDays }],
          expiration: [{ expiredObjectDeleteMarker: true }],
        },
        ...(props.expirationDays !== undefined
          ? [{ id: 'expire-objects', status: 'Enabled', filter: [{ prefix: '' }], expiration: [{ days: props.expirationDays }] }]
          : []),
        {
          id: 'abort-incomplete-uploads',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
      dependsOn: [this.versioning],
    });
    this.policy = new S3BucketPolicy(this, 'Policy', {
      ...region,
      bucket: this.bucket.id,
      policy: policyDocument([
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 's3:*',
          Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        ...(props.policyStatements?.(this.bucket.arn) ?? []),
      ]),
      // the public access block must exist first, or S3 may reject the policy
      dependsOn: [publicAccess],
    });
  }

  /** What a role that reads objects needs beyond s3:GetObject: kms:Decrypt on the bucket's key, when it has one. */
  readerKeyStatements(): PolicyStatement[] {
    return this.kmsKeyArn !== undefined ? [allow(['kms:Decrypt'], [this.kmsKeyArn])] : [];
  }

  /** What a role that writes objects needs beyond s3:PutObject: kms:GenerateDataKey on the bucket's key, when it has one. */
  writerKeyStatements(): PolicyStatement[] {
    return this.kmsKeyArn !== undefined ? [allow(['kms:GenerateDataKey'], [this.kmsKeyArn])] : [];
  }
}
