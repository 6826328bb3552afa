import {
  MAX_MESSAGE_BYTES,
  blobKeyFor,
  documentIdFor,
  serializeDocumentMessage,
  sha256Hex,
  type DocumentMessage,
  type IngestAccepted,
  type IngestDocumentRequest,
} from '@docflow/contracts';
import { HttpError } from '@docflow/http';

/** Where bodies go: content-addressed, `raw/<sha256>`. */
export interface DocumentBlobs {
  putDocument(body: string, contentType: string): Promise<{ readonly key: string; readonly sha256: string; readonly sizeBytes: number }>;
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

interface Prepared {
  readonly document: IngestDocumentRequest;
  readonly message: DocumentMessage;
  readonly messageBody: string;
}

const RETRY_SINGLE = 'the document was not accepted; retry later (resending is safe: the same document keeps its id)';
const RETRY_BATCH = 'no document of the batch was accepted; retry later (resending is safe: each document keeps its id)';

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
    const prepared = this.prepare(document, context.correlationId, 'url');
    await this.store([prepared], RETRY_SINGLE);
    try {
      await this.queue.send(prepared.messageBody);
    } catch (error) {
      throw new HttpError(503, `The queue is unavailable: ${RETRY_SINGLE}`, { cause: error });
    }
    logAccepted(context, prepared);
    return { documentId: prepared.message.documentId, status: 'queued' };
  }

  /** All or nothing from the client's view: any failure answers 503 and the client resends the batch. */
  async acceptBatch(documents: readonly IngestDocumentRequest[], context: IntakeContext): Promise<IngestAccepted[]> {
    const prepared = documents.map((document, index) => this.prepare(document, context.correlationId, `documents.${index}.url`));
    await this.store(prepared, RETRY_BATCH);
    try {
      await this.queue.sendBatch(prepared.map((entry) => entry.messageBody));
    } catch (error) {
      throw new HttpError(503, `The queue is unavailable or refused part of the batch: ${RETRY_BATCH}`, { cause: error });
    }
    for (const entry of prepared) logAccepted(context, entry);
    return prepared.map((entry) => ({ documentId: entry.message.documentId, status: 'queued' as const }));
  }

  /**
   * Builds and checks the message before anything is stored, so that a document the pipeline
   * could not carry is refused up front rather than half-accepted.
   */
  private prepare(document: IngestDocumentRequest, correlationId: string, urlPath: string): Prepared {
    const sha256 = sha256Hex(document.body);
    const message: DocumentMessage = {
      v: 1,
      documentId: documentIdFor(document.url, sha256),
      blobKey: blobKeyFor(sha256),
      sha256,
      url: document.url,
      contentType: document.contentType,
      ...(document.title !== undefined ? { title: document.title } : {}),
      receivedAt: new Date().toISOString(),
      attempt: 1,
      correlationId,
    };
    try {
      return { document, message, messageBody: serializeDocumentMessage(message) };
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      // the message carries the URL and title; only an extreme URL can push it over
      const problem = `too long for the queue message (limit ${MAX_MESSAGE_BYTES} bytes with url and title)`;
      throw new HttpError(400, `Invalid body: ${urlPath}: ${problem}`, { issues: [{ path: urlPath, message: problem }] });
    }
  }

  private async store(prepared: readonly Prepared[], retry: string): Promise<void> {
    let stored: Awaited<ReturnType<DocumentBlobs['putDocument']>>[];
    try {
      // the SDK's connection pool bounds how many of these run at once
      stored = await Promise.all(prepared.map(({ document }) => this.blobs.putDocument(document.body, document.contentType)));
    } catch (error) {
      throw new HttpError(503, `Document storage is unavailable: ${retry}`, { cause: error });
    }
    stored.forEach((blob, index) => {
      const expected = prepared[index]?.message.blobKey;
      if (blob.key !== expected) throw new Error(`blob store answered key ${blob.key}, expected ${expected}`);
    });
  }
}

function logAccepted(context: IntakeContext, { message, document }: Prepared): void {
  context.log.info(
    {
      documentId: message.documentId,
      blobKey: message.blobKey,
      contentType: message.contentType,
      sizeBytes: Buffer.byteLength(document.body, 'utf8'),
    },
    'document accepted',
  );
}
