import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { DatabaseConfig } from '@docflow/config';
import { createLogger, type Logger } from '@docflow/observability';
import pg from 'pg';
import { isAuthenticationFailure, passwordSource, type RotatingPassword } from './credentials.js';
import { isDatabaseUnavailable } from './errors.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export interface CreatePoolOptions {
  /**
   * Receives errors of idle connections (a restarted or failed-over server), which would
   * otherwise crash the process.
   * @default - a logger for the service `db`
   */
  readonly logger?: Logger;
  /**
   * Shown in `pg_stat_activity` and the server log.
   * @default 'docflow'
   */
  readonly applicationName?: string;
  /**
   * How long to wait for a connection before a query fails (so readiness fails fast when the
   * server is unreachable instead of hanging).
   * @default 5_000
   */
  readonly connectionTimeoutMs?: number;
  /**
   * How long an unused connection stays open.
   * @default 30_000
   */
  readonly idleTimeoutMs?: number;
  /**
   * How long the client waits for a query's answer before it gives up and drops the connection.
   * The server's statement timeout cancels slow queries; this bounds the wait when the server
   * cannot answer at all (a failover leaves connections to the old primary hanging until TCP gives
   * up, minutes later). Not for a pool that runs migrations, which may rightly take longer.
   * @default - none: a query waits for the server or for the connection to fail
   */
  readonly queryTimeoutMs?: number;
}

/** How long after the statement timeout a request pool's client gives up on the server. */
export const QUERY_TIMEOUT_MARGIN_MS = 2_000;

/** Raised when the database configuration cannot produce a working pool; names the variable. */
export class DatabaseConfigError extends Error {
  override readonly name = 'DatabaseConfigError';
}

// libpq options that would silently override DB_SSL: node-postgres lets the URL win
const SSL_URL_PARAMS = ['sslmode', 'ssl', 'sslrootcert', 'sslcert', 'sslkey', 'sslcrl'];

type ClientConnectCallback = Parameters<pg.Client['connect']>[0] & object;
type ConnectCallback = (error: Error | undefined, client: pg.PoolClient | undefined, release: (release?: unknown) => void) => void;

/**
 * The connection string's parts as separate options: node-postgres lets a connection string
 * override every option it parses, a missing password included, which would hide the password
 * function.
 */
function withoutConnectionString({ connectionString, ...options }: pg.PoolConfig): pg.PoolConfig {
  if (connectionString === undefined) return options;
  const url = new URL(connectionString);
  return {
    ...options,
    host: decodeURIComponent(url.hostname),
    port: url.port === '' ? 5432 : Number(url.port),
    database: decodeURIComponent(url.pathname.slice(1)),
    user: decodeURIComponent(url.username),
  };
}

/** The password a refused connection was given, by its error (pg-pool passes the client's error on). */
const refusedPasswords = new WeakMap<object, string>();

/**
 * A client that remembers the password it was given, and files it with its error when PostgreSQL
 * refuses it: with several connections opening at once, the pool must know which password was
 * refused, not merely that one was.
 */
function rememberingClient(password: RotatingPassword): typeof pg.Client {
  return class PasswordRememberingClient extends pg.Client {
    /** The password this connection was given (set when PostgreSQL asks for it). */
    private readonly given: { value?: string };

    constructor(config?: string | pg.ClientConfig) {
      const given: { value?: string } = {};
      super({
        ...(typeof config === 'string' ? { connectionString: config } : config),
        password: async () => {
          given.value = await password.get();
          return given.value;
        },
      });
      this.given = given;
    }

    override connect(): Promise<pg.Client>;
    override connect(callback: ClientConnectCallback): void;
    override connect(callback?: ClientConnectCallback): Promise<pg.Client> | void {
      const file = (error: unknown) => {
        if (this.given.value !== undefined && typeof error === 'object' && error !== null && isAuthenticationFailure(error)) refusedPasswords.set(error, this.given.value);
      };
      if (callback === undefined) {
        return super.connect().catch((error: unknown) => {
          file(error);
          throw error;
        });
      }
      super.connect(((error: Error | null, client?: pg.Client) => {
        file(error);
        (callback as (error: Error | null, client?: pg.Client) => void)(error, client);
      }) as ClientConnectCallback);
    }
  };
}

/**
 * A pool whose password may change under it (a file or a Secrets Manager secret): every new
 * connection asks the password source, and a connection refused for its credentials tells the
 * source which password was refused and is opened once more before the caller hears of it.
 * Nothing has run on a connection that failed to open, so the retry repeats nothing; a rotation
 * costs no request.
 */
class CredentialRefreshingPool extends pg.Pool {
  constructor(
    options: pg.PoolConfig,
    private readonly password: RotatingPassword,
    private readonly logger: Logger,
  ) {
    super({ ...withoutConnectionString(options), Client: rememberingClient(password) });
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    if (callback === undefined) {
      return new Promise((resolve, reject) => this.connect((error, client) => (error || client === undefined ? reject(error) : resolve(client))));
    }
    const attempt = (retry: boolean) =>
      super.connect((error, client, release) => {
        if (error !== undefined && retry && isAuthenticationFailure(error)) {
          this.logger.warn({ error: describeError(error) }, 'PostgreSQL refused the password; reading it again and reconnecting once');
          this.password.refuse(refusedPasswords.get(error));
          attempt(false);
          return;
        }
        callback(error, client, release);
      });
    attempt(true);
  }
}

/**
 * A pg pool configured from the environment: TLS per `DB_SSL`, a server-side statement timeout,
 * an application name, a bounded size and a bounded wait for a connection; with a password file or
 * secret (`credentials`), the password is read when a connection opens and again after a refusal.
 */
export function createPool(config: DatabaseConfig, options: CreatePoolOptions = {}): Pool {
  const logger = options.logger ?? createLogger({ service: 'db' });
  const applicationName = options.applicationName ?? 'docflow';
  const connectionTimeoutMs = options.connectionTimeoutMs ?? 5_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;

  rejectSslInUrl(config.url);
  const password = passwordSource(config.credentials);
  const poolOptions: pg.PoolConfig = {
    connectionString: config.url,
    ssl: sslOptions(config),
    max: config.poolMax,
    statement_timeout: config.statementTimeoutMs,
    application_name: applicationName,
    connectionTimeoutMillis: connectionTimeoutMs,
    idleTimeoutMillis: idleTimeoutMs,
    ...(config.maxLifetimeSeconds !== undefined ? { maxLifetimeSeconds: config.maxLifetimeSeconds } : {}),
    keepAlive: true,
    ...(options.queryTimeoutMs !== undefined ? { query_timeout: options.queryTimeoutMs } : {}),
  };
  const pool = password !== undefined ? new CredentialRefreshingPool(poolOptions, password, logger) : new pg.Pool(poolOptions);
  pool.on('error', (error) => {
    // only the message and code: node-postgres attaches the client (and its settings) to the error
    if (isDatabaseUnavailable(error)) {
      // a server stopping or restarting (57P01 on a local Ctrl-C, a failover): expected, and the
      // next query connects again
      logger.warn({ error: describeError(error) }, 'PostgreSQL closed an idle connection; the pool opens a new one when needed');
    } else {
      logger.error({ error: describeError(error) }, 'idle PostgreSQL connection failed; the pool replaces it');
    }
  });
  return pool;
}

/** Readiness: a round trip to the server. Throws when PostgreSQL cannot answer. */
export async function ping(pool: Pool): Promise<void> {
  await pool.query('SELECT 1');
}

/** What can be logged of a node-postgres error. */
export function describeError(error: unknown): { message: string; code?: string } {
  const { message, code } = error as { message?: unknown; code?: unknown };
  return {
    message: typeof message === 'string' ? message : String(error),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

function sslOptions(config: DatabaseConfig): false | ConnectionOptions {
  switch (config.ssl) {
    case 'disable':
      return false;
    case 'require':
      // libpq's `require`: encrypted, server identity not checked
      return { rejectUnauthorized: false };
    case 'verify-full': {
      if (config.sslCaFile === undefined) {
        throw new DatabaseConfigError('DB_SSL_CA_FILE: is required when DB_SSL is verify-full');
      }
      // Node checks the chain against `ca` and the host name against the certificate
      return { rejectUnauthorized: true, ca: readCa(config.sslCaFile) };
    }
  }
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new DatabaseConfigError(`DB_SSL_CA_FILE: cannot read ${file} (${(error as Error).message})`);
  }
}

function rejectSslInUrl(url: string): void {
  let params: URLSearchParams;
  try {
    params = new URL(url).searchParams;
  } catch {
    throw new DatabaseConfigError('DATABASE_URL: is not a valid URL');
  }
  const found = SSL_URL_PARAMS.filter((name) => params.has(name));
  if (found.length > 0) {
    throw new DatabaseConfigError(
      `DATABASE_URL: remove ${found.join(', ')} from the URL and set DB_SSL (and DB_SSL_CA_FILE) instead`,
    );
  }
}
