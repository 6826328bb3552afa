import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Who uses a local environment: every docflow CLI process (`npm start`, `nx serve`, `local env`)
 * registers itself in `<dataDir>/users/<pid>.json` with the services it runs. The owner of the
 * environment stops PostgreSQL and the emulator only when no other user is left, and a second
 * start can say which process already serves a port.
 */
export interface EnvironmentUser {
  readonly pid: number;
  readonly startedAt: string;
  /** What was run: `start`, `serve api`, `env`. */
  readonly command: string;
  readonly services: readonly { readonly name: string; readonly url?: string }[];
}

const USERS_DIR = 'users';

export async function registerUser(dataDir: string, user: Omit<EnvironmentUser, 'pid' | 'startedAt'>): Promise<() => Promise<void>> {
  const dir = join(dataDir, USERS_DIR);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${process.pid}.json`);
  const entry: EnvironmentUser = { ...user, pid: process.pid, startedAt: new Date().toISOString() };
  await writeFile(file, `${JSON.stringify(entry, null, 2)}\n`);
  return () => rm(file, { force: true });
}

/** The users still alive (entries of processes that are gone are removed). */
export async function liveUsers(dataDir: string): Promise<EnvironmentUser[]> {
  const dir = join(dataDir, USERS_DIR);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const users: EnvironmentUser[] = [];
  for (const name of names.filter((entry) => entry.endsWith('.json'))) {
    const file = join(dir, name);
    try {
      const user = JSON.parse(await readFile(file, 'utf8')) as EnvironmentUser;
      if (isAlive(user.pid)) users.push(user);
      else await rm(file, { force: true });
    } catch {
      await rm(file, { force: true });
    }
  }
  return users;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function describeUser(user: EnvironmentUser): string {
  const services = user.services.map((service) => (service.url ? `${service.name} at ${service.url}` : service.name));
  return `process ${user.pid} (docflow ${user.command}, started ${user.startedAt}${services.length > 0 ? `; ${services.join(', ')}` : ''})`;
}
