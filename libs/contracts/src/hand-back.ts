/**
 * The hand-back contract between the task-stopped rule and the worker.
 *
 * EventBridge Pipes deletes a message as soon as ECS accepts the task it starts. A task that stops
 * without finishing with its message (the image does not pull, a secret does not resolve, Spot
 * takes the capacity, the process is killed) would lose it, so an EventBridge rule on the task's
 * "ECS Task State Change" event puts the message (the task's SQS_BODY override) back on the queue.
 *
 * An EventBridge rule cannot count or rewrite JSON: it can only match the event (a string's prefix
 * included) and fill a template with parts of it, unescaped. So each hand-back wraps the body in
 * one more level, `"handed-back;<body>"`: a string template, which the AWS provider requires in
 * double quotes and which EventBridge delivers with them (and with the body's own quotes unescaped).
 * A second rule sends a body that already carries `handBackLimit - 1` levels to the dead-letter
 * queue instead. The worker reads every level as one attempt spent (parseDocumentMessage), with or
 * without the quotes, and re-enqueues a clean body when it retries.
 *
 * The same rule definitions drive the AWS rules (libs/infra) and the local emulation
 * (libs/local), so what the tests show locally is what the rules do in AWS.
 */

/** What the task-stopped rule puts in front of a body it hands back, once per hand-back. */
export const HAND_BACK_MARKER = 'handed-back;';

/** The input template: a JSON string, the body inside it unescaped (as EventBridge fills it). */
export const HAND_BACK_TEMPLATE = `"${HAND_BACK_MARKER}<body>"`;

/** A body handed back once, as the rule delivers it. */
export function handedBack(body: string): string {
  return HAND_BACK_TEMPLATE.replace('<body>', () => body);
}

/** How a pipe-mode task ends, as its container's exit code (see PIPE_TASK_EXIT in message.ts). */
const FINISHED_EXIT_CODES = [0, 10] as const;

/** How a body begins once it has been handed back `count` times. */
export function handBackPrefix(count: number): string {
  return `"${HAND_BACK_MARKER}`.repeat(count);
}

/**
 * A body without its hand-back levels, and how many there were. A level is `"handed-back;…"` as
 * the rule delivers it, or `handed-back;…` should EventBridge ever strip the template's quotes.
 */
export function unwrapHandBacks(body: string): { readonly handBacks: number; readonly body: string } {
  const quoted = `"${HAND_BACK_MARKER}`;
  let handBacks = 0;
  let rest = body;
  for (;;) {
    if (rest.startsWith(quoted) && rest.endsWith('"') && rest.length > quoted.length) {
      rest = rest.slice(quoted.length, -1);
    } else if (rest.startsWith(HAND_BACK_MARKER)) {
      rest = rest.slice(HAND_BACK_MARKER.length);
    } else {
      return { handBacks, body: rest };
    }
    handBacks += 1;
  }
}

/** Which tasks the rule watches, and where their message travels. */
export interface PipeTaskTarget {
  /** The ECS cluster the pipe runs its tasks in. */
  readonly clusterArn: string;
  /** The task group the pipe gives its tasks (`detail.group` in the event). */
  readonly group: string;
  /** The worker container, the first (only) container override the pipe sets. */
  readonly containerName: string;
  /** The environment variable that carries the body, the first (only) one of that override. */
  readonly bodyVariable: string;
  /**
   * How many times a body may be handed back in a row before it goes to the dead-letter queue
   * (the worker's WORKER_MAX_ATTEMPTS). At least 2.
   */
  readonly handBackLimit: number;
}

/** An EventBridge target's input transformer (InputPathsMap and InputTemplate). */
export interface InputTransformer {
  readonly inputPaths: Readonly<Record<string, string>>;
  readonly inputTemplate: string;
}

export interface EventRuleDefinition {
  /** The event pattern, as EventBridge reads it. */
  readonly eventPattern: Readonly<Record<string, unknown>>;
  readonly inputTransformer: InputTransformer;
}

export interface TaskStoppedRules {
  /** Back to the queue, one marker more. */
  readonly handBack: EventRuleDefinition;
  /** To the dead-letter queue, once the body has been handed back handBackLimit - 1 times. */
  readonly deadLetter: EventRuleDefinition;
}

/** JSON path of the body in the task's overrides: positional, so the pipe sets one override with one variable. */
export const TASK_BODY_PATH = '$.detail.overrides.containerOverrides[0].environment[0].value';

/**
 * The two task-stopped rules for the tasks of one pipe. A task counts as stopped without an
 * outcome when its worker container exited with anything but "done" (0) or "handed back" (10), or
 * never ran at all (no exit code: failed to start, stopped before its container started).
 */
export function taskStoppedRules(target: PipeTaskTarget): TaskStoppedRules {
  if (!Number.isInteger(target.handBackLimit) || target.handBackLimit < 2) {
    throw new RangeError(`handBackLimit must be an integer of at least 2, got ${target.handBackLimit}`);
  }
  const limitPrefix = handBackPrefix(target.handBackLimit - 1);
  const pattern = (body: Record<string, unknown>) => ({
    source: ['aws.ecs'],
    'detail-type': ['ECS Task State Change'],
    detail: {
      clusterArn: [target.clusterArn],
      group: [target.group],
      lastStatus: ['STOPPED'],
      overrides: {
        containerOverrides: {
          name: [target.containerName],
          environment: { name: [target.bodyVariable], value: [body] },
        },
      },
      $or: [
        { containers: { name: [target.containerName], exitCode: [{ 'anything-but': [...FINISHED_EXIT_CODES] }] } },
        { containers: { name: [target.containerName], exitCode: [{ exists: false }] } },
      ],
    },
  });
  const inputPaths = { body: TASK_BODY_PATH };
  return {
    handBack: {
      eventPattern: pattern({ 'anything-but': { prefix: limitPrefix } }),
      inputTransformer: { inputPaths, inputTemplate: HAND_BACK_TEMPLATE },
    },
    deadLetter: {
      eventPattern: pattern({ prefix: limitPrefix }),
      inputTransformer: { inputPaths, inputTemplate: HAND_BACK_TEMPLATE },
    },
  };
}
