import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { startSilentServer, startTestEmulator, type TestEmulator } from '@docflow/local/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { QueueProducer, QueueSendError, createSqsClient } from './index.js';

describe('QueueProducer (fauxqs)', () => {
  let emulator: TestEmulator;
  let client: SQSClient;
  let producer: QueueProducer;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    client = createSqsClient(emulator.aws);
    producer = new QueueProducer({ client, queueUrl: emulator.queueUrl });
  });

  afterAll(async () => {
    client.destroy();
    await emulator.stop();
  });

  beforeEach(() => emulator.reset());

  it('send() queues one message with its attributes and delay', async () => {
    const messageId = await producer.send('{"v":1}', { attributes: { correlationId: 'c-1' }, delaySeconds: 60 });
    const [queued] = emulator.messages('queue');
    expect(queued).toMatchObject({ messageId, body: '{"v":1}', state: 'delayed' });
    expect(queued?.messageAttributes.correlationId?.StringValue).toBe('c-1');
  });

  it('sendBatch() sends 25 messages in batches of 10 and returns their ids in input order', async () => {
    const send = vi.spyOn(client, 'send');
    const bodies = Array.from({ length: 25 }, (_, index) => `message-${index}`);
    const ids = await producer.sendBatch(bodies);
    const queued = new Map(emulator.messages('queue').map((message) => [message.messageId, message.body]));
    expect(ids.map((id) => queued.get(id))).toEqual(bodies);
    const batchSizes = send.mock.calls
      .map(([command]) => command)
      .filter((command) => command instanceof SendMessageBatchCommand)
      .map((command) => (command as SendMessageBatchCommand).input.Entries?.length);
    expect(batchSizes).toEqual([10, 10, 5]);
    send.mockRestore();
  });

  it('sendBatch() splits batches that would exceed 1 MiB', async () => {
    const send = vi.spyOn(client, 'send');
    const big = 'x'.repeat(400 * 1024);
    await producer.sendBatch([big, big, big, 'small']);
    const batchSizes = send.mock.calls
      .map(([command]) => command)
      .filter((command) => command instanceof SendMessageBatchCommand)
      .map((command) => (command as SendMessageBatchCommand).input.Entries?.length);
    expect(batchSizes).toEqual([2, 2]);
    expect(emulator.messages('queue')).toHaveLength(4);
    send.mockRestore();
  });

  it('refuses an empty body, naming its position, before sending anything', async () => {
    await expect(producer.sendBatch(['ok', ''])).rejects.toThrow('message #1: body must be a non-empty string');
    expect(emulator.messages('queue')).toEqual([]);
  });

  it('reports a message SQS rejects (over 1 MiB) as failed, with the others sent', async () => {
    const tooBig = 'x'.repeat(1024 * 1024 + 1);
    const error = await producer.sendBatch(['fine', tooBig]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueueSendError);
    const sendError = error as QueueSendError;
    expect(sendError.failed.map((entry) => entry.index)).toEqual([1]);
    expect(sendError.sent.map((entry) => entry.index)).toEqual([0]);
    expect(sendError.message).toMatch(/^SendMessageBatch: 1 of 2 message\(s\) not sent: #1 /);
    expect(emulator.messages('queue').map((message) => message.body)).toEqual(['fine']);
  });

  it('ping() resolves for the queue and rejects for a missing one', async () => {
    await expect(producer.ping()).resolves.toBeUndefined();
    const missing = new QueueProducer({ client, queueUrl: `${emulator.queueUrl}-missing` });
    await expect(missing.ping()).rejects.toThrow();
  });
});

/** A client whose SendMessageBatch answers come from a script (fauxqs never fails an entry). */
function scriptedBatchClient(answers: ((entries: { Id?: string }[]) => Partial<SendMessageBatchCommandOutput>)[]) {
  const calls: string[][] = [];
  const send = vi.fn(async (command: unknown) => {
    const entries = (command as SendMessageBatchCommand).input.Entries ?? [];
    calls.push(entries.map((entry) => entry.MessageBody ?? ''));
    const answer = answers.shift();
    if (answer === undefined) throw new Error('unexpected call');
    return answer(entries);
  });
  return { client: { send } as unknown as SQSClient, calls };
}

const succeed = (entries: { Id?: string }[]) => ({
  Successful: entries.map((entry) => ({ Id: entry.Id, MessageId: `id-${entry.Id}`, MD5OfMessageBody: '' })),
  Failed: [],
});

describe('QueueProducer retries', () => {
  it('retries entries that failed under HTTP 200 and then succeeds (mock SQS: partial batch failure)', async () => {
    const { client, calls } = scriptedBatchClient([
      (entries) => ({
        Successful: entries.slice(1).map((entry) => ({ Id: entry.Id, MessageId: `id-${entry.Id}`, MD5OfMessageBody: '' })),
        Failed: [{ Id: entries[0]?.Id, Code: 'InternalError', Message: 'try again', SenderFault: false }],
      }),
      succeed,
    ]);
    const producer = new QueueProducer({ client, queueUrl: 'https://sqs.test/q', retryBaseDelayMs: 1 });
    const ids = await producer.sendBatch(['a', 'b', 'c']);
    expect(ids).toEqual(['id-0', 'id-1', 'id-2']);
    expect(calls).toEqual([['a', 'b', 'c'], ['a']]);
  });

  it('gives up after maxAttempts and names the entries that were never sent (mock SQS: persistent entry failure)', async () => {
    const failFirst = (entries: { Id?: string }[]) => ({
      Successful: entries
        .filter((entry) => entry.Id !== '0')
        .map((entry) => ({ Id: entry.Id, MessageId: `id-${entry.Id}`, MD5OfMessageBody: '' })),
      Failed: entries
        .filter((entry) => entry.Id === '0')
        .map((entry) => ({ Id: entry.Id, Code: 'ServiceUnavailable', Message: 'busy', SenderFault: false })),
    });
    const { client, calls } = scriptedBatchClient([failFirst, failFirst, failFirst]);
    const producer = new QueueProducer({ client, queueUrl: 'https://sqs.test/q', maxAttempts: 3, retryBaseDelayMs: 1 });
    const error = (await producer.sendBatch(['a', 'b']).catch((caught: unknown) => caught)) as QueueSendError;
    expect(error).toBeInstanceOf(QueueSendError);
    expect(error.message).toBe('SendMessageBatch: 1 of 2 message(s) not sent: #0 ServiceUnavailable (busy)');
    expect(error.sent).toEqual([{ index: 1, messageId: 'id-1' }]);
    expect(calls).toEqual([['a', 'b'], ['a'], ['a']]);
  });

  it('does not retry entries SQS blames on the sender (mock SQS: sender fault)', async () => {
    const { client, calls } = scriptedBatchClient([
      (entries) => ({
        Successful: [],
        Failed: entries.map((entry) => ({ Id: entry.Id, Code: 'InvalidMessageContents', Message: 'bad', SenderFault: true })),
      }),
    ]);
    const producer = new QueueProducer({ client, queueUrl: 'https://sqs.test/q', retryBaseDelayMs: 1 });
    await expect(producer.sendBatch(['a'])).rejects.toThrow('#0 InvalidMessageContents (bad)');
    expect(calls).toHaveLength(1);
  });

  it('treats an entry missing from the answer as not sent (mock SQS: incomplete answer)', async () => {
    const { client } = scriptedBatchClient([
      () => ({ Successful: [{ Id: '0', MessageId: 'id-0', MD5OfMessageBody: '' }], Failed: [] }),
      succeed,
    ]);
    const producer = new QueueProducer({ client, queueUrl: 'https://sqs.test/q', retryBaseDelayMs: 1 });
    expect(await producer.sendBatch(['a', 'b'])).toEqual(['id-0', 'id-1']);
  });
});

describe('createSqsClient', () => {
  it('gives up on an endpoint that accepts connections but never answers (socket timeout)', async () => {
    const silent = await startSilentServer();
    const { endpoint } = silent;
    const client = createSqsClient(
      { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
      { socketTimeoutMs: 200 },
    );
    try {
      const producer = new QueueProducer({ client, queueUrl: `${endpoint}/000000000000/docflow-documents` });
      await expect(producer.send('never answered')).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(silent.connections).toBeGreaterThan(0);
    } finally {
      client.destroy();
      await silent.stop();
    }
  });
});
