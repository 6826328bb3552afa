import { toQueueSafeText } from '@docflow/contracts';
import type { QueueProducer } from '@docflow/queue';

/** Message attributes a dead-lettered message carries, so whoever drains the DLQ sees why. */
export const DEAD_LETTER_REASON = 'docflow-dead-letter-reason';
export const DEAD_LETTER_AT = 'docflow-dead-lettered-at';

const MAX_REASON_CHARS = 1_000;

/**
 * Sends a message body, unchanged, to the dead-letter queue with the reason attached. Used for
 * messages that can never succeed (they break the contract) and, in pipe mode, for messages past
 * their last attempt: SQS's redrive policy cannot see those, because Pipes already deleted them.
 */
export async function deadLetter(deadLetters: QueueProducer, body: string, reason: string): Promise<void> {
  await deadLetters.send(body, {
    attributes: {
      // a reason may quote the body (a JSON parse error does), cut anywhere: keep it sendable
      [DEAD_LETTER_REASON]: toQueueSafeText(reason.slice(0, MAX_REASON_CHARS)),
      [DEAD_LETTER_AT]: new Date().toISOString(),
    },
  });
}
