import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyVerifier } from './api-keys.js';
import { KEYS, buildTestApp } from './test/test-app.js';

describe('createApiKeyVerifier', () => {
  const verify = createApiKeyVerifier(KEYS);

  it('accepts each configured key', () => {
    for (const key of KEYS) expect(verify(key)).toBe(true);
  });

  it.each([
    ['an empty key', ''],
    ['a shorter key', 'k'],
    ['a prefix of a key', KEYS[0].slice(0, -1)],
    ['a key with one more character', `${KEYS[0]}x`],
    ['a much longer key', 'z'.repeat(10_000)],
    ['a key of the same length', KEYS[0].replace(/.$/, '!')],
    ['a key in another case', KEYS[0].toUpperCase()],
  ])('rejects %s without throwing', (_name, candidate) => {
    expect(verify(candidate)).toBe(false);
  });

  it('refuses to run without keys or with an empty one', () => {
    expect(() => createApiKeyVerifier([])).toThrow('apiKeys: at least one API key is required');
    expect(() => createApiKeyVerifier(['ok', ''])).toThrow('apiKeys: an API key must not be empty');
  });
});

describe('API-key auth', () => {
  let t: Awaited<ReturnType<typeof buildTestApp>>;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t.app.close();
  });

  const thing = { url: 'https://example.com/', count: 1 };

  it('lets each configured key through', async () => {
    for (const key of KEYS) {
      const response = await t.app.inject({ method: 'POST', url: '/v1/things', headers: { 'x-api-key': key }, payload: thing });
      expect(response.statusCode).toBe(201);
    }
  });

  it('answers a missing key with 401 JSON naming the header, before validating the body', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/things', payload: { bad: true } });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Missing API key: send it in the x-api-key header',
      requestId: expect.any(String),
    });
  });

  it.each(['wrong', `${KEYS[0]}-longer`, KEYS[1].toUpperCase()])('answers the wrong key %s with 401', async (key) => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/things', headers: { 'x-api-key': key }, payload: thing });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ statusCode: 401, message: 'Invalid API key' });
  });

  it('serves public routes, health and docs without a key', async () => {
    for (const url of ['/v1/open', '/healthz', '/readyz', '/docs/json']) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
    }
  });

  it('never writes the key to the log', async () => {
    await t.app.inject({ method: 'GET', url: '/v1/query?limit=1', headers: { 'x-api-key': KEYS[0] } });
    expect(t.text()).not.toContain(KEYS[0]);
  });
});
