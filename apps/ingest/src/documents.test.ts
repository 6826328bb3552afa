import { MAX_DOCUMENT_BYTES, documentIdFor, parseDocumentMessage, sha256Hex } from '@docflow/contracts';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_REQUEST_LIMIT_BYTES } from './body-limits.js';
import { headers, htmlPage, useIngestApp } from './test/harness.js';

const CONTRACT_FIELDS = ['attempt', 'blobKey', 'contentType', 'correlationId', 'documentId', 'receivedAt', 'sha256', 'url', 'v'];

describe('POST /v1/documents', () => {
  const ctx = useIngestApp();

  const post = (payload: unknown, extraHeaders: Record<string, string> = {}) =>
    ctx.app.inject({ method: 'POST', url: '/v1/documents', headers: { ...headers, ...extraHeaders }, payload: payload as object });

  it('stores the body, queues a claim check with exactly the contract fields, and answers 202', async () => {
    const body = htmlPage(2_000, 'Claim check');
    const response = await post({ url: 'https://example.com/a', contentType: 'text/html', body, title: 'Given title' });

    expect(response.statusCode).toBe(202);
    const sha256 = sha256Hex(body);
    const documentId = documentIdFor('https://example.com/a', sha256);
    expect(response.json()).toEqual({ documentId, status: 'queued' });

    const [raw, ...others] = ctx.h.emulator.messages('queue');
    expect(others).toEqual([]);
    const message = JSON.parse(raw?.body ?? '{}') as Record<string, unknown>;
    expect(Object.keys(message).sort()).toEqual([...CONTRACT_FIELDS, 'title'].sort());
    expect(message).toMatchObject({
      v: 1,
      documentId,
      blobKey: `raw/${sha256}`,
      sha256,
      url: 'https://example.com/a',
      contentType: 'text/html',
      title: 'Given title',
      attempt: 1,
    });
    expect(Date.parse(String(message['receivedAt']))).not.toBeNaN();
    expect(raw?.body).not.toContain('Claim check');
    expect(parseDocumentMessage(raw?.body ?? '').ok).toBe(true);

    const stored = await ctx.h.blobs.getDocument(`raw/${sha256}`);
    expect(stored).toEqual({ body, contentType: 'text/html' });
  });

  it('leaves title out of the message when none is given', async () => {
    await post({ url: 'https://example.com/t', contentType: 'text/plain', body: 'plain words' });
    expect(Object.keys(ctx.h.queued()[0] ?? {}).sort()).toEqual(CONTRACT_FIELDS);
  });

  it('puts the correlation id of the request into the message and the answer', async () => {
    const response = await post({ url: 'https://example.com/c', contentType: 'text/markdown', body: '# Hi' }, { 'x-correlation-id': 'trace-ingest-1' });
    expect(response.headers['x-correlation-id']).toBe('trace-ingest-1');
    expect(ctx.h.queued()[0]?.['correlationId']).toBe('trace-ingest-1');
    expect(ctx.h.logLines.some((line) => line.msg === 'document accepted' && line.correlationId === 'trace-ingest-1')).toBe(true);
  });

  it('gives the same document the same id, and another URL or body another id', async () => {
    const document = { url: 'https://example.com/same', contentType: 'text/plain', body: 'same words' };
    const first = (await post(document)).json().documentId;
    const again = (await post(document)).json().documentId;
    const otherUrl = (await post({ ...document, url: 'https://example.com/other' })).json().documentId;
    const otherBody = (await post({ ...document, body: 'other words' })).json().documentId;
    expect(again).toBe(first);
    expect(new Set([first, otherUrl, otherBody]).size).toBe(3);
    expect(ctx.h.queued().map((message) => message['documentId'])).toEqual([first, first, otherUrl, otherBody]);
  });

  it('accepts a 200 KB HTML page', async () => {
    const body = htmlPage(200 * 1024);
    const response = await post({ url: 'https://example.com/big', contentType: 'text/html', body });
    expect(response.statusCode).toBe(202);
    expect((await ctx.h.blobs.getDocument(`raw/${sha256Hex(body)}`)).body).toBe(body);
  });

  it('accepts a body of exactly 1 MiB, even when JSON escaping doubles it', async () => {
    const quotes = '"'.repeat(MAX_DOCUMENT_BYTES);
    const response = await post({ url: 'https://example.com/q', contentType: 'text/plain', body: quotes });
    expect(response.statusCode).toBe(202);
  });

  it('answers a body over 1 MiB with 413 naming the limit, and stores nothing', async () => {
    const response = await post({ url: 'https://example.com/x', contentType: 'text/plain', body: 'é'.repeat(MAX_DOCUMENT_BYTES / 2) + 'x' });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({
      statusCode: 413,
      error: 'Payload Too Large',
      message: expect.stringContaining('limit of 1048576 bytes (1 MiB)'),
      issues: [{ path: 'body', message: 'is 1048577 bytes; the limit is 1048576 bytes (1 MiB) of UTF-8' }],
    });
    expect(ctx.h.emulator.messages('queue')).toEqual([]);
  });

  it('answers a request larger than the JSON limit with 413 naming that limit', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/v1/documents',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ url: 'https://example.com/x', contentType: 'text/plain', body: '\u0001'.repeat(MAX_DOCUMENT_BYTES + 20_000) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().message).toBe(`Request body is larger than the limit of ${DOCUMENT_REQUEST_LIMIT_BYTES} bytes`);
  });

  it('answers malformed JSON with 400', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/v1/documents',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: '{"url": "https://example.com", "body": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, message: 'Request body is not valid JSON' });
  });

  it.each([
    ['url', { url: 'not a url' }, 'must be an absolute http(s) URL'],
    ['url', { url: 'ftp://example.com/file' }, 'must be an absolute http(s) URL'],
    ['contentType', { contentType: 'application/pdf' }, 'text/html'],
    ['body', { body: '' }, 'must not be empty'],
    // PostgreSQL text cannot hold NUL: the worker could never store such a document
    ['url', { url: 'https://example.com/a\u0000b' }, 'NUL'],
    ['title', { title: 'A\u0000title' }, 'NUL'],
  ])('answers an invalid %s with 400 naming the field', async (field, change, hint) => {
    const response = await post({ url: 'https://example.com/v', contentType: 'text/plain', body: 'words', ...change });
    expect(response.statusCode).toBe(400);
    const answer = response.json();
    expect(answer.issues).toEqual([{ path: field, message: expect.stringContaining(hint) }]);
    expect(answer.message).toContain(`${field}:`);
    expect(ctx.h.emulator.messages('queue')).toEqual([]);
  });

  it('refuses a URL too long for the queue message with 400 naming url, before storing anything', async () => {
    // each within its own limit, together too long: a 4 000-character URL and 1 000 three-byte characters
    const url = `https://example.com/${'a'.repeat(4_000)}`;
    const response = await post({ url, contentType: 'text/plain', body: 'never stored', title: '€'.repeat(1_000) });
    expect(response.statusCode).toBe(400);
    expect(response.json().issues).toEqual([{ path: 'url', message: expect.stringContaining('too long for the queue message') }]);
    await expect(ctx.h.blobs.getDocument(`raw/${sha256Hex('never stored')}`)).rejects.toThrow();
  });

  it('queues a title with characters SQS or the emulator refuse, and the message carries it intact', async () => {
    // an emoji (the local emulator refuses every character above U+FFFF) and U+FFFE (SQS refuses it)
    const title = 'Zebra 🦓 \uFFFE notes';
    const response = await post({ url: 'https://example.com/🦓', contentType: 'text/plain', body: 'stripes', title });
    expect(response.statusCode, response.body).toBe(202);
    const [queued] = ctx.h.emulator.messages('queue');
    const parsed = parseDocumentMessage(queued?.body ?? '');
    expect(parsed.ok && parsed.message).toMatchObject({ title, url: 'https://example.com/🦓' });
  });

  it('says why url and title cannot travel together, naming the longer one', async () => {
    const response = await post({ url: 'https://example.com/e', contentType: 'text/plain', body: 'x', title: '🦓'.repeat(500) });
    expect(response.statusCode).toBe(400);
    expect(response.json().issues).toEqual([
      { path: 'title', message: expect.stringMatching(/^url and title together are too long for the queue message \(limit 6144 bytes; characters above U\+FFFF/) },
    ]);
  });

  it.each([
    ['missing', {}],
    ['wrong', { 'x-api-key': 'not-the-key' }],
  ])('answers a %s API key with 401 and queues nothing', async (_name, keyHeader) => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/v1/documents',
      headers: keyHeader,
      payload: { url: 'https://example.com/k', contentType: 'text/plain', body: 'words' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect(ctx.h.emulator.messages('queue')).toEqual([]);
  });

  it('answers an unknown route with 404 JSON', async () => {
    const response = await ctx.app.inject({ method: 'POST', url: '/v1/document', headers, payload: {} });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ statusCode: 404, error: 'Not Found', message: 'Route POST /v1/document not found' });
  });
});
