import type { ContentType, Document, DocumentStatus, DocumentSummary } from '@docflow/contracts';
import { SEARCH_TEXT_CHARS } from '../migrations/search-settings.js';

/** Columns of `documents` as node-postgres returns them. */
export interface DocumentRow {
  id: string;
  url: string;
  content_type: ContentType;
  title: string | null;
  text: string;
  status: DocumentStatus;
  error: string | null;
  sha256: string;
  size_bytes: number;
  received_at: Date;
  processed_at: Date;
  text_chars: number;
}

export type SummaryRow = Omit<DocumentRow, 'text' | 'error'>;

export const DOCUMENT_COLUMNS =
  'id, url, content_type, title, text, status, error, sha256, size_bytes, received_at, processed_at, text_chars';

export const SUMMARY_COLUMNS = 'id, url, content_type, title, status, sha256, size_bytes, received_at, processed_at, text_chars';

export function toDocument(row: DocumentRow): Document {
  return {
    ...toSummaryFields(row),
    text: row.text,
    error: row.error,
  };
}

export function toSummaryFields(row: SummaryRow): Omit<DocumentSummary, 'excerpt' | 'rank'> {
  return {
    id: row.id,
    url: row.url,
    contentType: row.content_type,
    title: row.title,
    status: row.status,
    sha256: row.sha256,
    sizeBytes: row.size_bytes,
    receivedAt: row.received_at.toISOString(),
    processedAt: row.processed_at.toISOString(),
    searchIndex: {
      complete: row.text_chars <= SEARCH_TEXT_CHARS,
      indexedChars: Math.min(row.text_chars, SEARCH_TEXT_CHARS),
    },
  };
}
