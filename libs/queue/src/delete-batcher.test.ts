import {
  DeleteMessageBatchCommand,
  type DeleteMessageBatchCommandOutput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it, vi } from 'vitest';
import { DeleteBatcher } from './delete-batcher.js';
import { recordingLogger } from './test/recording-logger.js';

type Entries = { Id?: string; ReceiptHandle?: string }[];
type Answer = (entries: Entries) => Partial<DeleteMessageBatchCommandOutput> | Error;

/** fauxqs reports every DeleteMessageBatch entry as deleted, even bogus ones: failures need a scripted client. */
function scriptedClient(answers: Answer[]) {
  const calls: string[][] = [];
  const send = vi.fn(async (command: DeleteMessageBatchCommand) => {
    const entries = command.input.Entries ?? [];
    calls.push(entries.map((entry) => entry.ReceiptHandle ?? ''));
    const answer = answers.shift();
    if (answer === undefined) throw new Error('unexpected call');
    const result = answer(entries);
    if (result instanceof Error) throw result;
    return result;
  });
  return { client: { send } as unknown as SQSClient, calls };
}

const allOk: Answer = (entries) => ({ Successful: entries.map((entry) => ({ Id: entry.Id })), Failed: [] });
const failing =
  (handle: string, code: string, senderFault: boolean): Answer =>
  (entries) => ({
    Successful: entries.filter((entry) => entry.ReceiptHandle !== handle).map((entry) => ({ Id: entry.Id })),
    Failed: entries
      .filter((entry) => entry.ReceiptHandle === handle)
      .map((entry) => ({ Id: entry.Id, Code: code, Message: `${code} happened`, SenderFault: senderFault })),
  });

describe('DeleteBatcher', () => {
  it('retries an entry that failed under HTTP 200 until it is deleted (mock SQS: partial batch failure)', async () => {
    const { client, calls } = scriptedClient([failing('r2', 'InternalError', false), allOk]);
    const logger = recordingLogger();
    const batcher = new DeleteBatcher({ client, queueUrl: 'q', logger });
    batcher.delete('m1', 'r1');
    batcher.delete('m2', 'r2');
    batcher.delete('m3', 'r3');
    await batcher.drain();
    expect(calls).toEqual([['r1', 'r2', 'r3'], ['r2']]);
    expect(logger.entries.filter((entry) => entry.level === 'error')).toEqual([]);
    expect(logger.entries.find((entry) => entry.level === 'warn')?.context).toMatchObject({ messageId: 'm2', code: 'InternalError' });
  });

  it('does not retry a sender fault and logs it as an error (mock SQS: invalid receipt handle)', async () => {
    const { client, calls } = scriptedClient([failing('r1', 'ReceiptHandleIsInvalid', true)]);
    const logger = recordingLogger();
    const batcher = new DeleteBatcher({ client, queueUrl: 'q', logger });
    batcher.delete('m1', 'r1');
    await batcher.drain();
    expect(calls).toEqual([['r1']]);
    const [error] = logger.entries.filter((entry) => entry.level === 'error');
    expect(error?.message).toBe('could not delete an acknowledged message; it will be delivered again');
    expect(error?.context).toMatchObject({ messageId: 'm1', code: 'ReceiptHandleIsInvalid', attempts: 1 });
  });

  it('stops after maxAttempts for a persistent failure (mock SQS: persistent entry failure)', async () => {
    const fail = failing('r1', 'ServiceUnavailable', false);
    const { client, calls } = scriptedClient([fail, fail, fail]);
    const logger = recordingLogger();
    const batcher = new DeleteBatcher({ client, queueUrl: 'q', logger, maxAttempts: 3 });
    batcher.delete('m1', 'r1');
    await batcher.drain();
    expect(calls).toHaveLength(3);
    expect(logger.entries.filter((entry) => entry.level === 'error')).toHaveLength(1);
  });

  it('retries a whole batch whose request failed (mock SQS: request error)', async () => {
    const { client, calls } = scriptedClient([() => new Error('socket hang up'), allOk]);
    const batcher = new DeleteBatcher({ client, queueUrl: 'q', logger: recordingLogger() });
    batcher.delete('m1', 'r1');
    batcher.delete('m2', 'r2');
    await batcher.drain();
    expect(calls).toEqual([['r1', 'r2'], ['r1', 'r2']]);
  });

  it('treats an entry missing from the answer as not deleted (mock SQS: incomplete answer)', async () => {
    const { client, calls } = scriptedClient([() => ({ Successful: [], Failed: [] }), allOk]);
    const batcher = new DeleteBatcher({ client, queueUrl: 'q', logger: recordingLogger() });
    batcher.delete('m1', 'r1');
    await batcher.drain();
    expect(calls).toEqual([['r1'], ['r1']]);
  });

  it('sends at most 10 entries per call', async () => {
    const { client, calls } = scriptedClient([allOk, allOk, allOk]);
    const batcher = new DeleteBatcher({ client, queueUrl: 'q', logger: recordingLogger() });
    for (let index = 0; index < 23; index += 1) batcher.delete(`m${index}`, `r${index}`);
    await batcher.drain();
    expect(calls.map((call) => call.length)).toEqual([10, 10, 3]);
  });
});
