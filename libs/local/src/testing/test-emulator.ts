import type { AwsConfig } from '@docflow/config';
import { startEmulator, type EmulatorOptions } from '../emulator.js';

export type TestEmulatorOptions = Omit<EmulatorOptions, 'port'>;

export type QueueRole = 'queue' | 'deadLetterQueue';

/** A message as the emulator holds it, seen without receiving it. */
export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly messageAttributes: Readonly<Record<string, { DataType: string; StringValue?: string }>>;
  readonly receiveCount: number;
  readonly state: 'ready' | 'delayed' | 'inflight';
}

export interface TestEmulator {
  readonly endpoint: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly bucket: string;
  /** SDK settings that reach this emulator (pass to createSqsClient / createS3Client). */
  readonly aws: AwsConfig;
  /** Every message in the queue or DLQ (ready, delayed and in flight), without receiving any. */
  messages(role: QueueRole): QueuedMessage[];
  /** Empties both queues and the bucket (keeps them). */
  reset(): void;
  /** Stops the emulator. Safe to call more than once. */
  stop(): Promise<void>;
}

/** The SQS/S3 emulator on a free port, with the queue, DLQ (redrive) and bucket of the local environment. */
export async function startTestEmulator(options: TestEmulatorOptions = {}): Promise<TestEmulator> {
  const emulator = await startEmulator({ ...options, port: 0 });
  const messages = (role: QueueRole): QueuedMessage[] => {
    const name = role === 'queue' ? emulator.queueName : emulator.deadLetterQueueName;
    const state = emulator.server.inspectQueue(name);
    if (state === undefined) return [];
    const view = (message: (typeof state.messages.ready)[number], queued: QueuedMessage['state']): QueuedMessage => ({
      messageId: message.messageId,
      body: message.body,
      messageAttributes: message.messageAttributes,
      receiveCount: message.approximateReceiveCount,
      state: queued,
    });
    return [
      ...state.messages.ready.map((message) => view(message, 'ready')),
      ...state.messages.delayed.map((message) => view(message, 'delayed')),
      ...state.messages.inflight.map((entry) => view(entry.message, 'inflight')),
    ];
  };
  return {
    endpoint: emulator.endpoint,
    queueUrl: emulator.queueUrl,
    deadLetterQueueUrl: emulator.deadLetterQueueUrl,
    bucket: emulator.bucket,
    aws: emulator.aws,
    messages,
    reset: () => emulator.server.reset(),
    stop: () => emulator.stop(),
  };
}
