import { BlobStore, createS3Client } from '@docflow/blobs';
import type { WorkerConfig } from '@docflow/config';
import { DocumentsRepository, createPool, type Pool } from '@docflow/db';
import type { Logger } from '@docflow/observability';
import { QueueProducer, createSqsClient } from '@docflow/queue';

/** Everything a worker talks to, built once from its configuration. */
export interface WorkerResources {
  readonly pool: Pool;
  readonly documents: DocumentsRepository;
  readonly blobs: BlobStore;
  readonly sqs: ReturnType<typeof createSqsClient>;
  readonly queue: QueueProducer;
  readonly deadLetters: QueueProducer;
  /** Closes the pool and the SDK clients. */
  close(): Promise<void>;
}

export function createWorkerResources(config: WorkerConfig, logger: Logger): WorkerResources {
  const pool = createPool(config.database, { logger, applicationName: 'docflow-worker' });
  const s3 = createS3Client(config.aws);
  const sqs = createSqsClient(config.aws);
  return {
    pool,
    documents: new DocumentsRepository(pool),
    blobs: new BlobStore(s3, config.bucket),
    sqs,
    queue: new QueueProducer({ client: sqs, queueUrl: config.queueUrl }),
    deadLetters: new QueueProducer({ client: sqs, queueUrl: config.deadLetterQueueUrl }),
    close: async () => {
      s3.destroy();
      sqs.destroy();
      await pool.end();
    },
  };
}
