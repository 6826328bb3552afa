/**
 * How documents are indexed for search, shared by the migrations that build the index and the
 * queries that read it (a query must use the configuration the index was built with).
 */

/**
 * Characters of a title and of a text that go into the search vector. PostgreSQL refuses a
 * tsvector over 1 MiB, and a 1 MiB document of distinct words makes a vector of about 2 to 10.5
 * bytes per character (measured; the worst is hyphenated words of 4-byte letters, which store the
 * whole word and each part), so indexing the whole text could make a valid document unstorable.
 * 90,000 characters (about 14,000 English words) keep the worst case near 950 KB; the stored
 * text stays complete, and the api says when a text is longer than this.
 */
export const SEARCH_TITLE_CHARS = 1_000;
export const SEARCH_TEXT_CHARS = 90_000;

/**
 * `english` (stemming: "running" finds "runs"; stop words keep vectors small and ranks meaningful)
 * with accents folded by `unaccent` before stemming, so "cafe" finds "café" and the other way
 * round. A literal everywhere, so the generated search column stays immutable.
 */
export const SEARCH_CONFIG = 'docflow_english';
