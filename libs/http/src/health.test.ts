import { ErrorResponseSchema } from '@docflow/contracts';
import { describe, expect, it, vi } from 'vitest';
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

  describe('with a readiness grace (a failover must not empty the load balancer)', () => {
    function flakyDatabase() {
      const state = { up: true, now: 1_000_000 };
      const readiness = {
        db: async () => {
          if (!state.up) throw new Error('connect ECONNREFUSED db.internal');
        },
      };
      return { state, readiness };
    }

    it('stays ready (degraded) while a dependency fails for less than the grace, then answers 503 saying for how long', async () => {
      const { state, readiness } = flakyDatabase();
      const t = await buildTestApp({ readiness, readinessGraceMs: 30_000 });
      // the clock the routes read: FailureClock takes Date.now unless told otherwise
      const now = vi.spyOn(Date, 'now').mockImplementation(() => state.now);
      try {
        state.up = false;
        const first = await t.app.inject({ url: '/readyz' });
        expect(first.statusCode).toBe(200);
        expect(first.json()).toEqual({ status: 'degraded', checks: { db: 'failing' } });

        state.now += 29_000;
        expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);

        state.now += 2_000;
        const sustained = await t.app.inject({ url: '/readyz' });
        expect(sustained.statusCode).toBe(503);
        expect(sustained.json()).toMatchObject({ status: 'unavailable', message: 'Not ready: db is failing (for 31 s)', checks: { db: 'failing' } });

        state.up = true;
        expect((await t.app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ok', checks: { db: 'ok' } });
        // one success resets the clock: the next failure starts a new grace
        state.up = false;
        state.now += 60_000;
        expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
      } finally {
        now.mockRestore();
        await t.app.close();
      }
    });

    it('/healthz stays 200 throughout (liveness is the process only)', async () => {
      const { state, readiness } = flakyDatabase();
      const t = await buildTestApp({ readiness, readinessGraceMs: 0 });
      state.up = false;
      expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(503);
      expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
      await t.app.close();
    });
  });
});
