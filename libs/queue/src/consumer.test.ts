import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { findFreePort, startEmulator } from '@docflow/local';
import { startTestEmulator, type TestEmulator } from '@docflow/local/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { QueueConsumer, QueueProducer, createSqsClient, type QueueConsumerOptions, type QueueMessage } from './index.js';
import { recordingLogger } from './test/recording-logger.js';

/** How long a test waits for the consumer (vi.waitUntil's timeout) before it fails. */
const WAIT_MS = 20_000;

describe('QueueConsumer (fauxqs)', () => {
  let emulator: TestEmulator;
  let client: SQSClient;
  let producer: QueueProducer;
  const consumers: QueueConsumer[] = [];

  const consumer = (options: Partial<QueueConsumerOptions> & Pick<QueueConsumerOptions, 'handler'>): QueueConsumer => {
    const created = new QueueConsumer({ client, queueUrl: emulator.queueUrl, waitTimeSeconds: 1, ...options });
    consumers.push(created);
    return created;
  };

  beforeAll(async () => {
    emulator = await startTestEmulator({ visibilityTimeoutSeconds: 30 });
    client = createSqsClient(emulator.aws);
    producer = new QueueProducer({ client, queueUrl: emulator.queueUrl });
  });

  afterAll(async () => {
    client.destroy();
    await emulator.stop();
  });

  beforeEach(() => emulator.reset());

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((created) => created.stop()));
    vi.restoreAllMocks();
  });

  it('hands each message to the handler with its id, attributes and receive count, then deletes it', async () => {
    const seen: QueueMessage[] = [];
    const ids = await producer.sendBatch([
      { body: 'one', attributes: { correlationId: 'c-1' } },
      { body: 'two' },
    ]);
    const running = consumer({ handler: async (message) => void seen.push(message) });
    running.start();
    await vi.waitUntil(() => seen.length === 2, WAIT_MS);
    await running.stop();
    expect(seen.map((message) => message.body).sort()).toEqual(['one', 'two']);
    const one = seen.find((message) => message.body === 'one');
    expect(one).toMatchObject({ messageId: ids[0], receiveCount: 1, attributes: { correlationId: 'c-1' } });
    expect(one?.sentAt).toBeInstanceOf(Date);
    expect(emulator.messages('queue')).toEqual([]);
  });

  it('never runs more than `concurrency` handlers and never receives more than the free slots', async () => {
    const send = vi.spyOn(client, 'send');
    await producer.sendBatch(Array.from({ length: 12 }, (_, index) => `m${index}`));
    let running = 0;
    let maxRunning = 0;
    let done = 0;
    const worker = consumer({
      concurrency: 3,
      handler: async () => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((resolve) => setTimeout(resolve, 30));
        running -= 1;
        done += 1;
      },
    });
    worker.start();
    await vi.waitUntil(() => done === 12, WAIT_MS);
    await worker.stop();
    expect(maxRunning).toBe(3);
    const asked = send.mock.calls
      .map(([command]) => command)
      .filter((command) => command instanceof ReceiveMessageCommand)
      .map((command) => (command as ReceiveMessageCommand).input.MaxNumberOfMessages ?? 1);
    expect(Math.max(...asked)).toBeLessThanOrEqual(3);
    const deleteBatches = send.mock.calls
      .map(([command]) => command)
      .filter((command) => command instanceof DeleteMessageBatchCommand)
      .map((command) => (command as DeleteMessageBatchCommand).input.Entries?.length ?? 0);
    expect(deleteBatches.reduce((sum, size) => sum + size, 0)).toBe(12);
    expect(Math.max(...deleteBatches)).toBeLessThanOrEqual(10);
    expect(emulator.messages('queue')).toEqual([]);
  });

  it('leaves a message whose handler throws; it comes back with a higher receive count', async () => {
    await producer.send('flaky');
    const receiveCounts: number[] = [];
    const logger = recordingLogger();
    const worker = consumer({
      retryDelaySeconds: 0,
      logger,
      handler: async (message) => {
        receiveCounts.push(message.receiveCount);
        if (message.receiveCount === 1) throw new Error('database down');
      },
    });
    worker.start();
    await vi.waitUntil(() => receiveCounts.length === 2, WAIT_MS);
    await worker.stop();
    expect(receiveCounts).toEqual([1, 2]);
    expect(logger.entries.some((entry) => entry.level === 'warn' && /handler failed/.test(entry.message))).toBe(true);
    expect(emulator.messages('queue')).toEqual([]);
  });

  it('without retryDelaySeconds, a failed message stays invisible until its visibility timeout', async () => {
    await producer.send('wait for it');
    let calls = 0;
    const worker = consumer({
      handler: async () => {
        calls += 1;
        throw new Error('fails');
      },
    });
    worker.start();
    await vi.waitUntil(() => calls === 1, WAIT_MS);
    await worker.stop();
    expect(emulator.messages('queue')).toMatchObject([{ body: 'wait for it', state: 'inflight', receiveCount: 1 }]);
  });

  it('extends the visibility of a message while a long handler runs (heartbeat)', async () => {
    await producer.send('long work');
    const send = vi.spyOn(client, 'send');
    let release: () => void = () => undefined;
    let started = false;
    const worker = consumer({
      visibilityTimeoutSeconds: 2,
      heartbeatIntervalSeconds: 0.5,
      handler: async () => {
        started = true;
        await new Promise<void>((resolve) => (release = resolve));
      },
    });
    worker.start();
    try {
      await vi.waitUntil(() => started, WAIT_MS);
      // past the 2 s visibility timeout: without the heartbeat another consumer would get the message now
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const probe = await client.send(
        new ReceiveMessageCommand({ QueueUrl: emulator.queueUrl, WaitTimeSeconds: 0, MaxNumberOfMessages: 10 }),
      );
      expect(probe.Messages ?? []).toEqual([]);
      const heartbeats = send.mock.calls.filter(([command]) => command instanceof ChangeMessageVisibilityCommand);
      expect(heartbeats.length).toBeGreaterThan(0);
    } finally {
      release();
    }
    await worker.stop();
    expect(emulator.messages('queue')).toEqual([]);
  });

  it('stop() waits for running handlers and flushes their deletes before resolving', async () => {
    await producer.send('finish me');
    let started = false;
    let finished = false;
    const worker = consumer({
      handler: async () => {
        started = true;
        await new Promise((resolve) => setTimeout(resolve, 300));
        finished = true;
      },
    });
    worker.start();
    await vi.waitUntil(() => started, WAIT_MS);
    await worker.stop();
    expect(finished).toBe(true);
    expect(emulator.messages('queue')).toEqual([]);
  });

  it('stop() gives up on a handler after shutdownTimeoutMs, aborts its signal and makes its message visible at once', async () => {
    await producer.send('stuck');
    let signal: AbortSignal | undefined;
    const logger = recordingLogger();
    const worker = consumer({
      shutdownTimeoutMs: 200,
      logger,
      handler: async (_message, context) => {
        signal = context.signal;
        await new Promise(() => undefined);
      },
    });
    worker.start();
    await vi.waitUntil(() => signal !== undefined, WAIT_MS);
    await worker.stop();
    expect(signal?.aborted).toBe(true);
    expect(logger.entries.some((entry) => /still running at the shutdown timeout/.test(entry.message))).toBe(true);
    // not after the 30 s visibility timeout: now
    expect(emulator.messages('queue')).toMatchObject([{ body: 'stuck', state: 'ready', receiveCount: 1 }]);
  });

  it('stop() during a long poll: a message the poll still receives goes straight back, visible', async () => {
    const bodies: string[] = [];
    const worker = consumer({ waitTimeSeconds: 20, handler: async (message) => void bodies.push(message.body) });
    worker.start();
    // the consumer is now waiting in a 20 s long poll on the empty queue
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stopped = worker.stop();
    // arrives after the stop: the open poll takes it (SQS does the same), and must not keep it
    await producer.send('arrived while stopping');
    await stopped;
    expect(bodies).toEqual([]);
    expect(emulator.messages('queue')).toMatchObject([{ body: 'arrived while stopping', state: 'ready' }]);
  });

  it('rejects options that cannot work, naming them', () => {
    expect(() => new QueueConsumer({ client, queueUrl: emulator.queueUrl, handler: async () => undefined, concurrency: 0 })).toThrow(
      'concurrency must be a positive integer, got 0',
    );
    expect(
      () =>
        new QueueConsumer({
          client,
          queueUrl: emulator.queueUrl,
          handler: async () => undefined,
          visibilityTimeoutSeconds: 10,
          heartbeatIntervalSeconds: 10,
        }),
    ).toThrow('heartbeatIntervalSeconds must be above 0 and below visibilityTimeoutSeconds (10), got 10');
  });

  it('receives nothing while beforeReceive throws, so an outage does not spend the messages\' receives', async () => {
    await producer.send('held back');
    let dependencyUp = false;
    const logger = recordingLogger();
    const bodies: string[] = [];
    const running = consumer({
      receiveErrorBackoffMs: 20,
      logger,
      beforeReceive: async () => {
        if (!dependencyUp) throw new Error('PostgreSQL is unavailable');
      },
      handler: async (message) => void bodies.push(message.body),
    });
    running.start();
    await vi.waitUntil(() => logger.entries.filter((entry) => /not receiving/.test(entry.message)).length >= 3, WAIT_MS);
    expect(bodies).toEqual([]);
    expect(emulator.messages('queue')).toEqual([expect.objectContaining({ body: 'held back', receiveCount: 0, state: 'ready' })]);
    expect(logger.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', context: expect.objectContaining({ reason: 'PostgreSQL is unavailable' }) }),
    );

    dependencyUp = true;
    await vi.waitUntil(() => bodies.length === 1, WAIT_MS);
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'info', message: 'receiving again' }));
  });
});

describe('QueueConsumer when the endpoint is down', () => {
  it('logs receive errors, backs off, and recovers once the endpoint is up', async () => {
    const port = await findFreePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const client = createSqsClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const queueUrl = `http://sqs.us-east-1.localhost:${port}/000000000000/docflow-documents`;
    const logger = recordingLogger();
    const bodies: string[] = [];
    const worker = new QueueConsumer({
      client,
      queueUrl,
      waitTimeSeconds: 1,
      receiveErrorBackoffMs: 20,
      logger,
      handler: async (message) => void bodies.push(message.body),
    });
    worker.start();
    await vi.waitUntil(() => logger.entries.filter((entry) => /receiving messages failed/.test(entry.message)).length >= 2, WAIT_MS);

    const emulator = await startEmulator({ port });
    try {
      await new QueueProducer({ client, queueUrl: emulator.queueUrl }).send('after the outage');
      await vi.waitUntil(() => bodies.length === 1, WAIT_MS);
      expect(bodies).toEqual(['after the outage']);
    } finally {
      await worker.stop();
      client.destroy();
      await emulator.stop();
    }
  });
});
