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
