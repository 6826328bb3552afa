import type { DatabaseConfig } from '@docflow/config';
import { startTestPostgres, type TestPostgres } from '@docflow/local/testing';
import { createLogger } from '@docflow/observability';
import { DocumentsRepository } from '../documents/repository.js';
import { migrate } from '../migrations/runner.js';
import { createPool, type Pool } from '../pool.js';

export interface TestDatabaseOptions {
  /**
   * Apply the docflow migrations before returning.
   * @default true
   */
  readonly migrate?: boolean;
}

export interface TestDatabase {
  /** URL of this test file's database. */
  readonly url: string;
  /** The database configuration an app would load for `url`. */
  readonly config: DatabaseConfig;
  readonly pool: Pool;
  readonly documents: DocumentsRepository;
  /** The server, for more databases (`createDatabase()`) or to take PostgreSQL away (`stop()`). */
  readonly postgres: TestPostgres;
  /** Closes the pool and stops the server. Safe to call more than once. */
  close(): Promise<void>;
}

/**
 * A real PostgreSQL for one test file with a fresh database, migrated unless told otherwise.
 * Start it in `beforeAll` and close it in `afterAll`.
 */
export async function startTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const postgres = await startTestPostgres();
  try {
    const url = await postgres.createDatabase();
    const config: DatabaseConfig = { url, ssl: 'disable', poolMax: 5, statementTimeoutMs: 15_000, migrate: true };
    // silent: stopping the server at the end makes closing connections log errors; real
    // failures still reach the tests as rejected queries
    const logger = createLogger({ service: 'db-test', level: 'silent' });
    const pool = createPool(config, { logger, applicationName: 'docflow-test' });
    if (options.migrate ?? true) await migrate(pool, { logger });
    let closing: Promise<void> | undefined;
    return {
      url,
      config,
      pool,
      documents: new DocumentsRepository(pool),
      postgres,
      close: () => (closing ??= pool.end().finally(() => postgres.stop())),
    };
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}

/** Removes every document (and what is derived from one), for a test that starts empty. */
export async function emptyDocuments(pool: Pool): Promise<void> {
  await pool.query('TRUNCATE documents, document_terms');
}
