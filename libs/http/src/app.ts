import type { Logger } from '@docflow/observability';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { installApiKeyAuth } from './auth.js';
import { installCorrelationEcho, requestIdFrom } from './correlation.js';
import { installConnectionDrain } from './drain.js';
import { installErrorHandling } from './errors.js';
import { installHealthRoutes, type ReadinessChecks } from './health.js';
import { installOpenApi, type OpenApiOptions } from './openapi.js';
import { clientErrorHandler, frameworkErrors, installProtocolAnswers } from './protocol-errors.js';
import { installJsonCharsets } from './body-charset.js';
import { refuseEncodedBodies } from './content-encoding.js';
import { installQueryStringChecks, parseQueryString, refuseUnknownQueryParameters } from './query-string.js';
import { CONNECTION_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS, headersTimeoutMs } from './server-timeouts.js';

/** A service's Fastify instance: zod schemas validate requests and serialize responses. */
export type HttpApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface HttpAppOptions {
  /** Service name (`ingest`, `api`), the default title of its API documentation. */
  readonly service: string;
  readonly logger: Logger;
  /** Keys accepted in `x-api-key` (any of them); at least one. */
  readonly apiKeys: readonly string[];
  /** Longest time to receive a whole request from the client. */
  readonly requestTimeoutMs: number;
  /**
   * Largest request body; a route may set its own `bodyLimit`.
   * @default 1048576 (Fastify's 1 MiB)
   */
  readonly bodyLimitBytes?: number;
  /** Dependencies that `/readyz` checks; `{}` when the service needs none. */
  readonly readiness: ReadinessChecks;
  /**
   * Time each readiness check may take before it counts as failing.
   * @default 2000 (well under the ALB health check timeout of 5 s)
   */
  readonly readinessTimeoutMs?: number;
  /**
   * How long a dependency may keep failing before `/readyz` answers 503 (until then it answers
   * 200 `degraded`): longer than a database failover, so a blip never empties the load balancer.
   * @default 0 (not ready on the first failure)
   */
  readonly readinessGraceMs?: number;
  readonly openapi: OpenApiOptions;
}

/**
 * Builds a service's HTTP app with everything but its own routes: API-key auth, errors in one
 * shape, correlation ids, health and readiness, OpenAPI at `/docs`, timeouts for an ALB.
 * Add routes to the returned instance; `serve()` runs it.
 */
export async function buildHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const bodyLimitBytes = options.bodyLimitBytes ?? 1024 * 1024;
  const readinessTimeoutMs = options.readinessTimeoutMs ?? 2_000;
  const readinessGraceMs = options.readinessGraceMs ?? 0;

  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    genReqId: requestIdFrom,
    // the id comes from genReqId, which validates the caller's header
    requestIdHeader: false,
    // the same field name as in the worker's logs, so one query follows a document
    logController: new LogController({ requestIdLogLabel: 'correlationId' }),
    bodyLimit: bodyLimitBytes,
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    // while closing, new requests on open connections get 503 and the ALB retries elsewhere
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // refusals below the routes answer in the one error shape too
    clientErrorHandler,
    frameworkErrors,
    // answered by installProtocolAnswers in the error shape instead of Node's empty 400
    http: { requireHostHeader: false },
    // strict: a malformed escape or a repeated name is answered 400 (installQueryStringChecks)
    routerOptions: { querystringParser: parseQueryString },
  });
  app.server.headersTimeout = headersTimeoutMs(options.requestTimeoutMs);

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  installErrorHandling(app);
  installCorrelationEcho(app);
  installProtocolAnswers(app, app.log);
  installJsonCharsets(app);
  installConnectionDrain(app);
  installApiKeyAuth(app, options.apiKeys);
  installQueryStringChecks(app);
  refuseUnknownQueryParameters(app);
  refuseEncodedBodies(app);
  await installOpenApi(app, { ...options.openapi, title: options.openapi.title ?? `docflow ${options.service}` });
  installHealthRoutes(app, { readiness: options.readiness, readinessTimeoutMs, readinessGraceMs });

  return app.withTypeProvider<ZodTypeProvider>();
}
