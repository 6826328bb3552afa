import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS, buildTestApp } from './test/test-app.js';

describe('correlation id', () => {
  let t: Awaited<ReturnType<typeof buildTestApp>>;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('takes the caller id as the request id, echoes it and puts it on every log line of the request', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/v1/query?limit=3',
      headers: { 'x-api-key': KEYS[0], 'x-correlation-id': 'trace-42:abc' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-correlation-id']).toBe('trace-42:abc');
    const requestLines = t.lines.filter((line) => line.msg === 'incoming request' || line.msg === 'request completed');
    expect(requestLines.filter((line) => line.correlationId === 'trace-42:abc')).toHaveLength(2);
  });

  it('echoes it on errors too, as the requestId of the error body', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/crash', headers: { 'x-correlation-id': 'trace-43' } });
    expect(response.statusCode).toBe(401);
    expect(response.headers['x-correlation-id']).toBe('trace-43');
    expect(response.json().requestId).toBe('trace-43');
  });

  it('replaces an unsafe or missing id with a fresh one', async () => {
    const unsafe = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-correlation-id': 'a b\u0000{}' } });
    expect(unsafe.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    const missing = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(missing.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(missing.headers['x-correlation-id']).not.toBe(unsafe.headers['x-correlation-id']);
  });
});
