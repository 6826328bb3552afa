import { DeleteMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueueLogger } from './logger.js';
import { backoffMs, sleep } from './sleep.js';

export interface DeleteBatcherOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly logger: QueueLogger;
  /**
   * Attempts per entry that SQS fails through no fault of ours (throttling, internal errors).
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * How long an acknowledgement may wait for others to share its DeleteMessageBatch call.
   * @default 50
   */
  readonly flushDelayMs?: number;
}

interface PendingDelete {
  readonly messageId: string;
  readonly receiptHandle: string;
  attempts: number;
}

const MAX_BATCH_ENTRIES = 10;

/**
 * Deletes acknowledged messages in batches of up to 10. DeleteMessageBatch answers HTTP 200 even
 * when single entries fail, so every entry's result is checked: transient failures are retried a
 * bounded number of times, the rest are logged (such a message is delivered again later, which
 * idempotent processing absorbs).
 */
export class DeleteBatcher {
  private readonly client: SQSClient;
  private readonly queueUrl: string;
  private readonly logger: QueueLogger;
  private readonly maxAttempts: number;
  private readonly flushDelayMs: number;
  private pending: PendingDelete[] = [];
  private readonly sending = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private nextId = 0;

  constructor(options: DeleteBatcherOptions) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
    this.logger = options.logger;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.flushDelayMs = options.flushDelayMs ?? 50;
  }

  /** Queues a delete; it is sent with the next batch. */
  delete(messageId: string, receiptHandle: string): void {
    this.pending.push({ messageId, receiptHandle, attempts: 0 });
    if (this.pending.length >= MAX_BATCH_ENTRIES) this.flush();
    else this.schedule(this.flushDelayMs);
  }

  /** Sends everything pending, retries included, and resolves when nothing is left to send. */
  async drain(): Promise<void> {
    for (let round = 1; this.pending.length > 0 || this.sending.size > 0; round += 1) {
      this.flush();
      await Promise.all([...this.sending]);
      if (this.pending.length > 0) await sleep(backoffMs(round, 100, 2_000));
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => this.flush(), delayMs);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH_ENTRIES);
      const sending = this.send(batch).finally(() => this.sending.delete(sending));
      this.sending.add(sending);
    }
  }

  private async send(batch: PendingDelete[]): Promise<void> {
    const byId = new Map(batch.map((entry) => [`d${(this.nextId += 1)}`, entry]));
    for (const entry of batch) entry.attempts += 1;
    let failed: { entry: PendingDelete; code: string; message: string; senderFault: boolean }[];
    try {
      const result = await this.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: [...byId].map(([Id, entry]) => ({ Id, ReceiptHandle: entry.receiptHandle })),
        }),
      );
      const succeeded = new Set((result.Successful ?? []).map((entry) => entry.Id));
      const reported = new Map((result.Failed ?? []).map((entry) => [entry.Id, entry]));
      failed = [];
      for (const [id, entry] of byId) {
        if (succeeded.has(id)) continue;
        const failure = reported.get(id);
        failed.push({
          entry,
          code: failure?.Code ?? 'NoResult',
          message: failure?.Message ?? 'SQS returned no result for this entry',
          senderFault: failure?.SenderFault ?? false,
        });
      }
    } catch (error) {
      const { name, message } = error as Error;
      failed = batch.map((entry) => ({ entry, code: name, message, senderFault: false }));
    }

    for (const { entry, code, message, senderFault } of failed) {
      const context = { messageId: entry.messageId, code, reason: message, attempts: entry.attempts };
      if (!senderFault && entry.attempts < this.maxAttempts) {
        this.logger.warn(context, 'deleting an acknowledged message failed; retrying');
        this.pending.push(entry);
      } else {
        this.logger.error(context, 'could not delete an acknowledged message; it will be delivered again');
      }
    }
    if (this.pending.length > 0) this.schedule(backoffMs(1, 100, 2_000));
  }
}
