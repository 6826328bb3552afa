import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestPostgres, type TestPostgres } from '@docflow/local/testing';
import { captureLogs } from '@docflow/observability/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { filePassword, RotatingPassword, secretPassword, type PasswordStage } from './credentials.js';
import { isDatabaseUnavailable } from './errors.js';
import { migrate } from './migrations/runner.js';
import { createPool, type Pool } from './pool.js';
import { DATABASE_ROLES, provisionRoles, setRolePassword } from './roles.js';
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from './testing/secrets-manager.js';

/**
 * Database roles and passwords that change under running pools, on a real PostgreSQL (SCRAM
 * authentication): the master provisions the roles and migrates as the owner, each service role
 * gets what it needs and no more, and a pool whose password is rotated reads it again and
 * reconnects without failing the query that met the change.
 */
let postgres: TestPostgres;
let master: Pool;
let databaseUrl: string;
let folder: string;
const pools: Pool[] = [];

/** The test database as `user` (no password in the URL). */
const urlFor = (user: string) => {
  const url = new URL(databaseUrl);
  url.username = user;
  url.password = '';
  return url.toString();
};

function poolFor(user: string, passwordFile: string, logger = captureLogs().logger): Pool {
  const pool = createPool(
    { url: urlFor(user), credentials: { kind: 'file', path: passwordFile }, ssl: 'disable', poolMax: 2, statementTimeoutMs: 15_000, migrate: false },
    { logger, applicationName: `credentials-test-${user}` },
  );
  pools.push(pool);
  return pool;
}

/**
 * Closes the role's connections (they would go on working: PostgreSQL checks a password at login
 * only) and waits until the pool has let them go, so that its next query opens a new one.
 */
async function dropConnections(role: string, pool: Pool): Promise<void> {
  await master.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
  await expect.poll(() => pool.totalCount).toBe(0);
}

beforeAll(async () => {
  postgres = await startTestPostgres();
  databaseUrl = await postgres.createDatabase();
  // the superuser stands for RDS's master user (rds_superuser: CREATEROLE, member of what it grants)
  const adminOnTestDatabase = new URL(postgres.adminUrl);
  adminOnTestDatabase.pathname = new URL(databaseUrl).pathname;
  master = createPool({ url: adminOnTestDatabase.toString(), ssl: 'disable', poolMax: 2, statementTimeoutMs: 15_000, migrate: false }, { logger: captureLogs().logger });
  folder = await mkdtemp(join(tmpdir(), 'docflow-credentials-'));
  await provisionRoles(master);
  await migrate(master, { roles: DATABASE_ROLES, logger: captureLogs().logger });
});

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await master?.end();
  await postgres?.stop();
  await rm(folder, { recursive: true, force: true });
});

describe('database roles', () => {
  it('GIVEN the migrations ran as the owner THEN the owner owns every table and cannot log in', async () => {
    const { rows } = await master.query<{ owner: string }>(`SELECT DISTINCT tableowner AS owner FROM pg_tables WHERE schemaname = 'public'`);
    expect(rows).toEqual([{ owner: 'docflow_owner' }]);
    const { rows: owner } = await master.query(`SELECT rolcanlogin FROM pg_roles WHERE rolname = 'docflow_owner'`);
    expect(owner).toEqual([{ rolcanlogin: false }]);
  });

  it('GIVEN provisioning runs again THEN nothing changes and nothing fails (it runs on every deploy)', async () => {
    await provisionRoles(master);
    await expect(migrate(master, { roles: DATABASE_ROLES, logger: captureLogs().logger })).resolves.toEqual({ applied: [] });
  });

  it('THEN the api reads documents but writes nothing, and the worker writes documents; neither touches the migrations\' table', async () => {
    const apiFile = join(folder, 'api-grants');
    const workerFile = join(folder, 'worker-grants');
    await writeFile(apiFile, 'api-grants-password');
    await writeFile(workerFile, 'worker-grants-password');
    await setRolePassword(master, 'docflow_api', 'api-grants-password');
    await setRolePassword(master, 'docflow_worker', 'worker-grants-password');
    const api = poolFor('docflow_api', apiFile);
    const worker = poolFor('docflow_worker', workerFile);

    const id = '0123456789abcdef0123456789abcdef';
    const insert = `INSERT INTO documents (id, url, content_type, sha256, size_bytes, received_at, processed_at, status, error)
      VALUES ('${id}', 'https://e.com/g', 'text/plain', repeat('0', 64), 1, now(), now(), 'failed', 'gone')`;
    await expect(api.query(insert)).rejects.toMatchObject({ code: '42501' });
    await expect(worker.query(insert)).resolves.toMatchObject({ rowCount: 1 });
    await expect(api.query(`SELECT id FROM documents WHERE id = '${id}'`)).resolves.toMatchObject({ rowCount: 1 });
    await expect(api.query('SELECT * FROM schema_migrations')).rejects.toMatchObject({ code: '42501' });
    await expect(worker.query('SELECT * FROM schema_migrations')).rejects.toMatchObject({ code: '42501' });
    await expect(worker.query('DROP TABLE documents')).rejects.toMatchObject({ code: '42501' });
  });
});

describe('a password rotated under a running pool', () => {
  it('GIVEN the new password stored before the role changes (as a rotation does) THEN the next connection is refused once, reads it again and succeeds: no query fails', async () => {
    const file = join(folder, 'api-rotation');
    await writeFile(file, 'first-password');
    await setRolePassword(master, 'docflow_api', 'first-password');
    const { logger, lines } = captureLogs();
    const pool = poolFor('docflow_api', file, logger);
    await expect(pool.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });

    await writeFile(file, 'second-password');
    await setRolePassword(master, 'docflow_api', 'second-password');
    await dropConnections('docflow_api', pool);
    // the pool still holds the first password: the server refuses it, the pool reads the file again
    await expect(pool.query('SELECT 2 AS two')).resolves.toMatchObject({ rows: [{ two: 2 }] });
    expect(lines.filter((line) => line['msg'] === 'PostgreSQL refused the password; reading it again and reconnecting once')).toHaveLength(1);
  });

  it('GIVEN the role changed but the store not yet THEN the query fails as "database unavailable" (a 503, the worker holds its queue), and works once the store catches up', async () => {
    const file = join(folder, 'worker-rotation');
    await writeFile(file, 'worker-first');
    await setRolePassword(master, 'docflow_worker', 'worker-first');
    const pool = poolFor('docflow_worker', file);
    await pool.query('SELECT 1');

    await setRolePassword(master, 'docflow_worker', 'worker-second');
    await dropConnections('docflow_worker', pool);
    const error = await pool.query('SELECT 1').catch((reason: unknown) => reason);
    expect(error).toMatchObject({ code: '28P01' });
    expect(isDatabaseUnavailable(error)).toBe(true);

    await writeFile(file, 'worker-second');
    await expect(pool.query('SELECT 3 AS three')).resolves.toMatchObject({ rows: [{ three: 3 }] });
  });
});

describe('a password in Secrets Manager (a stand-in Secrets Manager: no AWS here)', () => {
  const secretId = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:docflow-test/db/api-AbCdEf';
  let standIn: SecretsManagerStandIn;
  const client = () => new SecretsManagerClient({ region: 'eu-west-1', endpoint: standIn.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const aws = () => ({ region: 'eu-west-1', endpoint: standIn.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const reader = () => secretPassword(secretId, aws());
  const put = (password: string, stage: string) =>
    client().send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: `v-${password}`, SecretString: JSON.stringify({ username: 'docflow_api', password }), VersionStages: [stage] }));

  beforeAll(async () => {
    standIn = await startSecretsManagerStandIn([secretId]);
  });
  afterAll(() => standIn.close());

  it('reads AWSCURRENT with the real SDK, and nothing at a stage without a version', async () => {
    await put('old', 'AWSCURRENT');
    const read = reader();
    expect(await read('current')).toBe('old');
    expect(await read('pending')).toBeUndefined();
    expect(standIn.requests.slice(-2)).toEqual([`GetSecretValue ${secretId}`, `GetSecretValue ${secretId}`]);
  });

  it('GIVEN a rotation between setting the role\'s password and promoting it THEN a refused current password is followed by the pending one', async () => {
    const password = new RotatingPassword(reader());
    expect(await password.get()).toBe('old');
    await put('new', 'AWSPENDING');
    password.refuse('old');
    expect(await password.get()).toBe('new');
  });

  it('GIVEN two connections opened with the old password, the second refused after the first already read the new one THEN the second is given the new one too, without reading again', async () => {
    await put('first', 'AWSCURRENT');
    const password = new RotatingPassword(reader());
    const [one, two] = [await password.get(), await password.get()];
    expect([one, two]).toEqual(['first', 'first']);
    // the rotation: pending stored, the role changed; not promoted yet
    await put('second', 'AWSPENDING');
    password.refuse(one);
    expect(await password.get()).toBe('second');
    const reads = password.reads;
    // the late refusal names the password it was given: the cache has moved past it already
    password.refuse(two);
    expect(await password.get()).toBe('second');
    expect(password.reads).toBe(reads);
  });

  it('GIVEN a rotation under a pool THEN each refused connection tells the source the password it was given, and the queries succeed with the pending one', async () => {
    await put('pool-first', 'AWSCURRENT');
    await setRolePassword(master, 'docflow_api', 'pool-first');
    const pool = createPool(
      { url: urlFor('docflow_api'), credentials: { kind: 'secret', secretId, aws: aws() }, ssl: 'disable', poolMax: 2, statementTimeoutMs: 15_000, migrate: false },
      { logger: captureLogs().logger },
    );
    pools.push(pool);
    await pool.query('SELECT 1');
    await put('pool-second', 'AWSPENDING');
    await setRolePassword(master, 'docflow_api', 'pool-second');
    await dropConnections('docflow_api', pool);
    const refuse = vi.spyOn(RotatingPassword.prototype, 'refuse');
    try {
      // two queries at once: two connections, each refused with the password it was given
      await expect(Promise.all([pool.query('SELECT 1 AS one'), pool.query('SELECT 2 AS two')])).resolves.toMatchObject([{ rows: [{ one: 1 }] }, { rows: [{ two: 2 }] }]);
      const refused = refuse.mock.calls.map(([password]) => password);
      expect(refused.length).toBeGreaterThan(0);
      expect(new Set(refused)).toEqual(new Set(['pool-first']));
    } finally {
      refuse.mockRestore();
    }
  });
});

describe('a password source promoted while it is read (a source in memory, the order of its reads is the point)', () => {
  it('GIVEN the rotation promotes the pending password between the two reads that follow a refusal THEN the new password is given, never the refused one', async () => {
    const stages: Record<PasswordStage, string | undefined> = { current: 'old', pending: undefined };
    let promoteOnRead = false;
    const password = new RotatingPassword(async (stage) => {
      const value = stages[stage];
      if (promoteOnRead) {
        // the last step of the rotation lands right after this read
        [stages.current, stages.pending, promoteOnRead] = [stages.pending, undefined, false];
      }
      return value;
    });
    expect(await password.get()).toBe('old');
    stages.pending = 'new';
    promoteOnRead = true;
    password.refuse('old');
    expect(await password.get()).toBe('new');
  });
});

describe('a password in a file', () => {
  it('reads the file\'s first line, and has no pending stage', async () => {
    const file = join(folder, 'plain');
    await writeFile(file, 'from-a-file\n');
    const read = filePassword(file);
    expect(await read('current')).toBe('from-a-file');
    expect(await read('pending')).toBeUndefined();
  });
});
