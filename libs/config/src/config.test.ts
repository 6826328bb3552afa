import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  LOCAL_DEFAULTS,
  loadApiConfig,
  loadExporterConfig,
  loadIngestConfig,
  loadWorkerConfig,
  localDatabaseUrl,
  localQueueUrl,
} from './index.js';

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const awsEnv = {
  DOCFLOW_ENV: 'prod',
  AWS_REGION: 'eu-central-1',
  DOCFLOW_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/123456789012/docflow-prod',
  DOCFLOW_DLQ_URL: 'https://sqs.eu-central-1.amazonaws.com/123456789012/docflow-prod-dlq',
  DOCFLOW_BUCKET: 'docflow-prod-documents',
  DOCFLOW_API_KEYS: 'a-long-enough-production-key',
  DB_HOST: 'db.internal',
  DB_USER: 'docflow',
  DB_PASSWORD: 'p@ss word',
  DB_SSL_CA_FILE: '/app/rds-ca-bundle.pem',
};

describe('local mode', () => {
  it('runs every app with no variables at all, against the local environment', () => {
    const ingest = loadIngestConfig({});
    expect(ingest).toMatchObject({
      env: 'local',
      isLocal: true,
      http: { host: '127.0.0.1', port: 3001, apiKeys: ['local-dev-key'], requestTimeoutMs: 25_000, readinessGraceMs: 180_000 },
      aws: { region: 'us-east-1', endpoint: 'http://127.0.0.1:4566', credentials: { accessKeyId: 'local' } },
      queueUrl: localQueueUrl(LOCAL_DEFAULTS.queueName),
      bucket: 'docflow-documents',
    });
    expect(loadApiConfig({}).http.port).toBe(3000);
    const worker = loadWorkerConfig({});
    expect(worker).toMatchObject({ mode: 'poll', concurrency: 4, maxAttempts: 5 });
    expect(worker.database).toMatchObject({ url: localDatabaseUrl(), ssl: 'disable', migrate: true });
  });

  it('finds a local environment started on other ports through the DOCFLOW_*_PORT variables', () => {
    const env = { DOCFLOW_POSTGRES_PORT: '55001', DOCFLOW_EMULATOR_PORT: '55002', DOCFLOW_API_PORT: '55003', DOCFLOW_INGEST_PORT: '55004' };
    expect(loadApiConfig(env)).toMatchObject({ http: { port: 55003 }, database: { url: localDatabaseUrl(55001) } });
    expect(loadIngestConfig(env)).toMatchObject({
      http: { port: 55004 },
      aws: { endpoint: 'http://127.0.0.1:55002' },
      queueUrl: localQueueUrl(LOCAL_DEFAULTS.queueName, 55002),
    });
    expect(loadWorkerConfig(env)).toMatchObject({
      deadLetterQueueUrl: localQueueUrl(LOCAL_DEFAULTS.deadLetterQueueName, 55002),
      waitTimeSeconds: 2,
    });
    expect(loadApiConfig({ ...env, PORT: '9000' }).http.port).toBe(9000);
  });

  it('treats an empty variable as unset', () => {
    expect(loadApiConfig({ PORT: '', LOG_LEVEL: '  ' })).toMatchObject({ http: { port: 3000 }, logLevel: 'info' });
  });
});

describe('outside local mode', () => {
  it('builds the database URL from the parts ECS injects, escaping the password', () => {
    const api = loadApiConfig(awsEnv);
    expect(api.http.host).toBe('0.0.0.0');
    expect(api.database).toMatchObject({ url: 'postgres://docflow:p%40ss%20word@db.internal:5432/docflow', ssl: 'verify-full', sslCaFile: '/app/rds-ca-bundle.pem' });
  });

  it('verifies the server certificate by default (verify-full) and names the CA bundle it needs', () => {
    const { DB_SSL_CA_FILE: _ca, ...withoutCa } = awsEnv;
    expect(problemsOf(() => loadApiConfig(withoutCa))).toEqual(['DB_SSL_CA_FILE: is required when DB_SSL is verify-full (the default outside local mode)']);
    expect(loadApiConfig({ ...withoutCa, DB_SSL: 'require' }).database.ssl).toBe('require');
  });

  it('takes the password from a Secrets Manager secret (fetched per connection) or a file instead of the URL, one source only', () => {
    const { DB_PASSWORD: _password, ...withoutPassword } = awsEnv;
    const secretId = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:docflow-prod/db/api-AbCdEf';
    const fromSecret = loadApiConfig({ ...withoutPassword, DB_USER: 'docflow_api', DB_LOGIN_ARN: secretId });
    expect(fromSecret.database).toMatchObject({
      url: 'postgres://docflow_api@db.internal:5432/docflow',
      credentials: { kind: 'secret', secretId, aws: { region: 'eu-central-1' } },
    });
    expect(loadWorkerConfig({ ...withoutPassword, DB_PASSWORD_FILE: '/run/secrets/db' }).database.credentials).toEqual({ kind: 'file', path: '/run/secrets/db' });
    expect(problemsOf(() => loadApiConfig({ ...awsEnv, DB_LOGIN_ARN: secretId }))).toEqual([
      'DB_PASSWORD, DB_LOGIN_ARN: set one (the password, a file that holds it, or the Secrets Manager secret with it)',
    ]);
    expect(problemsOf(() => loadApiConfig({ ...withoutPassword, DB_LOGIN_ARN: 'docflow-prod/db/api' }))).toEqual(['DB_LOGIN_ARN: must be a Secrets Manager secret ARN (got "docflow-prod/db/api")']);
    expect(problemsOf(() => loadApiConfig(withoutPassword))).toEqual(['DB_PASSWORD: is required when DB_HOST is set (or DB_PASSWORD_FILE, or DB_LOGIN_ARN)']);
  });

  it('accepts any environment of the infrastructure table, configured in full', () => {
    expect(loadApiConfig({ ...awsEnv, DOCFLOW_ENV: 'prod-eu' })).toMatchObject({ env: 'prod-eu', isLocal: false });
  });

  it('uses the regional AWS endpoints and the task role', () => {
    const ingest = loadIngestConfig(awsEnv);
    expect(ingest.aws).toEqual({ region: 'eu-central-1' });
  });

  it('gives the api the bucket it reads bodies from, and requires it', () => {
    expect(loadApiConfig(awsEnv)).toMatchObject({ aws: { region: 'eu-central-1' }, bucket: 'docflow-prod-documents' });
    const { DOCFLOW_BUCKET: _bucket, AWS_REGION: _region, ...withoutBucket } = awsEnv;
    expect(problemsOf(() => loadApiConfig(withoutBucket))).toEqual([
      'AWS_REGION: is required outside local mode',
      'DOCFLOW_BUCKET: is required outside local mode',
    ]);
  });

  it('names every missing variable at once', () => {
    expect(problemsOf(() => loadWorkerConfig({ DOCFLOW_ENV: 'staging' }))).toEqual([
      'DOCFLOW_DLQ_URL: is required outside local mode',
      'AWS_REGION: is required outside local mode',
      'DOCFLOW_QUEUE_URL: is required outside local mode',
      'DOCFLOW_BUCKET: is required outside local mode',
      'DATABASE_URL: is required outside local mode (or DB_HOST, DB_USER and DB_PASSWORD, DB_PASSWORD_FILE or DB_LOGIN_ARN)',
      'DB_SSL_CA_FILE: is required when DB_SSL is verify-full (the default outside local mode)',
    ]);
  });

  it('refuses to run without API keys, with the local key, or with short keys', () => {
    const { DOCFLOW_API_KEYS: _omit, ...withoutKeys } = awsEnv;
    expect(problemsOf(() => loadIngestConfig(withoutKeys))).toEqual([
      'DOCFLOW_API_KEYS: is required outside local mode (comma-separated API keys)',
    ]);
    expect(problemsOf(() => loadIngestConfig({ ...awsEnv, DOCFLOW_API_KEYS: 'local-dev-key' }))).toContain(
      'DOCFLOW_API_KEYS: the local key "local-dev-key" is refused outside local mode',
    );
    expect(problemsOf(() => loadIngestConfig({ ...awsEnv, DOCFLOW_API_KEYS: 'short' }))).toEqual([
      'DOCFLOW_API_KEYS: every key must be at least 16 characters outside local mode',
    ]);
  });

  it('accepts several comma-separated keys', () => {
    const keys = ' first-key-0123456789 , second-key-0123456789 ,';
    expect(loadIngestConfig({ ...awsEnv, DOCFLOW_API_KEYS: keys }).http.apiKeys).toEqual([
      'first-key-0123456789',
      'second-key-0123456789',
    ]);
  });
});

describe('bad values', () => {
  it('names the variable, the rule and the value', () => {
    expect(problemsOf(() => loadApiConfig({ PORT: 'eighty' }))).toEqual(['PORT: must be a number (got "eighty")']);
    expect(problemsOf(() => loadApiConfig({ PORT: '70000' }))).toEqual(['PORT: must be at most 65535 (got "70000")']);
    expect(problemsOf(() => loadWorkerConfig({ WORKER_MODE: 'push' }))).toEqual([
      'WORKER_MODE: must be poll or pipe (got "push")',
    ]);
    expect(problemsOf(() => loadApiConfig({ DOCFLOW_ENV: 'Prod EU' }))).toEqual([
      'DOCFLOW_ENV: must be "local" or an environment name (lowercase letters, digits and dashes, e.g. prod) (got "Prod EU")',
    ]);
  });

  it('never prints a secret value', () => {
    const [problem] = problemsOf(() => loadApiConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x' }));
    expect(problem).toBe('DATABASE_URL: must be a postgres:// URL (got <redacted>)');
  });

  it('refuses more concurrent messages than database connections in poll mode', () => {
    expect(problemsOf(() => loadWorkerConfig({ WORKER_CONCURRENCY: '8', DB_POOL_MAX: '4' }))).toEqual([
      'WORKER_CONCURRENCY: 8 messages at once need as many connections; DB_POOL_MAX is 4',
    ]);
    expect(loadWorkerConfig({ WORKER_MODE: 'pipe', SQS_BODY: '{}', WORKER_CONCURRENCY: '8', DB_POOL_MAX: '2' }).mode).toBe('pipe');
  });

  it('requires the message body in pipe mode', () => {
    expect(problemsOf(() => loadWorkerConfig({ WORKER_MODE: 'pipe' }))).toEqual([
      'SQS_BODY: is required in pipe mode (the message body from EventBridge Pipes)',
    ]);
  });

  it('stops a process with status 1 and the message on stderr', () => {
    const script = `import { loadOrExit, loadApiConfig } from './index.ts'; loadOrExit(() => loadApiConfig());`;
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: import.meta.dirname,
        env: { ...process.env, PORT: 'nope' },
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (error) {
      ({ status, stderr } = error as { status: number; stderr: string });
    }
    expect(status).toBe(1);
    expect(stderr).toContain('Invalid configuration for api:\n  - PORT: must be a number (got "nope")');
  });
});

describe('exporter', () => {
  it('finds the local environment with no variables, or on the ports npm start was given', () => {
    expect(loadExporterConfig({})).toMatchObject({
      apiUrl: 'http://127.0.0.1:3000',
      ingestUrl: 'http://127.0.0.1:3001',
      apiKey: 'local-dev-key',
      aws: { region: 'us-east-1', endpoint: 'http://127.0.0.1:4566' },
      gcs: {},
      requestTimeoutMs: 30_000,
      maxAttempts: 8,
      concurrency: 8,
    });
    const moved = loadExporterConfig({
      DOCFLOW_API_PORT: '4000',
      DOCFLOW_INGEST_PORT: '4001',
      DOCFLOW_EMULATOR_PORT: '4002',
      DOCFLOW_API_KEYS: 'first-key-0123456789,second',
    });
    expect(moved).toMatchObject({
      apiUrl: 'http://127.0.0.1:4000',
      ingestUrl: 'http://127.0.0.1:4001',
      apiKey: 'first-key-0123456789',
      aws: { endpoint: 'http://127.0.0.1:4002' },
    });
  });

  it('outside local mode needs the api URL and a key; ingest only for restore', () => {
    expect(problemsOf(() => loadExporterConfig({ DOCFLOW_ENV: 'prod', AWS_REGION: 'eu-west-1' }))).toEqual([
      'DOCFLOW_API_URL: is required outside local mode',
      'DOCFLOW_API_KEY: is required outside local mode',
    ]);
    const config = loadExporterConfig({
      DOCFLOW_ENV: 'prod',
      AWS_REGION: 'eu-west-1',
      DOCFLOW_API_URL: 'https://api.example.com',
      DOCFLOW_API_KEY: 'a-long-enough-production-key',
      GOOGLE_CLOUD_PROJECT: 'docflow-archive',
    });
    expect(config).toMatchObject({ apiUrl: 'https://api.example.com', aws: { region: 'eu-west-1' }, gcs: { projectId: 'docflow-archive' } });
    expect(config.ingestUrl).toBeUndefined();
  });

  it('outside local mode needs no AWS setting for a gs:// export (the Cloud Run job has none)', () => {
    const config = loadExporterConfig({ DOCFLOW_ENV: 'prod', DOCFLOW_API_URL: 'https://api.example.com', DOCFLOW_API_KEY: 'a-long-enough-production-key' });
    expect(config.aws.region).toBe('');
  });

  it('names a bad URL or tuning value', () => {
    expect(problemsOf(() => loadExporterConfig({ DOCFLOW_API_URL: 'ftp://x', EXPORTER_CONCURRENCY: '0' }))).toEqual([
      'DOCFLOW_API_URL: must be an http(s) URL (got "ftp://x")',
      'EXPORTER_CONCURRENCY: must be at least 1 (got "0")',
    ]);
  });
});
