import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsConfig } from '@docflow/config';

export interface EmulatorClients {
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  destroy(): void;
}

/** SDK clients for the emulator itself (snapshots go through the real APIs, as the apps do). */
export function createEmulatorClients(aws: AwsConfig): EmulatorClients {
  const common = {
    region: aws.region,
    ...(aws.endpoint !== undefined ? { endpoint: aws.endpoint } : {}),
    ...(aws.credentials !== undefined ? { credentials: aws.credentials } : {}),
  };
  const sqs = new SQSClient(common);
  // bucket-in-hostname URLs would need DNS for <bucket>.127.0.0.1
  const s3 = new S3Client({ ...common, forcePathStyle: true });
  return {
    sqs,
    s3,
    destroy: () => {
      sqs.destroy();
      s3.destroy();
    },
  };
}
