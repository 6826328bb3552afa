import type { DocumentList } from '@docflow/contracts';
import { SEARCH_CONFIG, SEARCH_TEXT_CHARS } from '../migrations/search-settings.js';
import type { Pool } from '../pool.js';
import { decodeSearchCursor, encodeCursor, queryFingerprint, type SearchCursor } from './cursor.js';
import {
  HEADLINE_OPTIONS,
  HEADLINE_STRIP_CHARS,
  HEADLINE_WINDOW_CHARS,
  PLAIN_EXCERPT_CHARS,
  excerptFromHeadline,
  excerptFromText,
} from './excerpt.js';
import { SUMMARY_COLUMNS, toSummaryFields, type SummaryRow } from './rows.js';

/**
 * Full-text search that stays fast at any size (decisions.md, "Search at scale"). Ranking every
 * match with `ts_rank` reads every matching search vector: at 100,000 documents a common word
 * matches 60,000 of them. A page is ranked one of two ways, and the answer says which:
 *
 * - **exact**, every query of one word, and queries of several words that PostgreSQL estimates to
 *   match at most `exactRankLimit` documents. A one-word rank is known without reading vectors:
 *   a word found once in a document's text ranks `rank_floor` (a column of the document), every
 *   other word of it (in the title, repeated) is listed with its rank in `document_terms`
 *   (migration 5). The page merges the best listed documents (an index in rank order) with the
 *   best unlisted matches by rank_floor, and skips the latter when no rank_floor can reach the
 *   page. Several words are ranked with ts_rank over every match.
 * - **bounded**, a broader query of several words: the `candidatesPerTerm` best documents of each
 *   word (document_terms) that match the query, ranked with ts_rank. Its listing ends after them.
 *
 * The cursor carries the ranking of a query of several words, so every page of one listing is
 * ranked alike; one word is always exact.
 */
export interface SearchOptions {
  /**
   * Most matches a query of several words may have, as PostgreSQL estimates them, to be ranked
   * exactly; a query matching more is ranked over candidates.
   * @default 500
   */
  readonly exactRankLimit?: number;
  /**
   * Candidates per word for a broad query of several words (and so, roughly, how deep its listing
   * goes).
   * @default 600
   */
  readonly candidatesPerTerm?: number;
}

export type Ranking = 'exact' | 'bounded';

/**
 * Letters and digits only: PostgreSQL's parser makes one word of it (or none, a stop word), so
 * the query is ranked exactly without asking for an estimate. Anything else is estimated; a query
 * that still turns out to be one word is recognized in SQL (`query.word`).
 */
const ONE_WORD = /^[\p{L}\p{N}]+$/u;

interface PageRow extends SummaryRow {
  rank: number;
  /** ts_headline of a window of the text around the first match (null: the match is only in the title). */
  headline: string | null;
  /** The beginning of the text, when the match is only in the title. */
  opening: string | null;
  /** The headline shows no match although the text has one (an accented or capitalized form, say). */
  missed: boolean | null;
}

const TSQUERY = `websearch_to_tsquery('${SEARCH_CONFIG}', $1)`;
const QUERY_WORDS = `tsvector_to_array(to_tsvector('${SEARCH_CONFIG}', $1))`;

/** The query, computed once: its tsquery, and its word when it is one (one lexeme, no operator). */
const QUERY = `
  query AS MATERIALIZED (
    SELECT q.tsq, CASE WHEN numnode(q.tsq) = 1 AND cardinality(q.words) = 1 THEN q.words[1] END AS word
    FROM (SELECT ${TSQUERY} AS tsq, ${QUERY_WORDS} AS words) q
  )`;

/**
 * Where an excerpt is taken from: the first word of the text that starts like one of the query's
 * words, after a space or a line break, in lower case or capitalized (stems are prefixes of most
 * words; the last letter is dropped for y→i and the like). strpos, not a regular expression: it
 * costs a tenth. A miss (an accented word, one after punctuation) is caught afterwards
 * (`headlinesInFull`).
 */
const STARTS = `
  starts AS MATERIALIZED (
    SELECT coalesce(array_agg(s.start), '{}') AS strings
    FROM (SELECT CASE WHEN length(lexeme) >= 4 THEN left(lexeme, -1) ELSE lexeme END AS stem FROM unnest(${QUERY_WORDS}) AS lexeme) w
    CROSS JOIN LATERAL (VALUES (' ' || w.stem), (E'\\n' || w.stem), (' ' || initcap(w.stem)), (E'\\n' || initcap(w.stem))) AS s(start)
  )`;

interface Keyset {
  readonly rank: string;
  readonly id: string;
}

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
    // one word is exact at any depth, whatever an earlier cursor says
    let ranking: Ranking = ONE_WORD.test(q) ? 'exact' : (after?.m ?? ((await this.isSelective(q)) ? 'exact' : 'bounded'));
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
        excerpt:
          row.headline === null ? excerptFromText(row.opening ?? '') : excerptFromHeadline(headlines.get(row.id) ?? row.headline),
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
   * Counting instead costs 10-90 ms for common words at 100,000 documents: a GIN index only
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

  /**
   * One page and one row more (which tells whether another page follows), with what its excerpts
   * are made of. A prepared statement per shape: its plan does not depend on the query (the
   * tsquery comes from a materialized CTE, so no estimate can steer it), so PostgreSQL plans each
   * shape once per connection.
   */
  private async page(q: string, limit: number, after: SearchCursor | undefined, ranking: Ranking): Promise<PageRow[]> {
    const params: unknown[] = [q, limit + 1, limit, HEADLINE_STRIP_CHARS, HEADLINE_OPTIONS];
    let keyset: Keyset | undefined;
    if (after !== undefined) {
      params.push(after.rank, after.id);
      keyset = { rank: `$${params.length - 1}::real`, id: `$${params.length}::text` };
    }
    let ranked: string;
    if (ranking === 'exact') {
      ranked = exactlyRanked(keyset);
    } else {
      params.push(this.candidatesPerTerm);
      ranked = boundedRanked(keyset, `$${params.length}`);
    }
    const name = `docflow-search-${ranking}${keyset === undefined ? '' : '-after'}`;
    const { rows } = await this.pool.query<PageRow>({ name, text: pageSql(ranked), values: params });
    return rows;
  }

  /**
   * Headlines of the page rows whose text matches but whose window showed no match: taken again
   * from the whole indexed text (slower, and rare).
   */
  private async headlinesInFull(q: string, page: readonly PageRow[]): Promise<Map<string, string>> {
    const missed = page.filter((row) => row.missed === true);
    if (missed.length === 0) return new Map();
    const { rows } = await this.pool.query<{ id: string; headline: string }>(
      `SELECT id, ts_headline('${SEARCH_CONFIG}', translate(left(text, ${SEARCH_TEXT_CHARS}), $3, ''), ${TSQUERY}, $4) AS headline
       FROM documents WHERE id = ANY($2::text[])`,
      [q, missed.map((row) => row.id), HEADLINE_STRIP_CHARS, HEADLINE_OPTIONS],
    );
    return new Map(rows.map((row) => [row.id, row.headline]));
  }
}

/**
 * Every match, in exact ts_rank order. One word: the listed documents (document_terms, in rank
 * order) merged with the unlisted matches, whose rank is their rank_floor; the latter are only
 * looked at when one could reach the page (its rank_floor at least the page's last listed rank,
 * and that no higher than the highest rank_floor of all). Several words: ts_rank of every match.
 * `locate`: whether the text holds a match to show (false when the word is only in the title).
 */
function exactlyRanked(keyset: Keyset | undefined): string {
  const afterListed = keyset === undefined ? '' : `AND (t.rank, t.id) < (${keyset.rank}, ${keyset.id})`;
  // documents listed before the cursor were shown with their listed rank: never again with their rank_floor
  const shownBefore =
    keyset === undefined
      ? ''
      : `AND d.id NOT IN (SELECT t.id FROM document_terms t WHERE t.lexeme = query.word AND (t.rank, t.id) >= (${keyset.rank}, ${keyset.id}))`;
  const afterMatch = keyset === undefined ? '' : `WHERE (m.rank, m.id) < (${keyset.rank}, ${keyset.id})`;
  return `
  listed AS MATERIALIZED (
    SELECT t.id, t.rank, t.in_text FROM document_terms t
    WHERE t.lexeme = (SELECT word FROM query) ${afterListed}
    ORDER BY t.rank DESC, t.id DESC
    LIMIT $2
  ),
  -- the page's last listed rank: an unlisted match needs a rank_floor at least that high
  bar AS MATERIALIZED (SELECT CASE WHEN count(*) = $2 THEN min(rank) ELSE 0 END AS rank FROM listed),
  unlisted AS (
    SELECT m.id, m.rank, true AS in_text
    FROM (
      SELECT d.id, CASE WHEN query.word IS NULL THEN ts_rank(d.search, query.tsq, 1) ELSE d.rank_floor END AS rank
      FROM documents d CROSS JOIN query
      WHERE d.search @@ query.tsq
        -- float8: kept out of the rank_floor index, which only answers max(rank_floor)
        AND (query.word IS NULL OR (d.rank_floor::float8 >= (SELECT rank FROM bar) AND d.id NOT IN (SELECT id FROM listed) ${shownBefore}))
        AND ((SELECT word FROM query) IS NULL OR (SELECT rank FROM bar) <= (SELECT max(rank_floor) FROM documents))
    ) m
    ${afterMatch}
    ORDER BY m.rank DESC, m.id DESC
    LIMIT $2
  ),
  ranked AS (
    SELECT id, rank, in_text AS locate FROM (SELECT * FROM listed UNION ALL SELECT * FROM unlisted) u
    ORDER BY rank DESC, id DESC
    LIMIT $2
  )`;
}

/**
 * The `perTerm` documents where each word of the query weighs most (document_terms), those of
 * them that match the query ranked with ts_rank.
 */
function boundedRanked(keyset: Keyset | undefined, perTerm: string): string {
  const afterMatch = keyset === undefined ? '' : `WHERE (m.rank, m.id) < (${keyset.rank}, ${keyset.id})`;
  return `
  candidates AS (
    SELECT DISTINCT best.id
    FROM (SELECT DISTINCT lexeme FROM unnest(${QUERY_WORDS}) AS lexeme) words
    CROSS JOIN LATERAL (
      SELECT t.id FROM document_terms t WHERE t.lexeme = words.lexeme ORDER BY t.rank DESC, t.id DESC LIMIT ${perTerm}
    ) best
  ),
  -- which candidates match is the GIN index's answer (a bitmap of the query's matches, ANDed
  -- with the candidates' ids): only the matches' vectors are read, once each, by ts_rank
  ranked AS (
    SELECT m.id, m.rank, true AS locate
    FROM (
      SELECT d.id, ts_rank(d.search, (SELECT tsq FROM query), 1) AS rank FROM documents d
      WHERE d.id = ANY (ARRAY(SELECT id FROM candidates)) AND d.search @@ (SELECT tsq FROM query)
    ) m
    ${afterMatch}
    ORDER BY m.rank DESC, m.id DESC
    LIMIT $2
  )`;
}

/**
 * The page's documents with what their excerpts are made of, computed for the page only ($3 rows
 * of the $2 ranked): ts_headline of a window of the text around the first match (it parses and
 * stems all it is given), or the text's beginning when the match is only in the title.
 */
function pageSql(ranked: string): string {
  const window = `substr(t.body, greatest(1, t.at - ${HEADLINE_WINDOW_CHARS / 4}), ${HEADLINE_WINDOW_CHARS})`;
  return `
  WITH ${QUERY},${STARTS},${ranked},
  page AS (SELECT id, rank, locate, row_number() OVER (ORDER BY rank DESC, id DESC) <= $3 AS shown FROM ranked)
  SELECT ${prefixed(SUMMARY_COLUMNS)}, page.rank, excerpt.headline, excerpt.opening,
         CASE WHEN strpos(excerpt.headline, left($4, 1)) = 0 THEN ts_filter(d.search, '{b}') @@ query.tsq END AS missed
  FROM page JOIN documents d USING (id) CROSS JOIN query CROSS JOIN starts
  CROSS JOIN LATERAL (
    SELECT CASE WHEN page.shown AND page.locate THEN ts_headline('${SEARCH_CONFIG}', translate(${window}, $4, ''), query.tsq, $5) END AS headline,
           CASE WHEN page.shown AND NOT page.locate THEN left(d.text, ${PLAIN_EXCERPT_CHARS * 4}) END AS opening
    FROM (
      -- ' ' || text: read once (and a match at the very start is found like the others)
      SELECT b.body, coalesce((SELECT min(nullif(strpos(b.body, s), 0)) FROM unnest(starts.strings) AS s), 1) AS at
      FROM (
        SELECT CASE WHEN NOT (page.shown AND page.locate) THEN NULL
                    WHEN d.text_chars > ${SEARCH_TEXT_CHARS} THEN ' ' || left(d.text, ${SEARCH_TEXT_CHARS})
                    ELSE ' ' || d.text END AS body
        OFFSET 0
      ) b
      -- OFFSET 0: "at" is computed once, not once per use in the window
      OFFSET 0
    ) t
  ) excerpt
  ORDER BY page.rank DESC, page.id DESC`;
}

function prefixed(columns: string): string {
  return columns
    .split(', ')
    .map((column) => `d.${column}`)
    .join(', ');
}
