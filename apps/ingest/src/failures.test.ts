import { BlobStore } from '@docflow/blobs';
import { QueueProducer, QueueSendError, createSqsClient } from '@docflow/queue';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { headers, startHarness, type Harness } from './test/harness.js';

/** When S3 or SQS fails the client hears 503 and nothing counts as accepted. */
describe('ingest when a dependency fails', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });
  beforeEach(() => h.emulator.reset());

  const document = { url: 'https://example.com/f', contentType: 'text/plain', body: 'words to keep' };
  const post = (app: Awaited<ReturnType<Harness['build']>>, url = '/v1/documents', payload: object = document) =>
    app.inject({ method: 'POST', url, headers, payload });

  it('answers 503 without queueing when the bucket is missing, and /readyz names s3', async () => {
    // the same emulator, a bucket that does not exist: S3 itself refuses the write
    const missingBucket = new BlobStore(h.s3, 'no-such-bucket');
    const app = await h.build({ blobs: missingBucket });

    const response = await post(app);
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      statusCode: 503,
      message: expect.stringMatching(/^Document storage is unavailable: the document was not accepted; retry later/),
    });
    expect(response.body).not.toMatch(/NoSuchBucket|no-such-bucket/);
    expect(h.emulator.messages('queue')).toEqual([]);

    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ message: 'Not ready: s3 is failing', checks: { s3: 'failing', sqs: 'ok' } });
  });

  it('answers 503 when the queue is missing, and /readyz names sqs', async () => {
    const sqs = createSqsClient(h.emulator.aws);
    try {
      const missingQueue = new QueueProducer({ client: sqs, queueUrl: `${h.emulator.queueUrl}-missing`, maxAttempts: 1 });
      const app = await h.build({ queue: missingQueue });

      const response = await post(app);
      expect(response.statusCode).toBe(503);
      expect(response.json().message).toMatch(/^The queue is unavailable: the document was not accepted; retry later/);

      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ message: 'Not ready: sqs is failing', checks: { s3: 'ok', sqs: 'failing' } });
    } finally {
      sqs.destroy();
    }
  });

  it('answers /readyz 200 when S3 and SQS answer', async () => {
    const app = await h.build();
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok', checks: { s3: 'ok', sqs: 'ok' } });
  });

  it('answers 503 for the whole batch when SQS refuses part of it (mock SQS: partial batch failure)', async () => {
    // the emulator cannot fail single entries of a batch; this producer does what SQS would
    const partial = {
      send: async () => 'id',
      sendBatch: async (bodies: readonly string[]): Promise<string[]> => {
        throw new QueueSendError([{ index: 1, code: 'InternalError', message: 'try again', senderFault: false }], [{ index: 0, messageId: 'm0' }], bodies.length);
      },
      ping: async () => undefined,
    };
    const app = await h.build({ queue: partial });
    const response = await post(app, '/v1/documents:batch', { documents: [document, { ...document, url: 'https://example.com/g' }] });
    expect(response.statusCode).toBe(503);
    expect(response.json().message).toMatch(/no document of the batch was accepted; retry later/);
    expect(response.body).not.toContain('InternalError');
  });
});
