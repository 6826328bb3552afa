import {
  MAX_MESSAGE_BYTES,
  documentIdFor,
  serializeDocumentMessage,
  type DocumentMessage,
  type IngestAccepted,
  type IngestDocumentRequest,
} from '@docflow/contracts';
import { HttpError } from '@docflow/http';
import { QueueSendError } from '@docflow/queue';

/** What the blob store answers for a stored body. */
export interface StoredBody {
  /** `raw/<sha256>`. */
  readonly key: string;
  readonly sha256: string;
  readonly sizeBytes: number;
}

/** Where bodies go: content-addressed, `raw/<sha256>`. */
export interface DocumentBlobs {
  putDocument(body: string, contentType: string): Promise<StoredBody>;
}

/** Where the claim-check messages go. */
export interface DocumentQueue {
  send(body: string): Promise<unknown>;
  sendBatch(bodies: readonly string[]): Promise<unknown>;
}

/** The request a document arrived with: its correlation id travels in the message. */
export interface IntakeContext {
  readonly correlationId: string;
  readonly log: { info(details: object, message: string): void };
}

export interface DocumentIntakeOptions {
  readonly blobs: DocumentBlobs;
  readonly queue: DocumentQueue;
}

interface Accepted {
  readonly message: DocumentMessage;
  readonly messageBody: string;
  readonly sizeBytes: number;
}

const RETRY_SINGLE = 'the document was not accepted; retry later (resending is safe: the same document keeps its id)';
const RETRY_BATCH = 'no document of the batch was accepted; retry later (resending is safe: each document keeps its id)';

/** Stands in for the digest while checking a message's size: every SHA-256 has 64 hex digits. */
const PLACEHOLDER_SHA256 = '0'.repeat(64);

/**
 * Accepts documents: the body goes to the blob store, a claim-check message (never the body) to
 * the queue. A document is accepted only when both have succeeded; if either fails the client is
 * told to retry, and a retry is harmless because the blob key and the document id derive from
 * the content.
 */
export class DocumentIntake {
  private readonly blobs: DocumentBlobs;
  private readonly queue: DocumentQueue;

  constructor(options: DocumentIntakeOptions) {
    this.blobs = options.blobs;
    this.queue = options.queue;
  }

  async accept(document: IngestDocumentRequest, context: IntakeContext): Promise<IngestAccepted> {
    const receivedAt = new Date().toISOString();
    assertCarriable(document, context.correlationId, '');
    const [stored] = await this.store([document], RETRY_SINGLE);
    const accepted = claimCheck(document, stored as StoredBody, receivedAt, context.correlationId);
    try {
      await this.queue.send(accepted.messageBody);
    } catch (error) {
      if (isRefusedByQueue(error)) throw refusedByQueue([''], error);
      throw new HttpError(503, `The queue is unavailable: ${RETRY_SINGLE}`, { cause: error });
    }
    logAccepted(context, accepted);
    return { documentId: accepted.message.documentId, status: 'queued' };
  }

  /** All or nothing from the client's view: any failure answers 503 and the client resends the batch. */
  async acceptBatch(documents: readonly IngestDocumentRequest[], context: IntakeContext): Promise<IngestAccepted[]> {
    const receivedAt = new Date().toISOString();
    documents.forEach((document, index) => assertCarriable(document, context.correlationId, `documents.${index}.`));
    const stored = await this.store(documents, RETRY_BATCH);
    const accepted = documents.map((document, index) =>
      claimCheck(document, stored[index] as StoredBody, receivedAt, context.correlationId),
    );
    try {
      await this.queue.sendBatch(accepted.map((entry) => entry.messageBody));
    } catch (error) {
      const refused = error instanceof QueueSendError ? error.failed.filter((entry) => REFUSALS.has(entry.code)) : [];
      if (refused.length > 0) throw refusedByQueue(refused.map((entry) => `documents.${entry.index}.`), error);
      throw new HttpError(503, `The queue is unavailable or refused part of the batch: ${RETRY_BATCH}`, { cause: error });
    }
    for (const entry of accepted) logAccepted(context, entry);
    return accepted.map((entry) => ({ documentId: entry.message.documentId, status: 'queued' as const }));
  }

  private async store(documents: readonly IngestDocumentRequest[], retry: string): Promise<StoredBody[]> {
    try {
      // the SDK's connection pool bounds how many of these run at once
      return await Promise.all(documents.map((document) => this.blobs.putDocument(document.body, document.contentType)));
    } catch (error) {
      throw new HttpError(503, `Document storage is unavailable: ${retry}`, { cause: error });
    }
  }
}

function messageFor(
  document: IngestDocumentRequest,
  sha256: string,
  blobKey: string,
  receivedAt: string,
  correlationId: string,
): DocumentMessage {
  return {
    v: 1,
    documentId: documentIdFor(document.url, sha256),
    blobKey,
    sha256,
    url: document.url,
    contentType: document.contentType,
    ...(document.title !== undefined ? { title: document.title } : {}),
    receivedAt,
    attempt: 1,
    correlationId,
  };
}

/**
 * SQS error codes that refuse the message itself: resending the same document can never
 * succeed, so the client hears 400, not "retry later". Messages are serialized so that no valid
 * document should meet these (see serializeDocumentMessage); this is the last line.
 */
const REFUSALS = new Set(['InvalidMessageContents', 'MessageTooLong']);

function isRefusedByQueue(error: unknown): boolean {
  return error instanceof Error && REFUSALS.has(error.name);
}

function refusedByQueue(prefixes: readonly string[], cause: unknown): HttpError {
  const problem = `the queue refused the document's message (${(cause as Error).name}); url and title travel in it`;
  return invalidBody(prefixes.flatMap((prefix) => [{ path: `${prefix}url`, message: problem }, { path: `${prefix}title`, message: problem }]), cause);
}

/**
 * Refuses, before anything is stored, a document whose message is too long for the queue (only
 * an extreme URL and title together can make it so). The digest does not change the message's
 * size, so the body need not be hashed here: the blob store hashes it once. `prefix` locates the
 * document in the request (`documents.3.` in a batch).
 */
function assertCarriable(document: IngestDocumentRequest, correlationId: string, prefix: string): void {
  const probe = messageFor(document, PLACEHOLDER_SHA256, `raw/${PLACEHOLDER_SHA256}`, new Date().toISOString(), correlationId);
  try {
    serializeDocumentMessage(probe);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const problem =
      `url and title together are too long for the queue message (limit ${MAX_MESSAGE_BYTES} bytes; ` +
      'characters above U+FFFF, such as emoji, take 12 bytes each in it)';
    const path = document.title !== undefined && document.title.length > document.url.length ? 'title' : 'url';
    throw invalidBody([{ path: `${prefix}${path}`, message: problem }]);
  }
}

/** A 400 worded as the schema validation words its own. */
function invalidBody(issues: { path: string; message: string }[], cause?: unknown): HttpError {
  return new HttpError(400, `Invalid body: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`, { issues, cause });
}

/** The message for a stored body; its id and key come from the digest the blob store computed. */
function claimCheck(document: IngestDocumentRequest, stored: StoredBody, receivedAt: string, correlationId: string): Accepted {
  const message = messageFor(document, stored.sha256, stored.key, receivedAt, correlationId);
  return { message, messageBody: serializeDocumentMessage(message), sizeBytes: stored.sizeBytes };
}

function logAccepted(context: IntakeContext, { message, sizeBytes }: Accepted): void {
  context.log.info(
    { documentId: message.documentId, blobKey: message.blobKey, contentType: message.contentType, sizeBytes },
    'document accepted',
  );
}
