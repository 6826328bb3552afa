import { MAX_DOCUMENT_BYTES } from '@docflow/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEARCH_TEXT_CHARS } from '../migrations/search-settings.js';
import { documentFixture, emptyDocuments, startTestDatabase, type TestDatabase } from '../testing/index.js';

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

/** Joins words until the text is as large as a document may be, keeping a last word for the end. */
function fillToLimit(first: string, nextWord: (index: number) => string, last: string): string {
  const words = [first];
  let bytes = Buffer.byteLength(first) + Buffer.byteLength(last) + 2;
  for (let index = 0; ; index += 1) {
    const word = nextWord(index);
    const size = Buffer.byteLength(word) + 1;
    if (bytes + size > MAX_DOCUMENT_BYTES) break;
    words.push(word);
    bytes += size;
  }
  words.push(last);
  return words.join(' ');
}

/** Distinct ASCII words: aaaaa, baaaa, ... */
function asciiWord(index: number): string {
  let word = 'w';
  for (let n = index, i = 0; i < 5; i += 1, n = Math.floor(n / 26)) word += String.fromCharCode(97 + (n % 26));
  return word;
}

/**
 * The densest search vector per character measured: hyphenated pairs of 4-byte letters (CJK
 * Extension B), each stored as the whole word and as both parts. Parts are distinct for the first
 * 21,000 words (all of the indexed prefix); whole words are distinct throughout.
 */
function denseWord(index: number): string {
  const letters = 42_000;
  const first = (index * 2) % letters;
  const second = (first + 1 + 7 * Math.floor((index * 2) / letters)) % letters;
  return `${String.fromCodePoint(0x20000 + first)}-${String.fromCodePoint(0x20000 + second)}`;
}

describe('a 1 MiB document', () => {
  it.each([
    ['of distinct English-like words', asciiWord],
    ['of the densest words for a search vector', denseWord],
  ])('%s is stored whole and searchable in its first characters', async (_name, nextWord) => {
    const text = fillToLimit('openingword', nextWord, 'closingword');
    expect(Buffer.byteLength(text)).toBeGreaterThan(MAX_DOCUMENT_BYTES - 16);
    expect(text.length).toBeGreaterThan(SEARCH_TEXT_CHARS);
    const doc = documentFixture({ title: 'Huge', text });

    expect(await db.documents.upsert(doc)).toBe('inserted');

    expect((await db.documents.get(doc.id))?.text).toBe(text);
    const found = await db.documents.list({ q: 'openingword', limit: 10 });
    expect(found.items.map((item) => item.id)).toEqual([doc.id]);
    expect(found.items[0]?.excerpt).toMatch(/^<mark>openingword<\/mark> /);
    // past the indexed prefix: stored, not searchable (the documented bound)
    expect((await db.documents.list({ q: 'closingword', limit: 10 })).items).toEqual([]);
    expect(await db.documents.upsert(doc)).toBe('updated');
  });

  it('could not be stored if the whole text were indexed (why the prefix exists)', async () => {
    const text = fillToLimit('openingword', denseWord, 'closingword');
    await expect(db.pool.query(`SELECT to_tsvector('english', $1)`, [text])).rejects.toThrow(
      /string is too long for tsvector/,
    );
  });

  it('of the densest words keeps its search vector under the 1 MiB limit, with a margin', async () => {
    const doc = documentFixture({ title: 'x'.repeat(1_000), text: fillToLimit('openingword', denseWord, 'closingword') });
    await db.documents.upsert(doc);
    // `|| ''` makes an uncompressed copy: the limit applies to the uncompressed vector
    const { rows } = await db.pool.query<{ bytes: number }>(
      `SELECT pg_column_size(search || ''::tsvector)::int AS bytes FROM documents WHERE id = $1`,
      [doc.id],
    );
    const bytes = rows[0]?.bytes ?? 0;
    expect(bytes).toBeGreaterThan(800_000);
    expect(bytes).toBeLessThan(1_048_575 * 0.95);
  });
});
