import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Pool, PoolClient } from './pool.js';

/**
 * docflow's database roles. The owner owns the schema and cannot log in: migrations run as the
 * master user with `SET ROLE` to it, so every object they create belongs to it. The api reads; the
 * worker reads and writes documents (and what a trigger derives from them). Each service logs in
 * with its own role and password.
 */
export interface DatabaseRoles {
  readonly owner: string;
  readonly api: string;
  readonly worker: string;
}

export const DATABASE_ROLES: DatabaseRoles = { owner: 'docflow_owner', api: 'docflow_api', worker: 'docflow_worker' };

/** The roles that log in (their passwords are the ones rotated). */
export type LoginRole = 'api' | 'worker';
export const LOGIN_ROLES: readonly LoginRole[] = ['api', 'worker'];

/** Tables that belong to the migrations alone (neither service reads them). */
const PRIVATE_TABLES = ['schema_migrations'];

async function withClient<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await work(client);
  } finally {
    client.release();
  }
}

const ident = (name: string) => pg.escapeIdentifier(name);

/**
 * As the master user: the three roles (created when missing, never dropped), the owner granted to
 * the master so that migrations can `SET ROLE` to it, the database's CONNECT for the services, and
 * the owner's right to create in the database and in `public` (extensions, tables). Idempotent.
 */
export async function provisionRoles(master: Pool, roles: DatabaseRoles = DATABASE_ROLES): Promise<void> {
  await withClient(master, async (client) => {
    const { rows } = await client.query<{ database: string }>('SELECT current_database() AS database');
    const database = ident(rows[0]?.database ?? '');
    for (const [role, login] of [
      [roles.owner, false],
      [roles.api, true],
      [roles.worker, true],
    ] as const) {
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      // a login role is created without a password: it cannot log in until the rotation sets one
      if (exists.rowCount === 0) await client.query(`CREATE ROLE ${ident(role)} ${login ? 'LOGIN' : 'NOLOGIN'}`);
    }
    await client.query(`GRANT ${ident(roles.owner)} TO CURRENT_USER`);
    await client.query(`GRANT CONNECT, CREATE ON DATABASE ${database} TO ${ident(roles.owner)}`);
    await client.query(`GRANT CONNECT ON DATABASE ${database} TO ${ident(roles.api)}, ${ident(roles.worker)}`);
    await client.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${ident(roles.owner)}`);
  });
}

/**
 * As the owner (after the migrations): the api may read every table but the migrations' own, the
 * worker may also write them and use their sequences and functions; the same for tables later
 * migrations create (default privileges). Idempotent.
 */
export async function grantRoles(client: PoolClient, roles: DatabaseRoles = DATABASE_ROLES): Promise<void> {
  const api = ident(roles.api);
  const worker = ident(roles.worker);
  const owner = ident(roles.owner);
  await client.query(`GRANT USAGE ON SCHEMA public TO ${api}, ${worker}`);
  await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${api}`);
  await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${worker}`);
  await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${worker}`);
  for (const table of PRIVATE_TABLES) {
    const exists = await client.query('SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2', ['public', table]);
    if (exists.rowCount !== 0) await client.query(`REVOKE ALL ON TABLE public.${ident(table)} FROM ${api}, ${worker}`);
  }
  await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT SELECT ON TABLES TO ${api}`);
  await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${worker}`);
  await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${worker}`);
}

/** A new random password: 32 bytes, URL-safe (no character a connection string would need escaped). */
export function newPassword(): string {
  return randomBytes(32).toString('base64url');
}

const SCRAM_ITERATIONS = 4096;

/**
 * PostgreSQL's SCRAM-SHA-256 verifier of a password (RFC 5802 and 7677, the format
 * `pg_authid.rolpassword` holds). Sending the verifier instead of the password keeps the password
 * out of the server's statement logs and `pg_stat_statements`.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, SCRAM_ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** As the master user: the role's new password (as a SCRAM verifier: the password never reaches the server). */
export async function setRolePassword(master: Pool, role: string, password: string): Promise<void> {
  await master.query(`ALTER ROLE ${ident(role)} PASSWORD ${pg.escapeLiteral(scramVerifier(password))}`);
}
