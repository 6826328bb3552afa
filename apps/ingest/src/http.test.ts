import { MAX_DOCUMENT_BYTES, sha256Hex } from '@docflow/contracts';
import type { HttpApp } from '@docflow/http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, htmlPage, startHarness, type Harness } from './test/harness.js';

/** The same intake over a real socket, as a client (or the ALB) calls it. */
describe('ingest over real HTTP', () => {
  let h: Harness;
  let app: HttpApp;
  let base: string;
  beforeAll(async () => {
    h = await startHarness();
    app = await h.build();
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
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
