import { deadLetterAttributes } from '@docflow/contracts';
import type { QueueProducer } from '@docflow/queue';

export { DEAD_LETTER_AT, DEAD_LETTER_REASON } from '@docflow/contracts';

/**
 * Sends a message body, unchanged, to the dead-letter queue with the reason attached. Used for
 * messages that can never succeed (they break the contract) and, in pipe mode, for messages past
 * their last attempt: SQS's redrive policy cannot see those, because Pipes already deleted them.
 */
export async function deadLetter(deadLetters: QueueProducer, body: string, reason: string): Promise<void> {
  await deadLetters.send(body, { attributes: deadLetterAttributes(reason) });
}
