/**
 * An error whose message is written for the client. Throw it from a route or hook to answer with
 * that status and message; for a 5xx the message is still ours (never a dependency's), and the
 * `cause` goes only to the log.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly statusCode: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
