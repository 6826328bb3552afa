import { DocumentListSchema, type DocumentList } from '@docflow/contracts';
import { seededRandom } from '@docflow/local/testing';
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

describe('search at scale: exact one-word ranks without reading vectors', () => {
  it('lists a one-word query in exact ts_rank order at every depth, merging listed words and words found once', async () => {
    // "heron" once in some texts (ranked by rank_floor), repeated or in a title in others (listed)
    for (let i = 1; i <= 6; i += 1) await upsert(`heron ${'filler words make the text longer '.repeat(i)}`);
    for (let i = 1; i <= 4; i += 1) await upsert(`${'heron '.repeat(i + 1)} ${'more filler for the heron page '.repeat(3 * i)}`);
    await db.documents.upsert(documentFixture({ title: 'Heron', text: 'about birds' }));
    await db.documents.upsert(documentFixture({ title: 'The grey heron', text: `a heron stands ${'in the reeds '.repeat(9)}` }));
    await db.documents.upsert(documentFixture({ text: 'a heron at the very end, in a short text' }));

    const exact = await exactOrder('heron');
    expect(exact).toHaveLength(13);
    const { ids, pages } = await listAll(db.documents, 'heron');
    expect(pages.every((page) => page.ranking === 'exact')).toBe(true);
    expect(ids).toEqual(exact);
    // the very same float as ts_rank, not an approximation
    for (const item of pages.flatMap((page) => page.items)) expect(item.rank).toBe(await tsRank(item.id, 'heron'));
    // documents found by their title alone show the opening of their text; the others their match
    for (const item of pages.flatMap((page) => page.items)) {
      if (item.title === 'Heron') expect(item.excerpt).toBe('about birds');
      else expect(item.excerpt).toContain('<mark>heron</mark>');
    }
  });

  it("gives every word of a document ts_rank's exact rank: listed in document_terms, or rank_floor for a word found once in the text", async () => {
    // seeded documents of every length and weight mix: titles that repeat words of the text,
    // a word repeated 300 times (a tsvector keeps 255 positions of a word)
    const next = seededRandom(7);
    const words = Array.from({ length: 60 }, (_, i) => `w${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}ord`);
    const pick = () => words[Math.floor(next() ** 2 * words.length)] as string;
    for (let d = 0; d < 40; d += 1) {
      const text = Array.from({ length: 1 + Math.floor(next() * (d % 10 === 9 ? 2_000 : 200)) }, pick).join(' ');
      const title = d % 3 === 0 ? null : Array.from({ length: 1 + Math.floor(next() * 6) }, pick).join(' ');
      await db.documents.upsert(documentFixture({ title, text: d === 39 ? `${'wzzord '.repeat(300)} ${text}` : text }));
    }
    const { rows } = await db.pool.query<{ lexeme: string; weights: string[]; expected: number; listed: number | null; in_text: boolean | null; floor: number }>(
      `SELECT u.lexeme, u.weights, ts_rank(d.search, quote_literal(u.lexeme)::tsquery, 1) AS expected,
              t.rank AS listed, t.in_text, d.rank_floor AS floor
       FROM documents d CROSS JOIN LATERAL unnest(d.search) u
       LEFT JOIN document_terms t ON t.id = d.id AND t.lexeme = u.lexeme`,
    );
    expect(rows.length).toBeGreaterThan(1_000);
    const once = rows.filter((row) => row.weights.length === 1 && row.weights[0] === 'B');
    const others = rows.filter((row) => !once.includes(row));
    expect(once.length).toBeGreaterThan(100);
    expect(others.length).toBeGreaterThan(100);
    expect(Math.max(...others.map((row) => row.weights.length))).toBe(255);
    for (const row of once) {
      expect(row.listed, row.lexeme).toBeNull();
      expect(row.floor, row.lexeme).toBe(row.expected);
    }
    for (const row of others) {
      expect(row.listed, `${row.lexeme} ${row.weights.join('')}`).toBe(row.expected);
      expect(row.in_text, row.lexeme).toBe(row.weights.includes('B'));
    }
  });

  it("keeps a document's ranks in step with its title and text", async () => {
    const doc = documentFixture({ title: 'Kestrel', text: 'kestrel kestrel hovering over the field' });
    await db.documents.upsert(doc);
    const state = async () => ({
      floor: (await db.pool.query<{ rank_floor: number }>('SELECT rank_floor FROM documents WHERE id = $1', [doc.id])).rows[0]?.rank_floor,
      terms: (await db.pool.query<{ lexeme: string; rank: number }>('SELECT lexeme, rank FROM document_terms WHERE id = $1 ORDER BY lexeme', [doc.id])).rows,
    });
    const before = await state();
    // field and hover are found once in the text: not listed
    expect(before.terms.map((term) => term.lexeme)).toEqual(['kestrel']);
    expect(before.floor).toBe(await tsRank(doc.id, 'field'));

    await db.documents.upsert(doc); // a re-delivery changes nothing
    expect(await state()).toEqual(before);
    await db.documents.upsert({ ...doc, title: 'Field notes' });
    const after = await state();
    expect(after.terms.map((term) => term.lexeme)).toEqual(['field', 'kestrel', 'note']);
    expect(after.floor).toBe(await tsRank(doc.id, 'hovering'));
    expect(after.floor).toBeLessThan(before.floor ?? 0);
  });
});

describe('search at scale: broad queries of several words ranked over precomputed candidates', () => {
  // tiny thresholds, so that a few documents make a "broad" query
  const bounded = () => new DocumentsRepository(db.pool, { exactRankLimit: 4, candidatesPerTerm: 6 });

  it('ranks the best documents of each word, with the exact ts_rank order among them', async () => {
    for (let i = 1; i <= 10; i += 1) await upsert(`${'heron '.repeat(i)} ${'filler words make the text longer '.repeat(10 - i)}`);
    // the choice rests on PostgreSQL's estimate, from the statistics autovacuum keeps
    await db.pool.query('ANALYZE documents');
    // one word is exact whatever its estimate
    expect((await bounded().list({ q: 'heron', limit: 3 })).ranking).toBe('exact');

    // two words: the best candidates of each (6 here), ranked with ts_rank, and the listing ends there
    const { ids: twoWords, pages } = await listAll(bounded(), 'heron filler');
    expect(pages[0]?.ranking).toBe('bounded');
    expect(twoWords.length).toBeLessThanOrEqual(12);
    const exactTwo = await exactOrder('heron filler');
    expect(twoWords).toEqual(exactTwo.filter((id) => twoWords.includes(id)));
    for (const item of pages.flatMap((page) => page.items)) expect(item.rank).toBe(await tsRank(item.id, 'heron filler'));
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
});

async function exactOrder(q: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ id: string }>(
    `SELECT id FROM documents WHERE search @@ websearch_to_tsquery('docflow_english', $1)
     ORDER BY ts_rank(search, websearch_to_tsquery('docflow_english', $1), 1) DESC, id DESC`,
    [q],
  );
  return rows.map((row) => row.id);
}

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
