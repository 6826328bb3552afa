/**
 * Benchmark (not a test): POST /v1/documents with a 200 KB HTML page, ingest's bundle against
 * its floor (bare Fastify doing the same S3 put and SQS send, floor-server.ts), both on the
 * same emulator, one after the other, and the figures side by side.
 *
 *   npx nx build ingest && node --import tsx bench/ingest/run.ts [--duration 10] [--connections 10] [--rounds 1]
 *     [--body-kb 200] [--log-level info] [--profile <dir>]
 *
 * Each server and the emulator run in their own process; the load generator (autocannon) runs
 * here. On a 2-core machine all of them share the cores, so the figures compare the two
 * servers, not what either does alone on real hardware.
 */
import { findFreePort } from '@docflow/local';
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
    'body-kb': { type: 'string', default: '200' },
    // ingest's LOG_LEVEL: info (as deployed) writes three lines per request
    'log-level': { type: 'string', default: 'info' },
    // writes a V8 CPU profile of each server into this folder (open it in Chrome DevTools)
    profile: { type: 'string' },
  },
});
const durationSeconds = Number(args.duration);
const connections = Number(args.connections);
const rounds = Number(args.rounds);
const bodyBytes = Number(args['body-kb']) * 1024;
const profileArgs = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : [];

const root = fileURLToPath(new URL('../../', import.meta.url));
const bundle = `${root}apps/ingest/dist/main.js`;
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const API_KEY = 'bench-key-0123456789abcdef';
const children: ChildProcess[] = [];

function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; firstLine: Promise<string> } {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const { stdout } = child;
  if (!stdout) throw new Error('spawned without stdout');
  const firstLine = new Promise<string>((resolve, reject) => {
    createInterface({ input: stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
  return { child, firstLine };
}

async function waitReady(url: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const ok = await fetch(url).then((response) => response.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} never became ready`);
}

function htmlPage(bytes: number): string {
  const paragraph = '<p>The harbour pilots measured the tide twice before the "ferry" left the quay.</p>\n';
  const head = '<!doctype html><html><head><title>Benchmark page</title></head><body>\n';
  return `${head}${paragraph.repeat(Math.ceil((bytes - head.length) / paragraph.length))}</body></html>\n`;
}

/**
 * CPU time a process has used, in ms (Linux /proc). Throughput on a shared 2-core machine
 * depends on what else runs; the server's own CPU per request much less so.
 */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return Number.NaN;
  // fields after the command name, which is in parentheses and may contain spaces
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

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
  const cpuBefore = cpuMs(serverPid);
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
    body,
    connections,
    duration: seconds,
  });
  const answered = result['2xx'] + result.non2xx;
  return {
    requestsPerSecond: result.requests.average,
    cpuMsPerRequest: (cpuMs(serverPid) - cpuBefore) / answered,
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

  const emulator = start(['--import', 'tsx', here('./emulator.ts')]);
  const aws = JSON.parse(await emulator.firstLine) as { endpoint: string; queueUrl: string; bucket: string; region: string };
  const awsEnv = {
    AWS_ENDPOINT_URL: aws.endpoint,
    AWS_REGION: aws.region,
    DOCFLOW_QUEUE_URL: aws.queueUrl,
    DOCFLOW_BUCKET: aws.bucket,
  };

  const floorPort = await findFreePort();
  const floor = start([...profileArgs, '--import', 'tsx', here('./floor-server.ts')], { ...awsEnv, PORT: String(floorPort) });
  await floor.firstLine;

  const ingestPort = await findFreePort();
  // the bundle as it runs in its container, logging as in production (to /dev/null here)
  const ingest = spawn(process.execPath, [...profileArgs, bundle], {
    env: {
      ...process.env,
      ...awsEnv,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      DOCFLOW_ENV: 'local',
      HOST: '127.0.0.1',
      PORT: String(ingestPort),
      DOCFLOW_API_KEYS: API_KEY,
      LOG_LEVEL: args['log-level'],
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(ingest);
  await waitReady(`http://127.0.0.1:${ingestPort}/readyz`);

  const body = JSON.stringify({ url: 'https://example.com/bench', contentType: 'text/html', body: htmlPage(bodyBytes) });
  const targets = {
    floor: `http://127.0.0.1:${floorPort}/v1/documents`,
    ingest: `http://127.0.0.1:${ingestPort}/v1/documents`,
  };
  const pids = { floor: floor.child.pid, ingest: ingest.pid };
  for (const url of Object.values(targets)) {
    const check = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-api-key': API_KEY } });
    if (check.status !== 202) throw new Error(`${url} answered ${check.status}: ${await check.text()}`);
  }

  process.stderr.write(`warming up both servers (3 s each), then ${rounds} round(s) of ${durationSeconds} s per server...\n`);
  await load(targets.floor, body, 3);
  await load(targets.ingest, body, 3);
  const results: Record<keyof typeof targets, Figures[]> = { floor: [], ingest: [] };
  for (let round = 0; round < rounds; round += 1) {
    // alternate the order so neither server always runs on a warmer (or more cluttered) emulator
    const order = round % 2 === 0 ? (['floor', 'ingest'] as const) : (['ingest', 'floor'] as const);
    for (const name of order) results[name].push(await load(targets[name], body, durationSeconds, pids[name]));
  }
  report(results, Buffer.byteLength(body));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
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
    ['requests/s', (s) => s.requestsPerSecond.toFixed(1)],
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
      `${rounds} x ${durationSeconds} s per server (medians), node ${process.version}\n`,
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
  await Promise.all(
    children.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM')) : undefined)),
  );
}
