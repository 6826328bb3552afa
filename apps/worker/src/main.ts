import { parseArgs } from 'node:util';
import { WORKER_MODES, loadOrExit, loadWorkerConfig, type WorkerConfig } from '@docflow/config';
import { PIPE_TASK_EXIT } from '@docflow/contracts';
import { localDatabaseHint, migrate } from '@docflow/db';
import { createLogger, type Logger } from '@docflow/observability';
import { QueueConsumer } from '@docflow/queue';
import { DatabaseGate } from './database-gate.js';
import { runPipe } from './pipe.js';
import { createPollHandler } from './poll.js';
import { createWorkerResources } from './resources.js';

/**
 * The worker process: `--mode poll` (default; a long-running ECS service) or `--mode pipe` (one
 * message from SQS_BODY, as EventBridge Pipes starts it; exits 0 when the message is done with).
 */
async function main(): Promise<number> {
  const { values } = parseArgs({ options: { mode: { type: 'string' } } });
  if (values.mode !== undefined && !(WORKER_MODES as readonly string[]).includes(values.mode)) {
    process.stderr.write(`--mode must be one of ${WORKER_MODES.join(', ')} (got "${values.mode}")\n`);
    return 2;
  }
  const env = values.mode === undefined ? process.env : { ...process.env, WORKER_MODE: values.mode };
  const config = loadOrExit(() => loadWorkerConfig(env));
  const logger = createLogger({ service: 'worker', level: config.logLevel });
  return config.mode === 'pipe' ? pipeMode(config, logger) : pollMode(config, logger);
}

async function pollMode(config: WorkerConfig, logger: Logger): Promise<number> {
  const resources = createWorkerResources(config, logger);
  if (config.database.migrate) {
    try {
      await migrate(resources.pool, { logger });
    } catch (error) {
      logger.fatal({ err: error }, 'worker failed to start: migrations did not run');
      const hint = config.isLocal ? localDatabaseHint(config.database.url, error) : undefined;
      if (hint !== undefined) process.stderr.write(`${hint}\n`);
      await resources.close();
      return 1;
    }
  }
  const databaseGate = new DatabaseGate(resources.pool, logger);
  const consumer = new QueueConsumer({
    client: resources.sqs,
    queueUrl: config.queueUrl,
    handler: createPollHandler({ ...resources, logger, databaseGate }),
    beforeReceive: databaseGate.beforeReceive,
    concurrency: config.concurrency,
    waitTimeSeconds: config.waitTimeSeconds,
    visibilityTimeoutSeconds: config.visibilityTimeoutSeconds,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    logger,
  });
  consumer.start();
  logger.info({ queueUrl: config.queueUrl, concurrency: config.concurrency }, 'worker polling');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info({ inFlight: consumer.inFlight }, 'stopping: finishing the messages in flight');
  await consumer.stop();
  await resources.close();
  logger.info('worker stopped');
  return 0;
}

async function pipeMode(config: WorkerConfig, logger: Logger): Promise<number> {
  const resources = createWorkerResources(config, logger);
  const stop = new AbortController();
  // Fargate Spot interruption or scale-in: hand the message back before SIGKILL arrives
  process.once('SIGTERM', () => stop.abort());
  process.once('SIGINT', () => stop.abort());
  try {
    // no migrations here: a failure before processing would lose the message (Pipes deleted it);
    // the api and poll-mode workers apply them, and a task that finds no table re-enqueues
    const outcome = await runPipe(config.sqsBody ?? '', {
      ...resources,
      logger,
      maxAttempts: config.maxAttempts,
      ...(config.pipeMaxTasks !== undefined ? { slots: { pool: resources.pool, maxTasks: config.pipeMaxTasks } } : {}),
      signal: stop.signal,
    });
    // the exit code tells whoever watches the task stop whether the message is safe (PIPE_TASK_EXIT)
    if (outcome === 'processed' || outcome === 'failed-for-good') return PIPE_TASK_EXIT.done;
    return outcome === 'lost' ? 1 : PIPE_TASK_EXIT.handedBack;
  } finally {
    await resources.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
