import type { ErrorResponse } from '@docflow/contracts';
import { CORRELATION_ID_HEADER, correlationIdFrom, newCorrelationId } from '@docflow/observability';
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorResponse } from './errors.js';

/**
 * Answers for what goes wrong below the routes: a request Node's HTTP parser refuses, an
 * `Expect` it cannot meet, `CONNECT`, a missing Host, a URL the router cannot decode. Node and
 * Fastify answer these with an empty body, a body of their own shape, or no answer at all; here
 * each gets the one error shape with a request id and a message naming the problem.
 */

/** Largest request head Node accepts (its --max-http-header-size default). */
const MAX_HEADER_BYTES = 16 * 1024;

/** Node's parser errors whose answer is not a plain 400 or whose llhttp reason reads poorly. */
const PARSER_PROBLEMS: Readonly<Record<string, readonly [number, string]>> = {
  HPE_HEADER_OVERFLOW: [431, `Request line and headers are larger than the limit of ${MAX_HEADER_BYTES} bytes`],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request was not received in time'],
  HPE_INVALID_METHOD: [400, 'Malformed request: unknown HTTP method'],
};

function answerJson(statusCode: number, message: string, requestId: string): { head: string; body: string } {
  const body: ErrorResponse = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, requestId };
  const json = JSON.stringify(body);
  const head =
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? 'Error'}\r\n` +
    `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(json)}\r\n` +
    `${CORRELATION_ID_HEADER}: ${requestId}\r\nconnection: close\r\n\r\n`;
  return { head, body: json };
}

/** Writes an error answer straight to a socket that has no request object (yet) and closes it. */
function answerOnSocket(socket: Duplex, statusCode: number, message: string, requestId: string): void {
  if (socket.writable) {
    const { head, body } = answerJson(statusCode, message, requestId);
    socket.end(head + body);
  } else {
    socket.destroy();
  }
}

/**
 * Fastify's `clientErrorHandler`: Node's parser refused the request before there was one, so
 * the answer goes to the socket. Logged at info: a client's mistake, not the service's.
 */
export function clientErrorHandler(this: FastifyInstance, error: NodeJS.ErrnoException & { reason?: string }, socket: Duplex): void {
  // a reset connection has nobody to answer
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // llhttp's reason is a fixed English sentence ("Transfer-Encoding can't be present with Content-Length")
  const [statusCode, message] = PARSER_PROBLEMS[error.code ?? ''] ?? [400, `Malformed request: ${error.reason ?? error.code ?? 'not HTTP'}`];
  const requestId = newCorrelationId();
  this.log.info({ correlationId: requestId, code: error.code, statusCode }, message);
  answerOnSocket(socket, statusCode, message, requestId);
}

/** Fastify's `frameworkErrors`: what the router refuses before any route runs. */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  let statusCode: number;
  let message: string;
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      statusCode = 400;
      message = 'The URL path is not valid: it has a malformed percent-encoding (%XX)';
      break;
    case 'FST_ERR_MAX_PARAM_LENGTH':
      statusCode = 414;
      message = 'A path segment is longer than the limit of 100 characters';
      break;
    default:
      statusCode = 500;
      message = 'Internal server error; the request id identifies it in the logs';
      request.log.error({ err: error }, 'router failed');
  }
  if (statusCode < 500) request.log.info({ code: error.code, statusCode }, message);
  reply.header(CORRELATION_ID_HEADER, request.id).code(statusCode).send(errorResponse(request, statusCode, message));
}

/**
 * Node's server-level answers that bypass Fastify: an `Expect` other than 100-continue (Node
 * answers 417 with an empty body) and `CONNECT` (Node closes the connection without a word).
 */
export function installProtocolAnswers(app: FastifyInstance, log: FastifyBaseLogger): void {
  app.server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const requestId = correlationIdFrom(request.headers[CORRELATION_ID_HEADER]);
    const expectation = String(request.headers.expect ?? '').slice(0, 100);
    const message = `Expect: ${JSON.stringify(expectation)} is not supported; only "100-continue" is`;
    log.info({ correlationId: requestId, statusCode: 417 }, message);
    const { body } = answerJson(417, message, requestId);
    response.writeHead(417, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      [CORRELATION_ID_HEADER]: requestId,
      connection: 'close',
    });
    response.end(body);
  });
  app.server.on('connect', (request: IncomingMessage, socket: Duplex) => {
    const requestId = correlationIdFrom(request.headers[CORRELATION_ID_HEADER]);
    const message = 'Method CONNECT is not allowed: this is an API, not a proxy';
    log.info({ correlationId: requestId, statusCode: 405 }, message);
    answerOnSocket(socket, 405, message, requestId);
  });
  // HTTP/1.1 requires Host; Node's own check answers an empty 400, so it is done here instead.
  // Node keeps the first of several Hosts and drops the rest; RFC 9112 §3.2 says to refuse them
  app.addHook('onRequest', async (request, reply) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      await reply.code(400).send(errorResponse(request, 400, 'The Host header is required in HTTP/1.1'));
      return;
    }
    const hosts = hostHeaderCount(request.raw.rawHeaders);
    if (hosts > 1) {
      await reply.code(400).send(errorResponse(request, 400, `The Host header is given ${hosts} times; a request has exactly one`));
    }
  });
}

/** How many Host headers came, whatever their case (rawHeaders alternates names and values). */
function hostHeaderCount(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if (rawHeaders[index]?.toLowerCase() === 'host') count += 1;
  }
  return count;
}
