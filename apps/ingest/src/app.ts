import { buildHttpApp, type HttpApp } from '@docflow/http';
import type { Logger } from '@docflow/observability';
import { DocumentIntake, type DocumentBlobs, type DocumentQueue } from './intake.js';
import { registerDocumentRoutes } from './routes.js';

/** A dependency that can tell whether it is reachable (S3 HeadBucket, SQS GetQueueAttributes). */
interface Pingable {
  ping(): Promise<void>;
}

export interface IngestAppOptions {
  readonly logger: Logger;
  /** Keys accepted in `x-api-key`. */
  readonly apiKeys: readonly string[];
  readonly requestTimeoutMs: number;
  /**
   * How long a dependency may fail before `/readyz` answers 503 (HttpAppOptions).
   * @default 0 (not ready on the first failure)
   */
  readonly readinessGraceMs?: number;
  /** The blob store (`@docflow/blobs` BlobStore). */
  readonly blobs: DocumentBlobs & Pingable;
  /** The producer of the documents queue (`@docflow/queue` QueueProducer). */
  readonly queue: DocumentQueue & Pingable;
}

/** The ingest HTTP app: what `main.ts` serves and what the tests build. It never touches PostgreSQL. */
export async function buildIngestApp(options: IngestAppOptions): Promise<HttpApp> {
  const app = await buildHttpApp({
    service: 'ingest',
    logger: options.logger,
    apiKeys: options.apiKeys,
    requestTimeoutMs: options.requestTimeoutMs,
    ...(options.readinessGraceMs !== undefined ? { readinessGraceMs: options.readinessGraceMs } : {}),
    readiness: {
      s3: () => options.blobs.ping(),
      sqs: () => options.queue.ping(),
    },
    openapi: {
      version: '1.0.0',
      description: 'Document intake: the body goes to S3, a claim-check message to SQS, and the worker does the rest.',
    },
  });
  const intake = new DocumentIntake({ blobs: options.blobs, queue: options.queue });
  registerDocumentRoutes(app, intake);
  return app;
}
