import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LOCAL_DEFAULTS } from '@docflow/config';
import type { DocumentList } from '@docflow/contracts';
import { findFreePort } from '@docflow/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT, sampleDocuments } from './test/pipeline.js';

/**
 * Issue acceptance, as a newcomer does it: `npm start`, some documents, `npm run export -- --to
 * <dir>`, stop and `npm run reset` (the local environment wiped), `npm start` again,
 * `npm run restore -- --from <dir>`, and the worker brings back the same ids, titles and search
 * results. The only settings are the ports and data dir `npm start` itself is given here, so the
 * test does not collide with another checkout; export and restore read the same variables.
 */
const run = promisify(execFile);
let dataDir: string;
let archives: string;
let env: NodeJS.ProcessEnv;
let docflow: ChildProcess | undefined;
let ports: { api: number; ingest: number };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'docflow-round-trip-'));
  // as root, PostgreSQL runs as `postgres` and must reach its data dir
  await chmod(dataDir, 0o755);
  archives = await mkdtemp(join(tmpdir(), 'docflow-round-trip-archives-'));
  ports = { api: await findFreePort(), ingest: await findFreePort() };
  env = {
    ...process.env,
    DOCFLOW_DATA_DIR: dataDir,
    DOCFLOW_API_PORT: String(ports.api),
    DOCFLOW_INGEST_PORT: String(ports.ingest),
    DOCFLOW_POSTGRES_PORT: String(await findFreePort()),
    DOCFLOW_EMULATOR_PORT: String(await findFreePort()),
    DOCFLOW_API_KEYS: '',
  };
});

afterAll(async () => {
  await stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(archives, { recursive: true, force: true });
});

/** `npm start`'s own command (the bundles are built by this project's test dependencies). */
async function start(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'libs/local/src/cli/main.ts', 'start'], { cwd: WORKSPACE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  docflow = child;
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const deadline = Date.now() + 90_000;
  while (!output.includes('Ctrl-C stops everything.')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function stop(): Promise<void> {
  if (docflow === undefined || docflow.exitCode !== null) return;
  const exited = once(docflow, 'exit');
  docflow.kill('SIGINT');
  await exited;
  docflow = undefined;
}

async function npm(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('npm', ['run', '--silent', ...args], { cwd: WORKSPACE_ROOT, env });
}

const headers = { 'x-api-key': LOCAL_DEFAULTS.apiKey };

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`http://127.0.0.1:${ports.api}${path}`, { headers });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

async function waitForDocuments(count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await api<{ documents: { total: number } }>('/v1/stats')).documents.total < count) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} documents after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Ids and titles of every document, and what a few searches answer, in order. */
async function collection(): Promise<{ documents: string[]; searches: string[][] }> {
  const list = await api<DocumentList>('/v1/documents?limit=100');
  const searches = [];
  for (const q of ['tides', 'markdown', 'roundword2', '"plain text"']) {
    searches.push((await api<DocumentList>(`/v1/documents?q=${encodeURIComponent(q)}`)).items.map((item) => `${item.id} ${item.title}`));
  }
  return { documents: list.items.map((item) => `${item.id} ${item.title}`).sort(), searches };
}

describe('npm run export / npm run restore against npm start', () => {
  it('export, wipe, restore: the same ids, titles and search results', async () => {
    await start();
    const response = await fetch(`http://127.0.0.1:${ports.ingest}/v1/documents:batch`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ documents: sampleDocuments('round', 9) }),
    });
    expect(response.status).toBe(202);
    await waitForDocuments(9);
    const before = await collection();
    expect(before.documents).toHaveLength(9);
    expect(before.searches.every((hits) => hits.length > 0)).toBe(true);

    const exported = await npm('export', '--', '--to', archives);
    expect(exported.stdout).toMatch(/^exported 9 documents to /);

    await stop();
    await npm('reset');
    await start();
    expect((await api<DocumentList>('/v1/documents')).items).toEqual([]);

    const restored = await npm('restore', '--', '--from', archives);
    expect(restored.stdout).toMatch(/^restored 9 documents from /);
    await waitForDocuments(9);
    expect(await collection()).toEqual(before);
  }, 300_000);
});
