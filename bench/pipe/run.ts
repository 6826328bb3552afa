/**
 * Benchmark (not a test): one pipe-mode task as EventBridge Pipes runs it, spawn → processed →
 * exit (`node apps/worker/dist/main.js --mode pipe` with SQS_BODY: config, S3 read, extraction of a
 * 10 KB page, upsert, exit), against its floor: node start + PostgreSQL connect + one insert
 * (floor.mjs). Tasks run one after the other; medians reported.
 *
 *   npx nx build worker && node --import tsx bench/pipe/run.ts [--tasks 15]
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createPool, migrate } from '@docflow/db';
import { startTestPostgres } from '@docflow/local/testing';
import { createLogger } from '@docflow/observability';
import { machineLine } from '../common/machine.js';
import { median } from '../common/median.js';
import { numberOption } from '../common/options.js';
import { storeBenchPage } from '../common/page-messages.js';
import { firstLine, spawnNode, stopProcess } from '../common/processes.js';
import { rotatingRounds } from '../common/rounds.js';
import { WORKSPACE_ROOT } from '../common/workspace.js';

// the SDK's notice about Node 20 (docs/decisions.md) would interleave with the figures
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
const { values: args } = parseArgs({ options: { tasks: { type: 'string', default: '15' } } });
const tasks = numberOption('tasks', args.tasks, { integer: true });
const loadBefore = loadavg();

function timeProcess(command: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, command, { cwd: WORKSPACE_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${command.join(' ')} exited ${code}: ${stderr}`))));
  });
}

const emulator = spawnNode(['--import', 'tsx', 'bench/common/emulator.ts'], { stdout: 'pipe' });
const postgres = await startTestPostgres();
try {
  const aws = JSON.parse(await firstLine(emulator)) as { endpoint: string; queueUrl: string; bucket: string; region: string };
  const databaseUrl = await postgres.createDatabase();
  const logger = createLogger({ service: 'bench', level: 'warn' });
  const pool = createPool({ url: databaseUrl, ssl: 'disable', poolMax: 1, statementTimeoutMs: 60_000, migrate: true }, { logger });
  await migrate(pool, { logger });
  await pool.query('CREATE TABLE pipe_floor (body text NOT NULL)');
  const messageFor = await storeBenchPage(aws);
  const body = (i: number) => messageFor(`https://bench.example/pipe/${i}`, `bench-pipe-${i}`);
  const env = {
    DOCFLOW_ENV: 'local',
    DATABASE_URL: databaseUrl,
    AWS_ENDPOINT_URL: aws.endpoint,
    AWS_REGION: aws.region,
    DOCFLOW_QUEUE_URL: aws.queueUrl,
    DOCFLOW_BUCKET: aws.bucket,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  let n = 0;
  const samples = await rotatingRounds(['floor', 'task'] as const, tasks, (name) => {
    n += 1;
    return name === 'floor'
      ? timeProcess(['bench/pipe/floor.mjs'], { ...env, SQS_BODY: body(n) })
      : timeProcess([join('apps', 'worker', 'dist', 'main.js'), '--mode', 'pipe'], { ...env, SQS_BODY: body(n) });
  });
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM documents WHERE status = 'processed'`);
  await pool.end();
  if (rows[0]?.n !== tasks) throw new Error(`expected ${tasks} processed documents, found ${rows[0]?.n}`);
  console.log(
    [
      '',
      `pipe mode: one task per message, spawn → processed → exit, ${tasks} tasks each (medians)`,
      machineLine(loadBefore),
      `  floor (node start + PostgreSQL connect + one insert)   ${median(samples.floor).toFixed(0).padStart(6)} ms`,
      `  worker --mode pipe (10 KB HTML page)                   ${median(samples.task).toFixed(0).padStart(6)} ms   = ${(median(samples.task) / median(samples.floor)).toFixed(1)} x the floor`,
      '',
    ].join('\n'),
  );
} finally {
  await stopProcess(emulator);
  await postgres.stop();
}
