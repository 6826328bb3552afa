import type { Migration } from './migration.js';

// The values this migration was applied with (its SQL, and so its checksum, must never change);
// the current ones, and why, are in search-settings.ts.
const SEARCH_TITLE_CHARS = 1_000;
const SEARCH_TEXT_CHARS = 90_000;
const SEARCH_CONFIG = 'english';

export const documents: Migration = {
  version: 1,
  name: 'documents',
  sql: `
CREATE TABLE documents (
  -- COLLATE "C": ids are hex, compared bytewise, so keyset cursors do not depend on the locale
  id text COLLATE "C" PRIMARY KEY CHECK (id ~ '^[0-9a-f]{32}$'),
  url text NOT NULL,
  content_type text NOT NULL CHECK (content_type IN ('text/html', 'text/plain', 'text/markdown')),
  title text,
  text text NOT NULL DEFAULT '',
  status text NOT NULL CHECK (status IN ('processed', 'failed')),
  error text,
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes integer NOT NULL CHECK (size_bytes >= 0),
  -- millisecond precision, as JavaScript dates carry: a cursor holds the exact value
  received_at timestamptz(3) NOT NULL,
  processed_at timestamptz(3) NOT NULL,
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT documents_error_iff_failed CHECK ((status = 'failed') = (error IS NOT NULL)),
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('${SEARCH_CONFIG}'::regconfig, left(coalesce(title, ''), ${SEARCH_TITLE_CHARS})), 'A') ||
    setweight(to_tsvector('${SEARCH_CONFIG}'::regconfig, left(text, ${SEARCH_TEXT_CHARS})), 'B')
  ) STORED
);

CREATE INDEX documents_search_idx ON documents USING gin (search);
-- newest first with keyset pagination: ORDER BY received_at DESC, id DESC
CREATE INDEX documents_recent_idx ON documents (received_at DESC, id DESC);
-- stats: counts by status and the last processing time, from the index alone
CREATE INDEX documents_status_processed_at_idx ON documents (status, processed_at);
`,
};
