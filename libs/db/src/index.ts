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
export {
  filePassword,
  isAuthenticationFailure,
  RotatingPassword,
  secretPassword,
  type PasswordReader,
  type PasswordStage,
} from './credentials.js';
export {
  DATABASE_ROLES,
  grantRoles,
  LOGIN_ROLES,
  newPassword,
  provisionRoles,
  scramVerifier,
  setRolePassword,
  type DatabaseRoles,
  type LoginRole,
} from './roles.js';
export { rotateCredentials, rotateRole, SecretsManagerCredentialStore, setupDatabase, type CredentialStore, type SetupResult } from './rotation.js';
