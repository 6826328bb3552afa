import { Construct } from 'constructs';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import type { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy/index.js';
import { accountIdOf } from '../core/account.js';
import type { ResourcePolicyStatement } from '../core/iam.js';
import { SecureBucket } from '../data/secure-bucket.js';

/**
 * The Elastic Load Balancing account that delivers access logs in the regions opened before August
 * 2022 (AWS's table "Attach a policy to your S3 bucket"; the same values in many public codebases).
 * Newer regions deliver with the service principal only.
 */
export const ELB_LOG_DELIVERY_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '127311923021',
  'us-east-2': '033677994240',
  'us-west-1': '027434742980',
  'us-west-2': '797873946194',
  'af-south-1': '098369216593',
  'ca-central-1': '985666609251',
  'eu-central-1': '054676820928',
  'eu-west-1': '156460612806',
  'eu-west-2': '652711504416',
  'eu-south-1': '635631232127',
  'eu-west-3': '009996457667',
  'eu-north-1': '897822967062',
  'ap-east-1': '754344448648',
  'ap-northeast-1': '582318560864',
  'ap-northeast-2': '600734575887',
  'ap-northeast-3': '383597477331',
  'ap-southeast-1': '114774131450',
  'ap-southeast-2': '783225319266',
  'ap-south-1': '718504428378',
  'me-south-1': '076674570225',
  'sa-east-1': '507241528517',
};

/** The service principal that delivers load balancer access logs (every region AWS opened since August 2022, and recommended everywhere). */
export const ELB_LOG_DELIVERY_SERVICE = 'logdelivery.elasticloadbalancing.amazonaws.com';

/** Key prefix of the access logs in the bucket; ELB appends `AWSLogs/<account>/...`. */
export const ACCESS_LOG_PREFIX = 'alb';

export interface LoadBalancerLogsProps {
  readonly namePrefix: string;
  readonly region: string;
  /** Days a log file is kept. */
  readonly retentionDays: number;
  /** Let `terraform destroy` delete the bucket with its logs. @default false */
  readonly forceDestroy?: boolean;
}

/**
 * Where the load balancer writes its access logs: a secure bucket (SSE-S3, the only encryption ELB
 * log delivery supports: no KMS key), objects expiring after the retention, and a policy that lets
 * ELB's log delivery put objects under `alb/AWSLogs/<account>/` only. The load balancer must depend
 * on `policy`: it checks that it may write when logging is turned on.
 */
export class LoadBalancerLogs extends Construct {
  readonly bucket: S3Bucket;
  readonly policy: S3BucketPolicy;
  readonly prefix = ACCESS_LOG_PREFIX;

  constructor(scope: Construct, id: string, props: LoadBalancerLogsProps) {
    super(scope, id);
    const forceDestroy = props.forceDestroy ?? false;
    const account = accountIdOf(this);
    const objects = (bucketArn: string) => `${bucketArn}/${ACCESS_LOG_PREFIX}/AWSLogs/${account}/*`;
    const legacyAccount = ELB_LOG_DELIVERY_ACCOUNTS[props.region];
    const delivery = (bucketArn: string): ResourcePolicyStatement[] => [
      {
        Sid: 'ElbLogDelivery',
        Effect: 'Allow',
        Principal: { Service: ELB_LOG_DELIVERY_SERVICE },
        Action: 's3:PutObject',
        Resource: objects(bucketArn),
      },
      ...(legacyAccount !== undefined
        ? [{ Sid: 'ElbLogDeliveryAccount', Effect: 'Allow' as const, Principal: { AWS: `arn:aws:iam::${legacyAccount}:root` }, Action: 's3:PutObject', Resource: objects(bucketArn) }]
        : []),
    ];
    const secure = new SecureBucket(this, 'Bucket', {
      bucketPrefix: `${props.namePrefix}-alb-logs-`,
      expirationDays: props.retentionDays,
      // logs are never overwritten: old versions exist only as delete markers of expired logs
      noncurrentVersionExpirationDays: 1,
      forceDestroy,
      policyStatements: delivery,
    });
    this.bucket = secure.bucket;
    this.policy = secure.policy;
  }
}
