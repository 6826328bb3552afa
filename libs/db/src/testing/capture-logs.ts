import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@docflow/observability';

export interface CapturedLogs {
  readonly logger: Logger;
  /** Every line written so far, parsed. */
  readonly lines: Record<string, unknown>[];
}

/** A real logger whose JSON lines are kept in memory, for asserting what was logged. */
export function captureLogs(service = 'test'): CapturedLogs {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ service, level: 'debug', destination }), lines };
}
