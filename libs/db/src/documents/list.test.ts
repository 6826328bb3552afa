import { DocumentListSchema, type DocumentList } from '@docflow/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { documentFixture, emptyDocuments, startTestDatabase, type TestDatabase } from '../testing/index.js';
import { InvalidCursorError, encodeCursor, queryFingerprint } from './cursor.js';
import type { ListDocumentsOptions } from './repository.js';

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

async function list(options: ListDocumentsOptions): Promise<DocumentList> {
  const page = await db.documents.list(options);
  expect(DocumentListSchema.parse(page)).toEqual(page);
  return page;
}

/** Follows nextCursor to the end, returning every id in order and the number of pages. */
async function listAll(options: Omit<ListDocumentsOptions, 'cursor'>): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list({ ...options, ...(cursor !== undefined ? { cursor } : {}) });
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor ?? undefined;
    pages += 1;
  } while (cursor !== undefined);
  return { ids, pages };
}

async function idsInOrder(orderBy: string, where = 'true', params: unknown[] = []): Promise<string[]> {
  const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM documents d WHERE ${where} ORDER BY ${orderBy}`, params);
  return rows.map((row) => row.id);
}

describe('list without q: newest first', () => {
  it('returns summaries with a plain, escaped excerpt and no rank', async () => {
    const text = `Fish & chips <b>are</b> ${'tasty and cheap '.repeat(40)}`;
    await db.documents.upsert(documentFixture({ title: 'Food', text }));

    const { items, nextCursor } = await list({ limit: 10 });

    expect(nextCursor).toBeNull();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ title: 'Food', rank: null, status: 'processed' });
    expect(items[0]?.excerpt).toMatch(/^Fish &amp; chips &lt;b&gt;are&lt;\/b&gt; tasty and cheap .*…$/);
    expect(items[0]?.excerpt.length).toBeLessThanOrEqual(300);
    expect(items[0]).not.toHaveProperty('text');
  });

  it('pages through every document once, in order, even when arrival times tie', async () => {
    const base = Date.parse('2026-03-01T00:00:00.000Z');
    for (let i = 0; i < 47; i += 1) {
      // groups of three share a receivedAt, so the id decides their order
      await db.documents.upsert(documentFixture({ text: `document ${i}`, receivedAt: new Date(base + Math.floor(i / 3) * 1000) }));
    }

    const { ids, pages } = await listAll({ limit: 10 });

    expect(pages).toBe(5);
    expect(ids).toEqual(await idsInOrder('received_at DESC, id DESC'));
    expect(new Set(ids).size).toBe(47);
  });

  it('neither repeats nor skips when documents arrive between pages', async () => {
    const base = Date.parse('2026-03-01T00:00:00.000Z');
    for (let i = 0; i < 20; i += 1) {
      await db.documents.upsert(documentFixture({ text: `early ${i}`, receivedAt: new Date(base + i * 1000) }));
    }
    const first = await list({ limit: 8 });
    await db.documents.upsert(documentFixture({ text: 'late arrival', receivedAt: new Date(base + 60_000) }));

    const ids = first.items.map((item) => item.id);
    let cursor = first.nextCursor;
    while (cursor !== null) {
      const page = await list({ limit: 8, cursor });
      ids.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    }

    const early = await idsInOrder('received_at DESC, id DESC', `text LIKE 'early %'`);
    expect(ids).toEqual(early);
  });

  it('returns an empty page when there is nothing', async () => {
    expect(await list({ limit: 5 })).toEqual({ items: [], nextCursor: null, ranking: null });
  });
});

describe('list with q: ranked full-text search', () => {
  it('ranks title matches above text matches and leaves out the rest', async () => {
    const inTitle = documentFixture({ title: 'Kubernetes operators', text: 'How controllers reconcile state in a cluster.' });
    const inText = documentFixture({ title: 'Clusters', text: 'We run our services on Kubernetes in three regions.' });
    const unrelated = documentFixture({ title: 'Gardening', text: 'Tomatoes need sun and water.' });
    for (const doc of [unrelated, inText, inTitle]) await db.documents.upsert(doc);

    const { items } = await list({ q: 'kubernetes', limit: 10 });

    expect(items.map((item) => item.id)).toEqual([inTitle.id, inText.id]);
    const [first, second] = items;
    expect(first?.rank).toBeGreaterThan(second?.rank ?? Infinity);
    expect(second?.excerpt).toBe('We run our services on <mark>Kubernetes</mark> in three regions.');
  });

  it('ranks a document that is about the query above one that mentions it', async () => {
    const about = documentFixture({ text: 'Coffee roasting: coffee beans, coffee grinders and coffee brewing.' });
    const mentions = documentFixture({ text: 'A long afternoon of meetings, notes, emails and one coffee break.' });
    await db.documents.upsert(mentions);
    await db.documents.upsert(about);

    expect((await list({ q: 'coffee', limit: 10 })).items.map((item) => item.id)).toEqual([about.id, mentions.id]);
  });

  it('uses English stemming, phrases and exclusions (web search syntax)', async () => {
    const running = documentFixture({ text: 'She runs every morning along the river.' });
    const walking = documentFixture({ text: 'He walks along the river every morning, never runs.' });
    await db.documents.upsert(running);
    await db.documents.upsert(walking);

    expect((await list({ q: 'running', limit: 10 })).items).toHaveLength(2);
    expect((await list({ q: 'running -walk', limit: 10 })).items.map((item) => item.id)).toEqual([running.id]);
    expect((await list({ q: '"morning along"', limit: 10 })).items.map((item) => item.id)).toEqual([running.id]);
  });

  it('escapes the document in the excerpt and marks only the matches', async () => {
    await db.documents.upsert(documentFixture({ text: 'if a < b && b > c then "transitive" holds' }));

    const { items } = await list({ q: 'transitive', limit: 10 });

    expect(items[0]?.excerpt).toBe('if a &lt; b &amp;&amp; b &gt; c then &quot;<mark>transitive</mark>&quot; holds');
  });

  it('finds nothing for a query of stop words only', async () => {
    await db.documents.upsert(documentFixture({ text: 'the and of' }));
    expect(await list({ q: 'the of', limit: 10 })).toEqual({ items: [], nextCursor: null, ranking: 'exact' });
  });

  it('pages through every match once, in rank order, with ties broken by id', async () => {
    for (let i = 0; i < 53; i += 1) {
      // five distinct frequencies of the word: many documents share a rank
      const text = `${'searchable '.repeat((i % 5) + 1)}filler text number ${i}`;
      await db.documents.upsert(documentFixture({ text }));
    }
    await db.documents.upsert(documentFixture({ text: 'nothing to see here' }));

    const { ids, pages } = await listAll({ q: 'searchable', limit: 7 });

    expect(pages).toBe(8);
    expect(new Set(ids).size).toBe(53);
    const expected = await idsInOrder(
      `ts_rank(search, websearch_to_tsquery('docflow_english', $1), 1) DESC, id DESC`,
      `search @@ websearch_to_tsquery('docflow_english', $1)`,
      ['searchable'],
    );
    expect(ids).toEqual(expected);
  });
});

describe('cursor validation', () => {
  const invalid = (promise: Promise<unknown>, message: string) =>
    expect(promise).rejects.toThrow(expect.objectContaining({ name: 'InvalidCursorError', field: 'cursor', message }));

  it('rejects garbage, with an error naming the cursor', async () => {
    await expect(db.documents.list({ limit: 5, cursor: 'not a cursor!' })).rejects.toBeInstanceOf(InvalidCursorError);
    await invalid(db.documents.list({ limit: 5, cursor: 'not a cursor!' }), 'cursor: is not a cursor this API issued (not base64url)');
    await invalid(
      db.documents.list({ limit: 5, cursor: Buffer.from('{"v":1,').toString('base64url') }),
      'cursor: is not a cursor this API issued (not JSON)',
    );
  });

  it('rejects a forged cursor of the right encoding but the wrong content', async () => {
    const forged = Buffer.from(JSON.stringify({ v: 1, k: 'recent', at: 'yesterday', id: "x' OR 1=1" })).toString('base64url');
    await invalid(db.documents.list({ limit: 5, cursor: forged }), 'cursor: is not a cursor this API issued (at: is not an ISO 8601 time)');
  });

  it('rejects a cursor of another kind of listing or another query', async () => {
    for (let i = 0; i < 3; i += 1) await db.documents.upsert(documentFixture({ text: `apple pie ${i}` }));
    const search = (await list({ q: 'apple', limit: 1 })).nextCursor ?? '';
    const recent = (await list({ limit: 1 })).nextCursor ?? '';

    await invalid(db.documents.list({ limit: 1, cursor: search }), 'cursor: belongs to a search; repeat the search with its q');
    await invalid(db.documents.list({ q: 'apple', limit: 1, cursor: recent }), 'cursor: belongs to a listing without q');
    await invalid(db.documents.list({ q: 'pie', limit: 1, cursor: search }), 'cursor: belongs to a different q');
    await expect(db.documents.list({ q: 'apple', limit: 1, cursor: search })).resolves.toMatchObject({ items: [{}] });
  });

  it('rejects a well-formed cursor whose values PostgreSQL cannot hold (instead of failing the query)', async () => {
    await db.documents.upsert(documentFixture({ text: 'apple crumble' }));
    const recent = (at: string) => encodeCursor({ v: 1, k: 'recent', at, id: 'f'.repeat(32) });
    const search = (rank: number) => encodeCursor({ v: 1, k: 'search', q: queryFingerprint('apple'), rank, id: 'f'.repeat(32) });
    await invalid(
      db.documents.list({ limit: 5, cursor: recent('0000-01-01T00:00:00.000Z') }),
      'cursor: is not a cursor this API issued (at: is in year 0000, which does not exist)',
    );
    for (const rank of [1e39, 3.5e38, 1e-40, 1e-46, 5e-324]) {
      await invalid(
        db.documents.list({ q: 'apple', limit: 5, cursor: search(rank) }),
        'cursor: is not a cursor this API issued (rank: is not a real number PostgreSQL can hold)',
      );
    }
    // the extremes PostgreSQL does hold only move where the page starts
    for (const at of ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
      await expect(db.documents.list({ limit: 5, cursor: recent(at) })).resolves.toMatchObject({ nextCursor: null });
    }
    for (const rank of [0, 1.2e-38, 3.4e38]) {
      await expect(db.documents.list({ q: 'apple', limit: 5, cursor: search(rank) })).resolves.toMatchObject({ nextCursor: null });
    }
  });

  it('accepts a cursor past the last row: an empty last page', async () => {
    const cursor = encodeCursor({ v: 1, k: 'recent', at: '2000-01-01T00:00:00.000Z', id: '0'.repeat(32) });
    expect(await list({ limit: 5, cursor })).toEqual({ items: [], nextCursor: null, ranking: null });
  });

  it('rejects a limit outside 1 to 100', async () => {
    await expect(db.documents.list({ limit: 0 })).rejects.toThrow('limit: must be an integer from 1 to 100');
    await expect(db.documents.list({ limit: 101 })).rejects.toThrow(RangeError);
  });
});
