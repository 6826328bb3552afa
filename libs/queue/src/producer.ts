import {
  SendMessageBatchCommand,
  SendMessageCommand,
  type MessageAttributeValue,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { pingQueue } from './client.js';
import { QueueSendError, type FailedEntry, type SentEntry } from './errors.js';
import { backoffMs, sleep } from './sleep.js';

export interface OutgoingMessage {
  readonly body: string;
  /**
   * Delay before the message becomes visible (SQS: at most 900).
   * @default 0
   */
  readonly delaySeconds?: number;
  /**
   * String message attributes.
   * @default - none
   */
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface QueueProducerOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /**
   * Attempts for batch entries that SQS reports as failed through no fault of the message
   * (the SDK already retries whole requests that fail).
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * First pause before retrying failed entries; it doubles per attempt (with jitter).
   * @default 200
   */
  readonly retryBaseDelayMs?: number;
}

/** SQS limits for one SendMessageBatch call. */
const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_BYTES = 1024 * 1024;

/** Sends messages to one queue; a batch either fully succeeds or throws a QueueSendError naming what failed. */
export class QueueProducer {
  readonly queueUrl: string;
  private readonly client: SQSClient;
  private readonly maxAttempts: number;
  private readonly retryBaseDelayMs: number;

  constructor(options: QueueProducerOptions) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 200;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new RangeError(`maxAttempts must be a positive integer, got ${options.maxAttempts}`);
    }
  }

  /** Sends one message and returns its SQS message id. */
  async send(body: string, options: Omit<OutgoingMessage, 'body'> = {}): Promise<string> {
    assertBody(body, 0);
    const result = await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: body,
        DelaySeconds: options.delaySeconds,
        MessageAttributes: toAttributes(options.attributes),
      }),
    );
    if (result.MessageId === undefined) throw new Error('SendMessage returned no MessageId');
    return result.MessageId;
  }

  /**
   * Sends any number of messages in batches of up to 10 (and 1 MiB). Entries that fail are
   * retried; if some still fail, throws a QueueSendError listing the failed and the sent ones.
   * Returns the message ids in input order.
   */
  async sendBatch(messages: readonly (string | OutgoingMessage)[]): Promise<string[]> {
    const entries = messages.map((message) => (typeof message === 'string' ? { body: message } : message));
    entries.forEach((entry, index) => assertBody(entry.body, index));

    const messageIds: (string | undefined)[] = new Array(entries.length);
    const permanent: FailedEntry[] = [];
    let pending = entries.map((_, index) => index);
    let retryable: FailedEntry[] = [];

    for (let attempt = 1; attempt <= this.maxAttempts && pending.length > 0; attempt += 1) {
      if (attempt > 1) await sleep(backoffMs(attempt - 1, this.retryBaseDelayMs, 5_000));
      retryable = [];
      const chunks = chunk(pending, entries);
      const results = await Promise.allSettled(chunks.map((indexes) => this.sendChunk(indexes, entries)));
      results.forEach((result, chunkIndex) => {
        const indexes = chunks[chunkIndex] ?? [];
        if (result.status === 'rejected') {
          const error = result.reason as Error & { name?: string };
          for (const index of indexes) {
            retryable.push({ index, code: error.name ?? 'Error', message: error.message, senderFault: false });
          }
          return;
        }
        for (const sent of result.value.sent) messageIds[sent.index] = sent.messageId;
        for (const failed of result.value.failed) (failed.senderFault ? permanent : retryable).push(failed);
      });
      pending = retryable.map((entry) => entry.index);
    }

    const failed = [...permanent, ...retryable].sort((a, b) => a.index - b.index);
    if (failed.length > 0) {
      const sent: SentEntry[] = [];
      messageIds.forEach((messageId, index) => {
        if (messageId !== undefined) sent.push({ index, messageId });
      });
      throw new QueueSendError(failed, sent, entries.length);
    }
    return messageIds as string[];
  }

  /** Readiness: the queue exists and is reachable. */
  ping(): Promise<void> {
    return pingQueue(this.client, this.queueUrl);
  }

  private async sendChunk(
    indexes: readonly number[],
    entries: readonly OutgoingMessage[],
  ): Promise<{ sent: SentEntry[]; failed: FailedEntry[] }> {
    const batch: SendMessageBatchRequestEntry[] = indexes.map((index) => {
      const entry = entries[index] as OutgoingMessage;
      return {
        Id: String(index),
        MessageBody: entry.body,
        DelaySeconds: entry.delaySeconds,
        MessageAttributes: toAttributes(entry.attributes),
      };
    });
    const result = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: batch }));
    const sent: SentEntry[] = (result.Successful ?? []).map((entry) => ({
      index: Number(entry.Id),
      messageId: entry.MessageId ?? '',
    }));
    const failed: FailedEntry[] = (result.Failed ?? []).map((entry) => ({
      index: Number(entry.Id),
      code: entry.Code ?? 'Unknown',
      message: entry.Message ?? 'no message',
      senderFault: entry.SenderFault ?? false,
    }));
    // an entry SQS neither confirms nor rejects is not known to be sent: treat it as failed
    const answered = new Set([...sent, ...failed].map((entry) => entry.index));
    for (const index of indexes) {
      if (!answered.has(index)) {
        failed.push({ index, code: 'NoResult', message: 'SQS returned no result for this entry', senderFault: false });
      }
    }
    return { sent, failed };
  }
}

/** Groups entries into batches within SQS's count and size limits, keeping input order. */
function chunk(indexes: readonly number[], entries: readonly OutgoingMessage[]): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const index of indexes) {
    const size = messageBytes(entries[index] as OutgoingMessage);
    if (current.length === MAX_BATCH_ENTRIES || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Size as SQS counts it: the body plus each attribute's name, type and value. */
function messageBytes(message: OutgoingMessage): number {
  let size = Buffer.byteLength(message.body, 'utf8');
  for (const [name, value] of Object.entries(message.attributes ?? {})) {
    size += Buffer.byteLength(name, 'utf8') + 'String'.length + Buffer.byteLength(value, 'utf8');
  }
  return size;
}

function toAttributes(attributes: Readonly<Record<string, string>> | undefined): Record<string, MessageAttributeValue> | undefined {
  if (attributes === undefined || Object.keys(attributes).length === 0) return undefined;
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
  );
}

function assertBody(body: unknown, index: number): void {
  if (typeof body !== 'string' || body.length === 0) {
    throw new TypeError(`message #${index}: body must be a non-empty string (SQS rejects empty messages)`);
  }
}
