import type { ChildProcess } from 'node:child_process';

export interface WaitUntilReadyOptions {
  /**
   * How the process is named in errors.
   * @default - its command line
   */
  readonly name?: string;
  /** @default 20_000 */
  readonly timeoutMs?: number;
}

/** Waits until `url` answers 2xx; fails early when `child` exits, or after the timeout. */
export async function waitUntilReady(url: string, child: ChildProcess, options: WaitUntilReadyOptions = {}): Promise<void> {
  const name = options.name ?? child.spawnargs.join(' ');
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before ${url} was ready`);
    }
    const ok = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
      (response) => response.ok,
      () => false, // not listening yet
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${name} was not ready at ${url} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
