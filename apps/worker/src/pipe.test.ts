import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseDocumentMessage, serializeDocumentMessage, type DocumentMessage } from '@docflow/contracts';
import { DocumentsRepository, createPool } from '@docflow/db';
import { startTestDatabase, type TestDatabase } from '@docflow/db/testing';
import { captureLogs } from '@docflow/observability/testing';
import { findFreePort } from '@docflow/local';
import { startTestEmulator, type TestEmulator } from '@docflow/local/testing';
import { QueueProducer, createSqsClient } from '@docflow/queue';
import { DEAD_LETTER_REASON } from './dead-letter.js';
import { PIPE_TASK_EXIT, retryDelaySeconds } from '@docflow/contracts';
import { runPipe } from './pipe.js';
import { SLOT_LOCK_CLASS } from './pipe-slots.js';
import { htmlPage, testIngest } from './test/pipeline.js';

const run = promisify(execFile);

let database: TestDatabase;
let emulator: TestEmulator;
let pipeline: ReturnType<typeof testIngest>;

beforeAll(async () => {
  [database, emulator] = await Promise.all([startTestDatabase(), startTestEmulator()]);
  pipeline = testIngest(emulator);
});

afterEach(() => emulator.reset());

afterAll(async () => {
  pipeline.close();
  await Promise.all([database.close(), emulator.stop()]);
});

/** Runs the worker the way EventBridge Pipes starts a task: `--mode pipe` with the body in SQS_BODY. */
async function pipeTask(sqsBody: string, env: Record<string, string> = {}) {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', '--mode', 'pipe'], {
      cwd: `${import.meta.dirname}/..`,
      env: {
        ...process.env,
        DOCFLOW_ENV: 'local',
        DATABASE_URL: database.url,
        AWS_ENDPOINT_URL: emulator.endpoint,
        DOCFLOW_QUEUE_URL: emulator.queueUrl,
        DOCFLOW_DLQ_URL: emulator.deadLetterQueueUrl,
        DOCFLOW_BUCKET: emulator.bucket,
        SQS_BODY: sqsBody,
        ...env,
      },
    });
    return { code: 0, stdout };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout: `${stdout}${stderr}` };
  }
}

function queuedMessages(role: 'queue' | 'deadLetterQueue') {
  return emulator.messages(role);
}

describe('pipe mode (a real process per message)', () => {
  it('processes the message in SQS_BODY and exits 0', async () => {
    const message = await pipeline.prepare(htmlPage('Tardigrades', 'tardigrades survive the vacuum of space'), 'text/html');
    const task = await pipeTask(serializeDocumentMessage(message));
    expect(task.code).toBe(0);
    expect(await database.documents.get(message.documentId)).toMatchObject({ status: 'processed', title: 'Tardigrades' });
    expect(task.stdout).toContain('"msg":"document processed"');
    expect(queuedMessages('queue')).toEqual([]);
  });

  it('with WORKER_PIPE_MAX_TASKS, a task that finds every slot taken hands its message back (same attempt, delayed) and processes nothing', async () => {
    const message = await pipeline.prepare(htmlPage('Slots', 'only so many tasks at once'), 'text/html');
    const holder = await database.pool.connect();
    try {
      // another task holds the only slot
      await holder.query('SELECT pg_advisory_lock($1::int, 1)', [SLOT_LOCK_CLASS]);
      const deferred = await pipeTask(serializeDocumentMessage(message), { WORKER_PIPE_MAX_TASKS: '1' });
      expect(deferred.code).toBe(PIPE_TASK_EXIT.handedBack);
      expect(deferred.stdout).toContain('every pipe task slot is taken');
      expect(await database.documents.get(message.documentId)).toBeUndefined();
      const [back] = queuedMessages('queue');
      expect(back?.state).toBe('delayed');
      expect(parseDocumentMessage(back?.body ?? '')).toEqual({ ok: true, message });

      // a second slot is free: the same message goes through, and its slot is free again after
      const through = await pipeTask(serializeDocumentMessage(message), { WORKER_PIPE_MAX_TASKS: '2' });
      expect(through.code).toBe(PIPE_TASK_EXIT.done);
      expect(await database.documents.get(message.documentId)).toMatchObject({ status: 'processed' });
      const { rows } = await database.pool.query(`SELECT count(*)::int AS held FROM pg_locks WHERE locktype = 'advisory' AND classid = $1`, [SLOT_LOCK_CLASS]);
      expect(rows[0]).toEqual({ held: 1 });
    } finally {
      holder.release(true);
    }
  });

  it('re-enqueues a failed message with attempt + 1 and a delay, then exits "handed back"', async () => {
    const message = await pipeline.prepare('Processing fails: the bucket cannot be read.', 'text/plain');
    const task = await pipeTask(serializeDocumentMessage(message), { DOCFLOW_BUCKET: 'no-such-bucket' });
    expect(task.code).toBe(PIPE_TASK_EXIT.handedBack);
    const [requeued] = queuedMessages('queue');
    expect(requeued?.state).toBe('delayed');
    const parsed = parseDocumentMessage(requeued?.body ?? '');
    expect(parsed).toEqual({ ok: true, message: { ...message, attempt: 2 } });
    expect(queuedMessages('deadLetterQueue')).toEqual([]);
  });

  it('dead-letters the message past the last attempt, with the reason', async () => {
    const message = await pipeline.prepare('Fails on its fifth attempt.', 'text/plain', { attempt: 5 });
    const task = await pipeTask(serializeDocumentMessage(message), { DOCFLOW_BUCKET: 'no-such-bucket' });
    expect(task.code).toBe(PIPE_TASK_EXIT.handedBack);
    expect(queuedMessages('queue')).toEqual([]);
    const [dead] = queuedMessages('deadLetterQueue');
    expect(parseDocumentMessage(dead?.body ?? '')).toEqual({ ok: true, message });
    expect(dead?.messageAttributes[DEAD_LETTER_REASON]?.StringValue).toMatch(/^gave up after 5 attempts: /);
  });

  it('waits out a PostgreSQL outage without spending an attempt, even on the last one', async () => {
    const message = await pipeline.prepare('Processing waits: the database is unreachable.', 'text/plain', { attempt: 5 });
    const task = await pipeTask(serializeDocumentMessage(message), { DATABASE_URL: 'postgres://docflow:x@127.0.0.1:1/docflow' });
    expect(task.code).toBe(PIPE_TASK_EXIT.handedBack);
    const [requeued] = queuedMessages('queue');
    expect(requeued?.state).toBe('delayed');
    expect(parseDocumentMessage(requeued?.body ?? '')).toEqual({ ok: true, message });
    expect(queuedMessages('deadLetterQueue')).toEqual([]);
    expect(task.stdout).toContain('PostgreSQL is unavailable; re-enqueued without spending an attempt');
  });

  it('dead-letters a body that breaks the contract and exits "handed back"', async () => {
    const task = await pipeTask('{"hello":"world"}');
    expect(task.code).toBe(PIPE_TASK_EXIT.handedBack);
    const [dead] = queuedMessages('deadLetterQueue');
    expect(dead?.body).toBe('{"hello":"world"}');
    expect(dead?.messageAttributes[DEAD_LETTER_REASON]?.StringValue).toBe(
      'unsupported message version null (this worker reads v1)',
    );
  });

  it('refuses to start without SQS_BODY, naming it', async () => {
    const task = await pipeTask('');
    expect(task.code).toBe(1);
    expect(task.stdout).toContain('SQS_BODY: is required in pipe mode');
  });
});

describe('runPipe', () => {
  it('hands the message back when the task is stopped mid-way (Spot interruption; stub S3: a read that never answers)', async () => {
    const message = await pipeline.prepare('Interrupted while processing.', 'text/plain');
    const stop = new AbortController();
    const neverFinishes = { getDocument: () => new Promise<never>(() => undefined) };
    const pending = runPipe(serializeDocumentMessage(message), {
      blobs: neverFinishes,
      documents: database.documents,
      queue: pipeline.queue,
      deadLetters: pipeline.deadLetters,
      logger: captureLogs('worker').logger,
      maxAttempts: 5,
      signal: stop.signal,
    });
    stop.abort();
    expect(await pending).toBe('retry-enqueued');
    expect(parseDocumentMessage(queuedMessages('queue')[0]?.body ?? '')).toEqual({ ok: true, message: { ...message, attempt: 2 } });
  });

  it('logs the claim check (never a body, never the caller\'s title) when it cannot be handed back (PostgreSQL and SQS unreachable), so it is not lost silently', async () => {
    const logs = captureLogs('worker');
    const message: DocumentMessage = await pipeline.prepare('SQS is down too.', 'text/plain', { title: 'Private minutes of the board' });
    const closedPort = await findFreePort();
    const sqs = createSqsClient({ ...emulator.aws, endpoint: `http://127.0.0.1:${closedPort}` });
    const unreachableQueue = (queueUrl: string) => new QueueProducer({ client: sqs, queueUrl, maxAttempts: 1 });
    const pool = createPool({ ...database.config, url: `postgres://docflow:x@127.0.0.1:${closedPort}/docflow` }, { logger: logs.logger });
    const deps = {
      blobs: pipeline.blobs,
      documents: new DocumentsRepository(pool),
      queue: unreachableQueue(emulator.queueUrl),
      deadLetters: unreachableQueue(emulator.deadLetterQueueUrl),
      logger: logs.logger,
      maxAttempts: 5,
    };
    try {
      expect(await runPipe(serializeDocumentMessage(message), deps)).toBe('lost');
      const { title: _title, ...reference } = message;
      const fatal = logs.lines.filter((line) => line['level'] === 'fatal');
      expect(fatal).toEqual([expect.objectContaining({ lostMessage: reference, titleOmitted: true })]);
      expect(JSON.stringify(logs.lines)).not.toContain('Private minutes');

      // a body that breaks the contract, with the DLQ unreachable: its size and digest, not its content
      const garbage = JSON.stringify({ v: 1, text: 'a pasted document that should never reach a log' });
      expect(await runPipe(garbage, deps)).toBe('lost');
      expect(logs.lines.filter((line) => line['level'] === 'fatal').at(-1)).toMatchObject({
        unreadableMessage: { bytes: Buffer.byteLength(garbage), sha256: createHash('sha256').update(garbage).digest('hex') },
      });
      expect(JSON.stringify(logs.lines)).not.toContain('pasted document');
    } finally {
      sqs.destroy();
      await pool.end();
    }
  });

  it('backs off exponentially up to the SQS maximum delay', () => {
    expect([1, 2, 3, 4, 10].map(retryDelaySeconds)).toEqual([10, 20, 40, 80, 900]);
  });
});
