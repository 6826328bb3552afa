import { createHash } from 'node:crypto';
import { MAX_DELAY_SECONDS, nextAttempt, parseDocumentMessage, retryDelaySeconds, serializeDocumentMessage, type DocumentMessage } from '@docflow/contracts';
import { isDatabaseUnavailable, type Pool } from '@docflow/db';
import type { Logger } from '@docflow/observability';
import type { QueueProducer } from '@docflow/queue';
import { deadLetter } from './dead-letter.js';
import { slotRetryDelaySeconds, takePipeSlot, type PipeSlot } from './pipe-slots.js';
import { processDocument, type ProcessDeps } from './process.js';

export interface PipeDeps extends ProcessDeps {
  readonly queue: QueueProducer;
  readonly deadLetters: QueueProducer;
  readonly logger: Logger;
  /** Attempts before a message is dead-lettered instead of re-enqueued. */
  readonly maxAttempts: number;
  /**
   * The concurrency gate (pipe-slots.ts): at most `maxTasks` pipe tasks process at once
   * (WORKER_PIPE_MAX_TASKS), each holding a slot on `pool`; a task that finds every slot taken
   * hands its message back with a delay, without spending an attempt.
   * @default - no limit
   */
  readonly slots?: { readonly pool: Pool; readonly maxTasks: number };
  /**
   * Aborted when the task is told to stop (Fargate Spot interruption, scale-in).
   * @default - processing is never interrupted
   */
  readonly signal?: AbortSignal;
}

/**
 * How a pipe-mode task ends. The task succeeded (exit 0) when the message is done with:
 * `processed`, or `failed-for-good` (recorded as a failed document). Anything else exits non-zero.
 */
export type PipeOutcome = 'processed' | 'failed-for-good' | 'deferred' | 'retry-enqueued' | 'dead-lettered' | 'lost';

/**
 * One message, delivered by EventBridge Pipes in SQS_BODY. Pipes deleted the message from the
 * queue as soon as ECS accepted the task, so a failure here must put the message back itself:
 * re-enqueued with attempt + 1 (and a growing delay), or dead-lettered past the last attempt.
 */
export async function runPipe(body: string, deps: PipeDeps): Promise<PipeOutcome> {
  const parsed = parseDocumentMessage(body);
  if (!parsed.ok) {
    deps.logger.error({ reason: parsed.reason }, 'message breaks the contract; sending it to the dead-letter queue');
    return handBack(deps, () => deadLetter(deps.deadLetters, body, parsed.reason), 'dead-lettered', unreadable(body, parsed.reason));
  }
  const message = parsed.message;
  const log = deps.logger.child({ correlationId: message.correlationId, documentId: message.documentId, attempt: message.attempt });

  let failure: unknown;
  let slot: PipeSlot | undefined;
  try {
    if (deps.slots !== undefined) {
      slot = await takePipeSlot(deps.slots.pool, deps.slots.maxTasks);
      if (slot === undefined) {
        const delaySeconds = slotRetryDelaySeconds();
        log.info({ maxTasks: deps.slots.maxTasks, delaySeconds }, 'every pipe task slot is taken; handed back without spending an attempt');
        return await handBack(deps, () => deps.queue.send(serializeDocumentMessage(message), { delaySeconds }), 'deferred', claimCheck(message));
      }
    }
    const result = await Promise.race([processDocument(message, deps), interrupted(deps.signal)]);
    if (result.outcome === 'processed') {
      log.info({ write: result.write, title: result.title, textChars: result.textChars }, 'document processed');
      return 'processed';
    }
    log.warn({ write: result.write, reason: result.reason }, 'document failed for good; recorded as failed');
    return 'failed-for-good';
  } catch (error) {
    failure = error;
  } finally {
    await slot?.release();
  }

  const reason = failure instanceof Error ? failure.message : String(failure);
  if (isDatabaseUnavailable(failure)) {
    // an outage (or RDS stopped to save money) is not the message's fault: it waits without
    // spending an attempt, at the longest delay SQS allows, so it costs one task per 15 minutes
    log.warn({ err: failure, delaySeconds: MAX_DELAY_SECONDS }, 'PostgreSQL is unavailable; re-enqueued without spending an attempt');
    return handBack(deps, () => deps.queue.send(serializeDocumentMessage(message), { delaySeconds: MAX_DELAY_SECONDS }), 'retry-enqueued', claimCheck(message));
  }
  if (message.attempt >= deps.maxAttempts) {
    log.error({ err: failure }, `processing failed on the last attempt (${deps.maxAttempts}); dead-lettering`);
    const final = `gave up after ${message.attempt} attempts: ${reason}`;
    return handBack(deps, () => deadLetter(deps.deadLetters, serializeDocumentMessage(message), final), 'dead-lettered', claimCheck(message));
  }
  const retry = nextAttempt(message);
  const delaySeconds = retryDelaySeconds(message.attempt);
  log.warn({ err: failure, nextAttempt: retry.attempt, delaySeconds }, 'processing failed; re-enqueued for another attempt');
  return handBack(deps, () => deps.queue.send(serializeDocumentMessage(retry), { delaySeconds }), 'retry-enqueued', claimCheck(message));
}

/**
 * What the last-resort log line keeps of a message: its claim check (ids, the stored body's key and
 * digest, the URL, the type, the times), enough to send it again by hand, and nothing the caller
 * wrote as free text: the title stays out (re-sent without it, the worker takes the document's own).
 * The document itself never travels in a message.
 */
function claimCheck(message: DocumentMessage): Record<string, unknown> {
  const { title, ...reference } = message;
  return { lostMessage: reference, ...(title !== undefined ? { titleOmitted: true } : {}) };
}

/** A body that broke the contract: how big it was and its digest, never its content. */
function unreadable(body: string, reason: string): Record<string, unknown> {
  return { unreadableMessage: { bytes: Buffer.byteLength(body), sha256: createHash('sha256').update(body).digest('hex'), reason } };
}

async function handBack(deps: PipeDeps, send: () => Promise<unknown>, outcome: PipeOutcome, lastCopy: Record<string, unknown>): Promise<PipeOutcome> {
  try {
    await send();
    return outcome;
  } catch (error) {
    // the task exits 1 and the task-stopped rule hands SQS_BODY back; this line is for the operator
    // when that fails too: the message's reference, never a body
    deps.logger.fatal({ err: error, ...lastCopy }, 'could not hand the message back to SQS; it must be re-sent by hand');
    return 'lost';
  }
}

function interrupted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    if (signal === undefined) return;
    const abort = () => reject(new Error('the task was stopped before processing finished'));
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
  });
}

