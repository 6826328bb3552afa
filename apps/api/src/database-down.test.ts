import { ErrorResponseSchema } from '@docflow/contracts';
import { documentFixture } from '@docflow/db/testing';
import { DEFAULT_RETRY_AFTER_SECONDS } from '@docflow/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headers, startHarness, type Harness } from './test/harness.js';

let harness: Harness;
let port: string;
const doc = documentFixture({ text: 'stored before the outage' });

beforeAll(async () => {
  harness = await startHarness();
  await harness.documents.upsert(doc);
  expect((await harness.app.inject({ url: '/readyz' })).statusCode).toBe(200);
  port = new URL(harness.db.url).port;
  // PostgreSQL goes away while the api keeps running
  await harness.db.postgres.stop();
});

afterAll(async () => {
  await harness?.stop();
});

/** Nothing about the database may reach a client: no address, driver message or code. */
function expectNoDetails(payload: string): void {
  for (const detail of ['ECONNREFUSED', '127.0.0.1', port, 'postgres://', 'terminat', 'connect', 'docflow-local']) {
    expect(payload).not.toContain(detail);
  }
}

describe('with PostgreSQL down', () => {
  it('is not ready, and says which dependency fails', async () => {
    const response = await harness.app.inject({ url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'unavailable', checks: { postgres: 'failing' } });
    expectNoDetails(response.body);
  });

  it('is still alive (a database outage must not get the task killed)', async () => {
    expect((await harness.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it.each(['/v1/documents', '/v1/documents?q=outage', `/v1/documents/${doc.id}`, '/v1/stats'])(
    'answers 503 with Retry-After to %s without details, and logs them',
    async (url) => {
      const linesBefore = harness.logLines.length;
      const response = await harness.app.inject({ url, headers });

      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe(String(DEFAULT_RETRY_AFTER_SECONDS));
      expect(ErrorResponseSchema.parse(response.json())).toMatchObject({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'Service unavailable; try again later',
      });
      expectNoDetails(response.body);
      const logged = JSON.stringify(harness.logLines.slice(linesBefore));
      expect(logged).toContain('ECONNREFUSED');
    },
  );
});
