import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobStore, createS3Client } from '@docflow/blobs';
import { DEAD_LETTER_REASON, documentIdFor, serializeDocumentMessage, type DocumentMessage } from '@docflow/contracts';
import { createPool, migrate, type Pool } from '@docflow/db';
import { LocalPipe, findFreePort, handBackStoppedTask, startPostgres, type RunningPostgres } from '@docflow/local';
import { startTestEmulator, type TestEmulator } from '@docflow/local/testing';
import { createLogger } from '@docflow/observability';
import { QueueProducer, createSqsClient } from '@docflow/queue';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { API_KEY, environmentOf, errorLines, startBundle, type BundleProcess } from './bundles.js';
import { WORKSPACE_ROOT } from './docflow-process.js';

/**
 * Faults on real processes: the worker, ingest and api bundles as their containers run them,
 * killed, stopped and starved of PostgreSQL, with the real emulator and a real PostgreSQL.
 * Nothing here asserts a duration; the waits only bound how long a broken pipeline may hang.
 */
const WAIT_MS = 150_000;

let dataRoot: string;
let postgresPort: number;
let postgres: RunningPostgres;
let databaseUrl: string;
let pool: Pool;
let emulator: TestEmulator;
let s3: ReturnType<typeof createS3Client>;
let sqs: ReturnType<typeof createSqsClient>;
let blobs: BlobStore;
let queue: QueueProducer;
const processes: BundleProcess[] = [];
const silent = createLogger({ service: 'faults', level: 'silent' });

async function startDatabase(): Promise<void> {
  postgres = await startPostgres({ dataDir: join(dataRoot, 'pg'), port: postgresPort, persistent: true });
}

beforeAll(async () => {
  dataRoot = await mkdtemp(join(tmpdir(), 'docflow-faults-'));
  // as root, PostgreSQL runs as `postgres` and must reach its data dir
  await chmod(dataRoot, 0o755);
  postgresPort = await findFreePort();
  await startDatabase();
  databaseUrl = await postgres.createDatabase('faults');
  pool = createPool({ url: databaseUrl, ssl: 'disable', poolMax: 2, statementTimeoutMs: 15_000, migrate: true }, { logger: silent });
  await migrate(pool, { logger: silent });
  emulator = await startTestEmulator();
  s3 = createS3Client(emulator.aws);
  sqs = createSqsClient(emulator.aws);
  blobs = new BlobStore(s3, emulator.bucket);
  queue = new QueueProducer({ client: sqs, queueUrl: emulator.queueUrl });
});

afterAll(async () => {
  await Promise.all(processes.splice(0).map((process) => process.stop('SIGKILL')));
  s3?.destroy();
  sqs?.destroy();
  await pool?.end();
  await emulator?.stop();
  await postgres?.stop();
  await rm(dataRoot, { recursive: true, force: true });
});

beforeEach(async () => {
  emulator.reset();
  await pool.query('TRUNCATE documents, document_terms');
});

afterEach(async () => {
  await Promise.all(processes.splice(0).map((process) => process.stop('SIGKILL')));
});

const workerEnv = () => ({
  ...environmentOf(databaseUrl, emulator),
  WORKER_CONCURRENCY: '4',
  WORKER_VISIBILITY_TIMEOUT_SECONDS: '10',
  WORKER_WAIT_TIME_SECONDS: '1',
});

async function startWorker(): Promise<BundleProcess> {
  const worker = await startBundle('worker', workerEnv(), ['--mode', 'poll']);
  processes.push(worker);
  return worker;
}

/** Stores one body and queues `count` messages for it, each its own document (its own URL). */
async function queueDocuments(count: number, tag: string): Promise<DocumentMessage[]> {
  const stored = await blobs.putDocument(`A short note about ${tag}: tides, harbours and ferries.`, 'text/plain');
  const messages = Array.from({ length: count }, (_, i): DocumentMessage => {
    const url = `https://example.com/${tag}/${i}`;
    return {
      v: 1,
      documentId: documentIdFor(url, stored.sha256),
      blobKey: stored.key,
      sha256: stored.sha256,
      url,
      contentType: 'text/plain',
      receivedAt: new Date().toISOString(),
      attempt: 1,
      correlationId: `faults-${tag}-${i}`,
    };
  });
  await queue.sendBatch(messages.map(serializeDocumentMessage));
  return messages;
}

async function processedCount(): Promise<number> {
  const { rows } = await pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM documents WHERE status = 'processed'`);
  return rows[0]?.count ?? 0;
}

async function storedIds(): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM documents ORDER BY id');
  return rows.map((row) => row.id);
}

describe('the poll worker under faults', () => {
  it('SIGKILL in the middle of 1,000 documents: each ends up in PostgreSQL exactly once, none in the DLQ', async () => {
    const messages = await queueDocuments(1_000, 'sigkill');
    const first = await startWorker();
    await vi.waitUntil(async () => (await processedCount()) >= 250, { timeout: WAIT_MS, interval: 100 });
    await first.stop('SIGKILL');
    const atKill = await processedCount();
    console.log(`SIGKILL after ${atKill} of 1000 documents; a second worker finishes the rest`);

    await startWorker();
    await vi.waitUntil(async () => (await processedCount()) === 1_000, { timeout: WAIT_MS, interval: 250 });
    expect(await storedIds()).toEqual(messages.map((message) => message.documentId).sort());
    expect(emulator.messages('deadLetterQueue')).toEqual([]);
    await vi.waitUntil(() => emulator.messages('queue').length === 0, { timeout: WAIT_MS, interval: 100 });
  });

  it('SIGTERM: no new receives, exit 0 within the stop timeout, and nothing left invisible', async () => {
    await queueDocuments(300, 'sigterm');
    const worker = await startWorker();
    await vi.waitUntil(async () => (await processedCount()) >= 40, { timeout: WAIT_MS, interval: 50 });
    const stoppedAt = Date.now();
    const exit = await worker.stop('SIGTERM');
    console.log(`SIGTERM: the worker exited ${exit.code} after ${Date.now() - stoppedAt} ms`);
    expect(exit).toEqual({ code: 0, signal: null });
    const processed = await processedCount();
    const left = emulator.messages('queue');
    // every message not processed is visible again at once (not after the 10 s visibility timeout)
    expect(left.filter((message) => message.state !== 'ready')).toEqual([]);
    expect(processed + left.length).toBe(300);
    expect(errorLines(worker)).toEqual([]);
  });

  it('poison messages go to the DLQ with the reason while the others flow', async () => {
    const good = await queueDocuments(30, 'flow');
    const poison = ['{not json', '{"v":2}', JSON.stringify({ v: 1, documentId: 'nope' }), '[1,2,3]', '"just a string"'];
    await queue.sendBatch(poison);
    await startWorker();
    await vi.waitUntil(async () => (await processedCount()) === good.length && emulator.messages('deadLetterQueue').length === poison.length, {
      timeout: WAIT_MS,
      interval: 100,
    });
    const dead = emulator.messages('deadLetterQueue');
    expect(dead.map((message) => message.body).sort()).toEqual([...poison].sort());
    for (const message of dead) expect(message.messageAttributes[DEAD_LETTER_REASON]?.StringValue).toMatch(/\S/);
  });

  it('PostgreSQL stopped for 10 s: the worker waits and recovers, /readyz says so meanwhile, nothing is lost', async () => {
    const api = await startBundle('api', { DATABASE_URL: databaseUrl, DB_MIGRATE: 'false' });
    processes.push(api);
    const worker = await startWorker();
    const before = await queueDocuments(20, 'before-outage');
    await vi.waitUntil(async () => (await processedCount()) === before.length, { timeout: WAIT_MS, interval: 100 });

    await pool.end();
    await postgres.stop();
    const during = await queueDocuments(40, 'during-outage');
    const readiness: number[] = [];
    const outageEnds = Date.now() + 10_000;
    while (Date.now() < outageEnds) {
      const ready = await fetch(`${api.baseUrl}/readyz`);
      readiness.push(ready.status);
      if (ready.status === 503) expect((await ready.json()) as object).toMatchObject({ checks: { postgres: expect.stringMatching(/failing|timeout/) } });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(readiness).toContain(503);
    await startDatabase();
    pool = createPool({ url: databaseUrl, ssl: 'disable', poolMax: 2, statementTimeoutMs: 15_000, migrate: true }, { logger: silent });

    await vi.waitUntil(async () => (await processedCount()) === before.length + during.length, { timeout: WAIT_MS, interval: 250 });
    await vi.waitUntil(async () => (await fetch(`${api.baseUrl}/readyz`)).status === 200, { timeout: WAIT_MS, interval: 250 });
    expect(emulator.messages('deadLetterQueue')).toEqual([]);
    expect(worker.lines.some((line) => String(line['msg']).includes('holding the queue'))).toBe(true);
  });

  it('60 s of sustained ingest: every accepted document is processed', async () => {
    const env = environmentOf(databaseUrl, emulator);
    const ingest = await startBundle('ingest', env);
    processes.push(ingest);
    await startWorker();
    const accepted = new Set<string>();
    let refused = 0;
    const ends = Date.now() + 60_000;
    await Promise.all(
      Array.from({ length: 4 }, async (_, lane) => {
        for (let i = 0; Date.now() < ends; i += 1) {
          const response = await fetch(`${ingest.baseUrl}/v1/documents`, {
            method: 'POST',
            headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
            body: JSON.stringify({ url: `https://example.com/sustained/${lane}/${i}`, contentType: 'text/html', body: `<p>lane ${lane} page ${i}</p>` }),
          });
          if (response.status === 202) accepted.add(((await response.json()) as { documentId: string }).documentId);
          else refused += 1;
        }
      }),
    );
    console.log(`60 s of sustained ingest: ${accepted.size} documents accepted, ${refused} refused`);
    expect(refused).toBe(0);
    await vi.waitUntil(async () => (await processedCount()) === accepted.size, { timeout: WAIT_MS, interval: 250 });
    expect(new Set(await storedIds())).toEqual(accepted);
  });
});

describe('pipe mode under faults (the local pipe, one worker process per message)', () => {
  it('tasks killed before or during their handler (SIGKILL, SIGTERM) lose nothing', async () => {
    const messages = await queueDocuments(9, 'pipe');
    const bundle = join(WORKSPACE_ROOT, 'apps', 'worker', 'dist', 'main.js');
    const fates = new Map<string, string>();
    let started = 0;
    const pipe = new LocalPipe({
      sqs,
      queueUrl: emulator.queueUrl,
      maxConcurrentTasks: 3,
      waitTimeSeconds: 1,
      runTask: (body) => {
        const child = spawn(process.execPath, [bundle, '--mode', 'pipe'], {
          env: { ...process.env, DOCFLOW_ENV: 'local', ...workerEnv(), SQS_BODY: body, LOG_LEVEL: 'warn' },
          stdio: 'ignore',
        });
        const attempt = (JSON.parse(body) as { attempt: number }).attempt;
        const fate = attempt > 1 ? 'let finish' : (['SIGKILL at start', 'SIGTERM at start', 'SIGKILL while running', 'let finish'] as const)[started % 4];
        started += 1;
        fates.set(`${(JSON.parse(body) as { documentId: string }).documentId}:${attempt}`, fate ?? 'let finish');
        if (fate === 'SIGKILL at start') child.once('spawn', () => child.kill('SIGKILL'));
        if (fate === 'SIGTERM at start') child.once('spawn', () => child.kill('SIGTERM'));
        if (fate === 'SIGKILL while running') setTimeout(() => child.kill('SIGKILL'), 400);
        return child;
      },
      onTaskStopped: (task) =>
        handBackStoppedTask(task, { sqs, queueUrl: emulator.queueUrl, deadLetterQueueUrl: emulator.deadLetterQueueUrl, maxAttempts: 5 }).then(
          () => undefined,
        ),
    });
    pipe.start();
    try {
      await vi.waitUntil(async () => (await processedCount()) === messages.length, { timeout: WAIT_MS, interval: 250 });
    } finally {
      await pipe.stop();
    }
    console.log(`pipe faults: ${[...fates.values()].join(', ')}`);
    expect([...fates.values()].filter((fate) => fate !== 'let finish').length).toBeGreaterThanOrEqual(5);
    expect(await storedIds()).toEqual(messages.map((message) => message.documentId).sort());
    expect(emulator.messages('deadLetterQueue')).toEqual([]);
  });
});
