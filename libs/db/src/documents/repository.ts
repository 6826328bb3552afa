import {
  DOCUMENT_LIST_MAX_LIMIT,
  DOCUMENT_STATUSES,
  type ContentType,
  type Document,
  type DocumentList,
  type DocumentStatus,
  type Stats,
} from '@docflow/contracts';
import { SEARCH_CONFIG } from '../migrations/0001-documents.js';
import type { Pool } from '../pool.js';
import { decodeRecentCursor, decodeSearchCursor, encodeCursor, queryFingerprint } from './cursor.js';
import {
  HEADLINE_OPTIONS,
  HEADLINE_SOURCE_CHARS,
  HEADLINE_STRIP_CHARS,
  PLAIN_EXCERPT_CHARS,
  excerptFromHeadline,
  excerptFromText,
} from './excerpt.js';
import { DOCUMENT_COLUMNS, SUMMARY_COLUMNS, toDocument, toSummaryFields, type DocumentRow, type SummaryRow } from './rows.js';

/** A document the worker extracted successfully. */
export interface ProcessedDocumentRecord {
  readonly id: string;
  readonly url: string;
  readonly contentType: ContentType;
  readonly title: string | null;
  readonly text: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  /** When ingest accepted it (ISO 8601 or a Date). */
  readonly receivedAt: string | Date;
}

/** A document the worker gave up on, with the reason. */
export interface FailedDocumentRecord {
  readonly id: string;
  readonly url: string;
  readonly contentType: ContentType;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly receivedAt: string | Date;
  readonly error: string;
}

export type UpsertOutcome = 'inserted' | 'updated';

/** `unchanged`: the document was already processed, and a late failure never undoes that. */
export type MarkFailedOutcome = 'inserted' | 'updated' | 'unchanged';

export interface ListDocumentsOptions {
  /**
   * Full-text query (web search syntax: words, "phrases", -exclusions, or). Ranked when set.
   * @default - every document, newest first
   */
  readonly q?: string;
  /** Page size, 1 to DOCUMENT_LIST_MAX_LIMIT. */
  readonly limit: number;
  /**
   * `nextCursor` of the previous page. Throws InvalidCursorError when it is not one.
   * @default - the first page
   */
  readonly cursor?: string;
}

type RankedRow = SummaryRow & { rank: number; headline: string };
type RecentRow = SummaryRow & { excerpt_source: string };

// ts_rank normalization 1: divide by 1 + log(length), so long documents do not win by size alone
const RANK = `ts_rank(d.search, query.tsq, 1)`;

/** Documents in PostgreSQL. Every write is idempotent: a document's id is derived from its content. */
export class DocumentsRepository {
  constructor(private readonly pool: Pool) {}

  /** Stores a processed document. Re-delivery updates the same row; it never adds another. */
  async upsert(record: ProcessedDocumentRecord): Promise<UpsertOutcome> {
    const { rows } = await this.pool.query<{ inserted: boolean }>(
      `INSERT INTO documents AS d
         (id, url, content_type, title, text, status, error, sha256, size_bytes, received_at, processed_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'processed', NULL, $6, $7, $8, now(), now())
       ON CONFLICT (id) DO UPDATE SET
         url = excluded.url, content_type = excluded.content_type, title = excluded.title, text = excluded.text,
         status = 'processed', error = NULL, sha256 = excluded.sha256, size_bytes = excluded.size_bytes,
         -- the same content submitted again keeps its place: the first time it arrived
         received_at = least(d.received_at, excluded.received_at),
         processed_at = excluded.processed_at, updated_at = now()
       RETURNING (xmax = 0) AS inserted`,
      [
        record.id,
        record.url,
        record.contentType,
        record.title,
        record.text,
        record.sha256,
        record.sizeBytes,
        record.receivedAt,
      ],
    );
    return rows[0]?.inserted ? 'inserted' : 'updated';
  }

  /**
   * Records why a document could not be processed, so it is visible instead of lost. A document
   * that was processed stays processed (a duplicate delivery may fail after the first succeeded).
   */
  async markFailed(record: FailedDocumentRecord): Promise<MarkFailedOutcome> {
    const { rows } = await this.pool.query<{ inserted: boolean }>(
      `INSERT INTO documents AS d
         (id, url, content_type, title, text, status, error, sha256, size_bytes, received_at, processed_at, updated_at)
       VALUES ($1, $2, $3, NULL, '', 'failed', $4, $5, $6, $7, now(), now())
       ON CONFLICT (id) DO UPDATE SET
         error = excluded.error, received_at = least(d.received_at, excluded.received_at),
         processed_at = excluded.processed_at, updated_at = now()
       WHERE d.status = 'failed'
       RETURNING (xmax = 0) AS inserted`,
      [record.id, record.url, record.contentType, record.error, record.sha256, record.sizeBytes, record.receivedAt],
    );
    const row = rows[0];
    if (row === undefined) return 'unchanged';
    return row.inserted ? 'inserted' : 'updated';
  }

  async get(id: string): Promise<Document | undefined> {
    const { rows } = await this.pool.query<DocumentRow>(`SELECT ${DOCUMENT_COLUMNS} FROM documents WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : toDocument(rows[0]);
  }

  /**
   * One page of documents: ranked by relevance to `q` (rank, then id, descending), or newest
   * first (received_at, then id, descending). Keyset pagination: a page never repeats or skips
   * a row that existed when the listing started, however deep it is.
   */
  async list(options: ListDocumentsOptions): Promise<DocumentList> {
    if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > DOCUMENT_LIST_MAX_LIMIT) {
      throw new RangeError(`limit: must be an integer from 1 to ${DOCUMENT_LIST_MAX_LIMIT}`);
    }
    return options.q === undefined ? this.listRecent(options) : this.search(options.q, options);
  }

  async stats(): Promise<Stats> {
    const { rows } = await this.pool.query<{ status: DocumentStatus; count: number; last_processed_at: Date | null }>(
      `SELECT status, count(*)::int AS count, max(processed_at) AS last_processed_at FROM documents GROUP BY status`,
    );
    const byStatus = Object.fromEntries(DOCUMENT_STATUSES.map((status) => [status, 0])) as Record<DocumentStatus, number>;
    let lastProcessedAt: Date | null = null;
    for (const row of rows) {
      byStatus[row.status] = row.count;
      if (row.status === 'processed') lastProcessedAt = row.last_processed_at;
    }
    return {
      documents: { total: rows.reduce((sum, row) => sum + row.count, 0), byStatus },
      lastProcessedAt: lastProcessedAt?.toISOString() ?? null,
    };
  }

  private async search(q: string, options: ListDocumentsOptions): Promise<DocumentList> {
    const after = options.cursor === undefined ? undefined : decodeSearchCursor(options.cursor, q);
    // one row more than the page tells whether another page follows
    const params: unknown[] = [q, options.limit + 1, HEADLINE_STRIP_CHARS, HEADLINE_OPTIONS];
    let keyset = '';
    if (after !== undefined) {
      params.push(after.rank, after.id);
      keyset = `WHERE (rank, id) < ($5::real, $6::text)`;
    }
    // headlines are computed for the page only, from a bounded prefix, after the LIMIT
    const { rows } = await this.pool.query<RankedRow>(
      `WITH query AS (SELECT websearch_to_tsquery('${SEARCH_CONFIG}', $1) AS tsq)
       SELECT ${prefixed(SUMMARY_COLUMNS)}, page.rank,
              ts_headline('${SEARCH_CONFIG}', translate(left(d.text, ${HEADLINE_SOURCE_CHARS}), $3, ''), query.tsq, $4) AS headline
       FROM (
         SELECT id, rank FROM (
           SELECT d.id, ${RANK} AS rank FROM documents d CROSS JOIN query WHERE d.search @@ query.tsq
         ) matches
         ${keyset}
         ORDER BY rank DESC, id DESC
         LIMIT $2
       ) page
       JOIN documents d USING (id) CROSS JOIN query
       ORDER BY page.rank DESC, page.id DESC`,
      params,
    );
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => ({ ...toSummaryFields(row), excerpt: excerptFromHeadline(row.headline), rank: row.rank })),
      nextCursor:
        rows.length > options.limit && last !== undefined
          ? encodeCursor({ v: 1, k: 'search', q: queryFingerprint(q), rank: last.rank, id: last.id })
          : null,
    };
  }

  private async listRecent(options: ListDocumentsOptions): Promise<DocumentList> {
    const after = options.cursor === undefined ? undefined : decodeRecentCursor(options.cursor);
    const params: unknown[] = [options.limit + 1];
    let keyset = '';
    if (after !== undefined) {
      params.push(after.at, after.id);
      keyset = `WHERE (received_at, id) < ($2::timestamptz, $3::text)`;
    }
    const { rows } = await this.pool.query<RecentRow>(
      `SELECT ${SUMMARY_COLUMNS}, left(text, ${PLAIN_EXCERPT_CHARS * 4}) AS excerpt_source
       FROM documents
       ${keyset}
       ORDER BY received_at DESC, id DESC
       LIMIT $1`,
      params,
    );
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => ({ ...toSummaryFields(row), excerpt: excerptFromText(row.excerpt_source), rank: null })),
      nextCursor:
        rows.length > options.limit && last !== undefined
          ? encodeCursor({ v: 1, k: 'recent', at: last.received_at.toISOString(), id: last.id })
          : null,
    };
  }
}

function prefixed(columns: string): string {
  return columns
    .split(', ')
    .map((column) => `d.${column}`)
    .join(', ');
}
