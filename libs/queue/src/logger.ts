import type { Logger } from '@docflow/observability';

/** The part of the service logger the queue code uses (a pino logger fits). */
export type QueueLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export const silentLogger: QueueLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
