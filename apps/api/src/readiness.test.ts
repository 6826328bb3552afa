import { createPool, type Pool, type PoolClient } from '@docflow/db';
import { captureLogs } from '@docflow/observability/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiApp } from './app.js';
import { API_KEY, startHarness, type Harness } from './test/harness.js';

let harness: Harness;
let readinessPool: Pool;

beforeAll(async () => {
  harness = await startHarness();
  readinessPool = createPool({ ...harness.db.config, poolMax: 1 }, { logger: captureLogs().logger });
});

afterAll(async () => {
  await readinessPool?.end();
  await harness?.stop();
});

describe('readiness while every connection of the main pool is busy', () => {
  it('stays ready with its own pool, as main.ts wires it (the main pool alone would report a timeout)', async () => {
    const { logger } = captureLogs();
    const withOwnPool = await buildApiApp({
      logger,
      apiKeys: [API_KEY],
      requestTimeoutMs: 30_000,
      pool: harness.db.pool,
      readinessPool,
      bodies: harness.blobs,
    });
    const busy: PoolClient[] = [];
    try {
      // hold every connection of the main pool, as a burst of slow searches would
      for (let i = 0; i < harness.db.config.poolMax; i += 1) busy.push(await harness.db.pool.connect());

      const own = await withOwnPool.inject({ url: '/readyz' });
      const shared = await harness.app.inject({ url: '/readyz' });

      expect(own.statusCode).toBe(200);
      expect(shared.statusCode).toBe(503);
      expect(shared.json()).toMatchObject({ checks: { postgres: 'timeout' } });
    } finally {
      for (const client of busy) client.release();
      await withOwnPool.close();
    }
  });
});
