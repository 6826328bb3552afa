/** One message of a batch that SQS did not accept. */
export interface FailedEntry {
  /** Position in the list given to `sendBatch`. */
  readonly index: number;
  readonly code: string;
  readonly message: string;
  /** True when SQS blames the message itself (retrying cannot help). */
  readonly senderFault: boolean;
}

/** A sent message of a batch that partly failed. */
export interface SentEntry {
  readonly index: number;
  readonly messageId: string;
}

/**
 * Some messages of a batch were not sent, even after retries. `sent` lists the ones that were,
 * so a caller can tell exactly which documents are queued and which are not.
 */
export class QueueSendError extends Error {
  override readonly name = 'QueueSendError';

  constructor(
    readonly failed: readonly FailedEntry[],
    readonly sent: readonly SentEntry[],
    total: number,
  ) {
    super(
      `SendMessageBatch: ${failed.length} of ${total} message(s) not sent: ` +
        failed.map((entry) => `#${entry.index} ${entry.code} (${entry.message})`).join('; '),
    );
  }
}
