import type { Migration } from './migration.js';

/**
 * Search decides between exact and bounded ranking by PostgreSQL's own estimate of how many
 * documents match (search.ts). That estimate comes from the search column's most common lexemes,
 * of which ANALYZE keeps ten times the statistics target: the default (100) covers the 1,000 most
 * common words, so a word in a few percent of the documents was estimated at a fraction of its
 * matches. 1,000 keeps 10,000 lexemes.
 */
export const searchStatistics: Migration = {
  version: 4,
  name: 'search-statistics',
  sql: `
ALTER TABLE documents ALTER COLUMN search SET STATISTICS 1000;
ANALYZE documents;
`,
};
