import { Construct } from 'constructs';
import { AccessanalyzerAnalyzer } from '@cdktf/provider-aws/lib/accessanalyzer-analyzer/index.js';
import { Cloudtrail } from '@cdktf/provider-aws/lib/cloudtrail/index.js';
import { GuarddutyDetector } from '@cdktf/provider-aws/lib/guardduty-detector/index.js';
import { GuarddutyDetectorFeature } from '@cdktf/provider-aws/lib/guardduty-detector-feature/index.js';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import { accountIdOf } from '../core/account.js';
import type { ResourcePolicyStatement } from '../core/iam.js';
import { SecureBucket } from '../data/secure-bucket.js';

/** GuardDuty protections turned on beyond the foundational ones (CloudTrail, VPC flow and DNS logs). */
export const GUARDDUTY_FEATURES = ['S3_DATA_EVENTS', 'RDS_LOGIN_EVENTS'] as const;
/** Key prefix of the trail's log files; CloudTrail appends `AWSLogs/<account>/`. */
export const TRAIL_PREFIX = 'cloudtrail';

export interface AuditTrailProps {
  readonly envName: string;
  readonly region: string;
  /** Days the log files are kept. */
  readonly retentionDays: number;
  /** Encrypts the log files (the key policy must let CloudTrail use it). @default - SSE-S3 */
  readonly kmsKeyArn?: string;
}

/** The trail's name in an environment (the key policy and the bucket policy name it before it exists). */
export function trailName(envName: string): string {
  return `docflow-${envName}-audit`;
}

/**
 * The account's audit trail: a multi-region CloudTrail trail of management events (global services
 * included), with log file validation (a digest every hour proves no file was changed or removed),
 * to a secure bucket of its own whose policy lets only this trail write (aws:SourceArn) with the
 * owner's full control, and whose files expire after the retention. The trail depends on the policy
 * (CloudTrail checks it when the trail is created).
 */
export class AuditTrail extends Construct {
  readonly trail: Cloudtrail;
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const account = accountIdOf(this);
    const name = trailName(props.envName);
    const trailArn = `arn:aws:cloudtrail:${props.region}:${account}:trail/${name}`;
    const secure = new SecureBucket(this, 'Bucket', {
      bucketPrefix: `docflow-${props.envName}-audit-`,
      expirationDays: props.retentionDays,
      noncurrentVersionExpirationDays: 1,
      preventDestroy: true,
      ...(props.kmsKeyArn !== undefined ? { kmsKeyArn: props.kmsKeyArn } : {}),
      policyStatements: (bucketArn): ResourcePolicyStatement[] => [
        {
          Sid: 'CloudTrailAclCheck',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:GetBucketAcl',
          Resource: bucketArn,
          Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
        },
        {
          Sid: 'CloudTrailWrite',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `${bucketArn}/${TRAIL_PREFIX}/AWSLogs/${account}/*`,
          Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn } },
        },
      ],
    });
    this.bucket = secure.bucket;
    this.trail = new Cloudtrail(this, 'Trail', {
      name,
      s3BucketName: secure.bucket.id,
      s3KeyPrefix: TRAIL_PREFIX,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      ...(props.kmsKeyArn !== undefined ? { kmsKeyId: props.kmsKeyArn } : {}),
      dependsOn: [secure.policy],
    });
  }
}

export interface ThreatDetectionProps {
  /** @default "FIFTEEN_MINUTES" */
  readonly findingPublishingFrequency?: 'FIFTEEN_MINUTES' | 'ONE_HOUR' | 'SIX_HOURS';
}

/**
 * GuardDuty in the account and region: the detector (CloudTrail management events, VPC flow logs
 * and DNS logs, always), S3 data events (who reads the documents bucket) and RDS login events
 * (failed and unusual logins to PostgreSQL). Runtime monitoring of Fargate is left off: it injects
 * an agent sidecar into every task and is priced per vCPU.
 */
export class ThreatDetection extends Construct {
  readonly detector: GuarddutyDetector;

  constructor(scope: Construct, id: string, props: ThreatDetectionProps = {}) {
    super(scope, id);
    this.detector = new GuarddutyDetector(this, 'Detector', { enable: true, findingPublishingFrequency: props.findingPublishingFrequency ?? 'FIFTEEN_MINUTES' });
    for (const feature of GUARDDUTY_FEATURES) {
      new GuarddutyDetectorFeature(this, feature, { detectorId: this.detector.id, name: feature, status: 'ENABLED' });
    }
  }
}

export interface AccessAnalysisProps {
  readonly envName: string;
}

/**
 * IAM Access Analyzer for the account and region (type ACCOUNT: external access, free): a finding
 * for every role, bucket, key, queue or secret that a principal outside the account may use. Among
 * them a workload role whose trust policy was rewritten to trust another account, which no IAM
 * policy can forbid the deploy role (IAM cannot condition on a trust policy's content). Findings
 * show in the IAM console (Access analyzer) and go to EventBridge as "Access Analyzer Finding".
 */
export class AccessAnalysis extends Construct {
  readonly analyzer: AccessanalyzerAnalyzer;

  constructor(scope: Construct, id: string, props: AccessAnalysisProps) {
    super(scope, id);
    this.analyzer = new AccessanalyzerAnalyzer(this, 'Analyzer', { analyzerName: `docflow-${props.envName}-external-access`, type: 'ACCOUNT' });
  }
}
