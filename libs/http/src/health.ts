import { ErrorResponseSchema } from '@docflow/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponse } from './errors.js';
import './route-config.js';

/** Resolves when the dependency answers; the signal aborts when the check runs out of time. */
export type ReadinessCheck = (signal: AbortSignal) => Promise<unknown>;

/** Named checks of the dependencies a service needs to do its work, e.g. `{ s3, sqs }`. */
export type ReadinessChecks = Readonly<Record<string, ReadinessCheck>>;

const CheckStateSchema = z.enum(['ok', 'failing', 'timeout']);
type CheckState = z.infer<typeof CheckStateSchema>;

export const AliveSchema = z.object({ status: z.literal('ok') });
export const ReadySchema = z.object({
  status: z.literal('ok'),
  checks: z.record(z.string(), z.literal('ok')),
});
export const NotReadySchema = ErrorResponseSchema.extend({
  status: z.literal('unavailable'),
  checks: z.record(z.string(), CheckStateSchema).describe('State of each dependency'),
});

interface CheckResult {
  readonly state: CheckState;
  readonly error?: unknown;
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`readiness check timed out after ${timeoutMs} ms`));
      resolve({ state: 'timeout' });
    }, timeoutMs);
  });
  const answered = check(controller.signal).then(
    (): CheckResult => ({ state: 'ok' }),
    (error: unknown): CheckResult => ({ state: 'failing', error }),
  );
  try {
    return await Promise.race([answered, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

export interface HealthOptions {
  readonly readiness: ReadinessChecks;
  readonly readinessTimeoutMs: number;
}

/**
 * `/healthz`: the process answers (liveness; no dependency, so a slow database never gets a
 * healthy task killed). `/readyz`: every dependency answers (the load balancer's health check).
 * A failing check is named in the answer; its error goes only to the log.
 */
export function installHealthRoutes(app: FastifyInstance, options: HealthOptions): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  // probes run every few seconds: only their failures are worth a log line
  const probe = { config: { public: true }, logLevel: 'warn' } as const;

  routes.get(
    '/healthz',
    { ...probe, schema: { tags: ['health'], summary: 'Liveness', response: { 200: AliveSchema } } },
    async () => ({ status: 'ok' as const }),
  );

  routes.get(
    '/readyz',
    {
      ...probe,
      schema: {
        tags: ['health'],
        summary: 'Readiness: every dependency answers',
        response: { 200: ReadySchema, 503: NotReadySchema },
      },
    },
    async (request, reply) => {
      const results = await Promise.all(
        Object.entries(options.readiness).map(async ([name, check]) => ({
          name,
          ...(await runCheck(check, options.readinessTimeoutMs)),
        })),
      );
      const failing = results.filter((result) => result.state !== 'ok');
      if (failing.length === 0) {
        return reply.code(200).send({ status: 'ok', checks: Object.fromEntries(results.map(({ name }) => [name, 'ok' as const])) });
      }

      for (const { name, state, error } of failing) {
        request.log.warn({ dependency: name, state, err: error }, `readiness check ${name}: ${state}`);
      }
      const summary = failing.map(({ name, state }) => `${name} ${state === 'timeout' ? 'timed out' : 'is failing'}`);
      return reply.code(503).send({
        ...errorResponse(request, 503, `Not ready: ${summary.join(', ')}`),
        status: 'unavailable',
        checks: Object.fromEntries(results.map(({ name, state }) => [name, state])),
      });
    },
  );
}
