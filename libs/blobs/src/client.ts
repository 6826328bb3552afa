import { S3Client } from '@aws-sdk/client-s3';
import type { AwsConfig } from '@docflow/config';

/**
 * An S3 client for AWS or the local emulator. With an endpoint (the emulator) requests use
 * path-style URLs: virtual-hosted ones would need DNS for <bucket>.127.0.0.1.
 */
export function createS3Client(aws: AwsConfig): S3Client {
  return new S3Client({
    region: aws.region,
    ...(aws.endpoint !== undefined ? { endpoint: aws.endpoint, forcePathStyle: true } : {}),
    ...(aws.credentials !== undefined ? { credentials: aws.credentials } : {}),
  });
}
