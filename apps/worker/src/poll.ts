import { parseDocumentMessage } from '@docflow/contracts';
import type { Logger } from '@docflow/observability';
import type { MessageHandler, QueueProducer } from '@docflow/queue';
import type { DatabaseGate } from './database-gate.js';
import { deadLetter } from './dead-letter.js';
import { processDocument, type ProcessDeps } from './process.js';

export interface PollHandlerDeps extends ProcessDeps {
  readonly deadLetters: QueueProducer;
  readonly logger: Logger;
  /**
   * Told about each failure, so the worker stops receiving while PostgreSQL is away.
   * @default - the worker keeps receiving through an outage
   */
  readonly databaseGate?: Pick<DatabaseGate, 'observe'>;
}

/**
 * What the long-polling worker does with each message. A message that breaks the contract goes
 * to the DLQ at once (retrying cannot fix it) and is deleted; a failure to process leaves the
 * message in the queue, so it comes back after the visibility timeout and, after the redrive
 * policy's maximum receives, lands in the DLQ. While PostgreSQL is away the database gate stops
 * the receiving, so an outage does not spend those receives.
 */
export function createPollHandler(deps: PollHandlerDeps): MessageHandler {
  return async (message) => {
    const parsed = parseDocumentMessage(message.body);
    if (!parsed.ok) {
      deps.logger.error(
        { messageId: message.messageId, receiveCount: message.receiveCount, reason: parsed.reason },
        'message breaks the contract; sent to the dead-letter queue',
      );
      await deadLetter(deps.deadLetters, message.body, parsed.reason);
      return;
    }
    const { documentId, correlationId, attempt } = parsed.message;
    const log = deps.logger.child({ correlationId, documentId, messageId: message.messageId });
    try {
      const result = await processDocument(parsed.message, deps);
      if (result.outcome === 'processed') {
        log.info({ write: result.write, title: result.title, textChars: result.textChars, attempt, receiveCount: message.receiveCount }, 'document processed');
      } else {
        log.warn({ write: result.write, reason: result.reason }, 'document failed for good; recorded as failed');
      }
    } catch (error) {
      log.warn({ err: error, receiveCount: message.receiveCount }, 'processing failed; the message will be retried');
      deps.databaseGate?.observe(error);
      throw error;
    }
  };
}
