/**
 * Benchmark of GET /v1/documents?q= (ranked full-text search): the api as it runs (main.ts:
 * auth, zod validation and serialization, logging, correlation ids, cursor, excerpt escaping)
 * against a floor of bare Fastify + pg running the same SQL on the same data. Not a test: it
 * prints figures, side by side. Both servers run in their own process, one measured at a time;
 * the load generator (autocannon) runs here.
 *
 *   node --import tsx bench/api/run.ts [--documents 10000] [--duration 10] [--warmup 3]
 *        [--rounds 3] [--connections 10] [--limit 20] [--pool 10] [--bundle]
 *
 * `--bundle` runs the api from apps/api/dist/main.js (build it first: npx nx build api).
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DocumentsRepository, createPool, migrate } from '@docflow/db';
import { startTestPostgres } from '@docflow/local/testing';
import { createLogger } from '@docflow/observability';
import { loadServer } from '../common/load.js';
import { median } from '../common/median.js';
import { numberOption } from '../common/options.js';
import { stopProcess } from '../common/processes.js';
import { rotatingRounds } from '../common/rounds.js';
import { broadQueries, seed, selectiveQueries } from './dataset.js';
import { startApi, startFloor, type Server } from './servers.js';

const { values: args } = parseArgs({
  options: {
    documents: { type: 'string', default: '10000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    limit: { type: 'string', default: '20' },
    pool: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    bundle: { type: 'boolean', default: false },
  },
});
const documentCount = numberOption('documents', args.documents, { integer: true });
const durationSeconds = numberOption('duration', args.duration);
const warmupSeconds = numberOption('warmup', args.warmup, { min: 0 });
const connections = numberOption('connections', args.connections, { integer: true });
const limit = numberOption('limit', args.limit, { integer: true });
const poolMax = numberOption('pool', args.pool, { integer: true });
const rounds = numberOption('rounds', args.rounds, { integer: true });

const log = (message: string) => process.stderr.write(`${message}\n`);

function path(q: string): string {
  return `/v1/documents?q=${encodeURIComponent(q)}&limit=${limit}`;
}

/** The comparison is only fair if both return the same page for every query. */
async function assertSameResults(api: Server, floor: Server, queries: readonly string[]): Promise<void> {
  for (const q of queries) {
    const [fromApi, fromFloor] = await Promise.all(
      [api, floor].map(async (server) => {
        const response = await fetch(`${server.baseUrl}${path(q)}`, { headers: server.headers });
        if (!response.ok) throw new Error(`${server.name}: ${response.status} for q=${q}`);
        const body = (await response.json()) as { items: { id: string; rank: number }[] };
        return body.items.map((item) => `${item.id}:${item.rank}`);
      }),
    );
    if (JSON.stringify(fromApi) !== JSON.stringify(fromFloor)) {
      throw new Error(`api and floor disagree for q=${q}: the floor's SQL no longer matches the repository's`);
    }
  }
}

interface Figures {
  /** CPU the server process spent per request: its own overhead, apart from PostgreSQL's work. */
  readonly serverCpuMsPerRequest: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

async function measure(server: Server, queries: readonly string[], seconds: number): Promise<Figures> {
  const { result, serverCpuMs } = await loadServer(
    {
      url: server.baseUrl,
      connections,
      duration: seconds,
      headers: server.headers,
      // each connection cycles through the queries, common to rare
      requests: queries.map((q) => ({ method: 'GET' as const, path: path(q) })),
    },
    server.process.pid,
  );
  return {
    serverCpuMsPerRequest: serverCpuMs / result.requests.total,
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** Each figure's median over the rounds. */
function summarize(runs: readonly Figures[]): Figures {
  return {
    serverCpuMsPerRequest: median(runs.map((run) => run.serverCpuMsPerRequest)),
    requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
    p50Ms: median(runs.map((run) => run.p50Ms)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
  };
}

function row(mix: string, name: string, figures: Figures): string {
  return [
    mix.padEnd(11),
    name.padEnd(34),
    figures.requestsPerSecond.toFixed(0).padStart(8),
    figures.p50Ms.toFixed(1).padStart(9),
    figures.p99Ms.toFixed(1).padStart(9),
    figures.serverCpuMsPerRequest.toFixed(2).padStart(15),
    String(figures.non2xx + figures.errors).padStart(13),
  ].join('');
}

const loadBefore = loadavg();
const postgres = await startTestPostgres();
const servers: Server[] = [];
try {
  const databaseUrl = await postgres.createDatabase();
  const logger = createLogger({ service: 'bench', level: 'warn' });
  const pool = createPool({ url: databaseUrl, ssl: 'disable', poolMax: 8, statementTimeoutMs: 60_000, migrate: true }, { logger });
  await migrate(pool, { logger });
  log(`seeding ${documentCount} documents...`);
  const seedStart = Date.now();
  await seed(new DocumentsRepository(pool), documentCount);
  await pool.query('VACUUM ANALYZE documents');
  const { rows } = await pool.query<{ size: string }>(`SELECT pg_size_pretty(pg_total_relation_size('documents')) AS size`);
  log(`seeded in ${((Date.now() - seedStart) / 1000).toFixed(1)} s (${rows[0]?.size} with indexes)`);
  const mixes = [
    { name: 'broad', queries: broadQueries() },
    { name: 'selective', queries: selectiveQueries() },
  ];
  for (const mix of mixes) {
    const counts = await Promise.all(
      mix.queries.map(async (q) => {
        const result = await pool.query<{ count: number }>(
          `SELECT count(*)::int AS count FROM documents WHERE search @@ websearch_to_tsquery('docflow_english', $1)`,
          [q],
        );
        return `${q} (${result.rows[0]?.count})`;
      }),
    );
    log(`${mix.name} queries (matching documents): ${counts.join(', ')}`);
  }
  await pool.end();

  const api = await startApi(databaseUrl, { poolMax, bundle: args.bundle });
  servers.push(api);
  const floor = await startFloor(databaseUrl, { poolMax });
  servers.push(floor);

  const lines: string[] = [];
  for (const mix of mixes) {
    await assertSameResults(api, floor, mix.queries);
    for (const server of [api, floor]) {
      log(`${mix.name}, ${server.name}: ${warmupSeconds} s warm-up...`);
      await measure(server, mix.queries, warmupSeconds);
    }
    const byTarget = { api, floor };
    const runs = await rotatingRounds(['api', 'floor'] as const, rounds, (target, round) => {
      log(`${mix.name}, round ${round + 1}/${rounds}, ${byTarget[target].name}: ${durationSeconds} s...`);
      return measure(byTarget[target], mix.queries, durationSeconds);
    });
    const apiFigures = summarize(runs.api);
    const floorFigures = summarize(runs.floor);
    lines.push(row(mix.name, api.name, apiFigures), row(mix.name, floor.name, floorFigures));
    lines.push(
      `${''.padEnd(11)}api throughput = ${((apiFigures.requestsPerSecond / floorFigures.requestsPerSecond) * 100).toFixed(0)}% of the floor`,
    );
  }

  process.stdout.write(
    [
      '',
      `GET /v1/documents?q= over ${documentCount} documents, limit ${limit}, ${connections} connections, pool ${poolMax}; ` +
        `medians of ${rounds} alternating rounds of ${durationSeconds} s after ${warmupSeconds} s warm-up`,
      `machine: ${cpus().length} cores, load average before ${loadBefore.map((load) => load.toFixed(1)).join(' ')}, ` +
        `after ${loadavg().map((load) => load.toFixed(1)).join(' ')} (other processes skew the figures)`,
      `${'mix'.padEnd(11)}${'target'.padEnd(34)}${'req/s'.padStart(8)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'CPU ms/req'.padStart(15)}${'non-2xx/err'.padStart(13)}`,
      ...lines,
      '',
    ].join('\n'),
  );
} finally {
  await Promise.all(servers.map((server) => stopProcess(server.process)));
  await postgres.stop();
}
