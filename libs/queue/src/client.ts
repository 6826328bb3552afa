import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AwsConfig } from '@docflow/config';

/** An SQS client for AWS (region, task-role credentials) or the local emulator (endpoint, static credentials). */
export function createSqsClient(aws: AwsConfig): SQSClient {
  return new SQSClient({
    region: aws.region,
    ...(aws.endpoint !== undefined ? { endpoint: aws.endpoint } : {}),
    ...(aws.credentials !== undefined ? { credentials: aws.credentials } : {}),
  });
}

/**
 * Readiness check: the queue exists and we may talk to it (sqs:GetQueueAttributes, which the
 * ingest and worker roles hold). Throws the SDK error otherwise.
 */
export async function pingQueue(client: SQSClient, queueUrl: string): Promise<void> {
  await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
}
