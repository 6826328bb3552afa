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
export const ReadySchema = z
  .object({
    status: z.enum(['ok', 'degraded']).describe('degraded: a dependency fails, for less than the readiness grace'),
    checks: z.record(z.string(), CheckStateSchema).describe('State of each dependency'),
  })
  .describe('Ready: every dependency answers, or has failed for less than the readiness grace');
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
  /** How long a dependency may fail, without a success in between, before the task is not ready. */
  readonly readinessGraceMs: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * When each dependency started failing (since its last success). A short blip (a Multi-AZ
 * failover, a restart) fails every task at once; taking them all out of the load balancer
 * would turn it into an outage, so only a failure that outlasts the grace counts.
 */
class FailureClock {
  private readonly failingSince = new Map<string, number>();
  constructor(private readonly now: () => number) {}

  /** Records a result; returns how long the dependency has been failing (0 when it answers). */
  record(name: string, ok: boolean): number {
    const now = this.now();
    if (ok) {
      this.failingSince.delete(name);
      return 0;
    }
    const since = this.failingSince.get(name) ?? now;
    this.failingSince.set(name, since);
    return now - since;
  }
}

/**
 * `/healthz`: the process answers (liveness; no dependency, so a slow database never gets a
 * healthy task killed). `/readyz`: every dependency answers, or has failed for less than the
 * readiness grace (the load balancer's health check; `degraded` meanwhile). A failing check is
 * named in the answer; its error goes only to the log.
 */
export function installHealthRoutes(app: FastifyInstance, options: HealthOptions): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const clock = new FailureClock(options.now ?? (() => Date.now()));
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
        summary: 'Readiness: every dependency answers, or has failed for less than the readiness grace',
        response: { 200: ReadySchema, 503: NotReadySchema },
      },
    },
    async (request, reply) => {
      const results = await Promise.all(
        Object.entries(options.readiness).map(async ([name, check]) => {
          const result = await runCheck(check, options.readinessTimeoutMs);
          return { name, ...result, failingForMs: clock.record(name, result.state === 'ok') };
        }),
      );
      const checks = Object.fromEntries(results.map(({ name, state }) => [name, state]));
      const failing = results.filter((result) => result.state !== 'ok');
      for (const { name, state, error, failingForMs } of failing) {
        request.log.warn({ dependency: name, state, failingForMs, err: error }, `readiness check ${name}: ${state}`);
      }
      const sustained = failing.filter((result) => result.failingForMs >= options.readinessGraceMs);
      if (sustained.length === 0) {
        return reply.code(200).send({ status: failing.length === 0 ? ('ok' as const) : ('degraded' as const), checks });
      }
      const summary = sustained.map(
        ({ name, state, failingForMs }) =>
          `${name} ${state === 'timeout' ? 'timed out' : 'is failing'}${failingForMs > 0 ? ` (for ${Math.round(failingForMs / 1000)} s)` : ''}`,
      );
      return reply.code(503).send({
        ...errorResponse(request, 503, `Not ready: ${summary.join(', ')}`),
        status: 'unavailable',
        checks,
      });
    },
  );
}
