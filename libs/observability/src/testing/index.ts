import { Writable } from 'node:stream';
import type { LoggerOptions } from 'pino';
import { createLogger, type Logger } from '../logger.js';

export type LogLine = Record<string, unknown>;

export interface CapturedLogs {
  /** A real logger whose lines are kept in memory. */
  readonly logger: Logger;
  /** Every line written so far, parsed. */
  readonly lines: LogLine[];
  /** All lines as JSON text, for asserting that something never appears. */
  text(): string;
}

/** A real logger whose JSON lines a test can read. */
export function captureLogs(service = 'test', level: LoggerOptions['level'] = 'debug'): CapturedLogs {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      }
      done();
    },
  });
  return {
    logger: createLogger({ service, level, destination }),
    lines,
    text: () => lines.map((line) => JSON.stringify(line)).join('\n'),
  };
}
