import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AwsConfig } from '@docflow/config';

export interface SqsClientOptions {
  /**
   * Socket inactivity after which a request fails (and the SDK retries it). Above the 20 s of a
   * long poll, during which SQS sends nothing.
   * @default 30_000
   */
  readonly socketTimeoutMs?: number;
}

/** Time to open a connection: an endpoint that does not answer fails fast and is retried. */
const CONNECTION_TIMEOUT_MS = 3_000;

/**
 * An SQS client for AWS (region, task-role credentials) or the local emulator (endpoint, static
 * credentials). The SDK sets no timeouts of its own: a request on a stalled connection would wait
 * forever, and a consumer's heartbeat would keep its message hidden all that time.
 */
export function createSqsClient(aws: AwsConfig, options: SqsClientOptions = {}): SQSClient {
  const socketTimeoutMs = options.socketTimeoutMs ?? 30_000;
  return new SQSClient({
    region: aws.region,
    ...(aws.endpoint !== undefined ? { endpoint: aws.endpoint } : {}),
    ...(aws.credentials !== undefined ? { credentials: aws.credentials } : {}),
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, socketTimeout: socketTimeoutMs },
  });
}

/**
 * Readiness check: the queue exists and we may talk to it (sqs:GetQueueAttributes, which the
 * ingest and worker roles hold). Throws the SDK error otherwise.
 */
export async function pingQueue(client: SQSClient, queueUrl: string): Promise<void> {
  await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
}
