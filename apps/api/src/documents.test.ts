import { DocumentListSchema, DocumentSchema, ErrorResponseSchema, StatsSchema } from '@docflow/contracts';
import { documentFixture, emptyDocuments } from '@docflow/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { headers, startHarness, type Harness } from './test/harness.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.stop();
});

beforeEach(async () => {
  await emptyDocuments(harness.db.pool);
});

async function get(url: string, withHeaders: Record<string, string> = headers) {
  const response = await harness.app.inject({ method: 'GET', url, headers: withHeaders });
  return { status: response.statusCode, body: response.json() as Record<string, unknown>, headers: response.headers };
}

describe('API key', () => {
  it.each(['/v1/documents', '/v1/documents?q=anything', `/v1/documents/${'a'.repeat(32)}`, `/v1/documents/${'a'.repeat(32)}/body`, '/v1/stats'])(
    'is required for %s',
    async (url) => {
      const missing = await get(url, {});
      expect(missing.status).toBe(401);
      expect(ErrorResponseSchema.parse(missing.body).statusCode).toBe(401);
      expect((await get(url, { 'x-api-key': 'wrong-key-0123456789' })).status).toBe(401);
    },
  );

  it('is not required for health checks and the documentation', async () => {
    expect((await get('/healthz', {})).status).toBe(200);
    expect((await get('/docs/json', {})).status).toBe(200);
  });
});

describe('GET /v1/documents', () => {
  it('lists newest first, page by page, following nextCursor', async () => {
    const base = Date.parse('2026-04-01T00:00:00.000Z');
    const docs = Array.from({ length: 5 }, (_, i) =>
      documentFixture({ title: `Doc ${i}`, text: `text ${i}`, receivedAt: new Date(base + i * 60_000) }),
    );
    for (const doc of docs) await harness.documents.upsert(doc);

    const first = await get('/v1/documents?limit=2');
    expect(first.status).toBe(200);
    const firstPage = DocumentListSchema.parse(first.body);
    expect(firstPage.items.map((item) => item.title)).toEqual(['Doc 4', 'Doc 3']);

    const second = DocumentListSchema.parse((await get(`/v1/documents?limit=2&cursor=${firstPage.nextCursor}`)).body);
    const third = DocumentListSchema.parse((await get(`/v1/documents?limit=2&cursor=${second.nextCursor}`)).body);
    expect(second.items.map((item) => item.title)).toEqual(['Doc 2', 'Doc 1']);
    expect(third.items.map((item) => item.title)).toEqual(['Doc 0']);
    expect(third.nextCursor).toBeNull();
  });

  it('searches with q: ranked, with the match marked in the excerpt', async () => {
    const report = documentFixture({ title: 'Harbour report', text: 'The harbour pilots measured the tide twice.' });
    const note = documentFixture({ title: 'Note', text: 'Pilots of the ferry met at the harbour café.' });
    const other = documentFixture({ title: 'Recipe', text: 'Bake the bread for forty minutes.' });
    for (const doc of [other, note, report]) await harness.documents.upsert(doc);

    const { status, body } = await get('/v1/documents?q=harbour%20pilots');

    expect(status).toBe(200);
    const { items, nextCursor } = DocumentListSchema.parse(body);
    expect(items.map((item) => item.id)).toEqual([report.id, note.id]);
    expect(items[0]?.rank).toBeGreaterThan(items[1]?.rank ?? Infinity);
    expect(items[0]?.excerpt).toBe('The <mark>harbour</mark> <mark>pilots</mark> measured the tide twice.');
    expect(nextCursor).toBeNull();
  });

  it('answers 400 naming limit when it is out of range', async () => {
    const { status, body } = await get('/v1/documents?limit=500');
    expect(status).toBe(400);
    expect(ErrorResponseSchema.parse(body).issues).toEqual([expect.objectContaining({ path: 'limit' })]);
  });

  it('answers 400 naming q when it holds a NUL character (PostgreSQL text cannot)', async () => {
    const { status, body } = await get('/v1/documents?q=a%00b');
    expect(status).toBe(400);
    expect(ErrorResponseSchema.parse(body)).toMatchObject({
      message: 'Invalid querystring: q: must not contain the NUL character (U+0000)',
      issues: [{ path: 'q', message: 'must not contain the NUL character (U+0000)' }],
    });
  });

  it.each([
    ['garbage', 'not-a-cursor!'],
    ['forged', Buffer.from(JSON.stringify({ v: 1, k: 'recent', at: 'then', id: 'x' })).toString('base64url')],
  ])('answers 400 naming cursor for a %s cursor', async (_name, cursor) => {
    const { status, body } = await get(`/v1/documents?cursor=${encodeURIComponent(cursor)}`);
    expect(status).toBe(400);
    const error = ErrorResponseSchema.parse(body);
    expect(error.message).toMatch(/^cursor: is not a cursor this API issued/);
    expect(error.issues).toEqual([{ path: 'cursor', message: expect.stringMatching(/^is not a cursor this API issued/) }]);
  });

  it('answers 400 naming cursor when a cursor continues another query', async () => {
    for (let i = 0; i < 3; i += 1) await harness.documents.upsert(documentFixture({ text: `apple pie number ${i}` }));
    const { body } = await get('/v1/documents?q=apple&limit=1');
    const cursor = DocumentListSchema.parse(body).nextCursor;

    const { status, body: error } = await get(`/v1/documents?q=pie&limit=1&cursor=${cursor}`);

    expect(status).toBe(400);
    expect(ErrorResponseSchema.parse(error).issues).toEqual([{ path: 'cursor', message: 'belongs to a different q' }]);
  });
});

describe('GET /v1/documents/:id', () => {
  it('returns the document with its full text', async () => {
    const doc = documentFixture({ title: 'Full', text: 'All of the text, not an excerpt.' });
    await harness.documents.upsert(doc);

    const { status, body } = await get(`/v1/documents/${doc.id}`);

    expect(status).toBe(200);
    expect(DocumentSchema.parse(body)).toMatchObject({ id: doc.id, title: 'Full', text: 'All of the text, not an excerpt.' });
  });

  it('answers 404 with a JSON body for an unknown id', async () => {
    const id = 'f'.repeat(32);
    const { status, body, headers: responseHeaders } = await get(`/v1/documents/${id}`);
    expect(status).toBe(404);
    expect(responseHeaders['content-type']).toMatch(/^application\/json/);
    expect(ErrorResponseSchema.parse(body)).toMatchObject({ statusCode: 404, error: 'Not Found', message: `Document ${id} not found` });
  });

  it('answers 400 naming id for a malformed id', async () => {
    const { status, body } = await get('/v1/documents/NOT-AN-ID');
    expect(status).toBe(400);
    expect(ErrorResponseSchema.parse(body).issues).toEqual([
      { path: 'id', message: 'must be 32 lowercase hexadecimal characters' },
    ]);
  });
});

describe('GET /v1/stats', () => {
  it('counts documents by status', async () => {
    await harness.documents.upsert(documentFixture({ text: 'processed one' }));
    const failed = documentFixture({ text: 'failed one' });
    await harness.documents.markFailed({ ...failed, error: 'unreadable' });

    const { status, body } = await get('/v1/stats');

    expect(status).toBe(200);
    expect(StatsSchema.parse(body)).toMatchObject({
      documents: { total: 2, byStatus: { processed: 1, failed: 1 } },
      lastProcessedAt: expect.any(String),
    });
  });
});

describe('health and documentation', () => {
  it('is ready when PostgreSQL answers', async () => {
    expect(await get('/readyz', {})).toMatchObject({ status: 200, body: { status: 'ok', checks: { postgres: 'ok' } } });
  });

  it('documents every route in OpenAPI, behind the API key', async () => {
    const { body } = await get('/docs/json', {});
    const paths = body['paths'] as Record<string, Record<string, { security?: unknown[] }>>;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/v1/documents', '/v1/documents/{id}', '/v1/documents/{id}/body', '/v1/stats']));
    expect(paths['/v1/documents']?.['get']?.security).not.toEqual([]);
  });
});
