import { createHash } from 'node:crypto';

/**
 * One schema change. Migrations are TypeScript modules rather than .sql files so that they are
 * part of the single-file bundle each app ships as (nothing to find on disk at run time).
 */
export interface Migration {
  /** Applied in ascending order. Never renumber, edit or delete an applied migration: add one. */
  readonly version: number;
  /** Short description, stored next to the version. */
  readonly name: string;
  /** One or more statements, run in one transaction. */
  readonly sql: string;
}

/** What tells an applied migration from an edited one. */
export function checksumOf(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}
