import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '@docflow/blobs';
import { ErrorResponseSchema, blobKeyFor, documentIdFor, sha256Hex } from '@docflow/contracts';
import { documentFixture } from '@docflow/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headers, startHarness, type Harness } from './test/harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.stop();
});

/** A document as the pipeline leaves it: the body in S3 (ingest), the row in PostgreSQL (worker). */
async function ingested(body: string, contentType: 'text/html' | 'text/markdown' | 'text/plain') {
  const stored = await harness.blobs.putDocument(body, contentType);
  const url = `https://example.com/${stored.sha256.slice(0, 8)}`;
  const record = { ...documentFixture({ url, contentType, text: 'extracted text' }), sha256: stored.sha256, sizeBytes: stored.sizeBytes };
  const id = documentIdFor(url, stored.sha256);
  await harness.documents.upsert({ ...record, id });
  return { id, sha256: stored.sha256 };
}

describe('GET /v1/documents/:id/body', () => {
  it('answers the body byte for byte, with its content type and digest, so the id can be derived again', async () => {
    const body = '<!doctype html><title>Café ünïcödé</title><p>naïve — “quoted” 😀</p>\n';
    const { id, sha256 } = await ingested(body, 'text/html');

    const response = await harness.app.inject({ url: `/v1/documents/${id}/body`, headers });

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['x-content-sha256']).toBe(sha256);
    expect(response.rawPayload.equals(Buffer.from(body, 'utf8'))).toBe(true);
    expect(documentIdFor(`https://example.com/${sha256.slice(0, 8)}`, sha256Hex(response.rawPayload))).toBe(id);
  });

  it('serves a stored page inert: a browser opening it runs none of its scripts, loads nothing it links and guesses no other type', async () => {
    const { id } = await ingested('<script>fetch("/v1/stats")</script><img src="https://tracker.example/p.gif">', 'text/html');
    const response = await harness.app.inject({ url: `/v1/documents/${id}/body`, headers });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('keeps a markdown body that looks like JSON as it is (never serialized)', async () => {
    const body = '{"not": "json to the api"}';
    const { id } = await ingested(body, 'text/markdown');
    const response = await harness.app.inject({ url: `/v1/documents/${id}/body`, headers });
    expect(response.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(response.body).toBe(body);
  });

  it('answers 404 naming the document when it is unknown, and when its body is not stored', async () => {
    const unknown = 'e'.repeat(32);
    const missing = documentFixture({ text: 'row without a stored body' });
    await harness.documents.upsert(missing);

    for (const [id, message] of [
      [unknown, `Document ${unknown} not found`],
      [missing.id, `The body of document ${missing.id} is not stored`],
    ] as const) {
      const response = await harness.app.inject({ url: `/v1/documents/${id}/body`, headers });
      expect(response.statusCode).toBe(404);
      expect(ErrorResponseSchema.parse(response.json())).toMatchObject({ statusCode: 404, message });
    }
  });

  it('answers 500 without the body when the stored object no longer matches its digest', async () => {
    const doc = documentFixture({ text: 'will be overwritten in S3' });
    await harness.documents.upsert(doc);
    const s3 = createS3Client(harness.emulator.aws);
    await s3.send(new PutObjectCommand({ Bucket: harness.emulator.bucket, Key: blobKeyFor(doc.sha256), Body: 'tampered' }));
    s3.destroy();

    const response = await harness.app.inject({ url: `/v1/documents/${doc.id}/body`, headers });

    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ message: `The stored body of document ${doc.id} does not match its SHA-256` });
    expect(response.body).not.toContain('tampered');
  });

  it('needs the API key and a well-formed id', async () => {
    expect((await harness.app.inject({ url: `/v1/documents/${'a'.repeat(32)}/body` })).statusCode).toBe(401);
    const malformed = await harness.app.inject({ url: '/v1/documents/nope/body', headers });
    expect(malformed.statusCode).toBe(400);
    expect(ErrorResponseSchema.parse(malformed.json()).issues?.[0]?.path).toBe('id');
  });

  it('answers 503 when S3 is unreachable, while listing keeps working (S3 is not part of readiness)', async () => {
    const { id } = await ingested('stored before S3 went away', 'text/plain');
    await harness.emulator.stop();

    const response = await harness.app.inject({ url: `/v1/documents/${id}/body`, headers });

    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ message: 'Document storage is unavailable; try again later' });
    expect(response.body).not.toContain('127.0.0.1');
    expect((await harness.app.inject({ url: '/v1/documents', headers })).statusCode).toBe(200);
    expect((await harness.app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });
});
