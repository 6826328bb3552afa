import { createLogger, type Logger } from '@docflow/observability';
import { Writable } from 'node:stream';

export type LogLine = Record<string, unknown>;

/** A real logger whose JSON lines a test can read. */
export function captureLogs(service = 'test'): { logger: Logger; lines: LogLine[]; text: () => string } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      }
      done();
    },
  });
  const logger = createLogger({ service, level: 'debug', destination });
  return { logger, lines, text: () => lines.map((line) => JSON.stringify(line)).join('\n') };
}
