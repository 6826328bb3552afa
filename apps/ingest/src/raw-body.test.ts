import { documentIdFor, sha256Hex } from '@docflow/contracts';
import type { HttpApp } from '@docflow/http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, htmlPage, startHarness, type Harness } from './test/harness.js';

describe('POST /v1/documents with the document sent as it is', () => {
  let h: Harness;
  let app: HttpApp;
  beforeAll(async () => {
    h = await startHarness();
    app = await h.build();
  });
  afterAll(async () => {
    await h?.stop();
  });
  beforeEach(() => h.emulator.reset());

  const postRaw = (url: string, contentType: string, payload: string) =>
    app.inject({ method: 'POST', url, headers: { 'x-api-key': API_KEY, 'content-type': contentType }, payload });

  it.each([
    ['text/html; charset=utf-8', 'text/html', htmlPage(500, 'Raw page')],
    ['text/markdown', 'text/markdown', '# Raw markdown\n\nwords'],
    ['text/plain', 'text/plain', 'raw plain words'],
  ])('accepts %s and queues it like the JSON form', async (header, contentType, body) => {
    const url = 'https://example.com/raw';
    const response = await postRaw(`/v1/documents?url=${encodeURIComponent(url)}&title=Given`, header, body);
    expect(response.statusCode).toBe(202);
    const documentId = documentIdFor(url, sha256Hex(body));
    expect(response.json()).toEqual({ documentId, status: 'queued' });
    expect(h.queued()).toEqual([expect.objectContaining({ documentId, url, contentType, title: 'Given' })]);
    expect(await h.blobs.getDocument(`raw/${sha256Hex(body)}`)).toEqual({ body, contentType });
  });

  it('names url when the query does not give one', async () => {
    const response = await postRaw('/v1/documents', 'text/plain', 'no url');
    expect(response.statusCode).toBe(400);
    expect(response.json().issues).toEqual([expect.objectContaining({ path: 'url' })]);
    expect(h.queued()).toEqual([]);
  });

  it('answers 413 naming the limit for a raw body over 1 MiB', async () => {
    const response = await postRaw('/v1/documents?url=https://example.com/big', 'text/plain', 'x'.repeat(1024 * 1024 + 1));
    expect(response.statusCode).toBe(413);
    expect(response.json().message).toContain('1048576 bytes');
  });

  it('refuses a content type that is not a document type', async () => {
    const response = await postRaw('/v1/documents?url=https://example.com/x', 'application/pdf', '%PDF');
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ statusCode: 415, message: 'Unsupported Content-Type "application/pdf" for POST /v1/documents' });
    expect(h.queued()).toEqual([]);
  });
});
