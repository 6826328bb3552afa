import type { BlobStore } from '@docflow/blobs';
import { documentIdFor, serializeDocumentMessage, type DocumentMessage } from '@docflow/contracts';
import type { Pool } from '@docflow/db';
import type { QueueProducer } from '@docflow/queue';

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
