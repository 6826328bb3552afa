import type { DatabaseConfig } from '@docflow/config';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs } from '@docflow/observability/testing';
import { DocumentsRepository } from '../documents/repository.js';
import { documentFixture, startTestDatabase, type TestDatabase } from '../testing/index.js';
import { createPool, type Pool } from '../pool.js';
import { MIGRATIONS } from './index.js';
import { MIGRATION_LOCK_KEY, MigrationChecksumError, migrate } from './runner.js';
import type { Migration } from './migration.js';

let db: TestDatabase;
const pools: Pool[] = [];
const silent = captureLogs().logger;

beforeAll(async () => {
  db = await startTestDatabase({ migrate: false });
});

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await db?.close();
});

/** A pool on a new empty database of the test server. */
async function freshDatabase(): Promise<{ url: string; pool: Pool }> {
  const url = await db.postgres.createDatabase();
  const config: DatabaseConfig = { url, ssl: 'disable', poolMax: 3, statementTimeoutMs: 10_000, migrate: true };
  const pool = createPool(config, { logger: silent });
  pools.push(pool);
  return { url, pool };
}

async function freshPool(): Promise<Pool> {
  return (await freshDatabase()).pool;
}

async function appliedVersions(pool: Pool): Promise<number[]> {
  const { rows } = await pool.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
  return rows.map((row) => row.version);
}

const first: Migration = { version: 1, name: 'first', sql: 'CREATE TABLE first_table (id int PRIMARY KEY)' };
// slow enough that concurrent runners overlap: without the lock, a second runner would
// create the same table again and fail
const slowSecond: Migration = {
  version: 2,
  name: 'slow second',
  sql: 'SELECT pg_sleep(0.3); CREATE TABLE second_table (id int PRIMARY KEY)',
};

describe('migrate', () => {
  it('creates the docflow schema, then finds nothing to do', async () => {
    const { logger, lines } = captureLogs();
    expect(await migrate(db.pool, { logger })).toEqual({ applied: MIGRATIONS.map(({ version, name }) => ({ version, name })) });
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'migration applied', version: 1 }));

    expect(await migrate(db.pool, { logger })).toEqual({ applied: [] });
    expect(await appliedVersions(db.pool)).toEqual(MIGRATIONS.map((migration) => migration.version));
    const { rows } = await db.pool.query(`SELECT to_regclass('documents') AS documents`);
    expect(rows[0]).toEqual({ documents: 'documents' });
  });

  it('applies only what is pending', async () => {
    const pool = await freshPool();
    expect((await migrate(pool, { logger: silent, migrations: [first] })).applied).toEqual([{ version: 1, name: 'first' }]);
    expect((await migrate(pool, { logger: silent, migrations: [first, slowSecond] })).applied).toEqual([
      { version: 2, name: 'slow second' },
    ]);
    expect(await appliedVersions(pool)).toEqual([1, 2]);
  });

  it('lets concurrent runners race: each migration is applied exactly once', async () => {
    const url = await db.postgres.createDatabase();
    const config: DatabaseConfig = { url, ssl: 'disable', poolMax: 2, statementTimeoutMs: 10_000, migrate: true };
    // separate pools, as separate replicas would have
    const replicas = Array.from({ length: 5 }, () => createPool(config, { logger: silent }));
    pools.push(...replicas);

    const results = await Promise.all(replicas.map((pool) => migrate(pool, { logger: silent, migrations: [first, slowSecond] })));

    const applied = results.flatMap((result) => result.applied.map((migration) => migration.version))
      .sort((a, b) => a - b);
    expect(applied).toEqual([1, 2]);
    expect(await appliedVersions(replicas[0] as Pool)).toEqual([1, 2]);
  });

  it('refuses to run when an applied migration was edited, and applies nothing', async () => {
    const pool = await freshPool();
    await migrate(pool, { logger: silent, migrations: [first] });
    const edited: Migration = { ...first, sql: 'CREATE TABLE first_table (id bigint PRIMARY KEY)' };

    const run = migrate(pool, { logger: silent, migrations: [edited, slowSecond] });

    await expect(run).rejects.toThrow(MigrationChecksumError);
    await expect(run).rejects.toThrow('Applied migrations were changed after they ran: 1 (first)');
    expect(await appliedVersions(pool)).toEqual([1]);
  });

  it('rolls a failing migration back and names it', async () => {
    const pool = await freshPool();
    const broken: Migration = { version: 2, name: 'broken', sql: 'CREATE TABLE half_done (id int); SELECT no_such_column FROM half_done' };

    await expect(migrate(pool, { logger: silent, migrations: [first, broken] })).rejects.toThrow(
      /^migration 2 \(broken\) failed: column "no_such_column" does not exist/,
    );

    expect(await appliedVersions(pool)).toEqual([1]);
    const { rows } = await pool.query(`SELECT to_regclass('half_done') AS table`);
    expect(rows[0]).toEqual({ table: null });
  });

  it('releases the lock after a failure, so the next runner proceeds', async () => {
    const pool = await freshPool();
    const broken: Migration = { version: 1, name: 'broken', sql: 'SELECT 1/0' };
    await expect(migrate(pool, { logger: silent, migrations: [broken] })).rejects.toThrow('division by zero');

    expect((await migrate(pool, { logger: silent, migrations: [first], lockTimeoutMs: 2_000 })).applied).toHaveLength(1);
  });

  it('gives up when another session holds the lock longer than lockTimeoutMs', async () => {
    const { url, pool } = await freshDatabase();
    // advisory locks belong to one database
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      await expect(migrate(pool, { logger: silent, migrations: [first], lockTimeoutMs: 200 })).rejects.toThrow(
        'canceling statement due to lock timeout',
      );
    } finally {
      await holder.end();
    }
    expect((await migrate(pool, { logger: silent, migrations: [first] })).applied).toHaveLength(1);
  });

  it('warns about versions a newer build applied, and carries on', async () => {
    const pool = await freshPool();
    await migrate(pool, { logger: silent, migrations: [first, slowSecond] });
    const { logger, lines } = captureLogs();

    expect(await migrate(pool, { logger, migrations: [first] })).toEqual({ applied: [] });
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'database has migrations this build does not know', versions: [2] }),
    );
  });

  it('rejects a list whose versions do not increase', async () => {
    await expect(migrate(db.pool, { logger: silent, migrations: [slowSecond, first] })).rejects.toThrow(
      'migration 1 (first): versions must increase (after 2)',
    );
  });

  it('does not leave its session settings in the pool', async () => {
    const pool = await freshPool();
    await migrate(pool, { logger: silent, migrations: [first] });
    const { rows } = await pool.query<{ statement_timeout: string }>('SHOW statement_timeout');
    expect(rows[0]?.statement_timeout).toBe('10s');
  });

  it('upgrades a database that holds documents: search-word-ranks ranks what is already there', async () => {
    const pool = await freshPool();
    const before = MIGRATIONS.filter((migration) => migration.version < 5);
    await migrate(pool, { logger: silent, migrations: before });
    const documents = new DocumentsRepository(pool);
    const docs = [
      documentFixture({ title: 'Osprey', text: 'the osprey dives, the osprey rises with a fish' }),
      documentFixture({ text: 'an osprey nest on a pole by the river' }),
      documentFixture({ title: 'River birds', text: 'herons and kingfishers' }),
    ];
    for (const doc of docs) await documents.upsert(doc);

    await migrate(pool, { logger: silent });
    const { rows } = await pool.query<{ weights: string[]; expected: number; listed: number | null; floor: number }>(
      `SELECT u.weights, ts_rank(d.search, quote_literal(u.lexeme)::tsquery, 1) AS expected, t.rank AS listed, d.rank_floor AS floor
       FROM documents d CROSS JOIN LATERAL unnest(d.search) u LEFT JOIN document_terms t ON t.id = d.id AND t.lexeme = u.lexeme`,
    );
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) expect(row.weights.join('') === 'B' ? row.floor : row.listed).toBe(row.expected);
    // and the search column is kept up to date by its trigger from now on
    await documents.upsert({ ...docs[1]!, title: 'Osprey nest' });
    const page = await documents.list({ q: 'nest', limit: 5 });
    expect(page.items.map((item) => item.id)).toEqual([docs[1]!.id]);
    expect(page.items[0]?.rank).toBe(
      (await pool.query<{ rank: number }>(`SELECT ts_rank(search, 'nest'::tsquery, 1) AS rank FROM documents WHERE id = $1`, [docs[1]!.id])).rows[0]?.rank,
    );
  });
});
