import { ErrorResponseSchema } from '@docflow/contracts';
import { documentFixture, emptyDocuments } from '@docflow/db/testing';
import { listenLocally } from '@docflow/http/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { headers, startHarness, type Harness } from './test/harness.js';

/**
 * The query string of the api's routes over a real socket: what was accepted silently (bad
 * escapes, unknown parameters) or misnamed (a repeated limit) is a 400 naming the parameter.
 */
describe('api query strings over real HTTP', () => {
  let harness: Harness;
  let base: string;
  beforeAll(async () => {
    harness = await startHarness();
    ({ base } = await listenLocally(harness.app));
  });
  afterAll(async () => {
    await harness?.stop();
  });
  beforeEach(async () => {
    await emptyDocuments(harness.db.pool);
    await harness.documents.upsert(documentFixture({ text: 'tides and moons' }));
  });

  async function refusal(path: string): Promise<{ status: number; message: string; issues: unknown }> {
    const response = await fetch(`${base}${path}`, { headers });
    const body = ErrorResponseSchema.parse(await response.json());
    expect(body.statusCode).toBe(response.status);
    expect(body.requestId).toBe(response.headers.get('x-correlation-id'));
    return { status: response.status, message: body.message, issues: body.issues };
  }

  it.each(['q=%FF%FE', 'q=%ED%A0%80', 'q=tide%'])('refuses ?%s as not percent-encoded UTF-8 (it answered an empty list)', async (query) => {
    expect(await refusal(`/v1/documents?${query}`)).toEqual({
      status: 400,
      message: 'Invalid querystring: q: is not valid percent-encoded UTF-8',
      issues: [{ path: 'q', message: 'is not valid percent-encoded UTF-8' }],
    });
  });

  it.each(['limit=1&limit=2', 'q=a&q=b', 'cursor=a&cursor=b'])('refuses ?%s as given twice, like every parameter', async (query) => {
    const name = query.split('=')[0];
    expect(await refusal(`/v1/documents?${query}`)).toMatchObject({
      status: 400,
      message: `Invalid querystring: ${name}: must be given once in the query string`,
    });
  });

  it('refuses parameters a route does not take, naming them (?q[]=a returned the unfiltered list)', async () => {
    expect(await refusal('/v1/documents?q[]=a')).toEqual({
      status: 400,
      message: 'Invalid querystring: q[]: is not a parameter of GET /v1/documents; it takes q, limit, cursor',
      issues: [{ path: 'q[]', message: 'is not a parameter of GET /v1/documents; it takes q, limit, cursor' }],
    });
    expect((await refusal('/v1/stats?verbose=1')).message).toBe('Invalid querystring: verbose: is not a parameter of GET /v1/stats; it takes none');
    const id = 'a'.repeat(32);
    expect((await refusal(`/v1/documents/${id}?fields=text`)).message).toBe(
      `Invalid querystring: fields: is not a parameter of GET /v1/documents/${id}; it takes none`,
    );
  });

  it('names the field of a forged cursor that gave it away', async () => {
    const forged = Buffer.from(JSON.stringify({ v: 1, k: 'recent', at: 'yesterday', id: 'f'.repeat(32) })).toString('base64url');
    expect(await refusal(`/v1/documents?cursor=${forged}`)).toMatchObject({
      status: 400,
      message: 'cursor: is not a cursor this API issued (at: is not an ISO 8601 time)',
    });
  });

  it('still answers a well-formed query', async () => {
    const response = await fetch(`${base}/v1/documents?q=%74ides&limit=5`, { headers });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { items: unknown[] }).items).toHaveLength(1);
  });
});
