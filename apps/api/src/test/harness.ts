import { DocumentsRepository } from '@docflow/db';
import { startTestDatabase, type TestDatabase } from '@docflow/db/testing';
import { captureLogs } from '@docflow/observability/testing';
import type { HttpApp } from '@docflow/http';
import { buildApiApp } from '../app.js';

export const API_KEY = 'api-test-key-0123456789';
export const headers = { 'x-api-key': API_KEY };

export interface Harness {
  readonly db: TestDatabase;
  readonly documents: DocumentsRepository;
  readonly app: HttpApp;
  readonly logLines: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** A migrated test database and an api app on it, built the way main.ts builds it. */
export async function startHarness(): Promise<Harness> {
  const db = await startTestDatabase();
  const { logger, lines } = captureLogs('api');
  const app = await buildApiApp({ logger, apiKeys: [API_KEY], requestTimeoutMs: 30_000, pool: db.pool });
  await app.ready();
  return {
    db,
    documents: db.documents,
    app,
    logLines: lines,
    async stop() {
      await app.close();
      await db.close();
    },
  };
}
