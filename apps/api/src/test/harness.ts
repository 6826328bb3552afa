import { BlobStore, createS3Client } from '@docflow/blobs';
import { DocumentsRepository } from '@docflow/db';
import { startTestDatabase, type TestDatabase } from '@docflow/db/testing';
import { startTestEmulator, type TestEmulator } from '@docflow/local/testing';
import { captureLogs } from '@docflow/observability/testing';
import type { HttpApp } from '@docflow/http';
import { buildApiApp } from '../app.js';

export const API_KEY = 'api-test-key-0123456789';
export const headers = { 'x-api-key': API_KEY };

export interface Harness {
  readonly db: TestDatabase;
  readonly documents: DocumentsRepository;
  /** The bucket the api reads bodies from, on the SQS/S3 emulator (ingest's write path: putDocument). */
  readonly blobs: BlobStore;
  readonly emulator: TestEmulator;
  readonly app: HttpApp;
  readonly logLines: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** A migrated test database, the S3 emulator, and an api app on them, built the way main.ts builds it. */
export async function startHarness(): Promise<Harness> {
  const [db, emulator] = await Promise.all([startTestDatabase(), startTestEmulator()]);
  const s3 = createS3Client(emulator.aws);
  const blobs = new BlobStore(s3, emulator.bucket);
  const { logger, lines } = captureLogs('api');
  const app = await buildApiApp({ logger, apiKeys: [API_KEY], requestTimeoutMs: 30_000, pool: db.pool, bodies: blobs });
  await app.ready();
  return {
    db,
    documents: db.documents,
    blobs,
    emulator,
    app,
    logLines: lines,
    async stop() {
      await app.close();
      s3.destroy();
      await Promise.all([db.close(), emulator.stop()]);
    },
  };
}
