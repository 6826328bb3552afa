import {
  ChangeMessageVisibilityCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { DeleteBatcher } from './delete-batcher.js';
import { startHeartbeat, type Heartbeat } from './heartbeat.js';
import { silentLogger, type QueueLogger } from './logger.js';
import { backoffMs, sleep } from './sleep.js';

/** A received message as a handler sees it. */
export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  /** How often SQS has handed this message out, this time included (ApproximateReceiveCount). */
  readonly receiveCount: number;
  readonly sentAt?: Date;
  /** String message attributes. */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface HandlerContext {
  /** Aborted when a stopping consumer's shutdown timeout runs out: finish or give up quickly. */
  readonly signal: AbortSignal;
}

/**
 * Resolve to acknowledge (the message is deleted); throw to have it delivered again (after its
 * visibility timeout, or `retryDelaySeconds`). To dead-letter a bad message, send it to the DLQ
 * yourself and resolve.
 */
export type MessageHandler = (message: QueueMessage, context: HandlerContext) => Promise<void>;

export interface QueueConsumerOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly handler: MessageHandler;
  /**
   * Messages handled at once; never more are received than there are free slots.
   * @default 1
   */
  readonly concurrency?: number;
  /**
   * Long-polling wait per ReceiveMessage call (0-20).
   * @default 20
   */
  readonly waitTimeSeconds?: number;
  /**
   * Visibility timeout asked for on receive and renewed by the heartbeat.
   * @default 60
   */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * How often a running handler's message gets its visibility renewed.
   * @default - half of visibilityTimeoutSeconds
   */
  readonly heartbeatIntervalSeconds?: number;
  /**
   * After a handler throws, the message becomes visible again after this long.
   * @default - the message comes back when its visibility timeout ends
   */
  readonly retryDelaySeconds?: number;
  /**
   * How long `stop()` waits for running handlers.
   * @default 25_000
   */
  readonly shutdownTimeoutMs?: number;
  /**
   * First pause after a failed receive; doubles per failure up to 30 s.
   * @default 1_000
   */
  readonly receiveErrorBackoffMs?: number;
  /**
   * Called before each receive; while it throws, nothing is received (the consumer backs off and
   * asks again). Hold the backlog in the queue this way while a dependency the handler needs is
   * down: every receive counts toward the redrive policy, so an outage must not spend them.
   * @default - always receive
   */
  readonly beforeReceive?: (signal: AbortSignal) => Promise<void>;
  /** @default - nothing is logged */
  readonly logger?: QueueLogger;
}

const MAX_RECEIVE_BATCH = 10;
const MAX_RECEIVE_BACKOFF_MS = 30_000;

/**
 * Long-polling SQS consumer with bounded concurrency, a visibility heartbeat for long work,
 * batched deletes with a per-entry check, and a graceful drain on `stop()`.
 */
export class QueueConsumer {
  private readonly client: SQSClient;
  private readonly queueUrl: string;
  private readonly handler: MessageHandler;
  private readonly concurrency: number;
  private readonly waitTimeSeconds: number;
  private readonly visibilityTimeoutSeconds: number;
  private readonly heartbeatIntervalSeconds: number;
  private readonly retryDelaySeconds: number | undefined;
  private readonly shutdownTimeoutMs: number;
  private readonly receiveErrorBackoffMs: number;
  private readonly beforeReceive: ((signal: AbortSignal) => Promise<void>) | undefined;
  private readonly logger: QueueLogger;
  private readonly deletes: DeleteBatcher;

  private readonly active = new Map<Promise<void>, InFlight>();
  /** A long poll still open when stop() was called: whatever it hands out goes straight back. */
  private lastPoll: Promise<void> | undefined;
  private readonly receiveAbort = new AbortController();
  private readonly handlerAbort = new AbortController();
  private slotWaiters: (() => void)[] = [];
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: QueueConsumerOptions) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
    this.handler = options.handler;
    this.concurrency = options.concurrency ?? 1;
    this.waitTimeSeconds = options.waitTimeSeconds ?? 20;
    this.visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 60;
    this.heartbeatIntervalSeconds = options.heartbeatIntervalSeconds ?? this.visibilityTimeoutSeconds / 2;
    this.retryDelaySeconds = options.retryDelaySeconds;
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? 25_000;
    this.receiveErrorBackoffMs = options.receiveErrorBackoffMs ?? 1_000;
    this.beforeReceive = options.beforeReceive;
    this.logger = options.logger ?? silentLogger;
    this.validate();
    this.deletes = new DeleteBatcher({ client: this.client, queueUrl: this.queueUrl, logger: this.logger });
  }

  /** Messages whose handler is running now. */
  get inFlight(): number {
    return this.active.size;
  }

  /** Starts receiving. Calling it again has no effect. */
  start(): void {
    if (this.stopping !== undefined) throw new Error('a stopped QueueConsumer cannot be started again');
    this.loop ??= this.receiveLoop();
  }

  /**
   * Graceful drain: stops receiving, lets running handlers finish (up to shutdownTimeoutMs),
   * sends the pending deletes, then resolves. Nothing is left invisible: a long poll open at the
   * stop is left to end (it returns as soon as a message arrives, at the latest after
   * waitTimeSeconds) and its messages are made visible at once, as are the messages of handlers
   * still running at the timeout. Safe to call more than once.
   */
  stop(): Promise<void> {
    return (this.stopping ??= this.drain());
  }

  private async drain(): Promise<void> {
    this.receiveAbort.abort();
    this.wakeReceiveLoop();
    await this.loop;
    const deadline = new AbortController();
    const finished = await Promise.race([
      Promise.allSettled([...this.active.keys(), this.lastPoll]).then(() => true),
      sleep(this.shutdownTimeoutMs, deadline.signal).then(() => false),
    ]);
    deadline.abort();
    if (!finished && this.active.size > 0) {
      this.logger.warn(
        { inFlight: this.active.size, shutdownTimeoutMs: this.shutdownTimeoutMs },
        'handlers still running at the shutdown timeout; their messages go back to the queue now',
      );
      this.handlerAbort.abort();
      // visible again at once for another consumer, instead of after the visibility timeout
      await Promise.all(
        [...this.active.values()].map(({ heartbeat, messageId, receiptHandle }) => {
          heartbeat.stop();
          return this.setVisibility(messageId, receiptHandle, 0);
        }),
      );
    }
    await this.deletes.drain();
    this.logger.info({ queueUrl: this.queueUrl }, 'queue consumer stopped');
  }

  private async receiveLoop(): Promise<void> {
    let failures = 0;
    let holds = 0;
    while (!this.receiveAbort.signal.aborted) {
      const free = this.concurrency - this.active.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
        continue;
      }
      if (this.beforeReceive !== undefined) {
        try {
          await this.beforeReceive(this.receiveAbort.signal);
          if (holds > 0) this.logger.info({ holds }, 'receiving again');
          holds = 0;
        } catch (error) {
          if (this.receiveAbort.signal.aborted) break;
          holds += 1;
          const retryInMs = backoffMs(holds, this.receiveErrorBackoffMs, MAX_RECEIVE_BACKOFF_MS);
          this.logger.warn({ reason: (error as Error).message, holds, retryInMs }, 'not receiving: a dependency is unavailable');
          await sleep(retryInMs, this.receiveAbort.signal);
          continue;
        }
      }
      let messages: Message[];
      try {
        // Not aborted on stop: SQS (and the emulator) may hand a closed long poll messages all
        // the same, which then stay invisible for the whole visibility timeout. The poll is left
        // to end (at the latest after waitTimeSeconds) and what it returns goes straight back.
        const poll = this.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.queueUrl,
            MaxNumberOfMessages: Math.min(MAX_RECEIVE_BATCH, free),
            WaitTimeSeconds: this.waitTimeSeconds,
            VisibilityTimeout: this.visibilityTimeoutSeconds,
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
            MessageAttributeNames: ['All'],
          }),
        );
        const result = await unlessAborted(poll, this.receiveAbort.signal);
        if (result === undefined) {
          this.lastPoll = poll.then(
            (late) => this.releaseAll(late.Messages ?? []),
            () => undefined,
          );
          break;
        }
        messages = result.Messages ?? [];
        failures = 0;
      } catch (error) {
        if (this.receiveAbort.signal.aborted) break;
        failures += 1;
        const retryInMs = backoffMs(failures, this.receiveErrorBackoffMs, MAX_RECEIVE_BACKOFF_MS);
        this.logger.warn(
          { code: (error as Error).name, reason: (error as Error).message, failures, retryInMs },
          'receiving messages failed; backing off',
        );
        await sleep(retryInMs, this.receiveAbort.signal);
        continue;
      }
      if (this.receiveAbort.signal.aborted) await this.releaseAll(messages);
      else for (const message of messages) this.handle(message);
    }
  }

  private handle(raw: Message): void {
    const { MessageId: messageId, ReceiptHandle: receiptHandle } = raw;
    if (messageId === undefined || receiptHandle === undefined) {
      this.logger.error({ messageId }, 'SQS returned a message without id or receipt handle; skipped');
      return;
    }
    const message = toQueueMessage(raw, messageId);
    const heartbeat = startHeartbeat({
      client: this.client,
      queueUrl: this.queueUrl,
      messageId,
      receiptHandle,
      intervalSeconds: this.heartbeatIntervalSeconds,
      visibilityTimeoutSeconds: this.visibilityTimeoutSeconds,
      logger: this.logger,
    });
    const task = this.run(message, receiptHandle).finally(() => {
      heartbeat.stop();
      this.active.delete(task);
      this.wakeReceiveLoop();
    });
    this.active.set(task, { heartbeat, messageId, receiptHandle });
  }

  private async run(message: QueueMessage, receiptHandle: string): Promise<void> {
    try {
      await this.handler(message, { signal: this.handlerAbort.signal });
    } catch (error) {
      this.logger.warn(
        { messageId: message.messageId, receiveCount: message.receiveCount, err: error },
        'message handler failed; the message will be delivered again',
      );
      if (this.retryDelaySeconds !== undefined) await this.setVisibility(message.messageId, receiptHandle, this.retryDelaySeconds);
      return;
    }
    this.deletes.delete(message.messageId, receiptHandle);
  }

  /** Hands messages received during shutdown straight back to the queue (visible at once). */
  private async releaseAll(messages: readonly Message[]): Promise<void> {
    if (messages.length > 0) this.logger.info({ messages: messages.length }, 'releasing messages received while stopping');
    await Promise.all(
      messages.map(async (message) => {
        if (message.MessageId !== undefined && message.ReceiptHandle !== undefined) {
          await this.setVisibility(message.MessageId, message.ReceiptHandle, 0);
        }
      }),
    );
  }

  private async setVisibility(messageId: string, receiptHandle: string, seconds: number): Promise<void> {
    try {
      await this.client.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }),
      );
    } catch (error) {
      // harmless: the message still comes back when its visibility timeout ends
      this.logger.warn({ messageId, code: (error as Error).name, reason: (error as Error).message }, 'changing message visibility failed');
    }
  }

  private wakeReceiveLoop(): void {
    const waiters = this.slotWaiters;
    this.slotWaiters = [];
    for (const wake of waiters) wake();
  }

  private validate(): void {
    const problems: string[] = [];
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) problems.push(`concurrency must be a positive integer, got ${this.concurrency}`);
    if (!(this.waitTimeSeconds >= 0 && this.waitTimeSeconds <= 20)) problems.push(`waitTimeSeconds must be 0-20, got ${this.waitTimeSeconds}`);
    if (!(this.visibilityTimeoutSeconds >= 1 && this.visibilityTimeoutSeconds <= 43_200)) {
      problems.push(`visibilityTimeoutSeconds must be 1-43200, got ${this.visibilityTimeoutSeconds}`);
    }
    if (!(this.heartbeatIntervalSeconds > 0 && this.heartbeatIntervalSeconds < this.visibilityTimeoutSeconds)) {
      problems.push(
        `heartbeatIntervalSeconds must be above 0 and below visibilityTimeoutSeconds (${this.visibilityTimeoutSeconds}), got ${this.heartbeatIntervalSeconds}`,
      );
    }
    if (this.retryDelaySeconds !== undefined && !(this.retryDelaySeconds >= 0 && this.retryDelaySeconds <= 43_200)) {
      problems.push(`retryDelaySeconds must be 0-43200, got ${this.retryDelaySeconds}`);
    }
    if (problems.length > 0) throw new RangeError(`QueueConsumer: ${problems.join('; ')}`);
  }
}

interface InFlight {
  readonly heartbeat: Heartbeat;
  readonly messageId: string;
  readonly receiptHandle: string;
}

/** The promise's outcome, or undefined as soon as the signal aborts (the promise runs on). */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function toQueueMessage(raw: Message, messageId: string): QueueMessage {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) attributes[name] = value.StringValue;
  }
  const sentTimestamp = Number(raw.Attributes?.SentTimestamp);
  return {
    messageId,
    body: raw.Body ?? '',
    receiveCount: Number(raw.Attributes?.ApproximateReceiveCount ?? '1'),
    ...(Number.isFinite(sentTimestamp) && sentTimestamp > 0 ? { sentAt: new Date(sentTimestamp) } : {}),
    attributes,
  };
}
