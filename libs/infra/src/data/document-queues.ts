import { MIN_MAX_RECEIVE_COUNT } from '@docflow/guardrails';
import { Construct } from 'constructs';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy/index.js';
import { SqsQueueRedriveAllowPolicy } from '@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy/index.js';
import { accountIdOf } from '../core/account.js';
import { policyDocument } from '../core/iam.js';
import { MAX_VISIBILITY_TIMEOUT_SECONDS } from '../environments/validate.js';

const DAY_SECONDS = 86_400;
/** SQS accepts messages up to 1 MiB (since August 2025). */
export const MAX_MESSAGE_SIZE_BYTES = 1_048_576;

export interface DocumentQueuesProps {
  /** Name of the queue; the DLQ it creates is `<queueName>-dlq`. */
  readonly queueName: string;
  /** Derive it from the worker's processing time with `visibilityTimeoutFor()`. */
  readonly visibilityTimeoutSeconds: number;
  /** @default 345600 (4 days) */
  readonly retentionSeconds?: number;
  /** Receives before SQS moves a message to the DLQ. @default 5 */
  readonly maxReceiveCount?: number;
  /** @default 1048576 (1 MiB) */
  readonly maxMessageSizeBytes?: number;
  /** Long-polling wait of a receive without WaitTimeSeconds. @default 20 */
  readonly receiveWaitTimeSeconds?: number;
  /** Bring your own dead-letter queue. @default - a DLQ is created */
  readonly deadLetterQueue?: SqsQueue;
  /** Retention of the created DLQ; longer than the queue's. @default 1209600 (14 days) */
  readonly deadLetterRetentionSeconds?: number;
  /**
   * EventBridge rules whose names start with this may send to both queues (the pipe's task-stopped
   * rules, `taskStoppedRulePrefix`). SQS targets take no role: the queue policy admits the rules.
   * @default - no rule may send
   */
  readonly acceptRulesNamed?: string;
}

/**
 * The documents queue and its dead-letter queue: SSE, TLS-only policies, redrive after
 * maxReceiveCount receives, and a DLQ that only this queue may redrive into and that keeps messages
 * longer than the queue does.
 */
export class DocumentQueues extends Construct {
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;

  constructor(scope: Construct, id: string, props: DocumentQueuesProps) {
    super(scope, id);
    const retentionSeconds = props.retentionSeconds ?? 4 * DAY_SECONDS;
    const maxReceiveCount = props.maxReceiveCount ?? MIN_MAX_RECEIVE_COUNT;
    const maxMessageSizeBytes = props.maxMessageSizeBytes ?? MAX_MESSAGE_SIZE_BYTES;
    const receiveWaitTimeSeconds = props.receiveWaitTimeSeconds ?? 20;
    const deadLetterRetentionSeconds = props.deadLetterRetentionSeconds ?? 14 * DAY_SECONDS;

    if (props.deadLetterQueue && props.deadLetterRetentionSeconds !== undefined) {
      throw new Error(
        'DocumentQueues: deadLetterRetentionSeconds applies only to the DLQ this construct creates; remove it or remove deadLetterQueue',
      );
    }
    if (!props.deadLetterQueue && deadLetterRetentionSeconds <= retentionSeconds) {
      throw new Error(
        `DocumentQueues: deadLetterRetentionSeconds (${deadLetterRetentionSeconds}) must be longer than retentionSeconds (${retentionSeconds}), ` +
          'or a dead-lettered message expires before anyone can look at it',
      );
    }
    if (maxReceiveCount < MIN_MAX_RECEIVE_COUNT) {
      throw new Error(`DocumentQueues: maxReceiveCount must be at least ${MIN_MAX_RECEIVE_COUNT}, got ${maxReceiveCount}`);
    }
    if (props.visibilityTimeoutSeconds < 1 || props.visibilityTimeoutSeconds > MAX_VISIBILITY_TIMEOUT_SECONDS) {
      throw new Error(
        `DocumentQueues: visibilityTimeoutSeconds must be 1 to ${MAX_VISIBILITY_TIMEOUT_SECONDS}, got ${props.visibilityTimeoutSeconds}`,
      );
    }
    if (maxMessageSizeBytes < 1024 || maxMessageSizeBytes > MAX_MESSAGE_SIZE_BYTES) {
      throw new Error(`DocumentQueues: maxMessageSizeBytes must be 1024 to ${MAX_MESSAGE_SIZE_BYTES}, got ${maxMessageSizeBytes}`);
    }
    this.visibilityTimeoutSeconds = props.visibilityTimeoutSeconds;
    this.maxReceiveCount = maxReceiveCount;

    this.deadLetterQueue =
      props.deadLetterQueue ??
      new SqsQueue(this, 'DeadLetterQueue', {
        name: `${props.queueName}-dlq`,
        messageRetentionSeconds: deadLetterRetentionSeconds,
        maxMessageSize: maxMessageSizeBytes,
        sqsManagedSseEnabled: true,
      });
    this.queue = new SqsQueue(this, 'Queue', {
      name: props.queueName,
      visibilityTimeoutSeconds: props.visibilityTimeoutSeconds,
      messageRetentionSeconds: retentionSeconds,
      maxMessageSize: maxMessageSizeBytes,
      receiveWaitTimeSeconds,
      sqsManagedSseEnabled: true,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.deadLetterQueue.arn, maxReceiveCount }),
    });
    if (!props.deadLetterQueue) {
      new SqsQueueRedriveAllowPolicy(this, 'DeadLetterRedriveAllow', {
        queueUrl: this.deadLetterQueue.url,
        redriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [this.queue.arn] }),
      });
    }
    for (const [name, queue] of [
      ['Queue', this.queue],
      ['DeadLetterQueue', this.deadLetterQueue],
    ] as const) {
      if (queue === props.deadLetterQueue) continue;
      new SqsQueuePolicy(this, `${name}TlsOnly`, {
        queueUrl: queue.url,
        policy: policyDocument([
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 'sqs:*',
            Resource: queue.arn,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          ...(props.acceptRulesNamed !== undefined
            ? [
                {
                  Sid: 'AllowTaskStoppedRules',
                  Effect: 'Allow' as const,
                  Principal: { Service: 'events.amazonaws.com' },
                  Action: 'sqs:SendMessage',
                  Resource: queue.arn,
                  Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:events:*:${accountIdOf(this)}:rule/${props.acceptRulesNamed}*` } },
                },
              ]
            : []),
        ]),
      });
    }
  }
}
