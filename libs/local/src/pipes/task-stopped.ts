import { constants } from 'node:os';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { taskStoppedRules, type PipeTaskTarget } from '@docflow/contracts';
import { evaluateRule } from './event-rule.js';
import type { StoppedTask } from './local-pipe.js';

/** The local stand-ins for the names the AWS rule matches (the pipe's cluster, task group, container). */
export const LOCAL_PIPE_TASKS: Omit<PipeTaskTarget, 'handBackLimit'> = {
  clusterArn: 'arn:aws:ecs:local:000000000000:cluster/docflow-local',
  group: 'docflow-local-pipe-worker',
  containerName: 'worker',
  bodyVariable: 'SQS_BODY',
};

export interface TaskStoppedRuleOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  /** Hand-backs in a row before the dead-letter queue: the worker's WORKER_MAX_ATTEMPTS. */
  readonly handBackLimit: number;
  /** @default - discarded */
  readonly log?: (line: string) => void;
}

export type TaskStoppedOutcome = 'nothing-to-do' | 're-enqueued' | 'dead-lettered';

/**
 * The "ECS Task State Change" event ECS sends when a pipe task stops, for a local task: the pipe's
 * override (the body in SQS_BODY) and the worker container's exit code, which a container killed
 * by a signal reports as 128 + the signal's number.
 */
export function taskStoppedEvent(task: StoppedTask, tasks: Omit<PipeTaskTarget, 'handBackLimit'> = LOCAL_PIPE_TASKS): object {
  const exitCode = task.exitCode ?? (task.signal !== null ? 128 + constants.signals[task.signal] : undefined);
  return {
    version: '0',
    source: 'aws.ecs',
    'detail-type': 'ECS Task State Change',
    detail: {
      clusterArn: tasks.clusterArn,
      group: tasks.group,
      taskArn: `${tasks.clusterArn.replace(':cluster/', ':task/')}/${task.taskId}`,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      overrides: { containerOverrides: [{ name: tasks.containerName, environment: [{ name: tasks.bodyVariable, value: task.body }] }] },
      containers: [{ name: tasks.containerName, lastStatus: 'STOPPED', ...(exitCode !== undefined ? { exitCode } : {}) }],
    },
  };
}

/**
 * The task-stopped rules, locally: the same two EventBridge rules as in AWS (taskStoppedRules in
 * @docflow/contracts), matched against the stopped task's event, each sending what its input
 * transformer makes of it. Pipes deleted the message when the task started, so a task that
 * stopped without finishing with it (SIGKILL, a crash: any exit but "done" or "handed back") has
 * its body put back with one hand-back marker more, or into the dead-letter queue once it has been
 * handed back handBackLimit - 1 times. Nothing else: no delay, no parsing, as in AWS.
 */
export async function handBackStoppedTask(task: StoppedTask, options: TaskStoppedRuleOptions): Promise<TaskStoppedOutcome> {
  const log = options.log ?? (() => undefined);
  const rules = taskStoppedRules({ ...LOCAL_PIPE_TASKS, handBackLimit: options.handBackLimit });
  const event = taskStoppedEvent(task);
  const back = evaluateRule(rules.handBack, event);
  const dead = evaluateRule(rules.deadLetter, event);
  if (back !== undefined && dead !== undefined) throw new Error('the task-stopped rules overlap: one event matched both');
  const how = task.signal !== null ? `was killed (${task.signal})` : `exited with ${task.exitCode}`;
  if (dead !== undefined) {
    await send(options.sqs, options.deadLetterQueueUrl, dead);
    log(`task ${task.taskId} ${how} before finishing, and its message had been handed back ${options.handBackLimit - 1} times: dead-lettered`);
    return 'dead-lettered';
  }
  if (back !== undefined) {
    await send(options.sqs, options.queueUrl, back);
    log(`task ${task.taskId} ${how} before finishing; its message is back in the queue`);
    return 're-enqueued';
  }
  return 'nothing-to-do';
}

async function send(sqs: SQSClient, queueUrl: string, body: string): Promise<void> {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
}
