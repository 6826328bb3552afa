import type { ChildProcess } from 'node:child_process';
import { findFreePort } from '@docflow/local';
import { waitUntilReady } from '@docflow/local';
import { spawnNode } from './processes.js';
import { BENCH_API_KEY } from './workspace.js';

export interface ServiceOptions {
  /** What follows `node`: node flags, then the entry (`apps/api/dist/main.js`, or `--import tsx apps/api/src/main.ts`). */
  readonly nodeArgs: readonly string[];
  /** The service's own variables (DATABASE_URL, AWS_ENDPOINT_URL, ...). */
  readonly env: NodeJS.ProcessEnv;
  /**
   * LOG_LEVEL; at info (as deployed) a service writes a JSON line per request, to /dev/null here.
   * @default 'info'
   */
  readonly logLevel?: string;
}

export interface RunningService {
  readonly baseUrl: string;
  readonly child: ChildProcess;
}

/**
 * Starts a docflow service (api, ingest) as its container runs it: on a free port, accepting
 * BENCH_API_KEY; resolves once /readyz answers, so its dependencies are reachable too.
 */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const port = await findFreePort();
  const child = spawnNode(options.nodeArgs, {
    env: {
      ...options.env,
      DOCFLOW_ENV: 'local',
      HOST: '127.0.0.1',
      PORT: String(port),
      DOCFLOW_API_KEYS: BENCH_API_KEY,
      LOG_LEVEL: options.logLevel ?? 'info',
    },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${baseUrl}/readyz`, child);
  return { baseUrl, child };
}
