import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseConfig } from '@docflow/config';
import { findFreePort } from '@docflow/local';
import { startSilentServer } from '@docflow/local/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs } from '@docflow/observability/testing';
import { startTestDatabase, type TestDatabase } from './testing/index.js';
import { isDatabaseUnavailable } from './errors.js';
import { DatabaseConfigError, createPool, ping, type Pool } from './pool.js';

let db: TestDatabase;
const pools: Pool[] = [];

beforeAll(async () => {
  db = await startTestDatabase({ migrate: false });
});

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await db?.close();
});

function poolFor(config: Partial<DatabaseConfig>, logger = captureLogs().logger): Pool {
  const pool = createPool({ ...db.config, ...config }, { logger, applicationName: 'pool-test' });
  pools.push(pool);
  return pool;
}

describe('createPool', () => {
  it('sets the statement timeout and application name on every connection', async () => {
    const pool = poolFor({ statementTimeoutMs: 1_234 });
    const { rows } = await pool.query(
      `SELECT current_setting('statement_timeout') AS timeout, current_setting('application_name') AS name`,
    );
    expect(rows[0]).toEqual({ timeout: '1234ms', name: 'pool-test' });
  });

  it('cancels a statement that outlives the timeout', async () => {
    const pool = poolFor({ statementTimeoutMs: 100 });
    const error = await pool.query('SELECT pg_sleep(5)').catch((reason: unknown) => reason);
    expect(error).toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('with queryTimeoutMs, gives up on a server that stopped answering, drops that connection and carries on', async () => {
    const pool = createPool({ ...db.config, poolMax: 1, statementTimeoutMs: 60_000 }, { logger: captureLogs().logger, queryTimeoutMs: 500 });
    pools.push(pool);
    const before = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    // the backend freezes as a host does that vanished in a failover: no answer, no reset
    process.kill(before, 'SIGSTOP');
    try {
      const error = await pool.query('SELECT 1').catch((reason: unknown) => reason);
      expect(error).toMatchObject({ message: 'Query read timeout' });
      expect(isDatabaseUnavailable(error)).toBe(true);
    } finally {
      process.kill(before, 'SIGCONT');
    }
    const after = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    expect(after).not.toBe(before);
  });

  it('opens at most poolMax connections', async () => {
    const pool = poolFor({ poolMax: 2 });
    await Promise.all(Array.from({ length: 6 }, () => pool.query('SELECT pg_sleep(0.05)')));
    expect(pool.totalCount).toBe(2);
  });

  it('logs an idle connection that the server closed as a warning (a stop or failover, not an error), and keeps working', async () => {
    const { logger, lines } = captureLogs();
    const pool = poolFor({}, logger);
    await pool.query('SELECT 1');
    expect(pool.idleCount).toBe(1);

    await db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pool-test'`);
    await expect.poll(() => lines.length).toBeGreaterThan(0);

    expect(lines[0]).toMatchObject({
      level: 'warn',
      msg: 'PostgreSQL closed an idle connection; the pool opens a new one when needed',
      error: { code: '57P01', message: 'terminating connection due to administrator command' },
    });
    // only the message and code: not the client object with its connection settings
    expect(Object.keys(lines[0]?.error as object).sort()).toEqual(['code', 'message']);
    await expect(pool.query('SELECT 1 AS ok')).resolves.toMatchObject({ rows: [{ ok: 1 }] });
  });

  it('with ssl require, refuses a server without TLS instead of falling back to plain text', async () => {
    const pool = poolFor({ ssl: 'require' });
    await expect(ping(pool)).rejects.toThrow('The server does not support SSL connections');
  });

  it('with ssl verify-full, needs a readable CA file and names it', () => {
    expect(() => createPool({ ...db.config, ssl: 'verify-full' })).toThrow(
      new DatabaseConfigError('DB_SSL_CA_FILE: is required when DB_SSL is verify-full'),
    );
    expect(() => createPool({ ...db.config, ssl: 'verify-full', sslCaFile: '/nonexistent/ca.pem' })).toThrow(
      /^DB_SSL_CA_FILE: cannot read \/nonexistent\/ca.pem/,
    );
  });

  it('with ssl verify-full and a CA file, insists on TLS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'docflow-ca-'));
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nnot a real certificate\n-----END CERTIFICATE-----\n');
    const pool = poolFor({ ssl: 'verify-full', sslCaFile: caFile });
    await expect(ping(pool)).rejects.toThrow('The server does not support SSL connections');
  });

  it('refuses TLS settings in the URL, which would silently override DB_SSL', () => {
    expect(() => createPool({ ...db.config, url: `${db.url}?sslmode=disable` })).toThrow(
      'DATABASE_URL: remove sslmode from the URL and set DB_SSL (and DB_SSL_CA_FILE) instead',
    );
  });
});

describe('ping', () => {
  it('answers when PostgreSQL does', async () => {
    await expect(ping(db.pool)).resolves.toBeUndefined();
  });

  it('fails when nothing listens', async () => {
    const port = await findFreePort();
    const pool = poolFor({ url: `postgres://docflow:x@127.0.0.1:${port}/docflow` });
    const error = await ping(pool).catch((reason: unknown) => reason);
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('gives up on a server that accepts but never answers (connection timeout)', async () => {
    const silentServer = await startSilentServer();
    try {
      const pool = createPool(
        { ...db.config, url: `postgres://docflow:x@127.0.0.1:${silentServer.port}/docflow` },
        { logger: captureLogs().logger, connectionTimeoutMs: 200 },
      );
      pools.push(pool);
      const error = await ping(pool).catch((reason: unknown) => reason);
      expect(error).toMatchObject({ message: expect.stringMatching(/timeout/) });
      expect(isDatabaseUnavailable(error)).toBe(true);
    } finally {
      await silentServer.stop();
    }
  });
});
