import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { DocumentListSchema } from '@docflow/contracts';
import { DocumentsRepository, createPool, type Pool } from '@docflow/db';
import { documentFixture } from '@docflow/db/testing';
import { captureLogs } from '@docflow/observability/testing';
import { findFreePort } from '@docflow/local';
import { startTestPostgres, type TestPostgres } from '@docflow/local/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY } from './test/harness.js';

/**
 * The api as it runs: main.ts in its own process, configured by environment variables, on an
 * empty database it migrates itself, answering over real HTTP, stopping on SIGTERM.
 */
let postgres: TestPostgres;
let pool: Pool;
let api: ChildProcess;
let baseUrl: string;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  postgres = await startTestPostgres();
  const url = await postgres.createDatabase();
  pool = createPool({ url, ssl: 'disable', poolMax: 2, statementTimeoutMs: 10_000, migrate: false }, { logger: captureLogs().logger });
  const port = await findFreePort();
  api = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: new URL('..', import.meta.url),
    env: {
      ...process.env,
      DOCFLOW_ENV: 'local',
      DATABASE_URL: url,
      DB_MIGRATE: 'true',
      HOST: '127.0.0.1',
      PORT: String(port),
      DOCFLOW_API_KEYS: API_KEY,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: api.stdout as NodeJS.ReadableStream });
  const listening = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      const parsed = JSON.parse(line) as Record<string, unknown>;
      logLines.push(parsed);
      if (parsed['msg'] === 'listening') resolve();
    });
    api.once('exit', (code) => reject(new Error(`api exited with ${code} before listening`)));
  });
  await listening;
  baseUrl = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  if (api?.exitCode === null) api.kill('SIGKILL');
  await pool?.end();
  await postgres?.stop();
});

describe('the api process', () => {
  it('migrated the empty database at start-up', () => {
    expect(logLines).toContainEqual(expect.objectContaining({ msg: 'migration applied', version: 1, name: 'documents' }));
  });

  it('answers over HTTP: ready, and finds a document by a word of its text', async () => {
    const doc = documentFixture({ title: 'Tide tables', text: 'The harbour pilots measured the tide twice.' });
    await new DocumentsRepository(pool).upsert(doc);

    const ready = await fetch(`${baseUrl}/readyz`);
    expect(ready.status).toBe(200);

    const response = await fetch(`${baseUrl}/v1/documents?q=tide`, { headers: { 'x-api-key': API_KEY } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-correlation-id')).toBeTruthy();
    const { items } = DocumentListSchema.parse(await response.json());
    expect(items).toEqual([expect.objectContaining({ id: doc.id, title: 'Tide tables' })]);

    expect((await fetch(`${baseUrl}/v1/stats`)).status).toBe(401);
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = once(api, 'exit');
    api.kill('SIGTERM');
    const [code] = await exited;

    expect(code).toBe(0);
    expect(logLines).toContainEqual(expect.objectContaining({ msg: 'stopped' }));
  });
});
