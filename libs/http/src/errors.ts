import type { ErrorResponse } from '@docflow/contracts';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { DEFAULT_RETRY_AFTER_SECONDS, HttpError } from './http-error.js';
import { queryParameterNames } from './query-string.js';

type Issue = NonNullable<ErrorResponse['issues']>[number];

/** What a client reads for a 5xx: the status and the request id, never what went wrong inside. */
const INTERNAL_ERROR_MESSAGE = 'Internal server error; the request id identifies it in the logs';
const SERVER_ERROR_MESSAGES: Readonly<Record<number, string>> = {
  500: INTERNAL_ERROR_MESSAGE,
  502: 'A dependency answered badly; try again later',
  503: 'Service unavailable; try again later',
  504: 'A dependency did not answer in time; try again later',
};

function reason(statusCode: number): string {
  return STATUS_CODES[statusCode] ?? 'Error';
}

export function errorResponse(
  request: FastifyRequest,
  statusCode: number,
  message: string,
  issues?: readonly Issue[],
): ErrorResponse {
  return {
    statusCode,
    error: reason(statusCode),
    message,
    requestId: request.id,
    ...(issues ? { issues: [...issues] } : {}),
  };
}

/** `/documents/3/url` (JSON pointer from the validator) → `documents.3.url`. */
function fieldPath(instancePath: string, location: string): string {
  const path = instancePath.split('/').filter(Boolean).join('.');
  return path === '' ? `(${location})` : path;
}

/**
 * zod's type messages say what the validator saw ("expected string, received undefined"); a
 * client reads what to do: a field that is missing is required. (A query parameter given twice
 * never gets here: the query string parser refuses it.)
 */
function issueMessage(message: string | undefined): string {
  if (message === undefined) return 'is invalid';
  if (/^Invalid input: expected \w+, received undefined$/.test(message)) return 'is required';
  return message;
}

type ValidationEntry = NonNullable<FastifyError['validation']>[number];

/** A query parameter the route does not take (its strict schema's unrecognized keys), one issue each. */
function unknownQueryParameters(entry: ValidationEntry, request: FastifyRequest): Issue[] | undefined {
  const keys = (entry.params as { keys?: unknown } | undefined)?.keys;
  if (entry.keyword !== 'unrecognized_keys' || !Array.isArray(keys)) return undefined;
  const taken = queryParameterNames(request.routeOptions.schema?.querystring);
  const message = `is not a parameter of ${request.method} ${routeOf(request)}; it takes ${taken.length > 0 ? taken.join(', ') : 'none'}`;
  return keys.map((key) => ({ path: String(key).slice(0, 60), message }));
}

function validationAnswer(error: FastifyError, request: FastifyRequest): ErrorResponse {
  const location = error.validationContext ?? 'request';
  const issues = (error.validation ?? []).flatMap((entry) =>
    (location === 'querystring' ? unknownQueryParameters(entry, request) : undefined) ?? [
      { path: fieldPath(entry.instancePath, location), message: issueMessage(entry.message) },
    ],
  );
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return errorResponse(request, 400, `Invalid ${location}: ${summary}`, issues);
}

/**
 * Client errors whose message may be shown: our own HttpError and Fastify's request errors
 * (FST_ERR_*: bad JSON, unsupported media type...). A 4xx status on any other error (a driver,
 * a dependency) is not trusted: such an error is answered as a 500.
 */
function clientErrorMessage(error: FastifyError, request: FastifyRequest): string | undefined {
  if (error instanceof HttpError) return error.message;
  if (typeof error.code !== 'string' || !error.code.startsWith('FST_')) return undefined;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `Request body is larger than the limit of ${request.routeOptions.bodyLimit} bytes`;
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'Request body is not valid JSON';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `Unsupported Content-Type ${JSON.stringify((request.headers['content-type'] ?? '').slice(0, 100))} for ${request.method} ${routeOf(request)}`;
    default:
      return error.message;
  }
}

function statusOf(error: FastifyError): number {
  const status = error.statusCode;
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : 500;
}

/** The client went away while sending its body: nobody hears the answer, and nothing failed here. */
function clientAborted(error: FastifyError, request: FastifyRequest): boolean {
  return error.code === 'ECONNRESET' && (request.raw.destroyed || request.raw.readableAborted);
}

/** A 503 or 429 tells the client when to come back, so it neither hammers nor gives up. */
function setRetryAfter(reply: FastifyReply, status: number, error: FastifyError): void {
  if (status !== 503 && status !== 429) return;
  const seconds = error instanceof HttpError ? error.retryAfterSeconds : undefined;
  reply.header('retry-after', String(seconds ?? DEFAULT_RETRY_AFTER_SECONDS));
}

function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (clientAborted(error, request)) {
    request.log.info({ code: error.code }, 'the client closed the connection before sending the whole request');
    return reply.code(400).send(errorResponse(request, 400, 'The request body ended before it was complete'));
  }
  if (Array.isArray(error.validation)) {
    const body = validationAnswer(error, request);
    request.log.info({ issues: body.issues }, body.message);
    return reply.code(400).send(body);
  }
  const status = statusOf(error);
  const clientMessage = status < 500 ? clientErrorMessage(error, request) : undefined;
  if (clientMessage !== undefined) {
    const issues = error instanceof HttpError ? error.issues : undefined;
    request.log.info({ statusCode: status, code: error.code, issues }, clientMessage);
    setRetryAfter(reply, status, error);
    return reply.code(status).send(errorResponse(request, status, clientMessage, issues));
  }
  const serverStatus = status >= 500 ? status : 500;
  request.log.error({ err: error }, 'request failed');
  setRetryAfter(reply, serverStatus, error);
  const message =
    error instanceof HttpError ? error.message : (SERVER_ERROR_MESSAGES[serverStatus] ?? INTERNAL_ERROR_MESSAGE);
  return reply.code(serverStatus).send(errorResponse(request, serverStatus, message));
}

/** The path of the request, without the query and cut short: it is the client's text, echoed. */
function routeOf(request: FastifyRequest): string {
  const path = request.url.split('?')[0] ?? '';
  return path.length > 200 ? `${path.slice(0, 200)}...` : path;
}

/** Every error, and every unknown route, answers in the ErrorResponseSchema shape. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorResponse(request, 404, `Route ${request.method} ${routeOf(request)} not found`)),
  );
}
