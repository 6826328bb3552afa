import { Server } from 'node:net';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { LOCAL_DEFAULTS, localEmulatorEndpoint, type AwsConfig } from '@docflow/config';
import { LocalEnvironmentError } from './errors.js';
import { restoreSnapshot, writeSnapshot, type SnapshotCounts } from './emulator-snapshot.js';
import { createEmulatorClients, type EmulatorClients } from './emulator-clients.js';

export interface EmulatorOptions {
  /**
   * TCP port (0 picks a free one).
   * @default LOCAL_DEFAULTS.emulatorPort (4566)
   */
  readonly port?: number;
  /**
   * Visibility timeout of the documents queue.
   * @default 60
   */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * Receives after which SQS moves a message to the dead-letter queue (AWS advises at least 5).
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * Folder for a snapshot of pending messages and stored objects: restored on start, written on stop.
   * fauxqs 1.9.2 keeps everything in memory only.
   * @default - no snapshot; everything is lost on stop
   */
  readonly snapshotDir?: string;
  /** @default LOCAL_DEFAULTS.queueName */
  readonly queueName?: string;
  /** @default LOCAL_DEFAULTS.deadLetterQueueName */
  readonly deadLetterQueueName?: string;
  /** @default LOCAL_DEFAULTS.bucket */
  readonly bucket?: string;
  /**
   * Receives one line per notable event (snapshot restored or written).
   * @default - discarded
   */
  readonly onLog?: (line: string) => void;
}

export interface RunningEmulator {
  /** Where SDK clients send requests (`AwsConfig.endpoint`), e.g. http://127.0.0.1:4566. */
  readonly endpoint: string;
  readonly port: number;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly queueName: string;
  readonly deadLetterQueueName: string;
  readonly bucket: string;
  /** SDK settings that reach this emulator. */
  readonly aws: AwsConfig;
  /** The in-process fauxqs server, for inspection in tests. */
  readonly server: FauxqsServer;
  /** What the start restored from the snapshot dir (zeros without one). */
  readonly restored: SnapshotCounts;
  /** Writes the snapshot (when configured) and stops the server. Safe to call more than once. */
  stop(): Promise<void>;
}

/** SQS allows up to 14 days; the DLQ keeps its messages longer than the queue (4 days). */
const QUEUE_RETENTION_SECONDS = 4 * 24 * 3600;
const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;
/** SQS accepts 1 MiB messages since August 2025. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * fauxqs 1.9.2 always listens on 0.0.0.0 (its `host` option only names the host in queue URLs),
 * which would expose the local queue and bucket to the network. While it starts, a listen on
 * 0.0.0.0 in this process is made on 127.0.0.1 instead. Scoped to the call, and harmless to
 * anything else that starts meanwhile: locally, everything binds to 127.0.0.1.
 */
async function onLoopbackOnly<T>(start: () => Promise<T>): Promise<T> {
  const listen = Server.prototype.listen;
  Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    const [options] = args;
    if (typeof options === 'object' && options !== null && (options as { host?: unknown }).host === '0.0.0.0') {
      args[0] = { ...options, host: '127.0.0.1' };
    }
    return listen.apply(this, args as Parameters<typeof listen>);
  } as typeof listen;
  try {
    return await start();
  } finally {
    Server.prototype.listen = listen;
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const requestedPort = options.port ?? LOCAL_DEFAULTS.emulatorPort;
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 60;
  const maxReceiveCount = options.maxReceiveCount ?? 5;
  const queueName = options.queueName ?? LOCAL_DEFAULTS.queueName;
  const deadLetterQueueName = options.deadLetterQueueName ?? LOCAL_DEFAULTS.deadLetterQueueName;
  const bucket = options.bucket ?? LOCAL_DEFAULTS.bucket;
  const onLog = options.onLog ?? (() => undefined);

  let server: FauxqsServer;
  try {
    server = await onLoopbackOnly(() => startFauxqs({ port: requestedPort, logger: false, defaultRegion: LOCAL_DEFAULTS.region }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new LocalEnvironmentError(
        `SQS/S3 emulator cannot start: port ${requestedPort} is already in use (is another local environment running?)`,
        { cause: error },
      );
    }
    throw new LocalEnvironmentError(`SQS/S3 emulator failed to start on port ${requestedPort}: ${String(error)}`, {
      cause: error,
    });
  }

  const port = server.port;
  const endpoint = localEmulatorEndpoint(port);
  const aws: AwsConfig = {
    region: LOCAL_DEFAULTS.region,
    endpoint,
    // the emulator accepts any credentials, but the SDK refuses to sign without some
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };

  const deadLetterQueue = server.createQueue(deadLetterQueueName, {
    attributes: {
      MessageRetentionPeriod: String(DEAD_LETTER_RETENTION_SECONDS),
      MaximumMessageSize: String(MAX_MESSAGE_BYTES),
    },
  });
  const queue = server.createQueue(queueName, {
    attributes: {
      VisibilityTimeout: String(visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(QUEUE_RETENTION_SECONDS),
      MaximumMessageSize: String(MAX_MESSAGE_BYTES),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: deadLetterQueue.queueArn,
        maxReceiveCount: String(maxReceiveCount),
      }),
    },
  });
  server.createBucket(bucket);

  const clients: EmulatorClients = createEmulatorClients(aws);
  const layout = {
    queues: { [queueName]: queue.queueUrl, [deadLetterQueueName]: deadLetterQueue.queueUrl },
    bucket,
  };

  let restored: SnapshotCounts = { messages: 0, objects: 0 };
  if (options.snapshotDir !== undefined) {
    try {
      restored = await restoreSnapshot(options.snapshotDir, clients, layout);
    } catch (error) {
      clients.destroy();
      await server.stop();
      throw new LocalEnvironmentError(
        `SQS/S3 emulator could not restore its snapshot from ${options.snapshotDir}: ${(error as Error).message} ` +
          `(run \`npm run reset\` to start empty)`,
        { cause: error },
      );
    }
    if (restored.messages + restored.objects > 0) {
      onLog(`restored ${restored.messages} message(s) and ${restored.objects} object(s) from ${options.snapshotDir}`);
    }
  }

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    try {
      if (options.snapshotDir !== undefined) {
        const written = await writeSnapshot(options.snapshotDir, server, clients, layout);
        onLog(`saved ${written.messages} message(s) and ${written.objects} object(s) to ${options.snapshotDir}`);
      }
    } finally {
      clients.destroy();
      await server.stop();
    }
  };

  return {
    endpoint,
    port,
    queueUrl: queue.queueUrl,
    deadLetterQueueUrl: deadLetterQueue.queueUrl,
    queueName,
    deadLetterQueueName,
    bucket,
    aws,
    server,
    restored,
    stop: () => (stopping ??= stop()),
  };
}
