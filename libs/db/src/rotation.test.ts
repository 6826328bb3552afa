import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startTestPostgres, type TestPostgres } from '@docflow/local/testing';
import { captureLogs } from '@docflow/observability/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from './pool.js';
import { rotateCredentials, SecretsManagerCredentialStore, setupDatabase } from './rotation.js';
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from './testing/secrets-manager.js';

/**
 * The deploy's database setup and the scheduled rotation, on a real PostgreSQL, keeping the
 * credentials in Secrets Manager (a stand-in Secrets Manager: no AWS here; the real SDK client
 * talks to it): every stored password logs in, and each rotation stores the new one at AWSPENDING
 * before the role changes and makes it AWSCURRENT after.
 */
const SECRETS = { api: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:docflow-test/db/api-AAAAAA', worker: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:docflow-test/db/worker-BBBBBB' };
let postgres: TestPostgres;
let databaseUrl: string;
let master: Pool;
let standIn: SecretsManagerStandIn;
let store: SecretsManagerCredentialStore;

/** Whether `role` logs in with `password` (a pool of its own, closed after). */
async function logsIn(role: string, password: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = password;
  const pool = createPool({ url: url.toString(), ssl: 'disable', poolMax: 1, statementTimeoutMs: 5_000, migrate: false }, { logger: captureLogs().logger });
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await pool.end();
  }
}

const stored = (role: 'api' | 'worker', stage: string) => standIn.valueAt(SECRETS[role], stage) as { username: string; password: string } | undefined;

beforeAll(async () => {
  postgres = await startTestPostgres();
  databaseUrl = await postgres.createDatabase();
  const masterUrl = new URL(postgres.adminUrl);
  masterUrl.pathname = new URL(databaseUrl).pathname;
  master = createPool({ url: masterUrl.toString(), ssl: 'disable', poolMax: 2, statementTimeoutMs: 15_000, migrate: false }, { logger: captureLogs().logger });
  standIn = await startSecretsManagerStandIn(Object.values(SECRETS));
  store = new SecretsManagerCredentialStore(new SecretsManagerClient({ region: 'eu-west-1', endpoint: standIn.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }), SECRETS);
});

afterAll(async () => {
  await master?.end();
  await standIn?.close();
  await postgres?.stop();
});

describe('setupDatabase', () => {
  it('GIVEN a new environment (no stored password) THEN it creates the roles, migrates as the owner and gives each login role a first password', async () => {
    const result = await setupDatabase(master, store, captureLogs().logger);
    expect(result.applied.length).toBeGreaterThan(0);
    expect(result.initialized).toEqual(['api', 'worker']);
    for (const role of ['api', 'worker'] as const) {
      const current = stored(role, 'AWSCURRENT');
      expect(current?.username).toBe(`docflow_${role}`);
      expect(current?.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await logsIn(`docflow_${role}`, current?.password ?? '')).toBe(true);
      expect(stored(role, 'AWSPENDING')).toBeUndefined();
    }
  });

  it('GIVEN it ran before THEN it changes no password and applies nothing (every deploy runs it)', async () => {
    const before = stored('api', 'AWSCURRENT')?.password;
    expect(await setupDatabase(master, store, captureLogs().logger)).toEqual({ applied: [], initialized: [] });
    expect(stored('api', 'AWSCURRENT')?.password).toBe(before);
  });
});

describe('rotateCredentials', () => {
  it('gives each role a new password: pending stored first, the role changed, then promoted; the old one stops working', async () => {
    const old = { api: stored('api', 'AWSCURRENT')?.password ?? '', worker: stored('worker', 'AWSCURRENT')?.password ?? '' };
    const from = standIn.requests.length;
    expect(await rotateCredentials(master, store)).toEqual(['api', 'worker']);
    for (const role of ['api', 'worker'] as const) {
      const current = stored(role, 'AWSCURRENT')?.password ?? '';
      expect(current).not.toBe(old[role]);
      expect(stored(role, 'AWSPREVIOUS')?.password).toBe(old[role]);
      expect(await logsIn(`docflow_${role}`, current)).toBe(true);
      expect(await logsIn(`docflow_${role}`, old[role])).toBe(false);
    }
    expect(standIn.requests.slice(from)).toEqual([
      `PutSecretValue ${SECRETS.api}`,
      `DescribeSecret ${SECRETS.api}`,
      `UpdateSecretVersionStage ${SECRETS.api}`,
      `PutSecretValue ${SECRETS.worker}`,
      `DescribeSecret ${SECRETS.worker}`,
      `UpdateSecretVersionStage ${SECRETS.worker}`,
    ]);
  });
});
