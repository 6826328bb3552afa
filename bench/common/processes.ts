import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { WORKSPACE_ROOT } from './workspace.js';

export interface SpawnNodeOptions {
  /**
   * Variables on top of this process's environment.
   * @default - none
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * `'pipe'` to read the process's first line (see `firstLine`); servers that log a line per
   * request get `'ignore'`, as production writes those lines to a collector, not to us.
   * @default 'ignore'
   */
  readonly stdout?: 'pipe' | 'ignore';
}

/**
 * Runs `node <args>` from the workspace root, each server of a benchmark in its own process so
 * that none shares an event loop with the load generator. stderr is inherited: a crash shows.
 */
export function spawnNode(args: readonly string[], options: SpawnNodeOptions = {}): ChildProcess {
  return spawn(process.execPath, args, {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...options.env },
    stdio: ['ignore', options.stdout ?? 'ignore', 'inherit'],
  });
}

/** The first line a process spawned with `stdout: 'pipe'` writes (the helpers print their address there). */
export function firstLine(child: ChildProcess): Promise<string> {
  const { stdout } = child;
  if (!stdout) throw new Error('spawned without a stdout pipe');
  return new Promise((resolve, reject) => {
    // the interface keeps reading after the first line, so a chatty process never blocks on a full pipe
    createInterface({ input: stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${child.spawnargs.join(' ')} exited with ${code} before writing a line`)));
  });
}

/**
 * Stops a process with SIGTERM and waits until it has exited: servers close their pools, the
 * emulator its ports, and a `--cpu-prof` server writes its profile on the way out.
 */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
