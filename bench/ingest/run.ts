/**
 * Benchmark (not a test): POST /v1/documents with a 10 KB HTML page (documents/s), ingest's bundle against
 * its floor (bare Fastify doing the same S3 put and SQS send, floor-server.ts), both on the
 * same emulator, one after the other, and the figures side by side.
 *
 *   npx nx build ingest && node --import tsx bench/ingest/run.ts [--duration 10] [--connections 10] [--rounds 1]
 *     [--body-kb 10] [--log-level info] [--profile <dir>]
 *
 * Each server and the emulator run in their own process; the load generator (autocannon) runs
 * here. On a 2-core machine all of them share the cores, so the figures compare the two
 * servers, not what either does alone on real hardware.
 */
import { loadavg } from 'node:os';
import { findFreePort } from '@docflow/local';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadServer } from '../common/load.js';
import { machineLine } from '../common/machine.js';
import { median } from '../common/median.js';
import { numberOption } from '../common/options.js';
import { firstLine, spawnNode, stopProcess } from '../common/processes.js';
import { rotatingRounds } from '../common/rounds.js';
import { startService } from '../common/services.js';
import { BENCH_API_KEY, WORKSPACE_ROOT } from '../common/workspace.js';
import { htmlPage } from './page.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
    'body-kb': { type: 'string', default: '10' },
    // ingest's LOG_LEVEL: info (as deployed) writes three lines per request
    'log-level': { type: 'string', default: 'info' },
    // writes a V8 CPU profile of each server into this folder (open it in Chrome DevTools)
    profile: { type: 'string' },
  },
});
const durationSeconds = numberOption('duration', args.duration);
const connections = numberOption('connections', args.connections, { integer: true });
const rounds = numberOption('rounds', args.rounds, { integer: true });
const bodyBytes = numberOption('body-kb', args['body-kb']) * 1024;
// the servers run from the workspace root: a relative folder means the caller's
const profileArgs = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(args.profile)}`] : [];

const bundle = `${WORKSPACE_ROOT}apps/ingest/dist/main.js`;
const children: ChildProcess[] = [];
const loadBefore = loadavg();

interface Figures {
  readonly requestsPerSecond: number;
  readonly cpuMsPerRequest: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mbPerSecond: number;
  readonly accepted: number;
  readonly failed: number;
}

async function load(url: string, body: string, seconds: number, serverPid?: number): Promise<Figures> {
  const { result, serverCpuMs } = await loadServer(
    {
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': BENCH_API_KEY },
      body,
      connections,
      duration: seconds,
    },
    serverPid,
  );
  const answered = result['2xx'] + result.non2xx;
  return {
    requestsPerSecond: result.requests.average,
    cpuMsPerRequest: serverCpuMs / answered,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    mbPerSecond: (result.requests.average * Buffer.byteLength(body)) / 1024 / 1024,
    accepted: result['2xx'],
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

async function main(): Promise<void> {
  if (!existsSync(bundle)) throw new Error(`no bundle at ${bundle}: run \`npx nx build ingest\` first`);

  const emulator = spawnNode(['--import', 'tsx', 'bench/common/emulator.ts'], { stdout: 'pipe' });
  children.push(emulator);
  const aws = JSON.parse(await firstLine(emulator)) as { endpoint: string; queueUrl: string; bucket: string; region: string };
  const awsEnv = {
    AWS_ENDPOINT_URL: aws.endpoint,
    AWS_REGION: aws.region,
    DOCFLOW_QUEUE_URL: aws.queueUrl,
    DOCFLOW_BUCKET: aws.bucket,
  };

  const floorPort = await findFreePort();
  const floor = spawnNode([...profileArgs, '--import', 'tsx', 'bench/ingest/floor-server.ts'], {
    env: { ...awsEnv, PORT: String(floorPort) },
    stdout: 'pipe',
  });
  children.push(floor);
  await firstLine(floor);

  // the bundle as it runs in its container, logging as in production (to /dev/null here)
  const ingest = await startService({ nodeArgs: [...profileArgs, bundle], env: awsEnv, logLevel: args['log-level'] });
  children.push(ingest.child);

  const body = JSON.stringify({ url: 'https://example.com/bench', contentType: 'text/html', body: htmlPage(bodyBytes) });
  const targets = {
    floor: `http://127.0.0.1:${floorPort}/v1/documents`,
    ingest: `${ingest.baseUrl}/v1/documents`,
  };
  const pids = { floor: floor.pid, ingest: ingest.child.pid };
  for (const url of Object.values(targets)) {
    const check = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-api-key': BENCH_API_KEY } });
    if (check.status !== 202) throw new Error(`${url} answered ${check.status}: ${await check.text()}`);
  }

  process.stderr.write(`warming up both servers (3 s each), then ${rounds} round(s) of ${durationSeconds} s per server...\n`);
  await load(targets.floor, body, 3);
  await load(targets.ingest, body, 3);
  // the order alternates, so neither server always runs on a warmer (or more cluttered) emulator
  const results = await rotatingRounds(['floor', 'ingest'] as const, rounds, (name) =>
    load(targets[name], body, durationSeconds, pids[name]),
  );
  report(results, Buffer.byteLength(body));
}

function report(results: Record<'floor' | 'ingest', Figures[]>, requestBytes: number): void {
  const summary = (figures: Figures[]) => ({
    requestsPerSecond: median(figures.map((f) => f.requestsPerSecond)),
    cpuMsPerRequest: median(figures.map((f) => f.cpuMsPerRequest)),
    p50: median(figures.map((f) => f.p50)),
    p90: median(figures.map((f) => f.p90)),
    p99: median(figures.map((f) => f.p99)),
    max: Math.max(...figures.map((f) => f.max)),
    mbPerSecond: median(figures.map((f) => f.mbPerSecond)),
    accepted: figures.reduce((sum, f) => sum + f.accepted, 0),
    failed: figures.reduce((sum, f) => sum + f.failed, 0),
  });
  const floor = summary(results.floor);
  const ingest = summary(results.ingest);
  const rows: [string, (s: typeof floor) => string][] = [
    ['documents/s', (s) => s.requestsPerSecond.toFixed(1)],
    ['MiB/s of JSON in', (s) => s.mbPerSecond.toFixed(1)],
    ['server CPU ms/req', (s) => s.cpuMsPerRequest.toFixed(2)],
    ['latency p50 (ms)', (s) => s.p50.toFixed(1)],
    ['latency p90 (ms)', (s) => s.p90.toFixed(1)],
    ['latency p99 (ms)', (s) => s.p99.toFixed(1)],
    ['latency max (ms)', (s) => s.max.toFixed(1)],
    ['202 answers', (s) => String(s.accepted)],
    ['errors / non-202', (s) => String(s.failed)],
  ];
  console.log(
    `\nPOST /v1/documents, ${(requestBytes / 1024).toFixed(0)} KiB JSON (HTML page), ${connections} connections, ` +
      `${rounds} x ${durationSeconds} s per server (medians); floor: bare Fastify doing the same S3 put and SQS send\n${machineLine(loadBefore)}\n`,
  );
  console.log(`${'metric'.padEnd(20)}${'floor'.padStart(12)}${'ingest'.padStart(12)}`);
  for (const [name, format] of rows) console.log(`${name.padEnd(20)}${format(floor).padStart(12)}${format(ingest).padStart(12)}`);
  console.log(
    `\ningest throughput = ${((ingest.requestsPerSecond / floor.requestsPerSecond) * 100).toFixed(0)} % of the floor; ` +
      `server CPU per request = ${(ingest.cpuMsPerRequest / floor.cpuMsPerRequest).toFixed(2)} x the floor's`,
  );
}

try {
  await main();
} finally {
  // servers write their profiles on exit: wait for them
  await Promise.all(children.map(stopProcess));
}
