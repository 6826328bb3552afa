import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  PIPE_TASK_EXIT,
  deadLetterAttributes,
  nextAttempt,
  parseDocumentMessage,
  retryDelaySeconds,
  serializeDocumentMessage,
} from '@docflow/contracts';
import type { StoppedTask } from './local-pipe.js';

export interface TaskStoppedRuleOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** The worker's WORKER_MAX_ATTEMPTS: past it a message is dead-lettered. */
  readonly maxAttempts: number;
  /** @default - discarded */
  readonly log?: (line: string) => void;
}

export type TaskStoppedOutcome = 'nothing-to-do' | 're-enqueued' | 'dead-lettered';

/**
 * The task-stopped rule, locally: Pipes deleted the message when the task started, so a task that
 * stopped without finishing with it (SIGKILL, a crash, an exit code other than "done" or "handed
 * back") would lose it. The rule puts the message back as the task would have: re-enqueued with
 * attempt + 1 and the worker's back-off, or dead-lettered with the reason after the last attempt.
 * A task that handed its message back itself (SIGTERM on a Spot interruption) is left alone.
 */
export async function handBackStoppedTask(task: StoppedTask, options: TaskStoppedRuleOptions): Promise<TaskStoppedOutcome> {
  const log = options.log ?? (() => undefined);
  if (task.exitCode === PIPE_TASK_EXIT.done || task.exitCode === PIPE_TASK_EXIT.handedBack) return 'nothing-to-do';
  const how = task.signal !== null ? `was killed (${task.signal})` : `exited with ${task.exitCode}`;
  const parsed = parseDocumentMessage(task.body);
  if (!parsed.ok) {
    await sendTo(options, options.deadLetterQueueUrl, task.body, {
      attributes: deadLetterAttributes(`task ${how} with a message that breaks the contract: ${parsed.reason}`),
    });
    log(`task ${task.taskId} ${how}; its message breaks the contract: dead-lettered`);
    return 'dead-lettered';
  }
  const { message } = parsed;
  if (message.attempt >= options.maxAttempts) {
    await sendTo(options, options.deadLetterQueueUrl, task.body, {
      attributes: deadLetterAttributes(`gave up after ${message.attempt} attempts: the task ${how} before finishing`),
    });
    log(`task ${task.taskId} ${how} on the last attempt (${message.attempt}); dead-lettered`);
    return 'dead-lettered';
  }
  const delaySeconds = retryDelaySeconds(message.attempt);
  await sendTo(options, options.queueUrl, serializeDocumentMessage(nextAttempt(message)), { delaySeconds });
  log(`task ${task.taskId} ${how} before finishing; its message is back in the queue (attempt ${message.attempt + 1}, in ${delaySeconds} s)`);
  return 're-enqueued';
}

async function sendTo(
  options: TaskStoppedRuleOptions,
  queueUrl: string,
  body: string,
  extra: { delaySeconds?: number; attributes?: Record<string, string> },
): Promise<void> {
  await options.sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      DelaySeconds: extra.delaySeconds,
      MessageAttributes: extra.attributes
        ? Object.fromEntries(Object.entries(extra.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]))
        : undefined,
    }),
  );
}
