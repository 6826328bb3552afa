import { randomUUID } from 'node:crypto';

/** The header that carries a correlation id into ingest and back out in its answer. */
export const CORRELATION_ID_HEADER = 'x-correlation-id';

const VALID_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function newCorrelationId(): string {
  return randomUUID();
}

/**
 * The caller's correlation id when it is safe to log and forward, otherwise a fresh one: a
 * client may pick its own id to trace a document through the pipeline, but not inject text into
 * the logs.
 */
export function correlationIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && VALID_CORRELATION_ID.test(value) ? value : newCorrelationId();
}
