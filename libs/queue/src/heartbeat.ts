import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueueLogger } from './logger.js';

export interface Heartbeat {
  stop(): void;
}

/**
 * Keeps a message invisible while its handler runs: every `intervalSeconds` the visibility
 * timeout is set to `visibilityTimeoutSeconds` again, so long work is not handed to a second
 * consumer. A message SQS no longer knows (deleted, or its receipt expired) ends the heartbeat.
 */
export function startHeartbeat(options: {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly intervalSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly logger: QueueLogger;
}): Heartbeat {
  const { client, queueUrl, messageId, receiptHandle, logger } = options;
  const beat = async (): Promise<void> => {
    try {
      await client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: options.visibilityTimeoutSeconds,
        }),
      );
      logger.debug({ messageId, visibilityTimeoutSeconds: options.visibilityTimeoutSeconds }, 'extended message visibility');
    } catch (error) {
      const code = (error as Error).name;
      logger.warn({ messageId, code, reason: (error as Error).message }, 'extending message visibility failed');
      if (code === 'ReceiptHandleIsInvalid' || code === 'MessageNotInflight') clearInterval(timer);
    }
  };
  const timer = setInterval(() => void beat(), options.intervalSeconds * 1000);
  return { stop: () => clearInterval(timer) };
}
