import { MAX_BATCH_DOCUMENTS, MAX_DOCUMENT_BYTES, documentIdFor, sha256Hex } from '@docflow/contracts';
import { describe, expect, it } from 'vitest';
import { headers, htmlPage, useIngestApp } from './test/harness.js';

describe('POST /v1/documents:batch', () => {
  const ctx = useIngestApp();

  const postBatch = (documents: unknown[]) =>
    ctx.app.inject({ method: 'POST', url: '/v1/documents:batch', headers: { ...headers, 'x-correlation-id': 'batch-1' }, payload: { documents } });
  const doc = (index: number) => ({ url: `https://example.com/${index}`, contentType: 'text/html', body: htmlPage(1_000, `Page ${index}`) });

  it('accepts many documents in one call, in order, each stored and queued', async () => {
    const documents = Array.from({ length: 25 }, (_, index) => doc(index));
    const response = await postBatch(documents);

    expect(response.statusCode).toBe(202);
    const expectedIds = documents.map((document) => documentIdFor(document.url, sha256Hex(document.body)));
    expect(response.json()).toEqual({ documents: expectedIds.map((documentId) => ({ documentId, status: 'queued' })) });

    const queued = ctx.h.queued();
    expect(queued.map((message) => message['documentId']).sort()).toEqual([...expectedIds].sort());
    expect(queued.every((message) => message['correlationId'] === 'batch-1' && !('body' in message))).toBe(true);
    const last = documents[24];
    expect((await ctx.h.blobs.getDocument(`raw/${sha256Hex(last?.body ?? '')}`)).body).toBe(last?.body);
  });

  it(`accepts ${MAX_BATCH_DOCUMENTS} documents and refuses ${MAX_BATCH_DOCUMENTS + 1} naming the field`, async () => {
    const full = Array.from({ length: MAX_BATCH_DOCUMENTS }, (_, index) => ({ ...doc(index), body: `doc ${index}` }));
    expect((await postBatch(full)).statusCode).toBe(202);
    ctx.h.emulator.reset();

    const response = await postBatch([...full, doc(MAX_BATCH_DOCUMENTS)]);
    expect(response.statusCode).toBe(400);
    expect(response.json().issues).toEqual([{ path: 'documents', message: expect.stringContaining(String(MAX_BATCH_DOCUMENTS)) }]);
    expect(ctx.h.emulator.messages('queue')).toEqual([]);
  });

  it('names the invalid field of the document at fault, and accepts none of the batch', async () => {
    const response = await postBatch([doc(0), doc(1), { ...doc(2), url: 'nope' }]);
    expect(response.statusCode).toBe(400);
    expect(response.json().issues).toEqual([{ path: 'documents.2.url', message: 'must be an absolute http(s) URL' }]);
    expect(ctx.h.emulator.messages('queue')).toEqual([]);
  });

  it('names the document whose title holds a NUL character, and stores none of the batch', async () => {
    const response = await postBatch([doc(0), { ...doc(1), title: 'Bad\u0000title' }]);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      message: 'Invalid body: documents.1.title: must not contain the NUL character (U+0000)',
      issues: [{ path: 'documents.1.title', message: 'must not contain the NUL character (U+0000)' }],
    });
    expect(ctx.h.emulator.messages('queue')).toEqual([]);
    await expect(ctx.h.blobs.getDocument(`raw/${sha256Hex(doc(0).body)}`)).rejects.toThrow();
  });

  it('answers a document body over 1 MiB with 413 naming the document and the limit', async () => {
    const response = await postBatch([doc(0), { ...doc(1), body: 'x'.repeat(MAX_DOCUMENT_BYTES + 1) }]);
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({
      message: expect.stringContaining('limit of 1048576 bytes'),
      issues: [{ path: 'documents.1.body', message: expect.stringContaining('1048577 bytes') }],
    });
    expect(ctx.h.emulator.messages('queue')).toEqual([]);
  });
});
