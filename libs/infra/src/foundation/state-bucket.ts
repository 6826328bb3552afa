import { Construct } from 'constructs';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import { accountIdOf } from '../core/account.js';
import { SecureBucket } from '../data/secure-bucket.js';

export interface StateBucketProps {
  readonly envName: string;
}

/** The name of an environment's state bucket in `account` (what DOCFLOW_STATE_BUCKET_<ENV> is set to). */
export function stateBucketName(envName: string, account: string): string {
  return `docflow-${envName}-tfstate-${account}`;
}

/**
 * Terraform state of an environment: a secure, versioned bucket (a bad apply can be undone from an
 * old version) that Terraform refuses to destroy. Its name carries the account id, so it is unique
 * and predictable.
 */
export class StateBucket extends Construct {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: StateBucketProps) {
    super(scope, id);
    this.bucket = new SecureBucket(this, 'Bucket', {
      bucketName: stateBucketName(props.envName, accountIdOf(this)),
      noncurrentVersionExpirationDays: 90,
      preventDestroy: true,
    }).bucket;
  }
}
