import { join } from 'node:path';
import { createPool, migrate, type Pool } from '@docflow/db';
import { findFreePort, startPostgres } from '@docflow/local';
import { createLogger } from '@docflow/observability';
import { WORKSPACE_ROOT } from './workspace.js';

/** Where benchmark datasets are kept between runs (git-ignored): DOCFLOW_BENCH_DATA_DIR overrides. */
export const BENCH_DATA_DIR = process.env['DOCFLOW_BENCH_DATA_DIR'] ?? join(WORKSPACE_ROOT, '.docflow-bench');

export interface CachedDatabase {
  readonly url: string;
  /** Whether this run built the dataset (false: it was reused). */
  readonly built: boolean;
  stop(): Promise<void>;
}

/**
 * A database holding a generated dataset, built once and reused by later runs: a persistent
 * PostgreSQL cluster in BENCH_DATA_DIR, one database per dataset name (include the size and the
 * generator's version in it). The schema is migrated on every run, so a new migration applies to
 * a cached dataset as it would in production. A build that was interrupted is rebuilt.
 */
export async function cachedDatabase(
  name: string,
  seed: (pool: Pool) => Promise<void>,
  log: (line: string) => void,
): Promise<CachedDatabase> {
  const postgres = await startPostgres({ dataDir: join(BENCH_DATA_DIR, 'postgres'), port: await findFreePort() });
  try {
    const url = await postgres.createDatabase(name);
    const logger = createLogger({ service: 'bench', level: 'warn' });
    const pool = createPool({ url, ssl: 'disable', poolMax: 8, statementTimeoutMs: 3_600_000, migrate: true }, { logger });
    try {
      await migrate(pool, { logger });
      await pool.query('CREATE TABLE IF NOT EXISTS bench_dataset (complete boolean NOT NULL)');
      const { rows } = await pool.query<{ complete: boolean }>('SELECT complete FROM bench_dataset');
      const built = rows[0]?.complete !== true;
      if (built) {
        log(`building dataset ${name} in ${BENCH_DATA_DIR} (once; later runs reuse it)...`);
        const started = Date.now();
        await pool.query('TRUNCATE documents, document_terms, bench_dataset');
        await seed(pool);
        await pool.query('VACUUM ANALYZE documents');
        await pool.query('VACUUM ANALYZE document_terms');
        await pool.query('INSERT INTO bench_dataset (complete) VALUES (true)');
        log(`built ${name} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      } else {
        log(`reusing dataset ${name} from ${BENCH_DATA_DIR}`);
      }
      return { url, built, stop: () => postgres.stop() };
    } finally {
      await pool.end();
    }
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}
