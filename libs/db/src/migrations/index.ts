import { documents } from './0001-documents.js';
import { searchUnaccent } from './0002-search-unaccent.js';
import { searchTerms } from './0003-search-terms.js';
import { searchStatistics } from './0004-search-statistics.js';
import { searchWordRanks } from './0005-search-word-ranks.js';
import type { Migration } from './migration.js';

/** Every migration of the docflow schema, oldest first. Append; never edit an applied one. */
export const MIGRATIONS: readonly Migration[] = [documents, searchUnaccent, searchTerms, searchStatistics, searchWordRanks];
