import { isDatabaseUnavailable, ping, type Pool } from '@docflow/db';
import type { Logger } from '@docflow/observability';

/**
 * Holds the poll-mode worker back while PostgreSQL is unavailable (an outage, or RDS stopped to
 * save money). Every receive counts toward the queue's redrive policy, so a worker that kept
 * receiving through an outage would move the whole backlog to the DLQ within minutes. Once a
 * handler sees the database go away, receiving waits until a ping succeeds again.
 */
export class DatabaseGate {
  private down = false;

  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
  ) {}

  /** Tells the gate about a failed handler: it closes when the failure says PostgreSQL is away. */
  observe(error: unknown): void {
    if (this.down || !isDatabaseUnavailable(error)) return;
    this.down = true;
    this.logger.warn('PostgreSQL is unavailable; holding the queue until it answers again');
  }

  /** For QueueConsumer's beforeReceive: throws while PostgreSQL still does not answer. */
  readonly beforeReceive = async (): Promise<void> => {
    if (!this.down) return;
    await ping(this.pool);
    this.down = false;
    this.logger.info('PostgreSQL answers again; receiving');
  };
}
