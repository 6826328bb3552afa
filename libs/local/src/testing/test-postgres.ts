import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../ports.js';
import { startPostgres } from '../postgres.js';

export interface TestPostgres {
  /** The `docflow` database as the `docflow` user. */
  readonly url: string;
  readonly port: number;
  /** The maintenance database as the superuser. */
  readonly adminUrl: string;
  /** Creates a fresh, empty database owned by the `docflow` user and returns its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server and deletes its files. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface TestPostgresOptions {
  /**
   * Receives PostgreSQL's log lines.
   * @default - discarded
   */
  readonly onLog?: (line: string) => void;
}

/**
 * A throw-away PostgreSQL for one test file: a temp data dir, a free port, no fsync. Start it in
 * `beforeAll` and give each test (or test file) its own database with `createDatabase()`.
 */
export async function startTestPostgres(options: TestPostgresOptions = {}): Promise<TestPostgres> {
  const root = await mkdtemp(join(tmpdir(), 'docflow-test-pg-'));
  // mkdtemp makes the folder 0700; as root, PostgreSQL runs as `postgres`, which must reach it
  await chmod(root, 0o755);
  const attempts = 3;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const port = await findFreePort();
      const postgres = await startPostgres({
        dataDir: join(root, 'data'),
        port,
        persistent: false,
        ...(options.onLog !== undefined ? { onLog: options.onLog } : {}),
      });
      let stopping: Promise<void> | undefined;
      return {
        url: postgres.url,
        port: postgres.port,
        adminUrl: postgres.adminUrl,
        createDatabase: () => postgres.createDatabase(`test_${randomBytes(6).toString('hex')}`),
        stop: () =>
          (stopping ??= postgres.stop().finally(() => rm(root, { recursive: true, force: true }))),
      };
    } catch (error) {
      // another process may take the free port between findFreePort and PostgreSQL binding it
      const portTaken = error instanceof Error && /already in use/.test(error.message);
      if (!portTaken || attempt >= attempts) {
        await rm(root, { recursive: true, force: true });
        throw error;
      }
    }
  }
}
