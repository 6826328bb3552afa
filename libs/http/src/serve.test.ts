import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogLine } from '@docflow/observability/testing';

const fixture = fileURLToPath(new URL('./test/serve-fixture.ts', import.meta.url));

interface Service {
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  readonly address: string;
  waitFor(message: string): Promise<LogLine>;
  exited: Promise<number | null>;
}

/** Starts the fixture as its own process, since serve() owns signals and process.exit. */
async function startService(env: Record<string, string> = {}): Promise<Service> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (!child.stdout) throw new Error('the service has no stdout');
  const lines: LogLine[] = [];
  const waiters: { message: string; resolve: (line: LogLine) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (text) => {
    if (!text.startsWith('{')) return;
    const line = JSON.parse(text) as LogLine;
    lines.push(line);
    for (const waiter of waiters.filter((w) => line.msg === w.message)) waiter.resolve(line);
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const waitFor = (message: string) =>
    new Promise<LogLine>((resolve, reject) => {
      const seen = lines.find((line) => line.msg === message);
      if (seen) return resolve(seen);
      waiters.push({ message, resolve });
      void exited.then((code) => reject(new Error(`service exited (${code}) before logging "${message}"`)));
    });
  const address = String((await waitFor('listening')).address);
  return { child, lines, address, waitFor, exited };
}

describe('serve', () => {
  let service: Service | undefined;
  afterEach(() => {
    if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
  });

  it('on SIGTERM finishes the request in flight, runs onClose hooks, then exits 0', async () => {
    service = await startService();
    const answer = fetch(`${service.address}/slow`);
    await service.waitFor('slow request started');

    service.child.kill('SIGTERM');
    const response = await answer;

    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual({ finished: true });
    expect(await service.exited).toBe(0);
    const messages = service.lines.map((line) => line.msg);
    expect(messages).toContain('fixture resource closed');
    expect(messages.indexOf('stopped')).toBeGreaterThan(messages.indexOf('fixture resource closed'));
  });

  it('exits 1 when the requests in flight outlast the shutdown timeout', async () => {
    service = await startService({ SHUTDOWN_TIMEOUT_MS: '500' });
    const answer = fetch(`${service.address}/stuck`).catch((error: unknown) => error);
    await service.waitFor('stuck request started');

    service.child.kill('SIGTERM');

    expect(await service.exited).toBe(1);
    expect(service.lines.map((line) => line.msg)).toContain('shutdown did not finish in time: exiting');
    expect(await answer).toBeInstanceOf(Error);
  });
});
