import type { FastifyInstance } from 'fastify';

export interface ServeOptions {
  readonly host: string;
  readonly port: number;
  /**
   * Longest a graceful shutdown may take; then the process exits anyway. Keep it under the ECS
   * stopTimeout, after which the task is killed.
   */
  readonly shutdownTimeoutMs: number;
}

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Listens, and owns the process from then on: on SIGTERM or SIGINT the app stops accepting
 * connections, finishes the requests in flight, runs its onClose hooks (each resource closes
 * itself there), then the process exits 0; 1 if that takes longer than `shutdownTimeoutMs` or
 * fails. A second signal exits at once (a developer pressing Ctrl-C twice).
 * Resolves with the address it listens on.
 */
export async function serve(app: FastifyInstance, options: ServeOptions): Promise<string> {
  const address = await app.listen({ host: options.host, port: options.port });
  app.log.info({ address }, 'listening');

  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) {
      app.log.warn({ signal }, 'second signal during shutdown: exiting now');
      process.exit(1);
    }
    closing = true;
    app.log.info({ signal, shutdownTimeoutMs: options.shutdownTimeoutMs }, 'shutting down: finishing requests in flight');
    const deadline = setTimeout(() => {
      app.log.error({ shutdownTimeoutMs: options.shutdownTimeoutMs }, 'shutdown did not finish in time: exiting');
      process.exit(1);
    }, options.shutdownTimeoutMs);
    app.close().then(
      () => {
        clearTimeout(deadline);
        app.log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, shutdown);
  return address;
}
