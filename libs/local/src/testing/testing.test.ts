import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEmulator, startTestPostgres, type TestEmulator, type TestPostgres } from './index.js';

describe('startTestPostgres', () => {
  let postgres: TestPostgres;

  beforeAll(async () => {
    postgres = await startTestPostgres();
  });

  afterAll(async () => {
    await postgres.stop();
  });

  it('gives each createDatabase() call a fresh, empty database', async () => {
    const first = await postgres.createDatabase();
    const second = await postgres.createDatabase();
    expect(first).not.toBe(second);
    const client = new pg.Client({ connectionString: first });
    await client.connect();
    await client.query('CREATE TABLE only_in_first (id int)');
    await client.end();
    const other = new pg.Client({ connectionString: second });
    await other.connect();
    const { rows } = await other.query("SELECT count(*)::int AS tables FROM pg_tables WHERE schemaname = 'public'");
    await other.end();
    expect(rows).toEqual([{ tables: 0 }]);
  });

  it('stop() removes the server and is idempotent', async () => {
    const throwaway = await startTestPostgres();
    await Promise.all([throwaway.stop(), throwaway.stop()]);
    const client = new pg.Client({ connectionString: throwaway.url });
    await expect(client.connect()).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('startTestEmulator', () => {
  let emulator: TestEmulator;
  let sqs: SQSClient;

  beforeAll(async () => {
    emulator = await startTestEmulator({ visibilityTimeoutSeconds: 10 });
    sqs = new SQSClient({ region: emulator.aws.region, endpoint: emulator.aws.endpoint, credentials: emulator.aws.credentials });
  });

  afterAll(async () => {
    sqs.destroy();
    await emulator.stop();
  });

  it('shows queued messages without receiving them, and reset() empties the queues', async () => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: emulator.deadLetterQueueUrl,
        MessageBody: 'to inspect',
        MessageAttributes: { reason: { DataType: 'String', StringValue: 'bad contract' } },
      }),
    );
    expect(emulator.messages('queue')).toEqual([]);
    const [message] = emulator.messages('deadLetterQueue');
    expect(message).toMatchObject({ body: 'to inspect', state: 'ready', receiveCount: 0 });
    expect(message?.messageAttributes.reason?.StringValue).toBe('bad contract');
    emulator.reset();
    expect(emulator.messages('deadLetterQueue')).toEqual([]);
  });

  it('runs on its own port with the local queue names', () => {
    expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.endpoint).not.toBe('http://127.0.0.1:4566');
    expect(emulator.queueUrl).toMatch(/\/000000000000\/docflow-documents$/);
    expect(emulator.aws.endpoint).toBe(emulator.endpoint);
  });
});
