import { documents } from './0001-documents.js';
import type { Migration } from './migration.js';

/** Every migration of the docflow schema, oldest first. Append; never edit an applied one. */
export const MIGRATIONS: readonly Migration[] = [documents];
