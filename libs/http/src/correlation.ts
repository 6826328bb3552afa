import { CORRELATION_ID_HEADER, correlationIdFrom } from '@docflow/observability';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';

/** Fastify's request id is the correlation id: the caller's when well-formed, otherwise a new one. */
export function requestIdFrom(request: IncomingMessage): string {
  return correlationIdFrom(request.headers[CORRELATION_ID_HEADER]);
}

/** Answers carry the correlation id back, also on errors, so a caller can quote it. */
export function installCorrelationEcho(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(CORRELATION_ID_HEADER, request.id);
  });
}
