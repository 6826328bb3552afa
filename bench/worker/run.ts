/**
 * Benchmark (not a test): documents/s of the poll-mode worker (its bundle: receive, S3 read,
 * extraction of a 10 KB HTML page, upsert, batched delete, 4 at a time) against its floor
 * (floor.ts: receive + upsert + delete alone), on the same emulator and PostgreSQL. The messages
 * are all queued first; the rate is counted from the first document stored to the last.
 *
 *   npx nx build worker && node --import tsx bench/worker/run.ts [--documents 2000] [--concurrency 4]
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { createPool, migrate } from '@docflow/db';
import { startTestPostgres } from '@docflow/local/testing';
import { createLogger } from '@docflow/observability';
import { machineLine } from '../common/machine.js';
import { numberOption } from '../common/options.js';
import { storeBenchPage } from '../common/page-messages.js';
import { firstLine, spawnNode, stopProcess } from '../common/processes.js';
import { WORKSPACE_ROOT } from '../common/workspace.js';

const { values: args } = parseArgs({
  options: { documents: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '4' } },
});
const count = numberOption('documents', args.documents, { integer: true });
const concurrency = numberOption('concurrency', args.concurrency, { integer: true });
const log = (line: string) => process.stderr.write(`${line}\n`);
const loadBefore = loadavg();

const emulator = spawnNode(['--import', 'tsx', 'bench/common/emulator.ts'], { stdout: 'pipe' });
const postgres = await startTestPostgres();
const children = [emulator];
try {
  const aws = JSON.parse(await firstLine(emulator)) as { endpoint: string; queueUrl: string; bucket: string; region: string };
  const sqs = new SQSClient({ region: aws.region, endpoint: aws.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const messageFor = await storeBenchPage(aws);

  async function fill(tag: string): Promise<void> {
    for (let start = 0; start < count; start += 10) {
      const entries = Array.from({ length: Math.min(10, count - start) }, (_, i) => {
        const url = `https://bench.example/${tag}/${start + i}`;
        const body = messageFor(url, `bench-${tag}-${start + i}`);
        return { Id: String(i), MessageBody: body };
      });
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: aws.queueUrl, Entries: entries }));
    }
  }

  async function run(name: string, start: (databaseUrl: string) => ReturnType<typeof spawnNode>): Promise<number> {
    const databaseUrl = await postgres.createDatabase();
    const logger = createLogger({ service: 'bench', level: 'warn' });
    const pool = createPool({ url: databaseUrl, ssl: 'disable', poolMax: 2, statementTimeoutMs: 60_000, migrate: true }, { logger });
    await migrate(pool, { logger });
    await fill(name);
    log(`${name}: ${count} messages queued; processing...`);
    const child = start(databaseUrl);
    children.push(child);
    const stored = async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM documents')).rows[0]?.n ?? 0;
    let first = 0;
    for (;;) {
      const n = await stored();
      if (first === 0 && n > 0) first = performance.now();
      if (n >= count) break;
      if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) after ${n} documents`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const seconds = (performance.now() - first) / 1000;
    await stopProcess(child);
    await pool.end();
    return (count - 1) / seconds;
  }

  const env = { AWS_ENDPOINT_URL: aws.endpoint, AWS_REGION: aws.region, DOCFLOW_QUEUE_URL: aws.queueUrl, DOCFLOW_BUCKET: aws.bucket };
  const floor = await run('floor', (databaseUrl) =>
    spawnNode(['--import', 'tsx', 'bench/worker/floor.ts'], { env: { ...env, DATABASE_URL: databaseUrl, LOOPS: String(concurrency) } }),
  );
  const worker = await run('worker', (databaseUrl) =>
    spawnNode([join(WORKSPACE_ROOT, 'apps/worker/dist/main.js'), '--mode', 'poll'], {
      env: {
        ...env,
        DATABASE_URL: databaseUrl,
        DOCFLOW_ENV: 'local',
        WORKER_CONCURRENCY: String(concurrency),
        WORKER_WAIT_TIME_SECONDS: '1',
        DB_MIGRATE: 'false',
        LOG_LEVEL: 'info',
      },
    }),
  );
  sqs.destroy();
  console.log(
    [
      '',
      `worker, poll mode: ${count} documents (10 KB HTML pages), ${concurrency} at a time`,
      machineLine(loadBefore),
      `  floor (receive + upsert + delete alone)   ${floor.toFixed(1).padStart(8)} documents/s`,
      `  worker bundle (+ S3 read, extraction, ...) ${worker.toFixed(1).padStart(7)} documents/s   = ${((worker / floor) * 100).toFixed(0)} % of the floor`,
      '',
    ].join('\n'),
  );
} finally {
  await Promise.all(children.map(stopProcess));
  await postgres.stop();
}
