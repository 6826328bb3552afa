import { BlobStore, createS3Client } from '@docflow/blobs';
import { documentIdFor, serializeDocumentMessage, type DocumentMessage } from '@docflow/contracts';
import type { Pool } from '@docflow/db';
import type { TestEmulator } from '@docflow/local/testing';
import { QueueProducer, createSqsClient } from '@docflow/queue';

/** The real SDK clients on a test emulator, with the blob store and queue producer the services use. */
export interface EmulatorClients {
  readonly sqs: ReturnType<typeof createSqsClient>;
  readonly blobs: BlobStore;
  readonly queue: QueueProducer;
  destroy(): void;
}

export function emulatorClients(emulator: TestEmulator): EmulatorClients {
  const s3 = createS3Client(emulator.aws);
  const sqs = createSqsClient(emulator.aws);
  return {
    sqs,
    blobs: new BlobStore(s3, emulator.bucket),
    queue: new QueueProducer({ client: sqs, queueUrl: emulator.queueUrl }),
    destroy() {
      s3.destroy();
      sqs.destroy();
    },
  };
}

/**
 * Stores one body and queues `count` messages for it, each its own document (its own URL), with
 * correlation ids `<prefix>-<tag>-<i>`.
 */
export async function queueDocuments(blobs: BlobStore, queue: QueueProducer, count: number, tag: string, prefix: string): Promise<DocumentMessage[]> {
  const stored = await blobs.putDocument(`A short note about ${tag}: tides, harbours and ferries.`, 'text/plain');
  const messages = Array.from({ length: count }, (_, i): DocumentMessage => {
    const url = `https://example.com/${tag}/${i}`;
    return {
      v: 1,
      documentId: documentIdFor(url, stored.sha256),
      blobKey: stored.key,
      sha256: stored.sha256,
      url,
      contentType: 'text/plain',
      receivedAt: new Date().toISOString(),
      attempt: 1,
      correlationId: `${prefix}-${tag}-${i}`,
    };
  });
  await queue.sendBatch(messages.map(serializeDocumentMessage));
  return messages;
}

/** How many documents the worker has processed. */
export async function processedCount(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM documents WHERE status = 'processed'`);
  return rows[0]?.count ?? 0;
}
