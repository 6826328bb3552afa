/**
 * Whether a database error means "PostgreSQL cannot serve right now" (unreachable, restarting,
 * out of connections, too slow, refusing credentials that are being rotated) rather than "this
 * query is wrong": the first is worth a 503 and a retry, the second is a bug.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
    // class 08: connection exception
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  // node-postgres raises these without a code
  return typeof message === 'string' && CONNECTION_MESSAGES.some((pattern) => pattern.test(message));
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, failing over)
  '53300', // too_many_connections
  '57014', // query_canceled: the statement timeout
  // credentials refused (a password rotated under a running service): the pool has already read
  // the password again and retried once, so what is left is a source that has not caught up yet
  '28P01', // invalid_password
  '28000', // invalid_authorization_specification
]);

const CONNECTION_MESSAGES = [
  /^timeout exceeded when trying to connect$/,
  /^Connection terminated/,
  /^Client has encountered a connection error and is not queryable$/,
  // the client-side query timeout (createPool's queryTimeoutMs): the server did not answer
  /^Query read timeout$/,
];

/**
 * What to tell someone who started a service by hand on the local environment when PostgreSQL
 * does not answer (the commonest cause: the environment runs on other ports, or not at all).
 */
export function localDatabaseHint(databaseUrl: string, error: unknown): string | undefined {
  if (!isDatabaseUnavailable(error)) return undefined;
  let where = 'the configured address';
  try {
    const url = new URL(databaseUrl);
    where = `${url.hostname}:${url.port || '5432'}`;
  } catch {
    // keep the generic wording
  }
  return (
    `PostgreSQL does not answer at ${where}. Start the local environment (npm run local -- env, or npm start), ` +
    'or point DOCFLOW_POSTGRES_PORT (or DATABASE_URL) at the one that runs.'
  );
}
