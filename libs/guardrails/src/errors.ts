/**
 * A problem the user can fix (a missing folder, an unknown environment, a bad git ref): the CLI
 * prints its message on one line and exits 1, never a stack trace.
 */
export class GuardrailsError extends Error {
  override readonly name = 'GuardrailsError';
}
