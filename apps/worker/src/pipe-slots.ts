import type { Pool, PoolClient } from '@docflow/db';

/**
 * The pipe-mode concurrency gate. EventBridge Pipes has no concurrency setting: a burst of messages
 * starts a burst of tasks. Each task that wants to process takes one of `maxTasks` slots, a
 * PostgreSQL session advisory lock (`pg_try_advisory_lock(SLOT_LOCK_CLASS, slot)`); a task that finds
 * none free hands its message back with a delay, without spending an attempt. A task that dies
 * releases its slot with its connection, so no slot is ever stuck.
 */
export const SLOT_LOCK_CLASS = 0x646f6366; // 'docf' in ASCII; the migration lock uses the one-key form

export interface PipeSlot {
  readonly slot: number;
  release(): Promise<void>;
}

/** Takes a free slot of 1..maxTasks, or answers undefined when all are taken. */
export async function takePipeSlot(pool: Pool, maxTasks: number): Promise<PipeSlot | undefined> {
  const client: PoolClient = await pool.connect();
  try {
    for (let slot = 1; slot <= maxTasks; slot += 1) {
      const { rows } = await client.query<{ taken: boolean }>('SELECT pg_try_advisory_lock($1::int, $2::int) AS taken', [SLOT_LOCK_CLASS, slot]);
      if (rows[0]?.taken === true) {
        return {
          slot,
          // closing the session releases the lock, whatever state it is in
          release: async () => client.release(true),
        };
      }
    }
  } catch (error) {
    client.release(true);
    throw error;
  }
  client.release();
  return undefined;
}

/** Delay before a message that found no free slot is tried again: 30 to 60 s, spread so a burst does not return at once. */
export function slotRetryDelaySeconds(random: () => number = Math.random): number {
  return 30 + Math.floor(random() * 31);
}
