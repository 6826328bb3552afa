import type { ErrorResponse } from '@docflow/contracts';

export interface HttpErrorOptions extends ErrorOptions {
  /** Fields at fault, as in a validation error. @default - none */
  readonly issues?: ErrorResponse['issues'];
  /**
   * Seconds the client should wait before trying again, sent as `Retry-After` (503 and 429).
   * @default - DEFAULT_RETRY_AFTER_SECONDS on a 503 or 429, none otherwise
   */
  readonly retryAfterSeconds?: number;
}

/** `Retry-After` of a 503 or 429 that names no delay of its own. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/**
 * An error whose message is written for the client. Throw it from a route or hook to answer with
 * that status and message; for a 5xx the message is still ours (never a dependency's), and the
 * `cause` goes only to the log.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly issues: ErrorResponse['issues'];
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly statusCode: number,
    message: string,
    options: HttpErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.issues = options.issues;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

type Issue = NonNullable<ErrorResponse['issues']>[number];

/** A 400 for query parameters at fault, worded as the validator words the querystring's errors. */
export function invalidQueryString(issues: readonly Issue[]): HttpError {
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return new HttpError(400, `Invalid querystring: ${summary}`, { issues: [...issues] });
}
