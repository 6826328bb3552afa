import { join } from 'node:path';
import { mkdtemp, chmod, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BlobStore } from '@docflow/blobs';
import { loadWorkerConfig } from '@docflow/config';
import { DocumentsRepository, createPool, migrate, type Pool } from '@docflow/db';
import { startTestDatabase, type TestDatabase } from '@docflow/db/testing';
import { captureLogs } from '@docflow/observability/testing';
import { findFreePort, startPostgres, type RunningPostgres } from '@docflow/local';
import { startTestEmulator, type TestEmulator } from '@docflow/local/testing';
import { QueueConsumer } from '@docflow/queue';
import { DEAD_LETTER_REASON } from './dead-letter.js';
import { DatabaseGate } from './database-gate.js';
import { createPollHandler } from './poll.js';
import { PIPELINE_WAIT_MS, htmlPage, testIngest } from './test/pipeline.js';

let database: TestDatabase;
let emulator: TestEmulator;
let pipeline: ReturnType<typeof testIngest>;
let consumer: QueueConsumer | undefined;

beforeAll(async () => {
  [database, emulator] = await Promise.all([startTestDatabase(), startTestEmulator({ visibilityTimeoutSeconds: 1 })]);
  pipeline = testIngest(emulator);
});

afterEach(async () => {
  await consumer?.stop();
  consumer = undefined;
  emulator.reset();
});

afterAll(async () => {
  pipeline.close();
  await Promise.all([database.close(), emulator.stop()]);
});

function startWorker(documents = database.documents, blobs: BlobStore = pipeline.blobs, pool?: Pool) {
  const logs = captureLogs('worker');
  const databaseGate = pool === undefined ? undefined : new DatabaseGate(pool, logs.logger);
  consumer = new QueueConsumer({
    client: pipeline.sqs,
    queueUrl: emulator.queueUrl,
    handler: createPollHandler({ blobs, documents, deadLetters: pipeline.deadLetters, logger: logs.logger, ...(databaseGate ? { databaseGate } : {}) }),
    ...(databaseGate ? { beforeReceive: databaseGate.beforeReceive, receiveErrorBackoffMs: 100 } : {}),
    concurrency: 2,
    waitTimeSeconds: 1,
    visibilityTimeoutSeconds: 1,
    logger: logs.logger,
  });
  consumer.start();
  return logs;
}

describe('poll mode', () => {
  it('turns a queued HTML page into a searchable document, logging the correlation id', async () => {
    const logs = startWorker();
    const message = await pipeline.ingest(htmlPage('Axolotl limbs', 'axolotls regenerate whole limbs'), 'text/html', {
      correlationId: 'corr-from-ingest',
    });

    const stored = await vi.waitUntil(() => database.documents.get(message.documentId), PIPELINE_WAIT_MS);
    expect(stored).toMatchObject({ title: 'Axolotl limbs', status: 'processed', url: message.url, sha256: message.sha256 });
    expect(stored.text).toContain('axolotls regenerate whole limbs');
    const found = await database.documents.list({ q: 'axolotl', limit: 10 });
    expect(found.items.map((item) => item.id)).toEqual([message.documentId]);
    await vi.waitUntil(() => emulator.messages('queue').length === 0, PIPELINE_WAIT_MS);
    expect(logs.lines).toContainEqual(
      expect.objectContaining({ msg: 'document processed', correlationId: 'corr-from-ingest', documentId: message.documentId }),
    );
  });

  it('stores a re-delivered document once', async () => {
    startWorker();
    const message = await pipeline.prepare('Duplicate delivery of the same plain text.', 'text/plain');
    const body = JSON.stringify(message);
    await pipeline.queue.sendBatch([body, body, body]);
    await vi.waitUntil(() => emulator.messages('queue').length === 0, PIPELINE_WAIT_MS);
    const { rows } = await database.pool.query('SELECT count(*)::int AS n FROM documents WHERE sha256 = $1', [message.sha256]);
    expect(rows[0].n).toBe(1);
  });

  it('uses the title the client gave over the extracted one', async () => {
    startWorker();
    const message = await pipeline.ingest('# Markdown heading\n\nbody text', 'text/markdown', { title: 'Client title' });
    expect((await vi.waitUntil(() => database.documents.get(message.documentId), PIPELINE_WAIT_MS)).title).toBe('Client title');
  });

  it('stores a document whose title line holds a NUL byte (PostgreSQL text cannot)', async () => {
    startWorker();
    const message = await pipeline.ingest('Nul\u0000 in the title line\n\nand in the \u0000text', 'text/plain');
    expect(await vi.waitUntil(() => database.documents.get(message.documentId), PIPELINE_WAIT_MS)).toMatchObject({
      status: 'processed',
      title: 'Nul in the title line',
      text: 'Nul in the title line\n\nand in the text',
    });
  });

  it('dead-letters a message that breaks the contract, with the reason, without blocking the others', async () => {
    const logs = startWorker();
    await pipeline.queue.send('{"v":1,"documentId":"nope"}');
    const good = await pipeline.ingest('A good message behind a bad one.', 'text/plain');

    await vi.waitUntil(() => database.documents.get(good.documentId), PIPELINE_WAIT_MS);
    const [dead] = await vi.waitUntil(() => {
      const messages = emulator.messages('deadLetterQueue');
      return messages.length > 0 && messages;
    }, PIPELINE_WAIT_MS);
    expect(dead?.body).toBe('{"v":1,"documentId":"nope"}');
    expect(dead?.messageAttributes[DEAD_LETTER_REASON]?.StringValue).toMatch(/^message does not match the v1 contract: documentId:/);
    // dead-lettered by the worker on the first receive, not after five redeliveries
    expect(dead?.receiveCount).toBe(0);
    await vi.waitUntil(() => emulator.messages('queue').length === 0, PIPELINE_WAIT_MS);
    expect(logs.lines).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'message breaks the contract; sent to the dead-letter queue', reason: expect.stringContaining('documentId') }),
    );
  });

  it('records a document whose body is gone as failed and lets the message go', async () => {
    startWorker();
    const message = await pipeline.prepare('This body will be missing.', 'text/plain');
    await pipeline.queue.send(JSON.stringify({ ...message, blobKey: `raw/${'0'.repeat(64)}`, sha256: '0'.repeat(64) }));
    const failed = await vi.waitUntil(() => database.documents.get(message.documentId), PIPELINE_WAIT_MS);
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringContaining('no blob at s3://') });
    await vi.waitUntil(() => emulator.messages('queue').length === 0, PIPELINE_WAIT_MS);
    expect(emulator.messages('deadLetterQueue')).toEqual([]);
  });

  it('keeps the message, and records nothing, when the bucket itself is missing', async () => {
    const logs = startWorker(database.documents, new BlobStore(pipeline.s3, 'no-such-bucket'));
    const message = await pipeline.ingest('Stored in the right bucket; the worker looks in the wrong one.', 'text/plain');

    await vi.waitUntil(() => emulator.messages('queue').some((queued) => queued.receiveCount >= 2), PIPELINE_WAIT_MS);
    expect(logs.lines).toContainEqual(expect.objectContaining({ msg: 'processing failed; the message will be retried' }));
    expect(await database.documents.get(message.documentId)).toBeUndefined();
  });
});

describe('poll mode with PostgreSQL down', () => {
  let postgres: RunningPostgres;
  let dataRoot: string;
  let port: number;

  beforeAll(async () => {
    dataRoot = await mkdtemp(join(tmpdir(), 'docflow-worker-pg-'));
    await chmod(dataRoot, 0o755);
    port = await findFreePort();
    postgres = await startPostgres({ dataDir: join(dataRoot, 'data'), port, persistent: true });
  });

  afterAll(async () => {
    await postgres.stop();
    await rm(dataRoot, { recursive: true, force: true });
  });

  it('keeps the message in the queue while the database is away, without spending its receives, and processes it once it is back', async () => {
    const config = loadWorkerConfig({ DATABASE_URL: postgres.url, DB_POOL_MAX: '2', WORKER_CONCURRENCY: '2' });
    const pool = createPool(config.database, { logger: captureLogs().logger, connectionTimeoutMs: 500 });
    try {
      await migrate(pool, { logger: captureLogs().logger });
      await postgres.stop();

      const logs = startWorker(new DocumentsRepository(pool), pipeline.blobs, pool);
      const message = await pipeline.ingest('Written while PostgreSQL was down.', 'text/plain');

      // received once, it fails and is not deleted
      await vi.waitUntil(() => logs.lines.some((line) => line.msg === 'processing failed; the message will be retried'), PIPELINE_WAIT_MS);
      expect(logs.lines).toContainEqual(expect.objectContaining({ msg: 'PostgreSQL is unavailable; holding the queue until it answers again' }));
      // with the gate closed, several visibility timeouts (1 s) pass without another receive: the
      // outage spends no receives (beyond a long poll already under way when it began), so a long
      // one cannot push the backlog into the DLQ
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      await pause(2_500); // the long poll under way when the gate closed (1 s wait) may still take it once
      const receivesAtClose = emulator.messages('queue')[0]?.receiveCount ?? 0;
      expect(receivesAtClose).toBeLessThanOrEqual(2);
      await pause(3_000);
      expect(emulator.messages('queue')).toEqual([
        expect.objectContaining({ body: expect.stringContaining(message.documentId), receiveCount: receivesAtClose }),
      ]);
      expect(emulator.messages('deadLetterQueue')).toEqual([]);

      // back after its visibility timeout, it is processed once PostgreSQL answers
      postgres = await startPostgres({ dataDir: join(dataRoot, 'data'), port, persistent: true });
      const stored = await vi.waitUntil(() => new DocumentsRepository(pool).get(message.documentId).catch(() => undefined), PIPELINE_WAIT_MS);
      expect(stored.status).toBe('processed');
      expect(logs.lines).toContainEqual(expect.objectContaining({ msg: 'PostgreSQL answers again; receiving' }));
      await vi.waitUntil(() => emulator.messages('queue').length === 0, PIPELINE_WAIT_MS);
    } finally {
      await consumer?.stop();
      consumer = undefined;
      await pool.end();
    }
  });
});
