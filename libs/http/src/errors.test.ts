import { ErrorResponseSchema } from '@docflow/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_AFTER_SECONDS } from './http-error.js';
import { KEYS, SECRET_DETAIL, buildTestApp } from './test/test-app.js';

type TestApp = Awaited<ReturnType<typeof buildTestApp>>;
const auth = { 'x-api-key': KEYS[0] };

describe('error answers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('names each invalid body field, in the shared error shape', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/things',
      headers: auth,
      payload: { url: 'not a url', count: 0, tags: ['ok', ''] },
    });
    expect(response.statusCode).toBe(400);
    const body = ErrorResponseSchema.parse(response.json());
    expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request', requestId: response.headers['x-correlation-id'] });
    expect(body.issues?.map((issue) => issue.path).sort()).toEqual(['count', 'tags.1', 'url']);
    expect(body.message).toMatch(/^Invalid body: /);
    expect(body.message).toContain('url:');
  });

  it('names an invalid query parameter', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/query?limit=11', headers: auth });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ message: expect.stringMatching(/^Invalid querystring: limit:/), issues: [{ path: 'limit' }] });
  });

  it('says so when the body is not an object at all', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/things', headers: auth, payload: [1] });
    expect(response.statusCode).toBe(400);
    expect(response.json().issues).toEqual([{ path: '(body)', message: expect.any(String) }]);
  });

  it('answers malformed JSON with 400', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/things',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"url": "https://example.com",',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', message: 'Request body is not valid JSON' });
  });

  it('answers a content type no parser accepts with 415 naming it', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/things',
      headers: { ...auth, 'content-type': 'application/pdf' },
      payload: '%PDF-1.7',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: 'Unsupported Content-Type "application/pdf" for POST /v1/things',
    });
  });

  it('answers a body over the route limit with 413 naming the limit in bytes', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/small', headers: auth, payload: { text: 'x'.repeat(200) } });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ statusCode: 413, message: 'Request body is larger than the limit of 100 bytes' });
  });

  it('answers a body over the app limit with 413 naming that limit', async () => {
    const small = await buildTestApp({ bodyLimitBytes: 64 });
    try {
      const response = await small.app.inject({
        method: 'POST',
        url: '/v1/things',
        headers: auth,
        payload: { url: `https://example.com/${'a'.repeat(100)}`, count: 1 },
      });
      expect(response.statusCode).toBe(413);
      expect(response.json().message).toBe('Request body is larger than the limit of 64 bytes');
    } finally {
      await small.app.close();
    }
  });

  it('answers an unknown route with 404 JSON, with or without a key', async () => {
    for (const headers of [{}, auth]) {
      const response = await t.app.inject({ method: 'GET', url: '/v1/nothing-here?x=1', headers });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(ErrorResponseSchema.parse(response.json())).toMatchObject({
        statusCode: 404,
        error: 'Not Found',
        message: 'Route GET /v1/nothing-here not found',
      });
    }
  });

  it('never passes a 5xx error message to the client, but logs it', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/crash', headers: auth });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('hunter2');
    const body = ErrorResponseSchema.parse(response.json());
    expect(body).toMatchObject({ statusCode: 500, error: 'Internal Server Error' });
    const logged = t.lines.find((line) => line.correlationId === body.requestId && line.level === 'error');
    expect(JSON.stringify(logged)).toContain(SECRET_DETAIL);
  });

  it('does not trust a 4xx status on an error that is not ours', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/foreign-4xx', headers: auth });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('hunter2');
  });

  it('hides a response that fails its own schema behind a 500', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/bad-response', headers: auth });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('hunter2');
  });

  it('shows the message of an HttpError, and for a 5xx only that message', async () => {
    const conflict = await t.app.inject({ method: 'GET', url: '/v1/conflict', headers: auth });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ error: 'Conflict', message: 'That thing exists already' });

    const tooLong = await t.app.inject({ method: 'GET', url: '/v1/too-long', headers: auth });
    expect(tooLong.statusCode).toBe(413);
    expect(tooLong.json()).toMatchObject({ message: 'name is too long', issues: [{ path: 'name', message: 'at most 3 bytes' }] });

    const unavailable = await t.app.inject({ method: 'GET', url: '/v1/unavailable', headers: auth });
    expect(unavailable.statusCode).toBe(503);
    expect(unavailable.json().message).toBe('Storage is unavailable; nothing was accepted, retry later');
    expect(unavailable.body).not.toContain('hunter2');
  });

  it('tells a client when to come back on a 503: the delay the error names, else the default; nothing on other errors', async () => {
    const unavailable = await t.app.inject({ method: 'GET', url: '/v1/unavailable', headers: auth });
    expect(unavailable.headers['retry-after']).toBe(String(DEFAULT_RETRY_AFTER_SECONDS));
    const later = await t.app.inject({ method: 'GET', url: '/v1/unavailable-for-a-minute', headers: auth });
    expect(later.statusCode).toBe(503);
    expect(later.headers['retry-after']).toBe('60');
    const crash = await t.app.inject({ method: 'GET', url: '/v1/crash', headers: auth });
    expect(crash.statusCode).toBe(500);
    expect(crash.headers['retry-after']).toBeUndefined();
    const conflict = await t.app.inject({ method: 'GET', url: '/v1/conflict', headers: auth });
    expect(conflict.headers['retry-after']).toBeUndefined();
  });
});
