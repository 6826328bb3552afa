import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { findFreePort } from '@docflow/local';

export const WORKSPACE_ROOT = join(import.meta.dirname, '..', '..', '..');

export interface Ports {
  readonly api: number;
  readonly ingest: number;
  readonly postgres: number;
  readonly emulator: number;
}

/** `npm start` as a newcomer runs it (the local CLI over the built bundles), on its own ports and data dir. */
export class DocflowProcess {
  private output = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(
    readonly dataDir: string,
    readonly ports: Ports,
    command = 'start',
    args: readonly string[] = [],
  ) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'libs/local/src/cli/main.ts', command, ...args], {
      cwd: WORKSPACE_ROOT,
      env: {
        ...process.env,
        DOCFLOW_DATA_DIR: dataDir,
        DOCFLOW_API_PORT: String(ports.api),
        DOCFLOW_INGEST_PORT: String(ports.ingest),
        DOCFLOW_POSTGRES_PORT: String(ports.postgres),
        DOCFLOW_EMULATOR_PORT: String(ports.emulator),
        DOCFLOW_API_KEYS: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // a process group of its own, as a terminal gives a command: interrupt() signals the group
      detached: true,
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get log(): string {
    return this.output;
  }

  /** Waits for `text` in the output; fails with the output so far if the process ends first. */
  async waitFor(text: string, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let ended = false;
    void this.exited.then(() => (ended = true));
    while (!this.output.includes(text)) {
      if (ended || Date.now() > deadline) {
        throw new Error(`"${text}" did not appear (${ended ? 'process ended' : 'timed out'}). Output:\n${this.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Ctrl-C as a terminal sends it (to the whole foreground process group), and the exit code. */
  async interrupt(): Promise<number | null> {
    if (this.child.pid !== undefined && this.child.exitCode === null) process.kill(-this.child.pid, 'SIGINT');
    return this.exited;
  }
}

export async function freePorts(): Promise<Ports> {
  const [api = 0, ingest = 0, postgres = 0, emulator = 0] = await Promise.all([1, 2, 3, 4].map(() => findFreePort()));
  return { api, ingest, postgres, emulator };
}
