/**
 * A failure of the local environment (embedded PostgreSQL, the emulator) with a message that says
 * what went wrong and what to do about it; `cause` keeps the underlying error.
 */
export class LocalEnvironmentError extends Error {
  override readonly name = 'LocalEnvironmentError';
}
