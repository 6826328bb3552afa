import type { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { LOG_RETENTION_DAYS } from '../environments/validate.js';

/**
 * A log group that always expires its events (CloudWatch keeps them forever otherwise), encrypted
 * with `kmsKeyArn` when one is given (the key policy must let CloudWatch Logs use it).
 */
export function logGroupWithRetention(scope: Construct, id: string, props: { name: string; retentionDays: number; kmsKeyArn?: string | undefined }) {
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(props.retentionDays)) {
    throw new Error(`Log group "${props.name}": retentionDays ${props.retentionDays} is not a CloudWatch retention`);
  }
  return new CloudwatchLogGroup(scope, id, {
    name: props.name,
    retentionInDays: props.retentionDays,
    ...(props.kmsKeyArn !== undefined ? { kmsKeyId: props.kmsKeyArn } : {}),
  });
}
