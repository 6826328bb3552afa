import { createServer, type Server } from 'node:net';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEnvironmentError, findFreePort, startPostgres, type RunningPostgres } from './index.js';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** A temp folder the `postgres` system user can reach (mkdtemp makes it 0700). */
async function reachableTempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'docflow-pg-test-'));
  await chmod(dir, 0o755);
  return dir;
}

describe('startPostgres', () => {
  let root: string;
  const started: RunningPostgres[] = [];

  beforeAll(async () => {
    root = await reachableTempDir();
  });

  afterAll(async () => {
    await Promise.all(started.map((postgres) => postgres.stop()));
    await rm(root, { recursive: true, force: true });
  });

  it('creates the docflow role and database, and keeps the data across a restart (no re-init)', async () => {
    const dataDir = join(root, 'persistent');
    const port = await findFreePort();
    const first = await startPostgres({ dataDir, port, persistent: true });
    started.push(first);
    expect(first.url).toBe(`postgres://docflow:docflow-local@127.0.0.1:${port}/docflow`);
    const [who] = await query<{ user: string; db: string }>(first.url, 'SELECT current_user AS user, current_database() AS db');
    expect(who).toEqual({ user: 'docflow', db: 'docflow' });
    await query(first.url, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('survives')");
    await first.stop();

    const second = await startPostgres({ dataDir, port, persistent: true });
    started.push(second);
    const rows = await query<{ note: string }>(second.url, 'SELECT note FROM kept');
    expect(rows).toEqual([{ note: 'survives' }]);
    await second.stop();
  });

  it('restarts while a client keeps knocking ("the database system is starting up" is the client\'s, not a failed start)', async () => {
    const dataDir = join(root, 'knocked');
    const port = await findFreePort();
    const first = await startPostgres({ dataDir, port, persistent: true });
    await first.stop();
    // a service waiting out the restart: it connects again and again while the server starts
    let knocking = true;
    const refusals: string[] = [];
    const knock = (async () => {
      while (knocking) {
        const client = new pg.Client({ connectionString: first.url, connectionTimeoutMillis: 500 });
        await client.connect().then(
          () => client.end(),
          (error: Error) => void refusals.push(error.message),
        );
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    try {
      const second = await startPostgres({ dataDir, port, persistent: true });
      started.push(second);
      expect((await query<{ ok: number }>(second.url, 'SELECT 1 AS ok'))[0]).toEqual({ ok: 1 });
    } finally {
      knocking = false;
      await knock;
    }
    expect(refusals.length).toBeGreaterThan(0);
  });

  it('stop() is idempotent and deletes a non-persistent data dir', async () => {
    const dataDir = join(root, 'throwaway');
    const postgres = await startPostgres({ dataDir, port: await findFreePort(), persistent: false });
    started.push(postgres);
    await Promise.all([postgres.stop(), postgres.stop()]);
    await postgres.stop();
    await expect(query(postgres.url, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);
    const { existsSync } = await import('node:fs');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('createDatabase() makes an empty database the docflow user owns', async () => {
    const postgres = await startPostgres({ dataDir: join(root, 'databases'), port: await findFreePort(), persistent: false });
    started.push(postgres);
    const url = await postgres.createDatabase('scratch_one');
    expect(url).toBe(`postgres://docflow:docflow-local@127.0.0.1:${postgres.port}/scratch_one`);
    await query(url, 'CREATE TABLE owned_by_docflow (id int)');
    const tables = await query<{ tablename: string }>(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    expect(tables).toEqual([{ tablename: 'owned_by_docflow' }]);
    await expect(postgres.createDatabase('Bad-Name')).rejects.toThrow(/database name "Bad-Name" must match/);
    await postgres.stop();
  });

  it('names the port when it is already in use', async () => {
    const blocker: Server = createServer();
    const port = await findFreePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      await expect(startPostgres({ dataDir: join(root, 'port-taken'), port })).rejects.toThrow(
        new RegExp(`PostgreSQL cannot start: port ${port} is already in use`),
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('says the data dir is not writable when it cannot be created', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, 'not a folder');
    const failure = startPostgres({ dataDir: join(file, 'data'), port: await findFreePort() });
    await expect(failure).rejects.toBeInstanceOf(LocalEnvironmentError);
    await expect(failure).rejects.toThrow(`PostgreSQL data dir ${join(file, 'data')} is not writable`);
  });

  it.runIf(userInfo().uid === 0)('as root, says when the postgres user cannot reach the data dir', async () => {
    const locked = join(root, 'locked');
    await mkdir(locked, { mode: 0o700 });
    await chmod(locked, 0o700);
    await expect(startPostgres({ dataDir: join(locked, 'data'), port: await findFreePort() })).rejects.toThrow(
      /is not reachable by the "postgres" system user, which PostgreSQL runs as because this process is root/,
    );
  });

  it('wraps an initdb failure with its output', async () => {
    const dataDir = join(root, 'not-empty');
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'stray-file'), 'initdb refuses non-empty folders');
    await expect(startPostgres({ dataDir, port: await findFreePort() })).rejects.toThrow(
      /PostgreSQL initdb failed for data dir .*not-empty: .*exists but is not empty/s,
    );
  });

  it('explains a server that exits during start-up (data dir in use) instead of hanging', async () => {
    const dataDir = join(root, 'shared');
    const running = await startPostgres({ dataDir, port: await findFreePort(), persistent: true });
    started.push(running);
    await expect(startPostgres({ dataDir, port: await findFreePort() })).rejects.toThrow(
      `PostgreSQL cannot start: data dir ${dataDir} is in use by another PostgreSQL server (postmaster.pid)`,
    );
    await running.stop();
  });
});
