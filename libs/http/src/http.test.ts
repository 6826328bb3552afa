import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEEP_ALIVE_TIMEOUT_MS } from './server-timeouts.js';
import { KEYS, buildTestApp } from './test/test-app.js';
import { listenLocally } from './testing/index.js';

/** The same answers over a real socket, where body limits and parsing meet real streams. */
describe('over real HTTP', () => {
  let t: Awaited<ReturnType<typeof buildTestApp>>;
  let base: string;
  beforeAll(async () => {
    t = await buildTestApp({ requestTimeoutMs: 7_000 });
    ({ base } = await listenLocally(t.app));
  });
  afterAll(async () => {
    await t.app.close();
  });

  const post = (path: string, body: string, headers: Record<string, string> = { 'x-api-key': KEYS[0] }) =>
    fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  it('accepts a valid request', async () => {
    const response = await post('/v1/things', JSON.stringify({ url: 'https://example.com/', count: 2 }));
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ url: 'https://example.com/', count: 2 });
  });

  it('answers 401, 400, 413 and 404 as JSON', async () => {
    const cases = [
      [await post('/v1/things', '{}', {}), 401, 'Missing API key: send it in the x-api-key header'],
      [await post('/v1/things', '{"url":', undefined), 400, 'Request body is not valid JSON'],
      [await post('/v1/small', JSON.stringify({ text: 'x'.repeat(5_000) })), 413, 'Request body is larger than the limit of 100 bytes'],
      [await fetch(`${base}/nowhere`), 404, 'Route GET /nowhere not found'],
    ] as const;
    for (const [response, status, message] of cases) {
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toMatchObject({ statusCode: status, message });
    }
  });

  it('is configured for a load balancer: keep-alive outlasts the ALB idle timeout, requests are bounded', () => {
    const server = t.app.server;
    expect(server.keepAliveTimeout).toBe(KEEP_ALIVE_TIMEOUT_MS);
    expect(server.keepAliveTimeout).toBeGreaterThan(60_000);
    expect(server.timeout).toBeGreaterThan(server.keepAliveTimeout);
    expect(server.requestTimeout).toBe(7_000);
    expect(server.headersTimeout).toBeLessThanOrEqual(server.requestTimeout);
  });
});
