import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { findFreePort } from './ports.js';
import { waitUntilReady } from './ready.js';

describe('waitUntilReady', () => {
  it('resolves once the URL answers 2xx', async () => {
    const port = await findFreePort();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)']);
    const server = createServer((_request, response) => response.end('ok'));
    setTimeout(() => server.listen(port, '127.0.0.1'), 300);
    try {
      await waitUntilReady(`http://127.0.0.1:${port}/readyz`, child, { timeoutMs: 10_000 });
    } finally {
      server.close();
      child.kill();
    }
  });

  it('fails early, naming the process, when it exits before it is ready', async () => {
    const port = await findFreePort();
    const child = spawn(process.execPath, ['-e', 'process.exit(3)']);
    await expect(waitUntilReady(`http://127.0.0.1:${port}/readyz`, child, { name: 'api', timeoutMs: 10_000 })).rejects.toThrow(
      `api exited (3) before http://127.0.0.1:${port}/readyz was ready`,
    );
  });
});
