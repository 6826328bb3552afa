import { ErrorResponseSchema } from '@docflow/contracts';
import { z } from 'zod';
import { buildHttpApp, type HttpApp, type HttpAppOptions } from '../app.js';
import { HttpError } from '../http-error.js';
import { captureLogs } from '@docflow/observability/testing';

export const KEYS = ['first-key-0123456789', 'k2'] as const;
export const SECRET_DETAIL = 'password=hunter2 at db.internal:5432';

/** An app with a route for each behaviour the shared bootstrap must get right. */
export async function buildTestApp(overrides: Partial<HttpAppOptions> = {}) {
  const logs = captureLogs();
  const app: HttpApp = await buildHttpApp({
    service: 'test',
    logger: logs.logger,
    apiKeys: KEYS,
    requestTimeoutMs: 5_000,
    readiness: {},
    openapi: { version: '1.2.3' },
    ...overrides,
  });

  app.post(
    '/v1/things',
    {
      schema: {
        body: z.object({ url: z.url(), count: z.number().int().min(1), tags: z.array(z.string().min(1)).optional() }),
        response: { 201: z.object({ url: z.string(), count: z.number() }), 400: ErrorResponseSchema },
      },
    },
    async (request, reply) => reply.code(201).send({ url: request.body.url, count: request.body.count }),
  );
  app.post(
    '/v1/small',
    { bodyLimit: 100, schema: { body: z.object({ text: z.string() }) } },
    async (request) => ({ length: request.body.text.length }),
  );
  app.get('/v1/query', { schema: { querystring: z.object({ limit: z.coerce.number().int().max(10) }) } }, async (request) => ({
    limit: request.query.limit,
  }));
  app.get('/v1/crash', async () => {
    throw new Error(`connection refused: ${SECRET_DETAIL}`);
  });
  app.get('/v1/foreign-4xx', async () => {
    // e.g. a driver error that happens to carry a statusCode: not ours to show
    throw Object.assign(new Error(`upstream said no: ${SECRET_DETAIL}`), { statusCode: 403 });
  });
  app.get('/v1/conflict', async () => {
    throw new HttpError(409, 'That thing exists already');
  });
  app.get('/v1/too-long', async () => {
    throw new HttpError(413, 'name is too long', { issues: [{ path: 'name', message: 'at most 3 bytes' }] });
  });
  app.get('/v1/unavailable', async () => {
    throw new HttpError(503, 'Storage is unavailable; nothing was accepted, retry later', {
      cause: new Error(SECRET_DETAIL),
    });
  });
  app.get('/v1/unavailable-for-a-minute', async () => {
    throw new HttpError(503, 'Maintenance; retry in a minute', { retryAfterSeconds: 60 });
  });
  app.get('/v1/bad-response', { schema: { response: { 200: z.object({ n: z.number() }) } } }, async () => ({
    n: SECRET_DETAIL as unknown as number,
  }));
  app.get('/v1/open', { config: { public: true } }, async () => ({ open: true }));
  await app.ready();
  return { app, ...logs };
}
