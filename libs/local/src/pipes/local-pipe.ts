import type { ChildProcess } from 'node:child_process';
import { DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * EventBridge Pipes (SQS source, ECS RunTask target, batch size 1) on this machine: receive one
 * message, start one task with its body, delete the message as soon as the task has started (as
 * Pipes does once RunTask succeeds), never more tasks at once than `maxConcurrentTasks`. What
 * happens when a task stops is `onTaskStopped`'s business: the place of the task-stopped rule
 * (see handBackStoppedTask), which hands back a message whose task did not finish with it.
 */
export interface LocalPipeOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  /** Starts one task for a message body (`node worker/main.js --mode pipe` with SQS_BODY). */
  readonly runTask: (body: string) => ChildProcess;
  /**
   * Tasks running at once; the pipe receives nothing while all are busy.
   * @default 4
   */
  readonly maxConcurrentTasks?: number;
  /**
   * Long-poll wait per receive (short locally, so a stop is quick).
   * @default 2
   */
  readonly waitTimeSeconds?: number;
  /**
   * Called once per task when it has stopped, before its slot is free again.
   * @default - nothing happens
   */
  readonly onTaskStopped?: (task: StoppedTask) => Promise<void> | void;
  /**
   * Receives one line per notable event.
   * @default - discarded
   */
  readonly log?: (line: string) => void;
}

export interface StoppedTask {
  readonly taskId: number;
  /** The message body the task was given (its SQS_BODY). */
  readonly body: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** How long a stopping pipe waits for its tasks after SIGTERM before it kills them. */
const TASK_STOP_GRACE_MS = 30_000;

export class LocalPipe {
  private readonly maxConcurrentTasks: number;
  private readonly waitTimeSeconds: number;
  private readonly log: (line: string) => void;
  private readonly running = new Map<number, { child: ChildProcess; stopped: Promise<void> }>();
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private wakeSlot: (() => void) | undefined;
  private nextTaskId = 0;
  /** Tasks started so far. */
  started = 0;

  constructor(private readonly options: LocalPipeOptions) {
    this.maxConcurrentTasks = options.maxConcurrentTasks ?? 4;
    this.waitTimeSeconds = options.waitTimeSeconds ?? 2;
    this.log = options.log ?? (() => undefined);
    if (!Number.isInteger(this.maxConcurrentTasks) || this.maxConcurrentTasks < 1) {
      throw new RangeError(`maxConcurrentTasks must be a positive integer, got ${this.maxConcurrentTasks}`);
    }
  }

  /** Tasks running now. */
  get tasks(): number {
    return this.running.size;
  }

  start(): void {
    this.loop ??= this.pollLoop();
  }

  /**
   * Stops receiving (the last long poll ends within waitTimeSeconds; a message it still gets is
   * left to come back), then stops the running tasks as ECS stops a task: SIGTERM, and SIGKILL
   * after a grace period. Resolves when every task has stopped and been handled.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wakeSlot?.();
    await this.loop;
    for (const { child } of this.running.values()) child.kill('SIGTERM');
    const kill = setTimeout(() => {
      for (const { child } of this.running.values()) child.kill('SIGKILL');
    }, TASK_STOP_GRACE_MS);
    await Promise.all([...this.running.values()].map((task) => task.stopped));
    clearTimeout(kill);
  }

  private async pollLoop(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      if (this.running.size >= this.maxConcurrentTasks) {
        await new Promise<void>((resolve) => (this.wakeSlot = resolve));
        continue;
      }
      let message: Message | undefined;
      try {
        const result = await this.options.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: this.options.queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: this.waitTimeSeconds }),
        );
        message = result.Messages?.[0];
      } catch (error) {
        if (this.stopping.signal.aborted) break;
        this.log(`receiving failed (${(error as Error).message}); retrying in 1 s`);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        continue;
      }
      if (message?.Body === undefined || message.ReceiptHandle === undefined) continue;
      if (this.stopping.signal.aborted) break; // not deleted: it comes back after its visibility timeout
      await this.startTask(message.Body, message.ReceiptHandle);
    }
  }

  private async startTask(body: string, receiptHandle: string): Promise<void> {
    const taskId = (this.nextTaskId += 1);
    const child = this.options.runTask(body);
    const exited = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (exitCode, signal) => resolve({ exitCode, signal })),
    );
    const spawned = new Promise<boolean>((resolve) => {
      child.once('spawn', () => resolve(true));
      child.once('error', (error) => {
        this.log(`task ${taskId} could not start: ${error.message}; the message comes back after its visibility timeout`);
        resolve(false);
      });
    });
    const stopped = spawned.then(async (ok) => {
      if (!ok) return;
      const { exitCode, signal } = await exited;
      try {
        await this.options.onTaskStopped?.({ taskId, body, exitCode, signal });
      } catch (error) {
        this.log(`handling the stop of task ${taskId} failed: ${(error as Error).message}`);
      }
    });
    this.running.set(taskId, { child, stopped });
    void stopped.finally(() => {
      this.running.delete(taskId);
      this.wakeSlot?.();
    });
    if (!(await spawned)) return;
    this.started += 1;
    // Pipes deletes the message once RunTask succeeded: from here on only the task (or the
    // task-stopped rule) can put it back
    await this.options.sqs
      .send(new DeleteMessageCommand({ QueueUrl: this.options.queueUrl, ReceiptHandle: receiptHandle }))
      .catch((error: unknown) => this.log(`deleting the message of task ${taskId} failed (${(error as Error).message}); it may run twice`));
  }
}
