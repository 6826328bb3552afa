import { createLogger, type Logger } from '@docflow/observability';
import type pg from 'pg';
import { describeError, type Pool } from '../pool.js';
import { grantRoles, type DatabaseRoles } from '../roles.js';
import { MIGRATIONS } from './index.js';
import { checksumOf, type Migration } from './migration.js';

/**
 * Key of the session advisory lock every runner takes: 'docflow' in ASCII. Replicas starting at
 * once queue on it, so exactly one applies each migration and the others find nothing to do.
 */
export const MIGRATION_LOCK_KEY = '28273324468498295';

export interface MigrateOptions {
  /** @default - a logger for the service `db` */
  readonly logger?: Logger;
  /**
   * The migrations to apply.
   * @default MIGRATIONS (the docflow schema)
   */
  readonly migrations?: readonly Migration[];
  /**
   * How long to wait for the migration lock, and for each table lock a migration needs, before
   * giving up (so a stuck runner or a long transaction fails a deployment instead of hanging it).
   * @default 120_000
   */
  readonly lockTimeoutMs?: number;
  /**
   * Role the migrations run as (`SET ROLE`): what they create belongs to it. The connecting user
   * must be a member (provisionRoles grants the owner to the master user). After migrating, the
   * services' roles are granted what they need (grantRoles).
   * @default - the connecting user, and no grants
   */
  readonly roles?: DatabaseRoles;
}

export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
}

export interface MigrateResult {
  /** Migrations this call applied, in order; empty when the schema was up to date. */
  readonly applied: readonly AppliedMigration[];
}

/** An applied migration differs from the one in this build: someone edited history. */
export class MigrationChecksumError extends Error {
  override readonly name = 'MigrationChecksumError';

  constructor(readonly changed: readonly AppliedMigration[]) {
    super(
      `Applied migrations were changed after they ran: ${changed.map((m) => `${m.version} (${m.name})`).join(', ')}. ` +
        'Restore them and add a new migration instead.',
    );
  }
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/**
 * Brings the schema up to date: takes the advisory lock, refuses to continue if an applied
 * migration was edited, then applies each pending migration in its own transaction together
 * with its `schema_migrations` row, so a failure leaves the schema at the last good version.
 */
export async function migrate(pool: Pool, options: MigrateOptions = {}): Promise<MigrateResult> {
  const logger = options.logger ?? createLogger({ service: 'db' });
  const migrations = options.migrations ?? MIGRATIONS;
  const lockTimeoutMs = options.lockTimeoutMs ?? 120_000;
  assertOrdered(migrations);

  const client = await pool.connect();
  // a connection lost between queries must reject the pending work, not crash the process
  const onError = (error: Error) => logger.error({ error: describeError(error) }, 'migration connection failed');
  client.on('error', onError);
  try {
    // migrations may legitimately outlast the request statement timeout; waits are bounded instead
    await client.query(`SELECT set_config('statement_timeout', '0', false), set_config('lock_timeout', $1, false)`, [
      `${lockTimeoutMs}ms`,
    ]);
    await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    try {
      if (options.roles !== undefined) await client.query(`SET ROLE ${client.escapeIdentifier(options.roles.owner)}`);
      const result = await applyPending(client, migrations, logger);
      if (options.roles !== undefined) await grantRoles(client, options.roles);
      return result;
    } finally {
      // closing the connection below releases the lock too; this only makes it prompt
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    client.off('error', onError);
    // the session settings above must not leak into the pool: close this connection
    client.release(true);
  }
}

async function applyPending(
  client: pg.PoolClient,
  migrations: readonly Migration[],
  logger: Logger,
): Promise<MigrateResult> {
  await client.query(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  const { rows } = await client.query<AppliedRow>('SELECT version, name, checksum FROM schema_migrations ORDER BY version');
  const appliedByVersion = new Map(rows.map((row) => [row.version, row]));

  const changed = migrations.filter((migration) => {
    const applied = appliedByVersion.get(migration.version);
    return applied !== undefined && applied.checksum !== checksumOf(migration);
  });
  if (changed.length > 0) throw new MigrationChecksumError(changed.map(({ version, name }) => ({ version, name })));

  const known = new Set(migrations.map((migration) => migration.version));
  const unknown = rows.filter((row) => !known.has(row.version));
  if (unknown.length > 0) {
    // a newer build migrated first (rolling deployment); its migrations are meant to be compatible
    logger.warn({ versions: unknown.map((row) => row.version) }, 'database has migrations this build does not know');
  }

  const applied: AppliedMigration[] = [];
  for (const migration of migrations) {
    if (appliedByVersion.has(migration.version)) continue;
    await applyOne(client, migration);
    logger.info({ version: migration.version, name: migration.name }, 'migration applied');
    applied.push({ version: migration.version, name: migration.name });
  }
  return { applied };
}

async function applyOne(client: pg.PoolClient, migration: Migration): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(migration.sql);
    await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
      migration.version,
      migration.name,
      checksumOf(migration),
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new Error(`migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function assertOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    const previous = migrations[index - 1];
    if (!Number.isInteger(migration.version) || migration.version < 1) {
      throw new Error(`migration "${migration.name}": version must be a positive integer`);
    }
    if (previous !== undefined && migration.version <= previous.version) {
      throw new Error(`migration ${migration.version} (${migration.name}): versions must increase (after ${previous.version})`);
    }
  });
}
