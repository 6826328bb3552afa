/**
 * Benchmark (not a test): export and restore in documents/s against `npm start` (the local CLI's
 * start: api, ingest and worker bundles on embedded PostgreSQL and the emulator), each beside its
 * floor:
 *   export  `node apps/exporter/dist/main.js export --to <tmp>` (list, get and body per document,
 *           JSONL + EPUB written, manifest)  vs  the api's list + get + body calls alone, at the
 *           same concurrency, answers discarded;
 *   restore `... restore --from <archive>` (verify every SHA-256, then batches of 100 to ingest)
 *           vs  ingest's batch calls alone: the same batches, already in memory, at the same
 *           concurrency.
 *
 *   npx nx run-many -t build -p api ingest worker exporter && node --import tsx bench/exporter/run.ts
 *     [--documents 10000] [--rounds 1] [--concurrency 8] [--restore-concurrency 4]
 *
 * Seeding goes through ingest's batch endpoint and the worker, as documents arrive in real use.
 * After each restore (real or floor) the worker processes the 10,000 documents again; the next
 * measurement waits until the queue is empty, so it does not compete with that backlog.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_DEFAULTS, localQueueUrl } from '@docflow/config';
import type { DocumentList, IngestDocumentRequest } from '@docflow/contracts';
import { findFreePort } from '@docflow/local';
import { generateDocuments } from '../api/dataset.js';
import { median } from '../common/median.js';
import { numberOption } from '../common/options.js';
import { spawnNode, stopProcess } from '../common/processes.js';
import { rotatingRounds } from '../common/rounds.js';
import { BENCH_API_KEY, WORKSPACE_ROOT } from '../common/workspace.js';

const { values: args } = parseArgs({
  options: {
    documents: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '8' },
    'restore-concurrency': { type: 'string', default: '4' },
  },
});
const documentCount = numberOption('documents', args.documents, { integer: true });
const rounds = numberOption('rounds', args.rounds, { integer: true });
const concurrency = numberOption('concurrency', args.concurrency, { integer: true });
const restoreConcurrency = numberOption('restore-concurrency', args['restore-concurrency'], { integer: true });

// the machines run Node 20 on purpose (docs/decisions.md); the SDK's notice is noise here
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
const run = promisify(execFile);
const log = (message: string) => process.stderr.write(`${message}\n`);
const headers = { 'x-api-key': BENCH_API_KEY };
const load = () => loadavg().map((value) => value.toFixed(1)).join(' ');

interface Environment {
  readonly env: NodeJS.ProcessEnv;
  readonly apiUrl: string;
  readonly ingestUrl: string;
  readonly queueUrl: string;
  readonly emulatorEndpoint: string;
  readonly child: ChildProcess;
}

/** `npm start` (its own command), on free ports and a data dir of its own. */
async function startDocflow(dataDir: string): Promise<Environment> {
  const ports = { api: await findFreePort(), ingest: await findFreePort(), postgres: await findFreePort(), emulator: await findFreePort() };
  const env = {
    DOCFLOW_DATA_DIR: dataDir,
    DOCFLOW_API_PORT: String(ports.api),
    DOCFLOW_INGEST_PORT: String(ports.ingest),
    DOCFLOW_POSTGRES_PORT: String(ports.postgres),
    DOCFLOW_EMULATOR_PORT: String(ports.emulator),
    DOCFLOW_API_KEYS: BENCH_API_KEY,
    LOG_LEVEL: 'warn',
  };
  const child = spawnNode(['--import', 'tsx', 'libs/local/src/cli/main.ts', 'start'], { env, stdout: 'pipe' });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const deadline = Date.now() + 120_000;
  while (!output.includes('Ctrl-C stops everything.')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    env,
    apiUrl: `http://127.0.0.1:${ports.api}`,
    ingestUrl: `http://127.0.0.1:${ports.ingest}`,
    queueUrl: localQueueUrl(LOCAL_DEFAULTS.queueName, ports.emulator),
    emulatorEndpoint: `http://127.0.0.1:${ports.emulator}`,
    child,
  };
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return (await response.json()) as T;
}

async function postBatch(ingestUrl: string, body: string): Promise<void> {
  const response = await fetch(`${ingestUrl}/v1/documents:batch`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
  if (response.status !== 202) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function pooled<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const item = items[next] as T;
        next += 1;
        await work(item);
      }
    }),
  );
}

/** Waits until the worker has emptied the queue (visible and in-flight messages). */
async function drained(environment: Environment): Promise<void> {
  const sqs = new SQSClient({ region: LOCAL_DEFAULTS.region, endpoint: environment.emulatorEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    for (;;) {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: environment.queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      if (Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    sqs.destroy();
  }
}

function batchesOf(documents: readonly IngestDocumentRequest[]): string[] {
  const batches: string[] = [];
  for (let i = 0; i < documents.length; i += 100) batches.push(JSON.stringify({ documents: documents.slice(i, i + 100) }));
  return batches;
}

async function seed(environment: Environment): Promise<IngestDocumentRequest[]> {
  const documents = [...generateDocuments(documentCount)].map(
    (record): IngestDocumentRequest => ({ url: record.url, contentType: 'text/plain', body: record.text, ...(record.title ? { title: record.title } : {}) }),
  );
  const started = Date.now();
  await pooled(batchesOf(documents), 4, (body) => postBatch(environment.ingestUrl, body));
  for (;;) {
    const stats = await getJson<{ documents: { total: number } }>(`${environment.apiUrl}/v1/stats`);
    if (stats.documents.total >= documentCount) break;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  log(`seeded ${documentCount} documents through ingest and the worker in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return documents;
}

/** The export floor: every page of the listing, then get + body of each document, answers discarded. */
async function exportFloor(environment: Environment): Promise<number> {
  const started = Date.now();
  let cursor: string | null = null;
  let documents = 0;
  do {
    const page: DocumentList = await getJson(`${environment.apiUrl}/v1/documents?limit=100${cursor !== null ? `&cursor=${cursor}` : ''}`);
    await pooled(page.items, concurrency, async (item) => {
      const [document, body] = await Promise.all([
        fetch(`${environment.apiUrl}/v1/documents/${item.id}`, { headers }),
        fetch(`${environment.apiUrl}/v1/documents/${item.id}/body`, { headers }),
      ]);
      await Promise.all([document.arrayBuffer(), body.arrayBuffer()]);
    });
    documents += page.items.length;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return (documents * 1000) / (Date.now() - started);
}

interface ExporterSummary {
  readonly documents: number;
  readonly elapsedMs: number;
  readonly archive?: string;
  readonly listingMs?: number;
  readonly assemblyMs?: number;
}

async function exporter(environment: Environment, command: string[]): Promise<ExporterSummary> {
  const { stdout } = await run(process.execPath, [`${WORKSPACE_ROOT}apps/exporter/dist/main.js`, ...command, '--json'], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, ...environment.env, EXPORTER_CONCURRENCY: String(concurrency), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as ExporterSummary;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'docflow-bench-exporter-'));
  await chmod(dataDir, 0o755);
  const archives = await mkdtemp(join(tmpdir(), 'docflow-bench-archives-'));
  log(`load average before: ${load()}`);
  const environment = await startDocflow(dataDir);
  try {
    await seed(environment);
    await drained(environment);

    let archive = '';
    const exports = await rotatingRounds(['floor', 'exporter'] as const, rounds, async (target) => {
      log(`export: ${target} (load ${load()})`);
      if (target === 'floor') return exportFloor(environment);
      const result = await exporter(environment, ['export', '--to', archives]);
      archive = result.archive ?? archive;
      log(`  listing and fetching ${((result.listingMs ?? 0) / 1000).toFixed(1)} s, JSONL + EPUB + manifest ${((result.assemblyMs ?? 0) / 1000).toFixed(1)} s`);
      return (result.documents * 1000) / result.elapsedMs;
    });

    // the floor sends what the archive holds, as restore would, from memory
    const lines = gunzipSync(await readFile(join(archive, 'documents.jsonl.gz'))).toString('utf8').split('\n').filter(Boolean);
    const requests = lines.map((line) => {
      const document = JSON.parse(line) as { url: string; contentType: IngestDocumentRequest['contentType']; body: string; title: string | null };
      return { url: document.url, contentType: document.contentType, body: document.body, ...(document.title !== null ? { title: document.title } : {}) };
    });
    const batches = batchesOf(requests);
    const restores = await rotatingRounds(['floor', 'exporter'] as const, rounds, async (target) => {
      await drained(environment);
      log(`restore: ${target} (load ${load()})`);
      if (target === 'floor') {
        const started = Date.now();
        await pooled(batches, restoreConcurrency, (body) => postBatch(environment.ingestUrl, body));
        return (requests.length * 1000) / (Date.now() - started);
      }
      const result = await exporter(environment, ['restore', '--from', archive]);
      return (result.documents * 1000) / result.elapsedMs;
    });
    await drained(environment);
    report(exports, restores, lines.length);
  } finally {
    await stopProcess(environment.child);
    await rm(dataDir, { recursive: true, force: true });
    await rm(archives, { recursive: true, force: true });
  }
}

function report(exports: Record<'floor' | 'exporter', number[]>, restores: Record<'floor' | 'exporter', number[]>, documents: number): void {
  const row = (name: string, value: number, floor: number) =>
    `${name.padEnd(42)}${value.toFixed(0).padStart(12)}${`${((value / floor) * 100).toFixed(0)} %`.padStart(14)}`;
  const exportFloorRate = median(exports.floor);
  const restoreFloorRate = median(restores.floor);
  console.log(
    `\n${documents} documents (100-1,000 words of plain text each), against npm start, ${rounds} round(s) (medians), ` +
      `export concurrency ${concurrency}, restore concurrency ${restoreConcurrency}, node ${process.version}, ${cpus().length} cores, load average after: ${load()}\n`,
  );
  console.log(`${'target'.padEnd(42)}${'documents/s'.padStart(12)}${'of floor'.padStart(14)}`);
  console.log(row('export (npm run export, JSONL + EPUB)', median(exports.exporter), exportFloorRate));
  console.log(row('floor: api list + get + body calls alone', exportFloorRate, exportFloorRate));
  console.log(row('restore (npm run restore, verify + send)', median(restores.exporter), restoreFloorRate));
  console.log(row('floor: ingest batch calls alone', restoreFloorRate, restoreFloorRate));
}

await main();
