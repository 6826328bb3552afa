import type { QueueLogger } from '../logger.js';

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly context: Record<string, unknown>;
  readonly message: string;
}

/** A logger that keeps its lines, so tests can assert what was reported. */
export function recordingLogger(): QueueLogger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (context: unknown, message?: string): void => {
      entries.push({ level, context: context as Record<string, unknown>, message: message ?? '' });
    };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as QueueLogger & {
    readonly entries: LogEntry[];
  };
}
