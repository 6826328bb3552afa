import { DocumentSchema, StatsSchema } from '@docflow/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { documentFixture, emptyDocuments, startTestDatabase, type TestDatabase } from '../testing/index.js';
import type { FailedDocumentRecord } from './repository.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await startTestDatabase();
});

afterAll(async () => {
  await db?.close();
});

beforeEach(async () => {
  await emptyDocuments(db.pool);
});

async function rowCount(): Promise<number> {
  const { rows } = await db.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM documents');
  return rows[0]?.count ?? -1;
}

function failureOf(doc: ReturnType<typeof documentFixture>, error = 'extraction failed: not HTML'): FailedDocumentRecord {
  const { id, url, contentType, sha256, sizeBytes, receivedAt } = doc;
  return { id, url, contentType, sha256, sizeBytes, receivedAt, error };
}

describe('upsert', () => {
  it('stores a processed document that get returns in the api shape', async () => {
    const doc = documentFixture({ title: 'Hello', text: 'Hello world', receivedAt: '2026-01-02T03:04:05.678Z' });

    expect(await db.documents.upsert(doc)).toBe('inserted');

    const stored = await db.documents.get(doc.id);
    expect(DocumentSchema.parse(stored)).toEqual(stored);
    expect(stored).toMatchObject({
      id: doc.id,
      url: doc.url,
      contentType: 'text/plain',
      title: 'Hello',
      text: 'Hello world',
      status: 'processed',
      error: null,
      sha256: doc.sha256,
      sizeBytes: 11,
      receivedAt: '2026-01-02T03:04:05.678Z',
    });
  });

  it('is idempotent: re-delivery updates the one row', async () => {
    const doc = documentFixture({ text: 'delivered twice' });

    expect(await db.documents.upsert(doc)).toBe('inserted');
    expect(await db.documents.upsert(doc)).toBe('updated');
    expect(await db.documents.upsert(doc)).toBe('updated');

    expect(await rowCount()).toBe(1);
  });

  it('keeps the first arrival time when the same content arrives again', async () => {
    const first = documentFixture({ text: 'same content', receivedAt: '2026-01-01T00:00:00.000Z' });
    await db.documents.upsert(first);
    await db.documents.upsert({ ...first, receivedAt: '2026-02-01T00:00:00.000Z' });

    expect((await db.documents.get(first.id))?.receivedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('turns a failed document into a processed one when a retry succeeds', async () => {
    const doc = documentFixture({ text: 'second time lucky' });
    await db.documents.markFailed(failureOf(doc));

    expect(await db.documents.upsert(doc)).toBe('updated');
    expect(await db.documents.get(doc.id)).toMatchObject({ status: 'processed', error: null, text: 'second time lucky' });
  });

  it('refuses a malformed id (the database checks it too)', async () => {
    await expect(db.documents.upsert({ ...documentFixture(), id: 'not-an-id' })).rejects.toThrow(/documents_id_check/);
  });
});

describe('markFailed', () => {
  it('records the failure with its reason', async () => {
    const doc = documentFixture({ text: 'broken' });

    expect(await db.documents.markFailed(failureOf(doc))).toBe('inserted');

    const stored = await db.documents.get(doc.id);
    expect(DocumentSchema.parse(stored)).toEqual(stored);
    expect(stored).toMatchObject({ status: 'failed', error: 'extraction failed: not HTML', title: null, text: '' });
  });

  it('updates the reason of a document that failed again', async () => {
    const doc = documentFixture({ text: 'broken twice' });
    await db.documents.markFailed(failureOf(doc, 'first reason'));

    expect(await db.documents.markFailed(failureOf(doc, 'second reason'))).toBe('updated');
    expect((await db.documents.get(doc.id))?.error).toBe('second reason');
    expect(await rowCount()).toBe(1);
  });

  it('never undoes a processed document (a late duplicate that failed)', async () => {
    const doc = documentFixture({ text: 'processed first' });
    await db.documents.upsert(doc);

    expect(await db.documents.markFailed(failureOf(doc))).toBe('unchanged');
    expect(await db.documents.get(doc.id)).toMatchObject({ status: 'processed', error: null, text: 'processed first' });
  });
});

describe('get', () => {
  it('returns undefined for an unknown id', async () => {
    expect(await db.documents.get('0'.repeat(32))).toBeUndefined();
  });
});

describe('stats', () => {
  it('counts nothing in an empty database', async () => {
    const stats = await db.documents.stats();
    expect(StatsSchema.parse(stats)).toEqual(stats);
    expect(stats).toEqual({ documents: { total: 0, byStatus: { processed: 0, failed: 0 } }, lastProcessedAt: null });
  });

  it('counts by status and tells when the last document was processed', async () => {
    await db.documents.upsert(documentFixture({ text: 'one' }));
    await db.documents.upsert(documentFixture({ text: 'two' }));
    await db.documents.markFailed(failureOf(documentFixture({ text: 'three' })));
    const last = documentFixture({ text: 'four' });
    await db.documents.upsert(last);
    const { rows } = await db.pool.query<{ processed_at: Date }>('SELECT processed_at FROM documents WHERE id = $1', [last.id]);

    const stats = await db.documents.stats();

    expect(stats).toEqual({
      documents: { total: 4, byStatus: { processed: 3, failed: 1 } },
      lastProcessedAt: rows[0]?.processed_at.toISOString(),
    });
  });

  it('does not count a failure as processing', async () => {
    await db.documents.markFailed(failureOf(documentFixture({ text: 'only a failure' })));
    expect((await db.documents.stats()).lastProcessedAt).toBeNull();
  });
});
