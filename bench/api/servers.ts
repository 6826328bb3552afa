/** The two servers the benchmark compares, each in its own process. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { findFreePort } from '@docflow/local';

export const API_KEY = 'bench-key-0123456789abcdef';
const root = new URL('../../', import.meta.url);

export interface Server {
  readonly name: string;
  readonly baseUrl: string;
  readonly headers: Record<string, string>;
  readonly process: ChildProcess;
}

async function waitUntilHealthy(baseUrl: string, path: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`${baseUrl}: exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${baseUrl}${path}`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${baseUrl}: not healthy after 20 s`);
}

export async function startApi(databaseUrl: string, options: { poolMax: number; bundle: boolean }): Promise<Server> {
  const port = await findFreePort();
  const entry = options.bundle ? ['apps/api/dist/main.js'] : ['--import', 'tsx', 'apps/api/src/main.ts'];
  const child = spawn(process.execPath, entry, {
    cwd: root,
    env: {
      ...process.env,
      DOCFLOW_ENV: 'local',
      DATABASE_URL: databaseUrl,
      DB_MIGRATE: 'false',
      DB_POOL_MAX: String(options.poolMax),
      HOST: '127.0.0.1',
      PORT: String(port),
      DOCFLOW_API_KEYS: API_KEY,
      // as in production: one JSON line per request (written to /dev/null here)
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilHealthy(baseUrl, '/readyz', child);
  return { name: `api (${options.bundle ? 'bundle' : 'main.ts'})`, baseUrl, headers: { 'x-api-key': API_KEY }, process: child };
}

export async function startFloor(databaseUrl: string, options: { poolMax: number }): Promise<Server> {
  const port = await findFreePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/api/floor.ts', databaseUrl, String(port), String(options.poolMax)], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilHealthy(baseUrl, `/v1/documents?q=x&limit=1`, child);
  return { name: 'floor (Fastify + pg, same SQL)', baseUrl, headers: {}, process: child };
}

export async function stop(server: Server): Promise<void> {
  const exited = once(server.process, 'exit');
  server.process.kill('SIGTERM');
  await exited;
}

/** CPU time (user + system) a process has used, from /proc (Linux), in milliseconds. */
const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the command name, which may contain spaces: state is field 3, utime 14, stime 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000) / CLOCK_TICKS_PER_SECOND;
}

