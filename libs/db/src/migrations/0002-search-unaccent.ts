import type { Migration } from './migration.js';
import { SEARCH_CONFIG, SEARCH_TEXT_CHARS, SEARCH_TITLE_CHARS } from './search-settings.js';

/**
 * Search as a person expects it: accents fold (`unaccent`, available on RDS; a trusted
 * extension, so the database owner may create it), and the vector is rebuilt with the new
 * configuration. Punctuation and quotes are split from words by the database's UTF-8 character
 * classification (RDS's en_US.UTF-8; the local databases are created with a UTF-8 locale too).
 * `text_chars` lets the api say, without reading the text, whether search covers all of it.
 */
export const searchUnaccent: Migration = {
  version: 2,
  name: 'search-unaccent',
  sql: `
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION ${SEARCH_CONFIG} (COPY = pg_catalog.english);
-- non-ASCII words lose their accents before stemming; ASCII words have none to lose
ALTER TEXT SEARCH CONFIGURATION ${SEARCH_CONFIG} ALTER MAPPING FOR word, hword, hword_part WITH unaccent, english_stem;

ALTER TABLE documents DROP COLUMN search;
ALTER TABLE documents ADD COLUMN search tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('${SEARCH_CONFIG}'::regconfig, left(coalesce(title, ''), ${SEARCH_TITLE_CHARS})), 'A') ||
  setweight(to_tsvector('${SEARCH_CONFIG}'::regconfig, left(text, ${SEARCH_TEXT_CHARS})), 'B')
) STORED;
CREATE INDEX documents_search_idx ON documents USING gin (search);

ALTER TABLE documents ADD COLUMN text_chars integer GENERATED ALWAYS AS (char_length(text)) STORED;
`,
};
