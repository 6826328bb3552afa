export { QUERY_TIMEOUT_MARGIN_MS, createPool, ping, DatabaseConfigError, type CreatePoolOptions, type Pool, type PoolClient } from './pool.js';
export {
  migrate,
  MigrationChecksumError,
  type AppliedMigration,
  type MigrateOptions,
  type MigrateResult,
} from './migrations/runner.js';
export type { Migration } from './migrations/migration.js';
export {
  DocumentsRepository,
  type FailedDocumentRecord,
  type ListDocumentsOptions,
  type MarkFailedOutcome,
  type ProcessedDocumentRecord,
  type UpsertOutcome,
} from './documents/repository.js';
export { InvalidCursorError } from './documents/cursor.js';
export type { Ranking, SearchOptions } from './documents/search.js';
export { isDatabaseUnavailable, localDatabaseHint } from './errors.js';
