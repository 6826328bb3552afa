import { z } from 'zod';
import { LOCAL_DEFAULTS, localDatabaseUrl, localEmulatorEndpoint, localQueueUrl } from './local-defaults.js';
import { ConfigError, boolVar, intVar, parseEnv, type Env } from './load.js';

/**
 * `local`, or the name of an environment in the infrastructure's environment table (dev, staging,
 * prod, …). Any such name is accepted, so adding an environment there needs no change here;
 * every environment but `local` must be configured in full (queue, bucket, database, API keys).
 */
export type DeploymentEnv = string;
export const LOCAL_ENV = 'local';
const ENV_NAME = /^[a-z][a-z0-9-]{0,31}$/;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const WORKER_MODES = ['poll', 'pipe'] as const;
export type WorkerMode = (typeof WORKER_MODES)[number];

/** Long-poll wait of a local worker (20 s, SQS's longest, elsewhere). */
export const LOCAL_WAIT_TIME_SECONDS = 2;

/** Shortest API key accepted outside local mode. */
export const MIN_API_KEY_LENGTH = 16;

export interface CommonConfig {
  readonly env: DeploymentEnv;
  /** True when running on the local environment (embedded PostgreSQL, emulator). */
  readonly isLocal: boolean;
  readonly logLevel: LogLevel;
  /** How long a stopping process may take to finish in-flight work (ECS stopTimeout is longer). */
  readonly shutdownTimeoutMs: number;
}

export interface AwsConfig {
  readonly region: string;
  /** Set for the local emulator; unset on AWS, where the SDK finds the regional endpoints. */
  readonly endpoint?: string;
  /** Static credentials for the emulator; unset on AWS, where the task role provides them. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface HttpConfig {
  readonly host: string;
  readonly port: number;
  readonly apiKeys: readonly string[];
  readonly requestTimeoutMs: number;
  /** How long a dependency may fail before `/readyz` answers 503 (until then: 200 `degraded`). */
  readonly readinessGraceMs: number;
}

export type DatabaseSsl = 'disable' | 'require' | 'verify-full';

/**
 * Where a connection's password comes from. `url`: the URL carries it (or needs none, as locally);
 * `file`: a file that holds it, read again after an authentication failure; `secret`: a Secrets
 * Manager secret (JSON with `username` and `password`), fetched when a connection opens and again
 * after an authentication failure, so a rotation never needs a restart.
 */
export type DatabaseCredentials =
  | { readonly kind: 'url' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'secret'; readonly secretId: string; readonly aws: AwsConfig };

export interface DatabaseConfig {
  /** Host, port, database and user (and the password only for `credentials.kind` url). */
  readonly url: string;
  /** @default { kind: 'url' } */
  readonly credentials?: DatabaseCredentials;
  readonly ssl: DatabaseSsl;
  /** PEM bundle that signs the server certificate (verify-full), e.g. the RDS CA bundle. */
  readonly sslCaFile?: string;
  readonly poolMax: number;
  /** Close a connection this long after it opened (when idle): new connections pick up a rotated password or a moved host. @default - never */
  readonly maxLifetimeSeconds?: number;
  readonly statementTimeoutMs: number;
  /** Apply pending migrations at start-up (under an advisory lock, so replicas may race safely). */
  readonly migrate: boolean;
}

export interface IngestConfig extends CommonConfig {
  readonly http: HttpConfig;
  readonly aws: AwsConfig;
  readonly queueUrl: string;
  readonly bucket: string;
}

export interface ApiConfig extends CommonConfig {
  readonly http: HttpConfig;
  readonly database: DatabaseConfig;
  /** S3, read-only: the api serves stored bodies (`GET /v1/documents/:id/body`). */
  readonly aws: AwsConfig;
  readonly bucket: string;
}

export interface WorkerConfig extends CommonConfig {
  readonly mode: WorkerMode;
  readonly aws: AwsConfig;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly bucket: string;
  readonly database: DatabaseConfig;
  /** Messages processed at once by one poll-mode worker. */
  readonly concurrency: number;
  /** Attempts before a pipe-mode message is dead-lettered (poll mode relies on the redrive policy). */
  readonly maxAttempts: number;
  readonly visibilityTimeoutSeconds: number;
  readonly waitTimeSeconds: number;
  /** The message body EventBridge Pipes hands a pipe-mode task. */
  readonly sqsBody?: string;
  /** Pipe-mode tasks that may process at once (the concurrency gate); unset: no limit. */
  readonly pipeMaxTasks?: number;
}

const commonVars = {
  // where the local environment listens (libs/local reads the same variables), so that a bundle
  // run by hand finds an environment started on other ports
  DOCFLOW_POSTGRES_PORT: intVar(1, 65_535).optional(),
  DOCFLOW_EMULATOR_PORT: intVar(1, 65_535).optional(),
  DOCFLOW_API_PORT: intVar(1, 65_535).optional(),
  DOCFLOW_INGEST_PORT: intVar(1, 65_535).optional(),
  DOCFLOW_ENV: z
    .string()
    .regex(ENV_NAME, 'must be "local" or an environment name (lowercase letters, digits and dashes, e.g. prod)')
    .default(LOCAL_ENV),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  SHUTDOWN_TIMEOUT_MS: intVar(1_000, 120_000).default(25_000),
};

const httpVars = {
  HOST: z.string().optional(),
  PORT: intVar(1, 65_535).optional(),
  DOCFLOW_API_KEYS: z.string().optional(),
  // under API Gateway's 29 s integration timeout (the lean edge), so the app answers first
  HTTP_REQUEST_TIMEOUT_MS: intVar(1_000, 300_000).default(25_000),
  // longer than an RDS Multi-AZ failover (60-120 s): a blip must not take every task out of the
  // load balancer at once; requests meanwhile answer 503 with Retry-After
  READINESS_GRACE_SECONDS: intVar(0, 3_600).default(180),
};

const awsVars = {
  AWS_REGION: z.string().optional(),
  AWS_DEFAULT_REGION: z.string().optional(),
  AWS_ENDPOINT_URL: z.url({ error: 'must be a URL' }).optional(),
  AWS_ACCESS_KEY_ID: z.string().optional(),
};

const queueVars = {
  DOCFLOW_QUEUE_URL: z.url({ error: 'must be an SQS queue URL' }).optional(),
  DOCFLOW_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name').optional(),
};

const SECRET_ARN = z.string().regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'must be a Secrets Manager secret ARN');

const databaseVars = {
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  DB_HOST: z.string().optional(),
  DB_PORT: intVar(1, 65_535).default(5432),
  DB_NAME: z.string().default('docflow'),
  DB_USER: z.string().optional(),
  DB_PASSWORD: z.string().optional(),
  DB_PASSWORD_FILE: z.string().optional(),
  DB_LOGIN_ARN: SECRET_ARN.optional(),
  // another Secrets Manager (a stand-in in tests); AWS_ENDPOINT_URL stays the SQS/S3 emulator's
  SECRETS_MANAGER_ENDPOINT_URL: z.url({ error: 'must be a URL' }).optional(),
  DB_SSL: z.enum(['disable', 'require', 'verify-full'], { error: 'must be disable, require or verify-full' }).optional(),
  DB_SSL_CA_FILE: z.string().optional(),
  DB_POOL_MAX: intVar(1, 100).default(10),
  DB_POOL_MAX_LIFETIME_SECONDS: intVar(0, 86_400).default(0),
  DB_STATEMENT_TIMEOUT_MS: intVar(100, 600_000).default(15_000),
  DB_MIGRATE: boolVar().default(true),
};

const workerVars = {
  WORKER_MODE: z.enum(WORKER_MODES, { error: 'must be poll or pipe' }).default('poll'),
  DOCFLOW_DLQ_URL: z.url({ error: 'must be an SQS queue URL' }).optional(),
  WORKER_CONCURRENCY: intVar(1, 100).default(4),
  // at least 2: the task-stopped rule hands a message back up to WORKER_MAX_ATTEMPTS - 1 times
  WORKER_MAX_ATTEMPTS: intVar(2, 100).default(5),
  WORKER_VISIBILITY_TIMEOUT_SECONDS: intVar(10, 43_200).default(60),
  WORKER_WAIT_TIME_SECONDS: intVar(0, 20).optional(),
  SQS_BODY: z.string().optional(),
  // Pipes has no concurrency setting: pipe tasks take one of this many PostgreSQL advisory-lock slots
  WORKER_PIPE_MAX_TASKS: intVar(1, 1_000).optional(),
};

type Vars<T extends z.ZodRawShape> = z.infer<z.ZodObject<T>>;

/** Collects problems that depend on more than one variable, so all of them are reported at once. */
class Problems {
  readonly list: string[] = [];
  require<T>(value: T | undefined, variable: string, why: string): T {
    if (value === undefined) this.list.push(`${variable}: is required ${why}`);
    return value as T;
  }
  throwIfAny(app: string): void {
    if (this.list.length > 0) throw new ConfigError(app, this.list);
  }
}

function common(vars: Vars<typeof commonVars>): CommonConfig {
  return {
    env: vars.DOCFLOW_ENV,
    isLocal: vars.DOCFLOW_ENV === LOCAL_ENV,
    logLevel: vars.LOG_LEVEL,
    shutdownTimeoutMs: vars.SHUTDOWN_TIMEOUT_MS,
  };
}

function http(vars: Vars<typeof httpVars>, isLocal: boolean, defaultPort: number, problems: Problems): HttpConfig {
  const keys = (vars.DOCFLOW_API_KEYS ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
  if (!isLocal) {
    if (keys.length === 0) problems.list.push('DOCFLOW_API_KEYS: is required outside local mode (comma-separated API keys)');
    if (keys.includes(LOCAL_DEFAULTS.apiKey)) {
      problems.list.push(`DOCFLOW_API_KEYS: the local key "${LOCAL_DEFAULTS.apiKey}" is refused outside local mode`);
    }
    if (keys.some((key) => key.length < MIN_API_KEY_LENGTH)) {
      problems.list.push(`DOCFLOW_API_KEYS: every key must be at least ${MIN_API_KEY_LENGTH} characters outside local mode`);
    }
  }
  return {
    // local binds to loopback only; containers must listen on every interface
    host: vars.HOST ?? (isLocal ? '127.0.0.1' : '0.0.0.0'),
    port: vars.PORT ?? defaultPort,
    apiKeys: keys.length > 0 ? keys : [LOCAL_DEFAULTS.apiKey],
    requestTimeoutMs: vars.HTTP_REQUEST_TIMEOUT_MS,
    readinessGraceMs: vars.READINESS_GRACE_SECONDS * 1_000,
  };
}

/** `regionRequired: false` for an app that talks to AWS only for some commands (the exporter, for s3://); it checks then. */
function aws(vars: Vars<typeof awsVars> & Vars<typeof commonVars>, isLocal: boolean, problems: Problems, { regionRequired = true } = {}): AwsConfig {
  const region = vars.AWS_REGION ?? vars.AWS_DEFAULT_REGION ?? (isLocal ? LOCAL_DEFAULTS.region : undefined);
  if (regionRequired) problems.require(region, 'AWS_REGION', 'outside local mode');
  const endpoint = vars.AWS_ENDPOINT_URL ?? (isLocal ? localEmulatorEndpoint(vars.DOCFLOW_EMULATOR_PORT) : undefined);
  // the emulator accepts any credentials, but the SDK refuses to sign without some
  const credentials =
    isLocal && vars.AWS_ACCESS_KEY_ID === undefined ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined;
  return { region: region ?? '', ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}) };
}

function queueUrl(vars: Vars<typeof queueVars> & Vars<typeof commonVars>, isLocal: boolean, problems: Problems): string {
  return problems.require(
    vars.DOCFLOW_QUEUE_URL ?? (isLocal ? localQueueUrl(LOCAL_DEFAULTS.queueName, vars.DOCFLOW_EMULATOR_PORT) : undefined),
    'DOCFLOW_QUEUE_URL',
    'outside local mode',
  );
}

function bucket(vars: Vars<typeof queueVars>, isLocal: boolean, problems: Problems): string {
  return problems.require(
    vars.DOCFLOW_BUCKET ?? (isLocal ? LOCAL_DEFAULTS.bucket : undefined),
    'DOCFLOW_BUCKET',
    'outside local mode',
  );
}

function databaseCredentials(vars: Vars<typeof databaseVars>, aws: AwsConfig, problems: Problems): DatabaseCredentials {
  const given = (['DB_PASSWORD', 'DB_PASSWORD_FILE', 'DB_LOGIN_ARN'] as const).filter((name) => vars[name] !== undefined);
  if (given.length > 1) problems.list.push(`${given.join(', ')}: set one (the password, a file that holds it, or the Secrets Manager secret with it)`);
  if (vars.DB_LOGIN_ARN !== undefined) {
    const endpoint = vars.SECRETS_MANAGER_ENDPOINT_URL ?? aws.endpoint;
    return { kind: 'secret', secretId: vars.DB_LOGIN_ARN, aws: { ...aws, ...(endpoint !== undefined ? { endpoint } : {}) } };
  }
  if (vars.DB_PASSWORD_FILE !== undefined) return { kind: 'file', path: vars.DB_PASSWORD_FILE };
  return { kind: 'url' };
}

function database(
  vars: Vars<typeof databaseVars> & Vars<typeof commonVars>,
  isLocal: boolean,
  aws: AwsConfig,
  problems: Problems,
): DatabaseConfig {
  const credentials = databaseCredentials(vars, aws, problems);
  let url = vars.DATABASE_URL;
  if (url === undefined && vars.DB_HOST !== undefined) {
    const user = problems.require(vars.DB_USER, 'DB_USER', 'when DB_HOST is set');
    if (credentials.kind === 'url') problems.require(vars.DB_PASSWORD, 'DB_PASSWORD', 'when DB_HOST is set (or DB_PASSWORD_FILE, or DB_LOGIN_ARN)');
    const password = credentials.kind === 'url' ? `:${encodeURIComponent(vars.DB_PASSWORD ?? '')}` : '';
    url = `postgres://${encodeURIComponent(user ?? '')}${password}@${vars.DB_HOST}:${vars.DB_PORT}/${encodeURIComponent(vars.DB_NAME)}`;
  }
  if (url === undefined && isLocal) url = localDatabaseUrl(vars.DOCFLOW_POSTGRES_PORT);
  if (url === undefined) problems.list.push('DATABASE_URL: is required outside local mode (or DB_HOST, DB_USER and DB_PASSWORD, DB_PASSWORD_FILE or DB_LOGIN_ARN)');
  // outside local mode the server's certificate is checked against a CA bundle (the images carry RDS's)
  const ssl = vars.DB_SSL ?? (isLocal ? 'disable' : 'verify-full');
  if (ssl === 'verify-full') problems.require(vars.DB_SSL_CA_FILE, 'DB_SSL_CA_FILE', 'when DB_SSL is verify-full (the default outside local mode)');
  return {
    url: url ?? '',
    ...(credentials.kind !== 'url' ? { credentials } : {}),
    ssl,
    ...(vars.DB_SSL_CA_FILE ? { sslCaFile: vars.DB_SSL_CA_FILE } : {}),
    poolMax: vars.DB_POOL_MAX,
    ...(vars.DB_POOL_MAX_LIFETIME_SECONDS > 0 ? { maxLifetimeSeconds: vars.DB_POOL_MAX_LIFETIME_SECONDS } : {}),
    statementTimeoutMs: vars.DB_STATEMENT_TIMEOUT_MS,
    migrate: vars.DB_MIGRATE,
  };
}

export interface DatabaseAdminConfig extends CommonConfig {
  readonly aws: AwsConfig;
  /** As the master user (its password from the RDS-managed secret, DB_LOGIN_ARN). */
  readonly database: DatabaseConfig;
  /** The Secrets Manager secret of each service's login role. */
  readonly roleSecrets: { readonly api: string; readonly worker: string };
  /** Where Secrets Manager answers (the regional endpoint unless SECRETS_MANAGER_ENDPOINT_URL names another). */
  readonly secretsManager: AwsConfig;
}

const databaseAdminVars = {
  DB_API_LOGIN_ARN: SECRET_ARN.optional(),
  DB_WORKER_LOGIN_ARN: SECRET_ARN.optional(),
};

const ingestSchema = z.object({ ...commonVars, ...httpVars, ...awsVars, ...queueVars });
const apiSchema = z.object({ ...commonVars, ...httpVars, ...databaseVars, ...awsVars, DOCFLOW_BUCKET: queueVars.DOCFLOW_BUCKET });
const workerSchema = z.object({ ...commonVars, ...awsVars, ...queueVars, ...databaseVars, ...workerVars });

const databaseAdminSchema = z.object({ ...commonVars, ...awsVars, ...databaseVars, ...databaseAdminVars });

/** The database administration task (roles, migrations as the owner, password rotation): the master user's connection and the roles' secrets. */
export function loadDatabaseAdminConfig(env: Env = process.env): DatabaseAdminConfig {
  const vars = parseEnv('db-admin', databaseAdminSchema, env);
  const problems = new Problems();
  const base = common(vars);
  const awsConfig = aws(vars, base.isLocal, problems);
  const config: DatabaseAdminConfig = {
    ...base,
    aws: awsConfig,
    database: database(vars, base.isLocal, awsConfig, problems),
    secretsManager: { ...awsConfig, ...(vars.SECRETS_MANAGER_ENDPOINT_URL !== undefined ? { endpoint: vars.SECRETS_MANAGER_ENDPOINT_URL } : {}) },
    roleSecrets: {
      api: problems.require(vars.DB_API_LOGIN_ARN, 'DB_API_LOGIN_ARN', '(the api role\'s Secrets Manager secret)'),
      worker: problems.require(vars.DB_WORKER_LOGIN_ARN, 'DB_WORKER_LOGIN_ARN', '(the worker role\'s Secrets Manager secret)'),
    },
  };
  problems.throwIfAny('db-admin');
  return config;
}

export function loadIngestConfig(env: Env = process.env): IngestConfig {
  const vars = parseEnv('ingest', ingestSchema, env);
  const problems = new Problems();
  const base = common(vars);
  const config: IngestConfig = {
    ...base,
    http: http(vars, base.isLocal, vars.DOCFLOW_INGEST_PORT ?? LOCAL_DEFAULTS.ingestPort, problems),
    aws: aws(vars, base.isLocal, problems),
    queueUrl: queueUrl(vars, base.isLocal, problems),
    bucket: bucket(vars, base.isLocal, problems),
  };
  problems.throwIfAny('ingest');
  return config;
}

export function loadApiConfig(env: Env = process.env): ApiConfig {
  const vars = parseEnv('api', apiSchema, env);
  const problems = new Problems();
  const base = common(vars);
  const httpConfig = http(vars, base.isLocal, vars.DOCFLOW_API_PORT ?? LOCAL_DEFAULTS.apiPort, problems);
  const awsConfig = aws(vars, base.isLocal, problems);
  const config: ApiConfig = {
    ...base,
    http: httpConfig,
    database: database(vars, base.isLocal, awsConfig, problems),
    aws: awsConfig,
    bucket: bucket(vars, base.isLocal, problems),
  };
  problems.throwIfAny('api');
  return config;
}

export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const vars = parseEnv('worker', workerSchema, env);
  const problems = new Problems();
  const base = common(vars);
  const deadLetterQueueUrl = problems.require(
    vars.DOCFLOW_DLQ_URL ?? (base.isLocal ? localQueueUrl(LOCAL_DEFAULTS.deadLetterQueueName, vars.DOCFLOW_EMULATOR_PORT) : undefined),
    'DOCFLOW_DLQ_URL',
    'outside local mode',
  );
  if (vars.WORKER_MODE === 'pipe') problems.require(vars.SQS_BODY, 'SQS_BODY', 'in pipe mode (the message body from EventBridge Pipes)');
  if (vars.WORKER_MODE === 'poll' && vars.WORKER_CONCURRENCY > vars.DB_POOL_MAX) {
    // the handlers beyond the pool would wait for a connection, time out and spend their receives
    problems.list.push(
      `WORKER_CONCURRENCY: ${vars.WORKER_CONCURRENCY} messages at once need as many connections; DB_POOL_MAX is ${vars.DB_POOL_MAX}`,
    );
  }
  const awsConfig = aws(vars, base.isLocal, problems);
  const config: WorkerConfig = {
    ...base,
    mode: vars.WORKER_MODE,
    aws: awsConfig,
    queueUrl: queueUrl(vars, base.isLocal, problems),
    deadLetterQueueUrl,
    bucket: bucket(vars, base.isLocal, problems),
    database: database(vars, base.isLocal, awsConfig, problems),
    concurrency: vars.WORKER_CONCURRENCY,
    maxAttempts: vars.WORKER_MAX_ATTEMPTS,
    visibilityTimeoutSeconds: vars.WORKER_VISIBILITY_TIMEOUT_SECONDS,
    // a stopping worker lets its last long poll end (what it receives goes straight back): short
    // polls locally keep Ctrl-C quick, and cost nothing on the emulator
    waitTimeSeconds: vars.WORKER_WAIT_TIME_SECONDS ?? (base.isLocal ? LOCAL_WAIT_TIME_SECONDS : 20),
    ...(vars.SQS_BODY !== undefined ? { sqsBody: vars.SQS_BODY } : {}),
    ...(vars.WORKER_PIPE_MAX_TASKS !== undefined ? { pipeMaxTasks: vars.WORKER_PIPE_MAX_TASKS } : {}),
  };
  problems.throwIfAny('worker');
  return config;
}

// ---------------------------------------------------------------------------------------------
// exporter: a job and a command, not a server. It reaches the api and ingest over HTTP with one
// API key, and writes archives to a folder, S3 or GCS.

export interface ExporterConfig extends CommonConfig {
  /** Base URL of the api (export reads documents there). */
  readonly apiUrl: string;
  /**
   * Base URL of ingest (restore sends documents there). Only restore needs it.
   * @default - local: ingest of the local environment; elsewhere unset
   */
  readonly ingestUrl?: string;
  /** The key sent as `x-api-key` to both. */
  readonly apiKey: string;
  /** For `s3://` archives (outside local mode `region` is empty until AWS_REGION is set; opening an s3:// location then fails naming it). */
  readonly aws: AwsConfig;
  /** For `gs://` archives: the project, and an endpoint other than Google's (an emulator). */
  readonly gcs: { readonly projectId?: string; readonly endpoint?: string };
  /** How long one HTTP request may take before it counts as failed (and is retried). */
  readonly requestTimeoutMs: number;
  /** Tries per request (the first included) before the run stops; resuming is then safe. */
  readonly maxAttempts: number;
  /** Documents fetched (export) or batches sent (restore) at once. */
  readonly concurrency: number;
}

const exporterVars = {
  DOCFLOW_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  DOCFLOW_INGEST_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  DOCFLOW_API_KEY: z.string().optional(),
  // the keys `npm start` was given: locally, the exporter sends the first
  DOCFLOW_API_KEYS: z.string().optional(),
  GOOGLE_CLOUD_PROJECT: z.string().optional(),
  DOCFLOW_GCS_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  EXPORTER_REQUEST_TIMEOUT_MS: intVar(1_000, 600_000).default(30_000),
  EXPORTER_MAX_ATTEMPTS: intVar(1, 100).default(8),
  EXPORTER_CONCURRENCY: intVar(1, 64).default(8),
};

const exporterSchema = z.object({ ...commonVars, ...awsVars, ...exporterVars });

export function loadExporterConfig(env: Env = process.env): ExporterConfig {
  const vars = parseEnv('exporter', exporterSchema, env);
  const problems = new Problems();
  const base = common(vars);
  const local = (port: number) => (base.isLocal ? `http://127.0.0.1:${port}` : undefined);
  const apiUrl = problems.require(
    vars.DOCFLOW_API_URL ?? local(vars.DOCFLOW_API_PORT ?? LOCAL_DEFAULTS.apiPort),
    'DOCFLOW_API_URL',
    'outside local mode',
  );
  const ingestUrl = vars.DOCFLOW_INGEST_URL ?? local(vars.DOCFLOW_INGEST_PORT ?? LOCAL_DEFAULTS.ingestPort);
  // in local mode the key `npm start` accepts: the first of DOCFLOW_API_KEYS, or the local key
  const localKey = (vars.DOCFLOW_API_KEYS ?? '').split(',')[0]?.trim() || LOCAL_DEFAULTS.apiKey;
  const apiKey = problems.require(vars.DOCFLOW_API_KEY ?? (base.isLocal ? localKey : undefined), 'DOCFLOW_API_KEY', 'outside local mode');
  const config: ExporterConfig = {
    ...base,
    apiUrl: apiUrl ?? '',
    ...(ingestUrl !== undefined ? { ingestUrl } : {}),
    apiKey: apiKey ?? '',
    // only s3:// archives need AWS: the Cloud Run job (gs://) runs without any AWS setting
    aws: aws(vars, base.isLocal, problems, { regionRequired: false }),
    gcs: {
      ...(vars.GOOGLE_CLOUD_PROJECT ? { projectId: vars.GOOGLE_CLOUD_PROJECT } : {}),
      ...(vars.DOCFLOW_GCS_ENDPOINT ? { endpoint: vars.DOCFLOW_GCS_ENDPOINT } : {}),
    },
    requestTimeoutMs: vars.EXPORTER_REQUEST_TIMEOUT_MS,
    maxAttempts: vars.EXPORTER_MAX_ATTEMPTS,
    concurrency: vars.EXPORTER_CONCURRENCY,
  };
  problems.throwIfAny('exporter');
  return config;
}
