import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DocumentMessage } from '@docflow/contracts';
import { createPool, newPassword, setRolePassword, type Pool } from '@docflow/db';
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from '@docflow/db/testing';
import { findFreePort, startPostgres, type RunningPostgres } from '@docflow/local';
import { startTestEmulator, type TestEmulator } from '@docflow/local/testing';
import { createLogger } from '@docflow/observability';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_KEY, environmentOf, errorLines, startBundle, type BundleProcess } from './bundles.js';
import { WORKSPACE_ROOT } from './docflow-process.js';
import { emulatorClients, processedCount as processedCountIn, queueDocuments as queueDocumentsOf, type EmulatorClients } from './documents.js';

/**
 * Database passwords rotated under the running api and worker bundles, on a real PostgreSQL
 * (SCRAM), with the real db-admin bundle doing the rotation and every process reading its
 * credentials through the real AWS SDK from a stand-in Secrets Manager (there is no AWS here):
 * `db-admin setup` creates the roles, migrates as the owner and gives each role a first password;
 * then, while the api serves and documents keep arriving, `db-admin rotate` runs three times. The
 * pools recycle connections every second, so every round meets a connection opened after the
 * change. Nothing here asserts a duration.
 */
const WAIT_MS = 120_000;
const ROUNDS = 3;
const PASSWORD_REFUSED = 'PostgreSQL refused the password; reading it again and reconnecting once';
const SECRET = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:docflow-e2e/${name}-AbCdEf`;
const SECRETS = { master: SECRET('master'), api: SECRET('db/api'), worker: SECRET('db/worker') };

let dataRoot: string;
let postgres: RunningPostgres;
let databaseUrl: string;
let master: Pool;
let standIn: SecretsManagerStandIn;
let emulator: TestEmulator;
let clients: EmulatorClients;
const processes: BundleProcess[] = [];
const silent = createLogger({ service: 'rotation', level: 'silent' });

/** The test database as `user`, without a password (the services fetch theirs). */
function urlAs(user: string): string {
  const url = new URL(databaseUrl);
  url.username = user;
  url.password = '';
  return url.toString();
}

/** Runs `node apps/api/dist/db-admin.js <command>` as the ECS task does, as the master user; resolves with its exit code and output. */
function dbAdmin(command: 'setup' | 'rotate'): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'apps', 'api', 'dist', 'db-admin.js'), command], {
    env: {
      ...process.env,
      DOCFLOW_ENV: 'local',
      LOG_LEVEL: 'info',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      DATABASE_URL: urlAs('postgres'),
      DB_LOGIN_ARN: SECRETS.master,
      DB_API_LOGIN_ARN: SECRETS.api,
      DB_WORKER_LOGIN_ARN: SECRETS.worker,
      SECRETS_MANAGER_ENDPOINT_URL: standIn.endpoint,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

const queueDocuments = (count: number, tag: string) => queueDocumentsOf(clients.blobs, clients.queue, count, tag, 'rotation');
const processedCount = () => processedCountIn(master);

const refusals = (process: BundleProcess) => process.lines.filter((line) => line['msg'] === PASSWORD_REFUSED).length;

beforeAll(async () => {
  dataRoot = await mkdtemp(join(tmpdir(), 'docflow-rotation-'));
  await chmod(dataRoot, 0o755);
  postgres = await startPostgres({ dataDir: join(dataRoot, 'pg'), port: await findFreePort(), persistent: false });
  databaseUrl = await postgres.createDatabase('rotation');
  // the superuser stands for RDS's master user, its password in the "RDS-managed" secret
  const admin = new URL(postgres.adminUrl);
  standIn = await startSecretsManagerStandIn(Object.values(SECRETS));
  const masterVersion = standIn.secrets.get(SECRETS.master);
  masterVersion?.versions.set('master-1', { secretString: JSON.stringify({ username: 'postgres', password: decodeURIComponent(admin.password) }), stages: new Set(['AWSCURRENT']) });
  admin.pathname = '/rotation';
  master = createPool({ url: admin.toString(), ssl: 'disable', poolMax: 2, statementTimeoutMs: 15_000, migrate: false }, { logger: silent });

  const setup = await dbAdmin('setup');
  expect(setup.code, setup.output).toBe(0);

  emulator = await startTestEmulator();
  clients = emulatorClients(emulator);

  const database = (role: 'api' | 'worker') => ({
    DATABASE_URL: urlAs(`docflow_${role}`),
    DB_LOGIN_ARN: SECRETS[role],
    SECRETS_MANAGER_ENDPOINT_URL: standIn.endpoint,
    DB_MIGRATE: 'false',
    DB_POOL_MAX_LIFETIME_SECONDS: '1',
  });
  processes.push(await startBundle('api', database('api')));
  processes.push(
    await startBundle(
      'worker',
      { ...environmentOf(databaseUrl, emulator), ...database('worker'), WORKER_CONCURRENCY: '2', DB_POOL_MAX: '2', WORKER_VISIBILITY_TIMEOUT_SECONDS: '10', WORKER_WAIT_TIME_SECONDS: '1' },
      ['--mode', 'poll'],
    ),
  );
});

afterAll(async () => {
  await Promise.all(processes.splice(0).map((process) => process.stop('SIGKILL')));
  clients?.destroy();
  await master?.end();
  await emulator?.stop();
  await standIn?.close();
  await postgres?.stop();
  await rm(dataRoot, { recursive: true, force: true });
});

describe('database passwords rotated under the running api and worker (a stand-in Secrets Manager)', () => {
  it('db-admin setup: the roles own and may do only their part, each with a first password in its secret', async () => {
    const { rows } = await master.query<{ owner: string }>(`SELECT DISTINCT tableowner AS owner FROM pg_tables WHERE schemaname = 'public'`);
    expect(rows).toEqual([{ owner: 'docflow_owner' }]);
    for (const role of ['api', 'worker'] as const) expect(standIn.valueAt(SECRETS[role], 'AWSCURRENT')).toMatchObject({ username: `docflow_${role}` });
  });

  it(`${ROUNDS} runs of db-admin rotate: no failed request, every document processed on its first receive, nothing in the DLQ`, async () => {
    const [api, worker] = processes as [BundleProcess, BundleProcess];
    const failures: string[] = [];
    let requests = 0;
    let stop = false;
    // the api serves throughout: statistics and a page of documents, one request after the other
    const traffic = (async () => {
      while (!stop) {
        // readiness included: it must not go down when the password changes
        for (const path of ['/readyz', '/v1/stats', '/v1/documents?limit=5']) {
          const response = await fetch(`${api.baseUrl}${path}`, { headers: { 'x-api-key': API_KEY } });
          requests += 1;
          if (response.status !== 200) failures.push(`${path}: ${response.status} ${await response.text()}`);
        }
      }
    })();
    // and documents keep arriving for the worker, a few at a time
    const queued: DocumentMessage[] = [];
    const arrivals = (async () => {
      for (let batch = 0; !stop; batch += 1) {
        queued.push(...(await queueDocuments(2, `batch-${batch}`)));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    // both have connected with the first password (and cached it) before anything changes
    await vi.waitUntil(async () => requests > 0 && (await processedCount()) > 0, { timeout: WAIT_MS, interval: 100 });
    const passwords = new Set<string>();
    for (let round = 1; round <= ROUNDS; round += 1) {
      const rotation = await dbAdmin('rotate');
      expect(rotation.code, rotation.output).toBe(0);
      passwords.add(String(standIn.valueAt(SECRETS.api, 'AWSCURRENT')?.['password']));
      // each service met the change on a new connection: refused once, fetched the secret again, reconnected
      await vi.waitUntil(() => refusals(api) >= round && refusals(worker) >= round, { timeout: WAIT_MS, interval: 100 });
    }
    stop = true;
    await Promise.all([traffic, arrivals]);
    await vi.waitUntil(async () => (await processedCount()) === queued.length, { timeout: WAIT_MS, interval: 100 });
    console.log(`credential rotation: ${ROUNDS} rounds, ${requests} api requests, ${queued.length} documents; refusals api ${refusals(api)}, worker ${refusals(worker)}`);

    expect(passwords.size).toBe(ROUNDS);
    expect(failures).toEqual([]);
    const processed = worker.lines.filter((line) => line['msg'] === 'document processed');
    expect(processed).toHaveLength(queued.length);
    // no receive spent on a rotation: every message was processed the first time it was received
    expect(processed.filter((line) => line['receiveCount'] !== 1)).toEqual([]);
    expect(worker.lines.filter((line) => String(line['msg']).startsWith('processing failed'))).toEqual([]);
    expect(emulator.messages('deadLetterQueue')).toEqual([]);
    expect([...errorLines(api), ...errorLines(worker)]).toEqual([]);
  });

  it('a password changed under the services with no secret holding it, for 12 s (longer than the visibility timeout): the worker holds its queue instead of spending receives, the api answers 503, both recover after the next db-admin rotate, nothing in the DLQ', async () => {
    const [api, worker] = processes as [BundleProcess, BundleProcess];
    const before = await processedCount();
    // the roles change to passwords no secret holds (a rotation that died after ALTER ROLE, or a hand-made change)
    for (const role of ['api', 'worker'] as const) await setRolePassword(master, `docflow_${role}`, newPassword());
    // connections opened before the change stay good (PostgreSQL checks a password at login only):
    // wait until the pools have recycled them, so that the documents below meet the change
    const sessions = async () => (await master.query(`SELECT count(*)::int AS count FROM pg_stat_activity WHERE usename IN ('docflow_api', 'docflow_worker')`)).rows[0]?.count as number;
    await vi.waitUntil(async () => (await sessions()) === 0, { timeout: WAIT_MS, interval: 100 });
    const statuses = new Set<number>();
    const lag = Date.now() + 12_000;
    const queued = await queueDocuments(10, 'lagging-store');
    while (Date.now() < lag) {
      statuses.add((await fetch(`${api.baseUrl}/v1/stats`, { headers: { 'x-api-key': API_KEY } })).status);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(worker.lines.some((line) => String(line['msg']).includes('holding the queue'))).toBe(true);
    expect(statuses.has(503)).toBe(true);
    expect([...statuses].filter((status) => status !== 200 && status !== 503)).toEqual([]);

    // the next rotation puts role and secret back in step
    const rotation = await dbAdmin('rotate');
    expect(rotation.code, rotation.output).toBe(0);
    await vi.waitUntil(async () => (await processedCount()) === before + queued.length, { timeout: WAIT_MS, interval: 250 });
    await vi.waitUntil(async () => (await fetch(`${api.baseUrl}/readyz`)).status === 200, { timeout: WAIT_MS, interval: 250 });

    const processed = worker.lines.filter((line) => line['msg'] === 'document processed' && String(line['correlationId']).startsWith('rotation-lagging-store-'));
    expect(processed).toHaveLength(queued.length);
    // only the messages in flight when the change hit were received again; the rest waited in the queue
    expect(processed.filter((line) => Number(line['receiveCount']) > 1).length).toBeLessThanOrEqual(2);
    expect(emulator.messages('deadLetterQueue')).toEqual([]);
  });
});
