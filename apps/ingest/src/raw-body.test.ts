import { documentIdFor, sha256Hex } from '@docflow/contracts';
import { describe, expect, it } from 'vitest';
import { API_KEY, htmlPage, useIngestApp } from './test/harness.js';

describe('POST /v1/documents with the document sent as it is', () => {
  const ctx = useIngestApp();

  const postRaw = (url: string, contentType: string, payload: string) =>
    ctx.app.inject({ method: 'POST', url, headers: { 'x-api-key': API_KEY, 'content-type': contentType }, payload });

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
    expect(ctx.h.queued()).toEqual([expect.objectContaining({ documentId, url, contentType, title: 'Given' })]);
    expect(await ctx.h.blobs.getDocument(`raw/${sha256Hex(body)}`)).toEqual({ body, contentType });
  });

  it('names url, and where it belongs, when the query does not give one', async () => {
    const response = await postRaw('/v1/documents', 'text/plain', 'no url');
    expect(response.statusCode).toBe(400);
    expect(response.json().issues).toEqual([
      { path: 'url', message: expect.stringMatching(/^is required in the query string when the document is sent as it is/) },
    ]);
    expect(ctx.h.queued()).toEqual([]);
  });

  it('refuses a URL cut at an unencoded &, showing the encoded form', async () => {
    const response = await postRaw('/v1/documents?url=https://example.com/x?a=1&b=2&title=T', 'text/plain', 'words');
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toContain('the query string has parameters other than url and title ("b")');
    expect(response.json().message).toContain('?url=https%3A%2F%2Fexample.com%2Fx%3Fa%3D1%26b%3D2');
    expect(ctx.h.queued()).toEqual([]);
  });

  it('refuses url given twice', async () => {
    const response = await postRaw('/v1/documents?url=https://example.com/a&url=https://example.com/b', 'text/plain', 'x');
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toBe('Invalid querystring: url: must be given once in the query string');
  });

  it.each([
    ['text/plain; charset=iso-8859-1', Buffer.from('café crème', 'latin1')],
    ['text/plain; charset=windows-1252', Buffer.from([0x93, 0x63, 0x61, 0x66, 0xe9, 0x94, 0x20, 0x80])],
    ['text/html; charset=utf-16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<p>café</p>', 'utf16le')])],
    ['text/markdown; charset=UTF-8', Buffer.from('# café', 'utf8')],
  ])('honours %s', async (contentType, payload) => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/v1/documents?url=https://example.com/charset',
      headers: { 'x-api-key': API_KEY, 'content-type': contentType },
      payload,
    });
    expect(response.statusCode, response.body).toBe(202);
    const [message] = ctx.h.queued();
    const stored = await ctx.h.blobs.getDocument(String(message?.['blobKey']));
    expect(stored.body).toContain('café');
    expect(stored.body).not.toContain('\uFFFD');
    if (contentType.includes('1252')) expect(stored.body).toBe('“café” €');
  });

  it('refuses a charset it cannot decode with 415 naming the accepted ones, and bytes that are not UTF-8 with 400', async () => {
    const refused = await postRaw('/v1/documents?url=https://example.com/x', 'text/plain; charset=koi8-r', 'words');
    expect(refused.statusCode).toBe(415);
    expect(refused.json().message).toMatch(/^Unsupported charset "koi8-r" in Content-Type; send utf-8 \(the default\), iso-8859-1/);
    const invalid = await ctx.app.inject({
      method: 'POST',
      url: '/v1/documents?url=https://example.com/x',
      headers: { 'x-api-key': API_KEY, 'content-type': 'text/plain' },
      payload: Buffer.from('caf\xe9', 'latin1'),
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().message).toMatch(/^Request body is not valid UTF-8 \(first bad byte at offset 3\)/);
    expect(ctx.h.queued()).toEqual([]);
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
    expect(ctx.h.queued()).toEqual([]);
  });
});
