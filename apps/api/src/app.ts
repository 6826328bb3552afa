import type { BlobStore } from '@docflow/blobs';
import { DocumentsRepository, ping, type Pool } from '@docflow/db';
import { buildHttpApp, type HttpApp } from '@docflow/http';
import type { Logger } from '@docflow/observability';
import { registerDocumentRoutes } from './routes.js';

export interface ApiAppOptions {
  readonly logger: Logger;
  /** Keys accepted in `x-api-key`. */
  readonly apiKeys: readonly string[];
  readonly requestTimeoutMs: number;
  /**
   * How long a dependency may fail before `/readyz` answers 503 (HttpAppOptions).
   * @default 0 (not ready on the first failure)
   */
  readonly readinessGraceMs?: number;
  /** The PostgreSQL pool (`@docflow/db` createPool); whoever created it closes it. */
  readonly pool: Pool;
  /**
   * Pool that `/readyz` pings. A separate one-connection pool keeps readiness about whether
   * PostgreSQL answers, not whether the main pool has a free connection: under a burst of slow
   * searches, a task must not be taken out of the load balancer (which would push its load onto
   * the others).
   * @default - the main pool
   */
  readonly readinessPool?: Pool;
  /**
   * The document bodies as ingest stored them (read-only), for `GET /v1/documents/:id/body`. Not
   * part of readiness: search and listing keep answering while S3 does not.
   */
  readonly bodies: Pick<BlobStore, 'getDocument'>;
}

/** The api HTTP app: what `main.ts` serves and what the tests build. Read-only over PostgreSQL and the bodies in S3. */
export async function buildApiApp(options: ApiAppOptions): Promise<HttpApp> {
  const app = await buildHttpApp({
    service: 'api',
    logger: options.logger,
    apiKeys: options.apiKeys,
    requestTimeoutMs: options.requestTimeoutMs,
    ...(options.readinessGraceMs !== undefined ? { readinessGraceMs: options.readinessGraceMs } : {}),
    readiness: { postgres: () => ping(options.readinessPool ?? options.pool) },
    openapi: {
      version: '1.0.0',
      description: 'Processed documents: ranked full-text search, newest first listing, one document, and counts by status.',
    },
  });
  registerDocumentRoutes(app, new DocumentsRepository(options.pool), options.bodies);
  return app;
}
