import type { ErrorResponse } from '@docflow/contracts';

export interface HttpErrorOptions extends ErrorOptions {
  /** Fields at fault, as in a validation error. @default - none */
  readonly issues?: ErrorResponse['issues'];
}

/**
 * An error whose message is written for the client. Throw it from a route or hook to answer with
 * that status and message; for a 5xx the message is still ours (never a dependency's), and the
 * `cause` goes only to the log.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly issues: ErrorResponse['issues'];

  constructor(
    readonly statusCode: number,
    message: string,
    options: HttpErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.issues = options.issues;
  }
}
