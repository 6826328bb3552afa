import { ErrorResponseSchema } from '@docflow/contracts';
import { describe, expect, it } from 'vitest';
import { NotReadySchema } from './health.js';
import { buildTestApp } from './test/test-app.js';

describe('health', () => {
  it('/healthz answers without consulting any dependency', async () => {
    let consulted = false;
    const t = await buildTestApp({ readiness: { db: async () => void (consulted = true) } });
    const response = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
    expect(consulted).toBe(false);
    await t.app.close();
  });

  it('/readyz answers 200 when every dependency answers', async () => {
    const t = await buildTestApp({ readiness: { s3: async () => 'fine', sqs: async () => undefined } });
    const response = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', checks: { s3: 'ok', sqs: 'ok' } });
    await t.app.close();
  });

  it('/readyz answers 503 naming the failing dependency, with its error only in the log', async () => {
    const t = await buildTestApp({
      readiness: {
        s3: async () => undefined,
        sqs: async () => {
          throw new Error('getaddrinfo ENOTFOUND sqs.internal secret-detail');
        },
      },
    });
    const response = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    const body = NotReadySchema.parse(response.json());
    expect(ErrorResponseSchema.safeParse(body).success).toBe(true);
    expect(body).toMatchObject({
      statusCode: 503,
      status: 'unavailable',
      message: 'Not ready: sqs is failing',
      checks: { s3: 'ok', sqs: 'failing' },
    });
    expect(response.body).not.toContain('secret-detail');
    expect(t.text()).toContain('secret-detail');
    await t.app.close();
  });

  it('/readyz counts a dependency that does not answer in time as failing and aborts its check', async () => {
    let aborted = false;
    const t = await buildTestApp({
      readinessTimeoutMs: 50,
      readiness: {
        db: (signal) =>
          new Promise((resolve) => {
            signal.addEventListener('abort', () => {
              aborted = true;
              resolve(undefined);
            });
          }),
      },
    });
    const response = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ message: 'Not ready: db timed out', checks: { db: 'timeout' } });
    expect(aborted).toBe(true);
    await t.app.close();
  });
});
