import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEAD_LETTER_REASON,
  ErrorResponseSchema,
  PIPE_TASK_EXIT,
  handedBack,
  parseDocumentMessage,
  serializeDocumentMessage,
} from '@docflow/contracts';
import { createPool, migrate, type Pool } from '@docflow/db';
import { LocalPipe, findFreePort, handBackStoppedTask, startPostgres, type RunningPostgres } from '@docflow/local';
import { startTestEmulator, type TestEmulator } from '@docflow/local/testing';
import { createLogger } from '@docflow/observability';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { API_KEY, environmentOf, errorLines, startBundle, type BundleProcess } from './bundles.js';
import { WORKSPACE_ROOT } from './docflow-process.js';
import { emulatorClients, processedCount as processedCountIn, queueDocuments as queueDocumentsOf, type EmulatorClients } from './documents.js';

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
let clients: EmulatorClients;
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
  clients = emulatorClients(emulator);
});

afterAll(async () => {
  await Promise.all(processes.splice(0).map((process) => process.stop('SIGKILL')));
  clients?.destroy();
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

const queueDocuments = (count: number, tag: string) => queueDocumentsOf(clients.blobs, clients.queue, count, tag, 'faults');
const processedCount = () => processedCountIn(pool);

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
    await clients.queue.sendBatch(poison);
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
    // no readiness grace here: this test watches /readyz report the outage (the next one the grace)
    const api = await startBundle('api', { DATABASE_URL: databaseUrl, DB_MIGRATE: 'false', READINESS_GRACE_SECONDS: '0' });
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

describe('the api under faults', () => {
  it('the api through a PostgreSQL outage longer than its readiness grace: fast 503s with Retry-After, ready until the grace, back without a restart', async () => {
    // the grace is 180 s in AWS (longer than a Multi-AZ failover); 4 s here, and the outage outlasts it
    const graceSeconds = 4;
    const api = await startBundle('api', { DATABASE_URL: databaseUrl, DB_MIGRATE: 'false', READINESS_GRACE_SECONDS: String(graceSeconds) });
    processes.push(api);
    const get = (path: string) =>
      fetch(`${api.baseUrl}${path}`, { headers: { 'x-api-key': API_KEY }, signal: AbortSignal.timeout(WAIT_MS) });
    expect((await get('/v1/stats')).status).toBe(200);

    await pool.end();
    await postgres.stop();
    const readiness: string[] = [];
    const requests: { status: number; retryAfter: string | null; body: unknown }[] = [];
    const outageEnds = Date.now() + 2 * graceSeconds * 1_000;
    while (Date.now() < outageEnds) {
      const ready = await get('/readyz');
      readiness.push(`${ready.status} ${((await ready.json()) as { status: string }).status}`);
      const response = await get('/v1/stats');
      requests.push({ status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() });
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await startDatabase();
    pool = createPool({ url: databaseUrl, ssl: 'disable', poolMax: 2, statementTimeoutMs: 15_000, migrate: true }, { logger: silent });
    await vi.waitUntil(async () => (await get('/readyz')).status === 200 && (await get('/v1/stats')).status === 200, { timeout: WAIT_MS, interval: 250 });
    console.log(`api through the outage: readiness ${[...new Set(readiness)].join(' -> ')}; ${requests.length} requests answered 503`);

    // every request during the outage was answered (none hung), 503 in the one error shape, with Retry-After
    for (const request of requests) {
      expect(request).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^[1-9][0-9]*$/) });
      expect(ErrorResponseSchema.parse(request.body)).toMatchObject({ statusCode: 503, message: 'Service unavailable; try again later' });
    }
    // ready (degraded) through the blip, not ready once the outage outlasted the grace, never back meanwhile
    expect(readiness[0]).toBe('200 degraded');
    expect(readiness.at(-1)).toBe('503 unavailable');
    const firstNotReady = readiness.indexOf('503 unavailable');
    expect(readiness.slice(firstNotReady).every((state) => state === '503 unavailable')).toBe(true);
    // the same process serves again: no restart was needed
    expect(api.child.exitCode).toBeNull();
    expect(((await (await get('/readyz')).json()) as object)).toEqual({ status: 'ok', checks: { postgres: 'ok' } });
  });
});

describe('pipe mode under faults (the local pipe, one worker process per message)', () => {
  const bundle = join(WORKSPACE_ROOT, 'apps', 'worker', 'dist', 'main.js');
  type Fate = 'SIGKILL at start' | 'SIGTERM at start' | 'SIGKILL while running' | 'let finish';

  /** A local pipe of real worker processes, each given its fate; the task-stopped rule as in AWS. */
  function pipeOfWorkers(fateOf: (documentId: string, attempt: number) => Fate) {
    const finished = new Map<string, number>();
    const fates: Fate[] = [];
    const pipe = new LocalPipe({
      sqs: clients.sqs,
      queueUrl: emulator.queueUrl,
      maxConcurrentTasks: 3,
      waitTimeSeconds: 1,
      runTask: (body) => {
        const child = spawn(process.execPath, [bundle, '--mode', 'pipe'], {
          env: { ...process.env, DOCFLOW_ENV: 'local', ...workerEnv(), SQS_BODY: body, LOG_LEVEL: 'warn' },
          stdio: 'ignore',
        });
        const parsed = parseDocumentMessage(body);
        if (!parsed.ok) throw new Error(parsed.reason);
        const fate = fateOf(parsed.message.documentId, parsed.message.attempt);
        fates.push(fate);
        if (fate === 'SIGKILL at start') child.once('spawn', () => child.kill('SIGKILL'));
        if (fate === 'SIGTERM at start') child.once('spawn', () => child.kill('SIGTERM'));
        if (fate === 'SIGKILL while running') setTimeout(() => child.kill('SIGKILL'), 400);
        return child;
      },
      onTaskStopped: async (task) => {
        const parsed = parseDocumentMessage(task.body);
        if (parsed.ok && task.exitCode === PIPE_TASK_EXIT.done) {
          finished.set(parsed.message.documentId, (finished.get(parsed.message.documentId) ?? 0) + 1);
        }
        await handBackStoppedTask(task, { sqs: clients.sqs, queueUrl: emulator.queueUrl, deadLetterQueueUrl: emulator.deadLetterQueueUrl, handBackLimit: 5 });
      },
    });
    return { pipe, finished, fates };
  }

  it('tasks killed before or during their handler (SIGKILL, SIGTERM) lose nothing, and each message is processed once', async () => {
    const messages = await queueDocuments(9, 'pipe');
    let started = 0;
    const order: Fate[] = ['SIGKILL at start', 'SIGTERM at start', 'SIGKILL while running', 'let finish'];
    const { pipe, finished, fates } = pipeOfWorkers((_, attempt) => (attempt > 1 ? 'let finish' : (order[started++ % 4] ?? 'let finish')));
    pipe.start();
    try {
      await vi.waitUntil(async () => (await processedCount()) === messages.length, { timeout: WAIT_MS, interval: 250 });
      await vi.waitUntil(() => pipe.tasks === 0, { timeout: WAIT_MS, interval: 100 });
    } finally {
      await pipe.stop();
    }
    console.log(`pipe faults: ${fates.join(', ')}`);
    expect(fates.filter((fate) => fate !== 'let finish').length).toBeGreaterThanOrEqual(5);
    expect(await storedIds()).toEqual(messages.map((message) => message.documentId).sort());
    // one task finished each message: the hand-backs brought back only what was lost
    expect([...finished.values()]).toEqual(messages.map(() => 1));
    expect(emulator.messages('deadLetterQueue')).toEqual([]);
    expect(emulator.messages('queue')).toEqual([]);
  });

  it('a message whose tasks always die before their handler goes to the DLQ after the limit (5 tasks), nothing stored', async () => {
    const [doomed] = await queueDocuments(1, 'doomed');
    const { pipe, fates } = pipeOfWorkers(() => 'SIGKILL at start');
    pipe.start();
    try {
      await vi.waitUntil(() => emulator.messages('deadLetterQueue').length === 1, { timeout: WAIT_MS, interval: 100 });
    } finally {
      await pipe.stop();
    }
    expect(fates).toEqual(Array.from({ length: 5 }, () => 'SIGKILL at start'));
    const [dead] = emulator.messages('deadLetterQueue');
    const raw = serializeDocumentMessage(doomed!);
    expect(dead?.body).toBe(handedBack(handedBack(handedBack(handedBack(handedBack(raw))))));
    expect(emulator.messages('queue')).toEqual([]);
    expect(await storedIds()).toEqual([]);
  });
});
