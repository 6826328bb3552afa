import type { DocumentList } from '@docflow/contracts';
import { SEARCH_CONFIG, SEARCH_TEXT_CHARS } from '../migrations/search-settings.js';
import type { Pool } from '../pool.js';
import { decodeSearchCursor, encodeCursor, queryFingerprint, type SearchCursor } from './cursor.js';
import { HEADLINE_OPTIONS, HEADLINE_STRIP_CHARS, HEADLINE_WINDOW_CHARS, excerptFromHeadline } from './excerpt.js';
import { SUMMARY_COLUMNS, toSummaryFields, type SummaryRow } from './rows.js';

/**
 * Full-text search that stays fast at any size. Ranking every match with `ts_rank` reads every
 * matching search vector: at 100,000 documents a common word matches 60,000 of them and a page
 * took 1-3 s. So a query is ranked one of two ways (decisions.md, "Search at scale"):
 *
 * - **exact**: when at most `exactRankLimit` documents match (selective queries, most real
 *   ones), every match is ranked with ts_rank, as before;
 * - **bounded**: a broader query ranks a bounded candidate set: for each of its words, the
 *   `candidatesPerTerm` documents where that word weighs most (precomputed per document at write
 *   time, `document_terms`), re-ranked exactly with ts_rank. A page of a broad query therefore
 *   holds the best of those candidates, and a broad listing ends after them.
 *
 * The answer says which (`ranking`), and the cursor carries it, so every page of one listing is
 * ranked the same way.
 */
export interface SearchOptions {
  /**
   * Most matches ranked exactly (as PostgreSQL estimates them); a query matching more is
   * ranked over candidates.
   * @default 500
   */
  readonly exactRankLimit?: number;
  /**
   * Candidates per query word for a broad query (and so, roughly, how deep its listing goes).
   * @default 600
   */
  readonly candidatesPerTerm?: number;
}

export type Ranking = 'exact' | 'bounded';

/**
 * A query of one word: letters and digits only, so the parser makes one token of it (or none, a
 * stop word) and websearch syntax has nothing to say (no phrase, exclusion or `or`).
 */
const ONE_WORD = /^[\p{L}\p{N}_]+$/u;

type RankedRow = SummaryRow & { rank: number; headline: string; text_matches: boolean };

// ts_rank normalization 1: divide by 1 + log(length), so long documents do not win by size alone
const RANK = `ts_rank(d.search, query.tsq, 1)`;
const TSQUERY = `websearch_to_tsquery('${SEARCH_CONFIG}', $1)`;

/**
 * Where the excerpt is taken from: a window around the first word that starts like one of the
 * query's words (stems are prefixes of most words; the last letter is dropped for y→i and the
 * like), so a match deep in a long text is shown, not the text's first lines. A miss (an accented
 * word, a word that merely starts the same) is caught afterwards (see `headlinesInFull`).
 */
const HEADLINE_SOURCE = `
  translate(substr(d.text, greatest(1, coalesce(nullif(regexp_instr(left(d.text, ${SEARCH_TEXT_CHARS}), pattern.re, 1, 1, 0, 'i'), 0), 1) - ${HEADLINE_WINDOW_CHARS / 4}), ${HEADLINE_WINDOW_CHARS}), $3, '')`;

const PATTERN = `
  pattern AS (
    SELECT coalesce('\\m(' || string_agg(regexp_replace(CASE WHEN length(lexeme) >= 4 THEN left(lexeme, -1) ELSE lexeme END, '([^[:alnum:]])', '\\\\\\1', 'g'), '|') || ')', '^') AS re
    FROM unnest(tsvector_to_array(to_tsvector('${SEARCH_CONFIG}', $1))) AS lexeme
  )`;

export class DocumentSearch {
  private readonly exactRankLimit: number;
  private readonly candidatesPerTerm: number;

  constructor(
    private readonly pool: Pool,
    options: SearchOptions = {},
  ) {
    this.exactRankLimit = options.exactRankLimit ?? 500;
    this.candidatesPerTerm = options.candidatesPerTerm ?? 600;
  }

  async search(q: string, limit: number, cursor: string | undefined): Promise<DocumentList> {
    const after = cursor === undefined ? undefined : decodeSearchCursor(cursor, q);
    let ranking: Ranking = after?.m ?? (await this.isSelective(q) ? 'exact' : 'bounded');
    let rows = await this.page(q, limit, after, ranking);
    if (ranking === 'bounded' && after === undefined && rows.length <= limit) {
      // fewer candidates match than a page holds (a phrase of common words, a query of
      // exclusions): rank every match instead; the cursor keeps that choice
      ranking = 'exact';
      rows = await this.page(q, limit, after, ranking);
    }
    const page = rows.slice(0, limit);
    const headlines = await this.headlinesInFull(q, page);
    const last = page.at(-1);
    return {
      items: page.map((row) => ({
        ...toSummaryFields(row),
        excerpt: excerptFromHeadline(headlines.get(row.id) ?? row.headline),
        rank: row.rank,
      })),
      nextCursor:
        rows.length > limit && last !== undefined
          ? encodeCursor({ v: 1, k: 'search', q: queryFingerprint(q), rank: last.rank, id: last.id, m: ranking })
          : null,
      ranking,
    };
  }

  /**
   * Whether at most exactRankLimit documents match, by PostgreSQL's own estimate (EXPLAIN: the
   * planner's row count for the query, from the column's lexeme statistics; about 0.2 ms).
   * Counting instead costs 30-90 ms for a common word at 100,000 documents: a GIN index only
   * answers with a bitmap of every match. A wrong guess costs time, never results: a broad query
   * whose candidates yield less than a page is ranked exactly after all.
   */
  private async isSelective(q: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
      `EXPLAIN (FORMAT JSON) SELECT 1 FROM documents WHERE search @@ ${TSQUERY}`,
      [q],
    );
    const estimate = rows[0]?.['QUERY PLAN'][0].Plan['Plan Rows'] ?? 0;
    return estimate <= this.exactRankLimit;
  }

  private async page(q: string, limit: number, after: SearchCursor | undefined, ranking: Ranking): Promise<RankedRow[]> {
    // one row more than the page tells whether another page follows
    const params: unknown[] = [q, limit + 1, HEADLINE_STRIP_CHARS, HEADLINE_OPTIONS];
    let keyset = '';
    if (after !== undefined) {
      params.push(after.rank, after.id);
      keyset = `WHERE (rank, id) < ($5::real, $6::text)`;
    }
    let matches = `SELECT d.id, ${RANK} AS rank FROM documents d CROSS JOIN query WHERE d.search @@ query.tsq`;
    let candidates = '';
    if (ranking === 'bounded') {
      if (ONE_WORD.test(q)) {
        // a one-word query's rank is the word's precomputed impact (the same ts_rank, computed
        // at write time): the page is read from the index in rank order, nothing is ranked now
        matches = `SELECT id, impact AS rank FROM document_terms WHERE lexeme = (tsvector_to_array(to_tsvector('${SEARCH_CONFIG}', $1)))[1]`;
      } else {
        // with more words, the best candidates of each are ranked with ts_rank
        params.push(this.candidatesPerTerm);
        candidates = `,
          candidates AS (
            SELECT DISTINCT best.id
            FROM (SELECT DISTINCT lexeme FROM unnest(tsvector_to_array(to_tsvector('${SEARCH_CONFIG}', $1))) AS lexeme) terms
            CROSS JOIN LATERAL (
              SELECT t.id FROM document_terms t WHERE t.lexeme = terms.lexeme ORDER BY t.impact DESC, t.id DESC LIMIT $${params.length}
            ) best
          ),
          -- fetched by id, materialized: the planner cannot estimate "search @@ (a CTE)" and would
          -- rather scan every match with the GIN index and join the candidates to them
          candidate_documents AS MATERIALIZED (SELECT d.id, d.search FROM candidates JOIN documents d USING (id))`;
        matches = `SELECT d.id, ${RANK} AS rank FROM candidate_documents d CROSS JOIN query WHERE d.search @@ query.tsq`;
      }
    }
    // headlines are computed for the page only, from a window of the text, after the LIMIT
    const { rows } = await this.pool.query<RankedRow>(
      `WITH query AS (SELECT ${TSQUERY} AS tsq),${PATTERN}${candidates}
       SELECT ${prefixed(SUMMARY_COLUMNS)}, page.rank,
              ts_headline('${SEARCH_CONFIG}', ${HEADLINE_SOURCE}, query.tsq, $4) AS headline,
              ts_filter(d.search, '{b}') @@ query.tsq AS text_matches
       FROM (
         SELECT id, rank FROM (${matches}) matches
         ${keyset}
         ORDER BY rank DESC, id DESC
         LIMIT $2
       ) page
       JOIN documents d USING (id) CROSS JOIN query CROSS JOIN pattern
       ORDER BY page.rank DESC, page.id DESC`,
      params,
    );
    return rows;
  }

  /**
   * Headlines of the page rows whose text matches but whose window showed no match: taken again
   * from the whole indexed text (slower, and rare). A document found by its title alone keeps
   * the beginning of its text.
   */
  private async headlinesInFull(q: string, page: readonly RankedRow[]): Promise<Map<string, string>> {
    const missed = page.filter(
      (row) => row.text_matches && row.text_chars > HEADLINE_WINDOW_CHARS && !row.headline.includes(HEADLINE_STRIP_CHARS[0] as string),
    );
    if (missed.length === 0) return new Map();
    const { rows } = await this.pool.query<{ id: string; headline: string }>(
      `SELECT id, ts_headline('${SEARCH_CONFIG}', translate(left(text, ${SEARCH_TEXT_CHARS}), $3, ''), ${TSQUERY}, $4) AS headline
       FROM documents WHERE id = ANY($2::text[])`,
      [q, missed.map((row) => row.id), HEADLINE_STRIP_CHARS, HEADLINE_OPTIONS],
    );
    return new Map(rows.map((row) => [row.id, row.headline]));
  }
}

function prefixed(columns: string): string {
  return columns
    .split(', ')
    .map((column) => `d.${column}`)
    .join(', ');
}
