import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { loadWorkerConfig } from '@docflow/config';
import { createEmulatorClients } from '../emulator-clients.js';
import { LocalPipe } from '../pipes/local-pipe.js';
import { handBackStoppedTask } from '../pipes/task-stopped.js';
import type { EnvironmentEndpoints } from './environment.js';
import type { Output } from './supervisor.js';

export interface RunningPipe {
  stop(): Promise<void>;
}

/**
 * `--worker pipe`: the worker as the lean profile runs it, one process per message started by a
 * local EventBridge Pipes (LocalPipe), each `node worker/main.js --mode pipe` with SQS_BODY. The
 * task-stopped rule hands back the message of a task that stopped without finishing with it.
 * Tasks run at most WORKER_CONCURRENCY at once (default 4).
 */
export function startLocalPipe(options: {
  readonly bundle: string;
  readonly env: NodeJS.ProcessEnv;
  readonly environment: EnvironmentEndpoints;
  readonly output: Output;
}): RunningPipe {
  const { environment, output } = options;
  const say = (line: string) => output.line('worker', line);
  // the worker's own settings (WORKER_MAX_ATTEMPTS, WORKER_CONCURRENCY), read as it reads them
  const settings = loadWorkerConfig({ ...options.env, WORKER_MODE: 'poll' });
  const clients = createEmulatorClients({
    region: settings.aws.region,
    endpoint: environment.emulatorEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const pipe = new LocalPipe({
    sqs: clients.sqs,
    queueUrl: environment.queueUrl,
    maxConcurrentTasks: settings.concurrency,
    runTask: (body) => {
      const child = spawn(process.execPath, ['--enable-source-maps', options.bundle, '--mode', 'pipe'], {
        env: { ...options.env, SQS_BODY: body },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      for (const stream of [child.stdout, child.stderr]) {
        if (stream) createInterface({ input: stream }).on('line', (line) => output.line('worker', line));
      }
      return child;
    },
    onTaskStopped: (task) =>
      handBackStoppedTask(task, {
        sqs: clients.sqs,
        queueUrl: environment.queueUrl,
        deadLetterQueueUrl: environment.deadLetterQueueUrl,
        handBackLimit: settings.maxAttempts,
        log: say,
      }).then(() => undefined),
    log: say,
  });
  pipe.start();
  say(`local pipe: one worker process per message from ${environment.queueUrl}, at most ${settings.concurrency} at once`);
  return {
    stop: async () => {
      await pipe.stop();
      clients.destroy();
    },
  };
}
