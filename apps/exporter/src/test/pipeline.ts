import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { DocumentList, IngestDocumentRequest } from '@docflow/contracts';
import { findFreePort, waitUntilReady } from '@docflow/local';
import { startTestEmulator, startTestPostgres, type TestEmulator } from '@docflow/local/testing';

export const WORKSPACE_ROOT = join(import.meta.dirname, '..', '..', '..', '..');
export const API_KEY = 'exporter-test-key-0123456789';

export interface Pipeline {
  readonly apiUrl: string;
  readonly ingestUrl: string;
  readonly emulator: TestEmulator;
  /** The database the services use now (a new one after `wipe`). */
  databaseUrl(): string;
  /** What the exporter needs to reach these services and this emulator (the rest of its config is local mode's). */
  readonly exporterEnv: NodeJS.ProcessEnv;
  /** Sends documents through ingest's batch endpoint; answers their ids. */
  ingest(documents: readonly IngestDocumentRequest[]): Promise<string[]>;
  /** Waits until the api lists `count` documents (the worker has processed them). */
  waitForDocuments(count: number, timeoutMs?: number): Promise<void>;
  /** Every listed document (newest first), page by page. */
  listAll(): Promise<DocumentList['items']>;
  get<T>(path: string): Promise<T>;
  /** A new empty database and emptied queue and bucket, services restarted on them: a wiped environment. */
  wipe(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The pipeline as it runs: the api, ingest and worker bundles (apps/<app>/dist/main.js, built by
 * the test target's dependencies) as separate processes on a throw-away PostgreSQL and the
 * SQS/S3 emulator, over real HTTP.
 */
export async function startPipeline(): Promise<Pipeline> {
  const [postgres, emulator] = await Promise.all([startTestPostgres(), startTestEmulator({ visibilityTimeoutSeconds: 30 })]);
  const ports = { api: await findFreePort(), ingest: await findFreePort() };
  let children: ChildProcess[] = [];
  let currentDatabaseUrl = '';

  const start = async (databaseUrl: string) => {
    currentDatabaseUrl = databaseUrl;
    const common = {
      ...process.env,
      DOCFLOW_ENV: 'local',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      DOCFLOW_API_KEYS: API_KEY,
      DATABASE_URL: databaseUrl,
      AWS_REGION: emulator.aws.region,
      AWS_ENDPOINT_URL: emulator.endpoint,
      DOCFLOW_QUEUE_URL: emulator.queueUrl,
      DOCFLOW_DLQ_URL: emulator.deadLetterQueueUrl,
      DOCFLOW_BUCKET: emulator.bucket,
      WORKER_WAIT_TIME_SECONDS: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const spawnApp = (app: string, env: NodeJS.ProcessEnv) =>
      spawn(process.execPath, [join(WORKSPACE_ROOT, 'apps', app, 'dist', 'main.js')], { env: { ...common, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
    children = [
      spawnApp('api', { PORT: String(ports.api) }),
      spawnApp('ingest', { PORT: String(ports.ingest) }),
      spawnApp('worker', {}),
    ];
    await Promise.all([
      waitUntilReady(`http://127.0.0.1:${ports.api}/readyz`, children[0] as ChildProcess, { name: 'api', timeoutMs: 60_000 }),
      waitUntilReady(`http://127.0.0.1:${ports.ingest}/readyz`, children[1] as ChildProcess, { name: 'ingest', timeoutMs: 60_000 }),
    ]);
  };
  const stopChildren = async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }),
    );
  };

  await start(await postgres.createDatabase());
  const apiUrl = `http://127.0.0.1:${ports.api}`;
  const ingestUrl = `http://127.0.0.1:${ports.ingest}`;
  const headers = { 'x-api-key': API_KEY };
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${apiUrl}${path}`, { headers });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const listAll = async () => {
    const items: DocumentList['items'] = [];
    let cursor: string | null = null;
    do {
      const page: DocumentList = await get(`/v1/documents?limit=100${cursor !== null ? `&cursor=${cursor}` : ''}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return items;
  };
  return {
    apiUrl,
    ingestUrl,
    emulator,
    databaseUrl: () => currentDatabaseUrl,
    exporterEnv: {
      DOCFLOW_ENV: 'local',
      DOCFLOW_API_URL: apiUrl,
      DOCFLOW_INGEST_URL: ingestUrl,
      DOCFLOW_API_KEY: API_KEY,
      AWS_ENDPOINT_URL: emulator.endpoint,
      AWS_REGION: emulator.aws.region,
    },
    async ingest(documents) {
      const response = await fetch(`${ingestUrl}/v1/documents:batch`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ documents }),
      });
      if (response.status !== 202) throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { documents: { documentId: string }[] }).documents.map((document) => document.documentId);
    },
    async waitForDocuments(count, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const stats = await get<{ documents: { total: number } }>('/v1/stats');
        if (stats.documents.total >= count) return;
        if (Date.now() > deadline) throw new Error(`the api has ${stats.documents.total} documents, not ${count}, after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    listAll,
    get,
    async wipe() {
      await stopChildren();
      emulator.reset();
      await start(await postgres.createDatabase());
    },
    async stop() {
      await stopChildren();
      await Promise.all([emulator.stop(), postgres.stop()]);
    },
  };
}

/** A small collection of the three content types, with text that tests escaping and unicode. */
export function sampleDocuments(prefix: string, count: number): IngestDocumentRequest[] {
  return Array.from({ length: count }, (_, i): IngestDocumentRequest => {
    const url = `https://example.com/${prefix}/${i}`;
    switch (i % 3) {
      case 0:
        return {
          url,
          contentType: 'text/html',
          body: `<!doctype html><html><head><title>${prefix} page ${i} &amp; friends</title></head><body><article><h1>Page ${i}</h1><p>Café déjà vu: the ${prefix}word${i} tides &lt;script&gt; follow the moon.</p><p>Second paragraph ${i}.</p></article></body></html>`,
        };
      case 1:
        return { url, contentType: 'text/markdown', body: `# ${prefix} notes ${i}\n\nMarkdown with **bold** and a ${prefix}word${i} — “quotes”.\n` };
      default:
        return { url, contentType: 'text/plain', body: `${prefix} plain ${i}\n\nPlain text ${prefix}word${i} with a < and a & in it.`, title: `Given title ${i}` };
    }
  });
}
