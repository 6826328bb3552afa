import { Construct } from 'constructs';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias/index.js';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key/index.js';
import { accountIdOf } from '../core/account.js';
import { policyDocument, type ResourcePolicyStatement } from '../core/iam.js';

export interface EnvironmentKeysProps {
  readonly envName: string;
  readonly region: string;
  /** The audit trail that writes with the logs key (its ARN is built from the name to avoid a cycle). @default - no trail */
  readonly trailName?: string;
  /** Days a deleted key waits before it is gone (7-30). @default 30 */
  readonly deletionWindowDays?: number;
}

/** The encryption context CloudWatch Logs uses for a log group's data keys. */
export const LOGS_ENCRYPTION_CONTEXT = 'kms:EncryptionContext:aws:logs:arn';
/** The encryption context CloudTrail uses for a trail's data keys. */
export const CLOUDTRAIL_ENCRYPTION_CONTEXT = 'kms:EncryptionContext:aws:cloudtrail:arn';

/**
 * The environment's customer-managed keys (keys: customer-managed), rotated every year:
 * - `dataKey` encrypts what holds documents or secrets: the documents bucket, Secrets Manager
 *   secrets (API keys, database credentials, the master user's secret) and the ECR images. Its
 *   policy lets IAM decide (the account root statement, AWS's default), so only roles whose own
 *   policies name the key use it: the services for the bucket, the execution roles for secrets;
 * - `logsKey` encrypts what operators read: CloudWatch log groups (the CloudWatch Logs service,
 *   per log group of this account and region), the alarm topic (CloudWatch alarms publishing to
 *   it) and the audit trail (CloudTrail, for this account's trail).
 * Owned by the foundation: a key outlives the stacks that use it (deleting one waits 30 days).
 */
export class EnvironmentKeys extends Construct {
  readonly dataKey: KmsKey;
  readonly logsKey: KmsKey;

  constructor(scope: Construct, id: string, props: EnvironmentKeysProps) {
    super(scope, id);
    const deletionWindowDays = props.deletionWindowDays ?? 30;
    const account = accountIdOf(this);
    const root: ResourcePolicyStatement = {
      Sid: 'AccountIamDecides',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      // AWS's default key policy: without it IAM policies could never grant the key
      Action: 'kms:*',
      Resource: '*',
    };
    const key = (keyId: string, name: string, description: string, services: ResourcePolicyStatement[]) => {
      const kmsKey = new KmsKey(this, keyId, {
        description,
        enableKeyRotation: true,
        rotationPeriodInDays: 365,
        deletionWindowInDays: deletionWindowDays,
        policy: policyDocument([root, ...services]),
      });
      new KmsAlias(this, `${keyId}Alias`, { name: `alias/docflow-${props.envName}-${name}`, targetKeyId: kmsKey.keyId });
      return kmsKey;
    };

    this.dataKey = key('DataKey', 'data', `docflow ${props.envName}: documents, secrets, images`, []);
    this.logsKey = key('LogsKey', 'logs', `docflow ${props.envName}: log groups, the alarm topic, the audit trail`, [
      {
        Sid: 'CloudWatchLogsOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: `logs.${props.region}.amazonaws.com` },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { ArnLike: { [LOGS_ENCRYPTION_CONTEXT]: `arn:aws:logs:${props.region}:${account}:log-group:*` } },
      },
      {
        Sid: 'CloudWatchAlarmsPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': account } },
      },
      ...(props.trailName !== undefined
        ? [
            {
              Sid: 'CloudTrailWrites',
              Effect: 'Allow' as const,
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Action: ['kms:GenerateDataKey'],
              Resource: '*',
              Condition: {
                StringLike: { [CLOUDTRAIL_ENCRYPTION_CONTEXT]: `arn:aws:cloudtrail:*:${account}:trail/*` },
                StringEquals: { 'aws:SourceArn': `arn:aws:cloudtrail:${props.region}:${account}:trail/${props.trailName}` },
              },
            },
            {
              Sid: 'CloudTrailDescribes',
              Effect: 'Allow' as const,
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Action: ['kms:DescribeKey'],
              Resource: '*',
            },
          ]
        : []),
    ]);
  }
}
