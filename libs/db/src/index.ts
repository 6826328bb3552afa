export { createPool, ping, DatabaseConfigError, type CreatePoolOptions, type Pool, type PoolClient } from './pool.js';
export {
  migrate,
  MigrationChecksumError,
  MIGRATION_LOCK_KEY,
  type AppliedMigration,
  type MigrateOptions,
  type MigrateResult,
} from './migrations/runner.js';
export { MIGRATIONS } from './migrations/index.js';
export type { Migration } from './migrations/migration.js';
export { SEARCH_CONFIG, SEARCH_TEXT_CHARS, SEARCH_TITLE_CHARS } from './migrations/0001-documents.js';
export {
  DocumentsRepository,
  type FailedDocumentRecord,
  type ListDocumentsOptions,
  type MarkFailedOutcome,
  type ProcessedDocumentRecord,
  type UpsertOutcome,
} from './documents/repository.js';
export { InvalidCursorError } from './documents/cursor.js';
export { isDatabaseUnavailable } from './errors.js';
