/** The two servers the benchmark compares, each in its own process. */
import type { ChildProcess } from 'node:child_process';
import { findFreePort } from '@docflow/local';
import { waitUntilReady } from '@docflow/local';
import { spawnNode } from '../common/processes.js';
import { startService } from '../common/services.js';
import { BENCH_API_KEY } from '../common/workspace.js';

export interface Server {
  readonly name: string;
  readonly baseUrl: string;
  readonly headers: Record<string, string>;
  readonly process: ChildProcess;
}

export async function startApi(databaseUrl: string, options: { poolMax: number; bundle: boolean }): Promise<Server> {
  const { baseUrl, child } = await startService({
    nodeArgs: options.bundle ? ['apps/api/dist/main.js'] : ['--import', 'tsx', 'apps/api/src/main.ts'],
    env: { DATABASE_URL: databaseUrl, DB_MIGRATE: 'false', DB_POOL_MAX: String(options.poolMax) },
  });
  return { name: `api (${options.bundle ? 'bundle' : 'main.ts'})`, baseUrl, headers: { 'x-api-key': BENCH_API_KEY }, process: child };
}

export async function startFloor(databaseUrl: string, options: { poolMax: number }): Promise<Server> {
  const port = await findFreePort();
  const child = spawnNode(['--import', 'tsx', 'bench/api/floor.ts'], {
    env: { DATABASE_URL: databaseUrl, DB_POOL_MAX: String(options.poolMax), PORT: String(port) },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${baseUrl}/v1/documents?q=x&limit=1`, child);
  return { name: 'floor (Fastify + pg, same SQL)', baseUrl, headers: {}, process: child };
}
