import { MIN_MAX_RECEIVE_COUNT, VISIBILITY_TIMEOUT_FACTOR, PROCESSING_TIMEOUT_TAG } from '../thresholds.js';
import { evaluationOf, fail, isSame, pass, resourceRule, unknown, type Resource, type Rule, type StackContext, type Verdict } from '../rule.js';
import { flag, numberOf } from '../../values.js';
import { parseJsonAttribute } from '../values.js';
import { isInternetAccessible, statementsOf } from '../../iam/statements.js';
import { consumersOf } from '../../workloads.js';

/** What SQS keeps a message for when `message_retention_seconds` is not set (4 days). */
const DEFAULT_RETENTION_SECONDS = 345_600;
/** SQS's visibility timeout when `visibility_timeout_seconds` is not set. */
const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;

interface Redrive {
  readonly from: Resource;
  readonly target: Resource | undefined;
  readonly targetArn: string;
  readonly maxReceiveCount: number;
}

/** Every redrive in the environment (inline `redrive_policy` or `aws_sqs_queue_redrive_policy`), or the verdict that says why one cannot be read. */
function redrivesOf(context: StackContext): { redrives: Redrive[]; unreadable: Map<string, Verdict> } {
  const redrives: Redrive[] = [];
  const unreadable = new Map<string, Verdict>();
  const queues = context.environmentResources('aws_sqs_queue');
  const add = (queue: Resource | undefined, holder: Resource) => {
    if (!queue) return;
    const parsed = parseJsonAttribute<{ deadLetterTargetArn?: string; maxReceiveCount?: number | string }>(holder.block, 'redrive_policy');
    if (!parsed.ok) return void unreadable.set(queue.address + queue.stack.id, parsed.verdict);
    const targetArn = String(parsed.value.deadLetterTargetArn ?? '');
    const target = context.lookup(context.referenced(targetArn, holder));
    redrives.push({ from: queue, target: target?.type === 'aws_sqs_queue' ? target : undefined, targetArn, maxReceiveCount: Number(parsed.value.maxReceiveCount) });
  };
  for (const queue of queues) if (queue.block['redrive_policy'] !== undefined) add(queue, queue);
  for (const policy of context.environmentResources('aws_sqs_queue_redrive_policy')) {
    add(queues.find((queue) => context.refersTo(policy.block['queue_url'], queue, policy)), policy);
  }
  return { redrives, unreadable };
}

const retentionOf = (queue: Resource) => numberOf(queue.block['message_retention_seconds']) ?? DEFAULT_RETENTION_SECONDS;

const deadLetterQueues: Rule = {
  id: 'DOCFLOW_QUEUE_DLQ',
  title: `Every queue has a DLQ (maxReceiveCount >= ${MIN_MAX_RECEIVE_COUNT}) that keeps messages longer than it, or is a DLQ`,
  evaluate: (context) => {
    const { redrives, unreadable } = redrivesOf(context);
    return context.resources('aws_sqs_queue').map((queue) => {
      const problem = unreadable.get(queue.address + queue.stack.id);
      if (problem) return evaluationOf(queue, problem);
      const redrive = redrives.find((candidate) => isSame(candidate.from, queue));
      if (!redrive) {
        const source = redrives.find((candidate) => isSame(candidate.target, queue));
        return evaluationOf(queue, source ? pass(`the DLQ of ${source.from.address}`) : fail("has no dead-letter queue and is no queue's DLQ: a message that always fails is retried until it expires"));
      }
      if (!(redrive.maxReceiveCount >= MIN_MAX_RECEIVE_COUNT)) {
        return evaluationOf(queue, fail(`dead-letters after ${redrive.maxReceiveCount} receives (at least ${MIN_MAX_RECEIVE_COUNT}, so a passing outage does not dead-letter messages)`));
      }
      if (!redrive.target) return evaluationOf(queue, unknown(`its DLQ ${redrive.targetArn} is not in the synthesized stacks, so its retention cannot be compared`));
      const [own, dlq] = [retentionOf(queue), retentionOf(redrive.target)];
      if (Number.isNaN(own) || Number.isNaN(dlq)) return evaluationOf(queue, unknown('a message_retention_seconds is computed at apply time'));
      return evaluationOf(
        queue,
        dlq > own
          ? pass(`dead-letters to ${redrive.target.address} after ${redrive.maxReceiveCount} receives; the DLQ keeps messages ${dlq} s > ${own} s`)
          : fail(`keeps messages ${own} s, its DLQ ${redrive.target.address} only ${dlq} s: a dead-lettered message keeps its enqueue time and would expire before anyone reads it`),
      );
    });
  },
};

const visibilityTimeout: Rule = {
  id: 'DOCFLOW_QUEUE_VISIBILITY',
  title: `A queue's visibility timeout is at least ${VISIBILITY_TIMEOUT_FACTOR} x its workers' processing timeout`,
  evaluate: (context) =>
    context.resources('aws_sqs_queue').flatMap((queue) => {
      const consumers = consumersOf(context, queue);
      if (consumers.length === 0) return [];
      const visibility = numberOf(queue.block['visibility_timeout_seconds']) ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS;
      if (Number.isNaN(visibility)) return [evaluationOf(queue, unknown('visibility_timeout_seconds is computed at apply time'))];
      return consumers.map((consumer) => {
        const declared = (consumer.block['tags'] as Record<string, unknown> | undefined)?.[PROCESSING_TIMEOUT_TAG];
        const timeout = numberOf(declared);
        if (timeout === undefined || Number.isNaN(timeout)) {
          return evaluationOf(queue, unknown(`its consumer ${consumer.address} (${consumer.stack.id}) declares no processing timeout (tag ${PROCESSING_TIMEOUT_TAG})`));
        }
        const needed = timeout * VISIBILITY_TIMEOUT_FACTOR;
        return evaluationOf(
          queue,
          visibility >= needed
            ? pass(`visibility timeout ${visibility} s >= ${VISIBILITY_TIMEOUT_FACTOR} x ${timeout} s (${consumer.stack.id})`)
            : fail(`visibility timeout ${visibility} s < ${VISIBILITY_TIMEOUT_FACTOR} x ${consumer.address}'s processing timeout ${timeout} s (${needed} s): a slow message is handed to a second worker`),
        );
      });
    }),
};

export const queueRules: readonly Rule[] = [
  resourceRule({
    id: 'CKV_AWS_27',
    title: 'SQS queues are encrypted (SSE-SQS or KMS)',
    types: ['aws_sqs_queue'],
    check: ({ block }) => {
      if (block['kms_master_key_id'] !== undefined) return pass('encrypted with KMS');
      const managed = flag(block['sqs_managed_sse_enabled']);
      if (managed === 'expression') return unknown('sqs_managed_sse_enabled is computed at apply time');
      return managed === 'true' ? pass('encrypted with SSE-SQS') : fail('neither kms_master_key_id nor sqs_managed_sse_enabled is set');
    },
  }),
  resourceRule({
    id: 'CKV_AWS_168',
    title: 'SQS queue policies are not public',
    types: ['aws_sqs_queue_policy', 'aws_sqs_queue'],
    check: ({ block }) => {
      if (block['policy'] === undefined) return undefined;
      const parsed = parseJsonAttribute(block, 'policy');
      if (!parsed.ok) return parsed.verdict;
      const open = statementsOf(parsed.value).filter(isInternetAccessible);
      return open.length === 0 ? pass('no statement allows any principal unconditionally') : fail(`allows ${open.flatMap((statement) => statement.actions).join(', ')} to any principal without a restricting condition`);
    },
  }),
  deadLetterQueues,
  visibilityTimeout,
];
