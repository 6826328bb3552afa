import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  /** Service name, on every line as `service`. */
  readonly service: string;
  /** @default 'info' */
  readonly level?: LoggerOptions['level'];
  /** Where lines go. @default - standard output */
  readonly destination?: DestinationStream;
}

/**
 * Paths never written to a log: credentials in headers and anything named like a secret. Values
 * are replaced, the keys stay, so a reader sees that a header was present.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  '*.password',
  '*.secret',
  '*.apiKey',
];

/** JSON logs, one object per line, ISO timestamps, `service` on each line. */
export function createLogger(options: CreateLoggerOptions): Logger {
  const loggerOptions: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
  return options.destination ? pino(loggerOptions, options.destination) : pino(loggerOptions);
}
