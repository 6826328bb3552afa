import { BlobIntegrityError, BlobNotFoundError, type BlobStore } from '@docflow/blobs';
import type { DocumentMessage } from '@docflow/contracts';
import type { DocumentsRepository, MarkFailedOutcome, UpsertOutcome } from '@docflow/db';
import { extractDocument } from './extract.js';

export interface ProcessDeps {
  readonly blobs: Pick<BlobStore, 'getDocument'>;
  readonly documents: Pick<DocumentsRepository, 'upsert' | 'markFailed'>;
}

export type ProcessResult =
  | { readonly outcome: 'processed'; readonly write: UpsertOutcome; readonly title: string | null; readonly textChars: number }
  | { readonly outcome: 'failed'; readonly write: MarkFailedOutcome; readonly reason: string };

/**
 * Turns one claim-check message into a row: fetch the body, extract title and text, upsert.
 * A body that is gone or corrupt can never succeed, so it is recorded as a failed document
 * (visible in /v1/stats) and the message is done. Anything else (PostgreSQL or S3 unavailable)
 * throws, and the message is retried.
 */
export async function processDocument(message: DocumentMessage, deps: ProcessDeps): Promise<ProcessResult> {
  let body: string;
  try {
    ({ body } = await deps.blobs.getDocument(message.blobKey));
  } catch (error) {
    if (error instanceof BlobNotFoundError || error instanceof BlobIntegrityError) {
      const reason = error.message;
      const write = await deps.documents.markFailed({
        id: message.documentId,
        url: message.url,
        contentType: message.contentType,
        sha256: message.sha256,
        sizeBytes: 0,
        receivedAt: message.receivedAt,
        error: reason,
      });
      return { outcome: 'failed', write, reason };
    }
    throw error;
  }

  const extracted = extractDocument(body, message.contentType);
  const title = message.title ?? extracted.title;
  const write = await deps.documents.upsert({
    id: message.documentId,
    url: message.url,
    contentType: message.contentType,
    title,
    text: extracted.text,
    sha256: message.sha256,
    sizeBytes: Buffer.byteLength(body, 'utf8'),
    receivedAt: message.receivedAt,
  });
  return { outcome: 'processed', write, title, textChars: extracted.text.length };
}
