/**
 * A problem the user can fix (no Terraform, no credentials, an unknown environment or stack, a
 * failed apply): the CLI prints its message alone, never a stack trace.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    /** Process exit code: 1 error, 2 "found something" (changes where none were expected). */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}
