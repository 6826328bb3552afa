import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { findFreePort, waitUntilReady } from '@docflow/local';
import { WORKSPACE_ROOT } from './docflow-process.js';

export const API_KEY = 'e2e-key-0123456789abcdef';

/** A service bundle running as its container runs it, with its JSON log lines kept. */
export interface BundleProcess {
  readonly child: ChildProcess;
  /** http://127.0.0.1:<port> for api and ingest. */
  readonly baseUrl: string;
  readonly port: number;
  readonly lines: Record<string, unknown>[];
  /** Lines that are not JSON (a stack trace on stderr). */
  readonly otherLines: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node apps/<app>/dist/main.js [args]` with `env` on top of a local-mode environment. */
export async function startBundle(
  app: 'api' | 'ingest' | 'worker',
  env: NodeJS.ProcessEnv,
  args: readonly string[] = [],
): Promise<BundleProcess> {
  const port = await findFreePort();
  const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'apps', app, 'dist', 'main.js'), ...args], {
    env: {
      ...process.env,
      DOCFLOW_ENV: 'local',
      HOST: '127.0.0.1',
      PORT: String(port),
      DOCFLOW_API_KEYS: API_KEY,
      LOG_LEVEL: 'info',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const otherLines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue;
    createInterface({ input: stream }).on('line', (line) => {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        otherLines.push(line);
      }
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  if (app !== 'worker') await waitUntilReady(`${baseUrl}/readyz`, child, { name: app, timeoutMs: 30_000 });
  return {
    child,
    baseUrl,
    port,
    lines,
    otherLines,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The environment variables that point a bundle at a test database and a test emulator. */
export function environmentOf(databaseUrl: string, emulator: { endpoint: string; queueUrl: string; deadLetterQueueUrl: string; bucket: string }) {
  return {
    DATABASE_URL: databaseUrl,
    AWS_ENDPOINT_URL: emulator.endpoint,
    DOCFLOW_QUEUE_URL: emulator.queueUrl,
    DOCFLOW_DLQ_URL: emulator.deadLetterQueueUrl,
    DOCFLOW_BUCKET: emulator.bucket,
  };
}

/** Log lines at error or fatal level. */
export function errorLines(process: BundleProcess): Record<string, unknown>[] {
  return process.lines.filter((line) => line['level'] === 'error' || line['level'] === 'fatal');
}
