import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort, startEmulator, waitUntilReady, type RunningEmulator } from '@docflow/local';
import { startTestPostgres, type TestPostgres } from '@docflow/local/testing';
import { WORKSPACE_ROOT } from './docflow-process.js';

/**
 * What an image holds is the app's bundle and nothing else (apps/Dockerfile copies dist/ only):
 * each bundle, copied to a temporary folder with no node_modules anywhere above it, runs with plain
 * node against real PostgreSQL and the SQS/S3 emulator, as its container runs it. A document sent
 * to the copied ingest is processed by the copied worker and served by the copied api, and the
 * copied exporter (a job: it runs and exits) archives it from that api.
 */
const API_KEY = 'bundle-alone-key-0123456789';
const folder = mkdtempSync(join(tmpdir(), 'docflow-bundles-'));
const children: ChildProcess[] = [];
let postgres: TestPostgres;
let emulator: RunningEmulator;

type App = 'api' | 'ingest' | 'worker' | 'exporter';

function copyBundle(app: App): string {
  const target = join(folder, app);
  cpSync(join(WORKSPACE_ROOT, 'apps', app, 'dist'), target, { recursive: true });
  return target;
}

/** Nothing of the workspace: no NODE_PATH, no inherited settings. */
const bareEnvironment = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
  PATH: process.env['PATH'] ?? '',
  DOCFLOW_ENV: 'local',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  ...env,
});

async function run(app: Exclude<App, 'exporter'>, env: NodeJS.ProcessEnv): Promise<string> {
  const cwd = copyBundle(app);
  const port = await findFreePort();
  const child = spawn(process.execPath, ['main.js'], {
    cwd,
    env: bareEnvironment({ HOST: '127.0.0.1', PORT: String(port), DOCFLOW_API_KEYS: API_KEY, ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  if (app !== 'worker') await waitUntilReady(`${baseUrl}/healthz`, child, { name: `${app} bundle`, timeoutMs: 30_000 });
  return baseUrl;
}

/** Runs a job's bundle (the exporter) from `cwd` until it exits. */
function runJob(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['main.js', ...args], { cwd, env: bareEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** What the first test carried end to end, for the exporter to archive. */
let carried: { api: string; documentId: string } | undefined;

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
    // the api reads document bodies from the bucket (the exporter archives them)
    const api = await run('api', { ...aws, DOCFLOW_BUCKET: emulator.bucket, DATABASE_URL: postgres.url });
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
    carried = { api, documentId };
  }, 120_000);

  it('the exporter exports that document from the api into an archive (exit 0), which its bundle then verifies', async () => {
    if (!carried) throw new Error('needs the document the test above carried end to end');
    const cwd = copyBundle('exporter');
    const archives = join(folder, 'archives');
    const env = { DOCFLOW_API_URL: carried.api, DOCFLOW_API_KEY: API_KEY };
    const exported = await runJob(cwd, ['export', '--to', archives, '--json'], env);
    expect(exported.code, exported.stderr).toBe(0);
    const summary = JSON.parse(exported.stdout) as { name: string; documents: number };
    expect(summary.documents).toBe(1);

    const archive = join(archives, summary.name);
    const lines = gunzipSync(readFileSync(join(archive, 'documents.jsonl.gz'))).toString('utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ id: carried.documentId, url: 'https://example.com/bundle', body: 'Bundles run alone.' });
    expect(JSON.parse(readFileSync(join(archive, 'manifest.json'), 'utf8'))).toMatchObject({ formatVersion: 1, counts: { documents: 1 } });
    expect(readFileSync(join(archive, 'documents.epub')).subarray(0, 2).toString('latin1')).toBe('PK');

    const verified = await runJob(cwd, ['verify', '--from', archives, '--json'], {});
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ intact: true, archives: [{ name: summary.name, documents: 1 }] });
  }, 120_000);
});
