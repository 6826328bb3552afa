import { DocumentListSchema, type DocumentList } from '@docflow/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEARCH_TEXT_CHARS } from '../migrations/search-settings.js';
import { documentFixture, emptyDocuments, startTestDatabase, type TestDatabase } from '../testing/index.js';
import { DocumentsRepository, type ListDocumentsOptions } from './repository.js';

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

const ids = (documents: DocumentsRepository, options: ListDocumentsOptions) =>
  documents.list(options).then((page) => {
    expect(DocumentListSchema.parse(page)).toEqual(page);
    return page.items.map((item) => item.id);
  });

describe('search as a person expects it', () => {
  it('splits quotes, dashes and guillemets from words (a UTF-8 database, as on RDS)', async () => {
    const doc = await upsert('He tightened the belt” and spoke of “global” trade — «markets» l’avion');
    for (const q of ['belt', 'global', 'markets', 'trade', 'avion']) {
      expect(await ids(db.documents, { q, limit: 5 }), q).toEqual([doc]);
    }
  });

  it('folds accents and case both ways: cafe finds CAFÉ, naïve finds naive', async () => {
    const accented = await upsert('Le CAFÉ du coin sert un café crème');
    const plain = await upsert('a naive approach');
    expect(await ids(db.documents, { q: 'cafe', limit: 5 })).toEqual([accented]);
    expect(await ids(db.documents, { q: 'Café', limit: 5 })).toEqual([accented]);
    expect(await ids(db.documents, { q: 'naïve', limit: 5 })).toEqual([plain]);
  });

  it('shows a match deep in the indexed text in the excerpt, and says how much of a long text is searchable', async () => {
    const filler = 'lorem ipsum dolor sit amet '.repeat(4_000); // 108,000 characters
    const deep = `${filler.slice(0, 50_000)} the albatross glides ${filler.slice(50_000)}`;
    const doc = documentFixture({ text: deep });
    await db.documents.upsert(doc);

    const { items } = await db.documents.list({ q: 'albatross', limit: 5 });
    expect(items.map((item) => item.id)).toEqual([doc.id]);
    expect(items[0]?.excerpt).toContain('<mark>albatross</mark>');
    expect(items[0]?.searchIndex).toEqual({ complete: false, indexedChars: SEARCH_TEXT_CHARS });
    expect((await db.documents.get(doc.id))?.searchIndex).toEqual({ complete: false, indexedChars: SEARCH_TEXT_CHARS });
    const short = await upsert('short text');
    expect((await db.documents.get(short))?.searchIndex).toEqual({ complete: true, indexedChars: 10 });
  });

  it('shows an accented match that the excerpt window cannot find by its stem', async () => {
    const text = `${'plain words here '.repeat(200)} un éléphant rose ${'more words '.repeat(100)}`;
    const doc = await upsert(text);
    const { items } = await db.documents.list({ q: 'elephant', limit: 5 });
    expect(items.map((item) => item.id)).toEqual([doc]);
    expect(items[0]?.excerpt).toContain('<mark>éléphant</mark>');
  });
});

describe('search at scale: broad queries ranked over precomputed candidates', () => {
  // tiny thresholds, so that a few documents make a "broad" query
  const bounded = () => new DocumentsRepository(db.pool, { exactRankLimit: 4, candidatesPerTerm: 6 });

  async function exactOrder(q: string): Promise<string[]> {
    const { rows } = await db.pool.query<{ id: string }>(
      `SELECT id FROM documents WHERE search @@ websearch_to_tsquery('docflow_english', $1)
       ORDER BY ts_rank(search, websearch_to_tsquery('docflow_english', $1), 1) DESC, id DESC`,
      [q],
    );
    return rows.map((row) => row.id);
  }

  it('ranks a broad query over the documents where its word weighs most, with the exact ts_rank order among them', async () => {
    // "heron" in every document, 1 to 10 times, once in a title
    const docs: string[] = [];
    for (let i = 1; i <= 10; i += 1) docs.push(await upsert(`${'heron '.repeat(i)} ${'filler words make the text longer '.repeat(10 - i)}`));
    const titled = documentFixture({ title: 'Heron', text: 'about birds' });
    await db.documents.upsert(titled);
    // the choice rests on PostgreSQL's estimate, from the statistics autovacuum keeps
    await db.pool.query('ANALYZE documents');

    // one word: read in rank order from the precomputed ranks, which are ts_rank's
    const exact = await exactOrder('heron');
    const { ids: oneWord, pages } = await listAll(bounded(), 'heron');
    expect(pages.every((page) => page.ranking === 'bounded')).toBe(true);
    expect(oneWord).toEqual(exact);
    for (const item of pages.flatMap((page) => page.items)) expect(item.rank).toBeCloseTo(await tsRank(item.id, 'heron'), 6);

    // two words: the best candidates of each (6 here), ranked with ts_rank, and the listing ends there
    const { ids: twoWords, pages: twoWordPages } = await listAll(bounded(), 'heron filler');
    expect(twoWordPages[0]?.ranking).toBe('bounded');
    expect(twoWords.length).toBeLessThanOrEqual(12);
    const exactTwo = await exactOrder('heron filler');
    expect(twoWords).toEqual(exactTwo.filter((id) => twoWords.includes(id)));
  });

  it('ranks every match when a broad query has fewer candidate matches than a page (a phrase of common words)', async () => {
    // eight documents where both words weigh much, never as the phrase; two where the phrase is
    for (let i = 0; i < 8; i += 1) await upsert(`${'storm '.repeat(3)} ${'calm '.repeat(3)} number ${i}`);
    for (let i = 0; i < 2; i += 1) await upsert(`a calm storm ${'and then many other words '.repeat(20 + i)}`);
    await db.pool.query('ANALYZE documents');
    const page = await bounded().list({ q: '"calm storm"', limit: 5 });
    expect(page.ranking).toBe('exact');
    expect(page.items.map((item) => item.id)).toEqual(await exactOrder('"calm storm"'));
  });

  it("keeps each document's weightiest words in step with its text, and ranks them as ts_rank does", async () => {
    const doc = documentFixture({ title: 'Kestrel', text: 'kestrel kestrel hovering over the field' });
    await db.documents.upsert(doc);
    const terms = async () =>
      (await db.pool.query<{ lexeme: string; impact: number; rank: number }>(
        `SELECT t.lexeme, t.impact, ts_rank(d.search, t.lexeme::tsquery, 1) AS rank
         FROM document_terms t JOIN documents d USING (id) WHERE t.id = $1 ORDER BY t.impact DESC, t.lexeme`,
        [doc.id],
      )).rows;
    const before = await terms();
    expect(before.map((term) => term.lexeme)).toEqual(['kestrel', 'field', 'hover']);
    for (const term of before) expect(term.impact).toBeCloseTo(term.rank, 6);

    await db.documents.upsert(doc); // a re-delivery changes nothing
    expect(await terms()).toEqual(before);
    await db.documents.upsert({ ...doc, title: 'Falcon' });
    expect((await terms()).map((term) => term.lexeme)).toEqual(['falcon', 'kestrel', 'field', 'hover']);
  });
});

async function listAll(documents: DocumentsRepository, q: string) {
  const ids: string[] = [];
  const pages: DocumentList[] = [];
  let cursor: string | undefined;
  do {
    const page = await documents.list({ q, limit: 3, ...(cursor !== undefined ? { cursor } : {}) });
    pages.push(page);
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return { ids, pages };
}

async function tsRank(id: string, q: string): Promise<number> {
  const { rows } = await db.pool.query<{ rank: number }>(
    `SELECT ts_rank(search, websearch_to_tsquery('docflow_english', $2), 1) AS rank FROM documents WHERE id = $1`,
    [id, q],
  );
  return rows[0]?.rank ?? Number.NaN;
}

async function upsert(text: string): Promise<string> {
  const doc = documentFixture({ text });
  await db.documents.upsert(doc);
  return doc.id;
}
