import { InvalidCursorError, isDatabaseUnavailable } from '@docflow/db';
import { HttpError } from '@docflow/http';

/**
 * Runs a repository call and turns what went wrong into an answer: a bad cursor is the
 * client's 400, PostgreSQL being unreachable or overloaded is a 503 worth retrying (its details
 * go to the log only), anything else stays a 500.
 */
export async function fromDatabase<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InvalidCursorError) {
      throw new HttpError(400, error.message, { issues: [{ path: error.field, message: error.message.replace(/^cursor: /, '') }] });
    }
    if (isDatabaseUnavailable(error)) {
      throw new HttpError(503, 'Service unavailable; try again later', { cause: error });
    }
    throw error;
  }
}
