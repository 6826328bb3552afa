import { MAX_DOCUMENT_BYTES, sha256Hex } from '@docflow/contracts';
import type { HttpApp } from '@docflow/http';
import { listenLocally } from '@docflow/http/testing';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, htmlPage, startHarness, type Harness } from './test/harness.js';

/** The same intake over a real socket, as a client (or the ALB) calls it. */
describe('ingest over real HTTP', () => {
  let h: Harness;
  let app: HttpApp;
  let base: string;
  beforeAll(async () => {
    h = await startHarness();
    app = await h.build();
    ({ base } = await listenLocally(app));
  });
  afterAll(async () => {
    await h?.stop();
  });

  const send = (body: string, key: string | null = API_KEY) =>
    fetch(`${base}/v1/documents`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'http-test-1', ...(key ? { 'x-api-key': key } : {}) },
    });

  it('accepts a 200 KB HTML page and queues its claim check', async () => {
    const page = htmlPage(200 * 1024);
    const response = await send(JSON.stringify({ url: 'https://example.com/http', contentType: 'text/html', body: page }));
    expect(response.status).toBe(202);
    expect(response.headers.get('x-correlation-id')).toBe('http-test-1');
    const { documentId } = (await response.json()) as { documentId: string };
    const message = h.queued().find((queued) => queued['documentId'] === documentId);
    expect(message).toMatchObject({ blobKey: `raw/${sha256Hex(page)}`, correlationId: 'http-test-1' });
  });

  it('answers 413, 400, 401 and 404 as JSON', async () => {
    const tooBig = JSON.stringify({ url: 'https://example.com/b', contentType: 'text/plain', body: 'x'.repeat(MAX_DOCUMENT_BYTES + 1) });
    const cases = [
      [await send(tooBig), 413, /limit of 1048576 bytes/],
      [await send('{"url":'), 400, /^Request body is not valid JSON$/],
      [await send(JSON.stringify({ url: 'https://example.com/c', contentType: 'image/png', body: 'x' })), 400, /^Invalid body: contentType:/],
      [await send('{}', null), 401, /^Missing API key/],
      [await send('{}', 'wrong-key'), 401, /^Invalid API key$/],
      [await fetch(`${base}/v2/documents`), 404, /^Route GET \/v2\/documents not found$/],
    ] as const;
    for (const [response, status, message] of cases) {
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await response.json()) as { message: string }).message).toMatch(message);
    }
  });

  it('serves its OpenAPI document with both intake routes', async () => {
    const response = await fetch(`${base}/docs/json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/documents', '/v1/documents:batch']));
  });
});

/** Input the audit found accepted silently or misnamed, over a real socket: refused, named, nothing queued. */
describe('ingest refuses what it cannot take as sent, over real HTTP', () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    h = await startHarness();
    const app = await h.build();
    ({ base } = await listenLocally(app));
  });
  afterAll(async () => {
    await h?.stop();
  });
  beforeEach(() => h.emulator.reset());

  const post = (path: string, body: string | Uint8Array, extra: Record<string, string>) =>
    fetch(`${base}${path}`, { method: 'POST', body, headers: { 'x-api-key': API_KEY, ...extra } });
  const json = JSON.stringify({ url: 'https://example.com/z', contentType: 'text/plain', body: 'zipped words' });

  async function expectRefused(response: Response, status: number, message: string): Promise<{ issues?: unknown }> {
    const body = (await response.json()) as { statusCode: number; message: string; requestId: string; issues?: unknown };
    expect(response.status).toBe(status);
    expect(body).toMatchObject({ statusCode: status, message, requestId: expect.any(String) });
    expect(h.queued()).toEqual([]);
    return body;
  }

  it('refuses a compressed body with 415 naming its Content-Encoding, JSON, batch or raw', async () => {
    const refusal = (coding: string) => `Content-Encoding "${coding}" is not supported: send the body uncompressed (identity)`;
    await expectRefused(await post('/v1/documents', gzipSync(json), { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 415, refusal('gzip'));
    await expectRefused(
      await post('/v1/documents:batch', JSON.stringify({ documents: [JSON.parse(json)] }), { 'content-type': 'application/json', 'content-encoding': 'br' }),
      415,
      refusal('br'),
    );
    await expectRefused(
      await post('/v1/documents?url=https%3A%2F%2Fexample.com%2Fr', gzipSync('raw words'), { 'content-type': 'text/plain', 'content-encoding': 'gzip' }),
      415,
      refusal('gzip'),
    );
    expect((await post('/v1/documents', json, { 'content-type': 'application/json', 'content-encoding': 'identity' })).status).toBe(202);
  });

  it('refuses a url or title that is not percent-encoded UTF-8 (the title was stored as "%FF")', async () => {
    const raw = { 'content-type': 'text/plain' };
    await expectRefused(await post('/v1/documents?url=https%3A%2F%2Fexample.com%2Fx&title=%FF', 'words', raw), 400, 'Invalid querystring: title: is not valid percent-encoded UTF-8');
    await expectRefused(await post('/v1/documents?url=%FF', 'words', raw), 400, 'Invalid querystring: url: is not valid percent-encoded UTF-8');
  });

  it('names the query string, not the body, when the raw upload\'s url or title is wrong', async () => {
    const raw = { 'content-type': 'text/plain' };
    const body = await expectRefused(await post('/v1/documents?url=ftp%3A%2F%2Fexample.com%2Fx', 'words', raw), 400, 'Invalid querystring: url: must be an absolute http(s) URL');
    expect(body.issues).toEqual([{ path: 'url', message: 'must be an absolute http(s) URL' }]);
    await expectRefused(await post('/v1/documents?url=https%3A%2F%2Fexample.com%2Fx&title=+', 'words', raw), 400, 'Invalid querystring: title: must not be empty');
  });

  it('refuses a repeated or unknown query parameter on the JSON form too', async () => {
    const asJson = { 'content-type': 'application/json' };
    await expectRefused(await post('/v1/documents?title=a&title=b', json, asJson), 400, 'Invalid querystring: title: must be given once in the query string');
    await expectRefused(await post('/v1/documents?dryRun=1', json, asJson), 400, 'Invalid querystring: dryRun: is not a parameter of POST /v1/documents; it takes url, title');
    await expectRefused(
      await post('/v1/documents:batch?x=1', JSON.stringify({ documents: [JSON.parse(json)] }), asJson),
      400,
      'Invalid querystring: x: is not a parameter of POST /v1/documents:batch; it takes none',
    );
  });

  it('names a __proto__ key instead of calling the JSON invalid', async () => {
    await expectRefused(
      await post('/v1/documents', json.replace('{', '{"__proto__":{"admin":true},'), { 'content-type': 'application/json' }),
      400,
      'Request body is refused: JSON objects may not have the key "__proto__" (it can alter the objects built from them)',
    );
  });
});
