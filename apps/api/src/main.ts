import { BlobStore, createS3Client } from '@docflow/blobs';
import { loadApiConfig, loadOrExit } from '@docflow/config';
import { QUERY_TIMEOUT_MARGIN_MS, createPool, localDatabaseHint, migrate } from '@docflow/db';
import { serve } from '@docflow/http';
import { createLogger } from '@docflow/observability';
import { buildApiApp } from './app.js';

const config = loadOrExit(() => loadApiConfig());
const logger = createLogger({ service: 'api', level: config.logLevel });
// requests never wait on a server that cannot answer (a failover): connect and query are bounded,
// and what runs out answers 503 with Retry-After
const queryTimeoutMs = config.database.statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS;
const pool = createPool(config.database, { logger, applicationName: 'docflow-api', queryTimeoutMs });
const readinessPool = createPool({ ...config.database, poolMax: 1 }, { logger, applicationName: 'docflow-api-readiness', queryTimeoutMs });
const s3 = createS3Client(config.aws);
const closePools = () => Promise.all([pool.end(), readinessPool.end()]);

try {
  // under an advisory lock: several replicas may start at once. On a pool of its own, without the
  // request pools' query timeout: a migration (or the wait for the lock) may rightly take longer
  if (config.database.migrate) {
    const migrationPool = createPool({ ...config.database, poolMax: 1 }, { logger, applicationName: 'docflow-api-migrations' });
    try {
      await migrate(migrationPool, { logger });
    } finally {
      await migrationPool.end();
    }
  }
  const app = await buildApiApp({
    logger,
    apiKeys: config.http.apiKeys,
    requestTimeoutMs: config.http.requestTimeoutMs,
    readinessGraceMs: config.http.readinessGraceMs,
    pool,
    readinessPool,
    bodies: new BlobStore(s3, config.bucket),
  });
  // after the requests in flight have finished
  app.addHook('onClose', async () => {
    await closePools();
    s3.destroy();
  });
  logger.info({ env: config.env, migrate: config.database.migrate }, 'api starting');
  await serve(app, { host: config.http.host, port: config.http.port, shutdownTimeoutMs: config.shutdownTimeoutMs });
} catch (error) {
  // e.g. PostgreSQL unreachable for the migrations: exit so the orchestrator restarts the task
  logger.fatal({ err: error }, 'api failed to start');
  const hint = config.isLocal ? localDatabaseHint(config.database.url, error) : undefined;
  if (hint !== undefined) process.stderr.write(`${hint}\n`);
  await closePools().catch(() => undefined);
  process.exit(1);
}
