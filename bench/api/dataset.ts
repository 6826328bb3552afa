import { documentIdFor, sha256Hex } from '@docflow/contracts';
import type { DocumentsRepository, ProcessedDocumentRecord } from '@docflow/db';
import { seededRandom } from '@docflow/local/testing';

/**
 * A reproducible corpus: pseudo-words drawn with a Zipf-like distribution (a few words are very
 * common, most are rare), as in real text, so queries range from "matches most documents" to
 * "matches a handful" — and ranking cost grows with the number of matches.
 */
export const VOCABULARY_SIZE = 20_000;

/** Bumped whenever the documents generated change, so that a cached dataset is rebuilt. */
export const DATASET_VERSION = 1;

/**
 * Ranks skipped at the top of the distribution: in English the ~100 most frequent words are
 * mostly stop words, which the `english` configuration does not index.
 */
const STOP_WORD_RANKS = 100;

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'zu', 'pe', 'dra', 'gli', 'mon', 'tes', 'bal', 'qui'];

/** The word of a rank (0 = most common). */
export function word(rank: number): string {
  let text = '';
  let n = rank + SYLLABLES.length;
  while (n > 0) {
    text += SYLLABLES[n % SYLLABLES.length];
    n = Math.floor(n / SYLLABLES.length);
  }
  return text;
}

/** Documents of 100 to 1,000 words; the text of document i is the same in every run. */
export function* generateDocuments(count: number): Generator<ProcessedDocumentRecord> {
  const next = seededRandom(42);
  // Zipf (s≈1) by inverse transform: P(rank) ∝ 1/rank over [STOP_WORD_RANKS, STOP_WORD_RANKS + V)
  const span = Math.log((STOP_WORD_RANKS + VOCABULARY_SIZE) / STOP_WORD_RANKS);
  const pick = () => word(Math.min(VOCABULARY_SIZE - 1, Math.floor(STOP_WORD_RANKS * Math.exp(next() * span)) - STOP_WORD_RANKS));
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  for (let i = 0; i < count; i += 1) {
    const words = Array.from({ length: 100 + Math.floor(next() * 900) }, pick);
    const text = words.join(' ');
    const title = Array.from({ length: 3 + Math.floor(next() * 5) }, pick).join(' ');
    const url = `https://bench.example/${i}`;
    const sha256 = sha256Hex(text);
    yield {
      id: documentIdFor(url, sha256),
      url,
      contentType: 'text/plain',
      title,
      text,
      sha256,
      sizeBytes: Buffer.byteLength(text),
      receivedAt: new Date(start + i * 1_000),
    };
  }
}

/** Stores the corpus through the repository (the worker's write path), a few at a time. */
export async function seed(documents: DocumentsRepository, count: number, concurrency = 8): Promise<void> {
  const pending = new Set<Promise<unknown>>();
  for (const doc of generateDocuments(count)) {
    const write = documents.upsert(doc).finally(() => pending.delete(write));
    pending.add(write);
    if (pending.size >= concurrency) await Promise.race(pending);
  }
  await Promise.all(pending);
}

/** Queries that match a large part of the corpus: ranking cost dominates. */
export function broadQueries(): string[] {
  return [word(0), word(3), word(20), word(60), `${word(1)} ${word(8)}`];
}

/** Queries that match a few dozen documents: the api's own cost shows. */
export function selectiveQueries(): string[] {
  return [word(6_000), word(10_000), word(15_000), word(19_000), `${word(4_000)} ${word(12_000)}`];
}
