import { BlobStore, createS3Client } from '@docflow/blobs';
import {
  documentIdFor,
  serializeDocumentMessage,
  type ContentType,
  type DocumentMessage,
} from '@docflow/contracts';
import { QueueProducer, createSqsClient } from '@docflow/queue';
import type { TestEmulator } from '@docflow/local/testing';

/** Does what ingest does (body to S3, claim check to SQS) against a test emulator. */
export function testIngest(emulator: TestEmulator) {
  const s3 = createS3Client(emulator.aws);
  const sqs = createSqsClient(emulator.aws);
  const blobs = new BlobStore(s3, emulator.bucket);
  const queue = new QueueProducer({ client: sqs, queueUrl: emulator.queueUrl });
  const deadLetters = new QueueProducer({ client: sqs, queueUrl: emulator.deadLetterQueueUrl });

  /** Stores a body and builds its message (not sent). */
  async function prepare(body: string, contentType: ContentType, overrides: Partial<DocumentMessage> = {}) {
    const stored = await blobs.putDocument(body, contentType);
    const url = overrides.url ?? `https://example.com/${stored.sha256.slice(0, 8)}`;
    const message: DocumentMessage = {
      v: 1,
      documentId: documentIdFor(url, stored.sha256),
      blobKey: stored.key,
      sha256: stored.sha256,
      url,
      contentType,
      receivedAt: new Date().toISOString(),
      attempt: 1,
      correlationId: `test-${stored.sha256.slice(0, 8)}`,
      ...overrides,
    };
    return message;
  }

  /** Stores a body and queues its message. */
  async function ingest(body: string, contentType: ContentType, overrides: Partial<DocumentMessage> = {}) {
    const message = await prepare(body, contentType, overrides);
    await queue.send(serializeDocumentMessage(message));
    return message;
  }

  return {
    s3,
    sqs,
    blobs,
    queue,
    deadLetters,
    prepare,
    ingest,
    close() {
      s3.destroy();
      sqs.destroy();
    },
  };
}

/** How long a test waits for the pipeline (vi.waitUntil's timeout) before it fails. */
export const PIPELINE_WAIT_MS = 15_000;

export const htmlPage = (title: string, words: string) =>
  `<!doctype html><html><head><title>${title}</title></head><body><nav>Home About</nav><article><h1>${title}</h1>${Array.from(
    { length: 12 },
    (_, i) => `<p>Paragraph ${i}: ${words} and a few more words so the article reads like one.</p>`,
  ).join('')}</article></body></html>`;
