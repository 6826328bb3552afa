/**
 * Benchmark of the api at 10,000 and 100,000 documents: search (broad and selective queries)
 * and get-by-id, the api as it runs (main.ts: auth, zod validation and serialization, logging,
 * correlation ids, cursor, excerpt escaping) against a floor of bare Fastify + pg running the
 * same repository code on the same data (floor.ts). Not a test: it prints figures beside the
 * floor and the targets, the machine and its load, and how close each query's first ten results
 * are to ranking every match with ts_rank (top-10 overlap).
 *
 *   node --import tsx bench/api/run.ts [--documents 10000,100000] [--duration 5] [--warmup 2]
 *        [--rounds 3] [--connections 10] [--limit 20] [--pool 10] [--bundle]
 *
 * Datasets are generated once into .docflow-bench/ (DOCFLOW_BENCH_DATA_DIR) and reused.
 * `--bundle` runs the api from apps/api/dist/main.js (build it first: npx nx build api).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DocumentsRepository } from '@docflow/db';
import pg from 'pg';
import { cachedDatabase } from '../common/cached-database.js';
import { loadServer } from '../common/load.js';
import { processesCpuMs } from '../common/process-cpu.js';
import { machineLine } from '../common/machine.js';
import { median } from '../common/median.js';
import { numberOption } from '../common/options.js';
import { stopProcess } from '../common/processes.js';
import { rotatingRounds } from '../common/rounds.js';
import { DATASET_VERSION, broadQueries, seed, selectiveQueries } from './dataset.js';
import { startApi, startFloor, type Server } from './servers.js';

const { values: args } = parseArgs({
  options: {
    documents: { type: 'string', default: '10000,100000' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '10' },
    limit: { type: 'string', default: '20' },
    pool: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    bundle: { type: 'boolean', default: false },
  },
});
const sizes = (args.documents ?? '').split(',').map((size) => numberOption('documents', size.trim(), { integer: true }));
const durationSeconds = numberOption('duration', args.duration);
const warmupSeconds = numberOption('warmup', args.warmup, { min: 0 });
const connections = numberOption('connections', args.connections, { integer: true });
const limit = numberOption('limit', args.limit, { integer: true });
const poolMax = numberOption('pool', args.pool, { integer: true });
const rounds = numberOption('rounds', args.rounds, { integer: true });

/** What the issue asks of search at 100,000 documents, 10 connections, 2 cores. */
const TARGET_P99_MS: Record<string, number> = { broad: 250, selective: 50 };

const log = (message: string) => process.stderr.write(`${message}\n`);

const searchPath = (q: string) => `/v1/documents?q=${encodeURIComponent(q)}&limit=${limit}`;

interface Mix {
  readonly name: string;
  readonly paths: readonly string[];
}

/** The comparison is only fair if both return the same page for every request. */
async function assertSameResults(api: Server, floor: Server, paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    const [fromApi, fromFloor] = await Promise.all(
      [api, floor].map(async (server) => {
        const response = await fetch(`${server.baseUrl}${path}`, { headers: server.headers });
        if (!response.ok) throw new Error(`${server.name}: ${response.status} for ${path}`);
        const body = (await response.json()) as { items?: { id: string; rank: number }[]; id?: string };
        return body.items ? body.items.map((item) => `${item.id}:${item.rank}`) : [body.id];
      }),
    );
    if (JSON.stringify(fromApi) !== JSON.stringify(fromFloor)) throw new Error(`api and floor disagree for ${path}`);
  }
}

interface Figures {
  readonly serverCpuMsPerRequest: number;
  /** CPU of the PostgreSQL backends serving the database, per request. */
  readonly databaseCpuMsPerRequest: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failures: number;
}

async function measure(server: Server, paths: readonly string[], seconds: number, database: string): Promise<Figures> {
  const backends = ['postgres: ', ` ${database} `];
  const databaseCpuBefore = processesCpuMs(backends);
  const { result, serverCpuMs } = await loadServer(
    {
      url: server.baseUrl,
      connections,
      duration: seconds,
      headers: server.headers,
      requests: paths.map((path) => ({ method: 'GET' as const, path })),
    },
    server.process.pid,
  );
  return {
    serverCpuMsPerRequest: serverCpuMs / result.requests.total,
    databaseCpuMsPerRequest: (processesCpuMs(backends) - databaseCpuBefore) / result.requests.total,
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors,
  };
}

function summarize(runs: readonly Figures[]): Figures {
  return {
    serverCpuMsPerRequest: median(runs.map((run) => run.serverCpuMsPerRequest)),
    databaseCpuMsPerRequest: median(runs.map((run) => run.databaseCpuMsPerRequest)),
    requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
    p50Ms: median(runs.map((run) => run.p50Ms)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    failures: runs.reduce((sum, run) => sum + run.failures, 0),
  };
}

function row(documents: number, mix: string, name: string, figures: Figures, target = ''): string {
  return [
    String(documents).padStart(7),
    `  ${mix.padEnd(10)}`,
    name.padEnd(32),
    figures.requestsPerSecond.toFixed(0).padStart(7),
    figures.p50Ms.toFixed(1).padStart(9),
    figures.p99Ms.toFixed(1).padStart(9),
    figures.serverCpuMsPerRequest.toFixed(2).padStart(11),
    figures.databaseCpuMsPerRequest.toFixed(2).padStart(10),
    // what two idle cores could serve: the server's and PostgreSQL's CPU per request, nothing else
    (2_000 / (figures.serverCpuMsPerRequest + figures.databaseCpuMsPerRequest)).toFixed(0).padStart(10),
    String(figures.failures).padStart(9),
    target,
  ].join('');
}

/** Per query: matches, how it was ranked, and the overlap of its first ten with full ts_rank ordering. */
async function rankingQuality(url: string, api: Server, queries: readonly string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const lines: string[] = [];
    for (const q of queries) {
      const { rows } = await client.query<{ id: string; matches: number }>(
        `SELECT id, count(*) OVER ()::int AS matches FROM documents
         WHERE search @@ websearch_to_tsquery('docflow_english', $1)
         ORDER BY ts_rank(search, websearch_to_tsquery('docflow_english', $1), 1) DESC, id DESC LIMIT 10`,
        [q],
      );
      const response = await fetch(`${api.baseUrl}/v1/documents?q=${encodeURIComponent(q)}&limit=10`, { headers: api.headers });
      const page = (await response.json()) as { items: { id: string }[]; ranking: string };
      const exact = new Set(rows.map((r) => r.id));
      const overlap = page.items.filter((item) => exact.has(item.id)).length;
      lines.push(`    ${q.padEnd(22)} ${String(rows[0]?.matches ?? 0).padStart(6)} matches  ranking ${page.ranking.padEnd(8)} top-10 overlap ${overlap}/${Math.min(10, rows.length)}`);
    }
    return lines;
  } finally {
    await client.end();
  }
}

const loadBefore = loadavg();
const report: string[] = [];
for (const documents of sizes) {
  const databaseName = `search_${documents}_v${DATASET_VERSION}`;
  const dataset = await cachedDatabase(databaseName, (pool) => seed(new DocumentsRepository(pool), documents), log);
  const servers: Server[] = [];
  try {
    const api = await startApi(dataset.url, { poolMax, bundle: args.bundle });
    servers.push(api);
    const floor = await startFloor(dataset.url, { poolMax });
    servers.push(floor);
    const ids = await (async () => {
      const client = new pg.Client({ connectionString: dataset.url });
      await client.connect();
      const { rows } = await client.query<{ id: string }>('SELECT id FROM documents ORDER BY sha256 LIMIT 50');
      await client.end();
      return rows.map((r) => r.id);
    })();
    const mixes: Mix[] = [
      { name: 'broad', paths: broadQueries().map(searchPath) },
      { name: 'selective', paths: selectiveQueries().map(searchPath) },
      { name: 'by id', paths: ids.map((id) => `/v1/documents/${id}`) },
    ];
    report.push(`  ranking quality at ${documents} documents (first 10 results vs ranking every match with ts_rank):`);
    report.push(...(await rankingQuality(dataset.url, api, [...broadQueries(), ...selectiveQueries()])));
    for (const mix of mixes) {
      await assertSameResults(api, floor, mix.paths);
      for (const server of [api, floor]) await measure(server, mix.paths, warmupSeconds, databaseName);
      const byTarget = { api, floor };
      const runs = await rotatingRounds(['api', 'floor'] as const, rounds, (target, round) => {
        log(`${documents} documents, ${mix.name}, round ${round + 1}/${rounds}, ${byTarget[target].name}: ${durationSeconds} s...`);
        return measure(byTarget[target], mix.paths, durationSeconds, databaseName);
      });
      const target = TARGET_P99_MS[mix.name];
      const apiFigures = summarize(runs.api);
      report.push(
        row(documents, mix.name, api.name, apiFigures, target !== undefined ? `   target p99 <= ${target} ms${documents >= 100_000 ? (apiFigures.p99Ms <= target ? ': met' : ': NOT met') : ''}` : ''),
        row(documents, mix.name, floor.name, summarize(runs.floor)),
      );
    }
  } finally {
    await Promise.all(servers.map((server) => stopProcess(server.process)));
    await dataset.stop();
  }
}

process.stdout.write(
  [
    '',
    `api: search and get-by-id, limit ${limit}, ${connections} connections, pool ${poolMax}; medians of ${rounds} alternating rounds of ${durationSeconds} s after ${warmupSeconds} s warm-up`,
    machineLine(loadBefore),
    `${'docs'.padStart(7)}  ${'mix'.padEnd(10)}${'target'.padEnd(32)}${'req/s'.padStart(7)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'CPU ms/req'.padStart(11)}${'PG ms/req'.padStart(10)}${'2-core cap'.padStart(10)}${'non-2xx'.padStart(9)}`,
    '(CPU ms/req: the server process; PG ms/req: the PostgreSQL backends; 2-core cap: 2000 / their sum, the req/s two idle cores could serve)',
    ...report,
    '',
  ].join('\n'),
);
