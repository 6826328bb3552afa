import {
  DOCUMENT_LIST_MAX_LIMIT,
  DOCUMENT_STATUSES,
  type ContentType,
  type Document,
  type DocumentList,
  type DocumentStatus,
  type Stats,
} from '@docflow/contracts';
import type { Pool } from '../pool.js';
import { decodeRecentCursor, encodeCursor } from './cursor.js';
import { PLAIN_EXCERPT_CHARS, excerptFromText } from './excerpt.js';
import { DOCUMENT_COLUMNS, SUMMARY_COLUMNS, toDocument, toSummaryFields, type DocumentRow, type SummaryRow } from './rows.js';
import { DocumentSearch, type SearchOptions } from './search.js';

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

type RecentRow = SummaryRow & { excerpt_source: string };

/** Documents in PostgreSQL. Every write is idempotent: a document's id is derived from its content. */
export class DocumentsRepository {
  private readonly searcher: DocumentSearch;

  /** `search` tunes how broad queries are ranked (search.ts); the defaults suit production. */
  constructor(
    private readonly pool: Pool,
    search: SearchOptions = {},
  ) {
    this.searcher = new DocumentSearch(pool, search);
  }

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
    return options.q === undefined ? this.listRecent(options) : this.searcher.search(options.q, options.limit, options.cursor);
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
      ranking: null,
    };
  }
}
