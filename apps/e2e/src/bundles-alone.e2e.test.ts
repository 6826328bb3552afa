import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort, startEmulator, waitUntilReady, type RunningEmulator } from '@docflow/local';
import { startTestPostgres, type TestPostgres } from '@docflow/local/testing';
import { WORKSPACE_ROOT } from './docflow-process.js';

/**
 * What an image holds is the app's bundle and nothing else (apps/Dockerfile copies dist/ only):
 * each bundle, copied to a temporary folder with no node_modules anywhere above it, runs with plain
 * node against real PostgreSQL and the SQS/S3 emulator, as its container runs it. A document sent
 * to the copied ingest is processed by the copied worker and served by the copied api.
 */
const API_KEY = 'bundle-alone-key-0123456789';
const folder = mkdtempSync(join(tmpdir(), 'docflow-bundles-'));
const children: ChildProcess[] = [];
let postgres: TestPostgres;
let emulator: RunningEmulator;

function copyBundle(app: 'api' | 'ingest' | 'worker'): string {
  const target = join(folder, app);
  cpSync(join(WORKSPACE_ROOT, 'apps', app, 'dist'), target, { recursive: true });
  return target;
}

async function run(app: 'api' | 'ingest' | 'worker', env: NodeJS.ProcessEnv): Promise<string> {
  const cwd = copyBundle(app);
  const port = await findFreePort();
  const child = spawn(process.execPath, ['main.js'], {
    cwd,
    // nothing of the workspace: no NODE_PATH, no inherited settings
    env: {
      PATH: process.env['PATH'] ?? '',
      DOCFLOW_ENV: 'local',
      HOST: '127.0.0.1',
      PORT: String(port),
      DOCFLOW_API_KEYS: API_KEY,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  if (app !== 'worker') await waitUntilReady(`${baseUrl}/healthz`, child, { name: `${app} bundle`, timeoutMs: 30_000 });
  return baseUrl;
}

beforeAll(async () => {
  postgres = await startTestPostgres();
  emulator = await startEmulator({ port: 0 });
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await emulator?.stop();
  await postgres?.stop();
  rmSync(folder, { recursive: true, force: true });
});

describe('each bundle, alone in a temporary folder with plain node (the image without Docker)', () => {
  it('has no node_modules to fall back on', () => {
    let dir = folder;
    for (;;) {
      expect(existsSync(join(dir, 'node_modules')), dir).toBe(false);
      const parent = join(dir, '..');
      if (parent === dir) break;
      dir = parent;
    }
  });

  it('api, ingest and worker start, answer /healthz with 200, and carry a document end to end', async () => {
    const aws = { AWS_ENDPOINT_URL: emulator.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
    const queue = { DOCFLOW_QUEUE_URL: emulator.queueUrl, DOCFLOW_DLQ_URL: emulator.deadLetterQueueUrl, DOCFLOW_BUCKET: emulator.bucket };
    const api = await run('api', { DATABASE_URL: postgres.url });
    const ingest = await run('ingest', { ...aws, ...queue });
    await run('worker', { ...aws, ...queue, DATABASE_URL: postgres.url, WORKER_MODE: 'poll' });
    for (const baseUrl of [api, ingest]) expect((await fetch(`${baseUrl}/healthz`)).status, baseUrl).toBe(200);

    const sent = await fetch(`${ingest}/v1/documents`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'https://example.com/bundle', contentType: 'text/plain', body: 'Bundles run alone.' }),
    });
    expect(sent.status).toBe(202);
    const { documentId } = (await sent.json()) as { documentId: string };
    let status = 0;
    for (let attempt = 0; attempt < 120 && status !== 200; attempt++) {
      status = (await fetch(`${api}/v1/documents/${documentId}`, { headers: { 'x-api-key': API_KEY } })).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(status).toBe(200);
  }, 120_000);
});
