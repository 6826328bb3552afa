import { S3Client } from '@aws-sdk/client-s3';
import type { AwsConfig } from '@docflow/config';

export interface S3ClientOptions {
  /**
   * Socket inactivity after which a request fails (and the SDK retries it).
   * @default 30_000
   */
  readonly socketTimeoutMs?: number;
}

/** Time to open a connection: an endpoint that does not answer fails fast and is retried. */
const CONNECTION_TIMEOUT_MS = 3_000;

/**
 * An S3 client for AWS or the local emulator. With an endpoint (the emulator) requests use
 * path-style URLs: virtual-hosted ones would need DNS for <bucket>.127.0.0.1. The SDK sets no
 * timeouts of its own: a request on a stalled connection would hold an ingest request or a
 * worker's message forever.
 */
export function createS3Client(aws: AwsConfig, options: S3ClientOptions = {}): S3Client {
  const socketTimeoutMs = options.socketTimeoutMs ?? 30_000;
  return new S3Client({
    region: aws.region,
    ...(aws.endpoint !== undefined ? { endpoint: aws.endpoint, forcePathStyle: true } : {}),
    ...(aws.credentials !== undefined ? { credentials: aws.credentials } : {}),
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, socketTimeout: socketTimeoutMs },
  });
}
