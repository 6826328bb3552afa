import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The workspace root: the nearest folder above this file that holds nx.json. */
export function findWorkspaceRoot(from: string = import.meta.dirname): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${from}: run docflow-local inside the docflow workspace`);
    dir = parent;
  }
  return dir;
}

/** Where local data lives: `DOCFLOW_DATA_DIR`, or `.docflow/` in the workspace (git-ignored). */
export function dataDirOf(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env['DOCFLOW_DATA_DIR'] ?? join(root, '.docflow'));
}

/** A port from the environment (`DOCFLOW_<NAME>_PORT`), or the default; rejects what is not a port. */
export function portFrom(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const value = env[variable];
  if (value === undefined || value.trim() === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`${variable} must be a TCP port between 1 and 65535 (got "${value}")`);
  }
  return port;
}
