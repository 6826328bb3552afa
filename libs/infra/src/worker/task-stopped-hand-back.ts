import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target/index.js';
import type { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { taskStoppedRules, type EventRuleDefinition, type PipeTaskTarget } from '@docflow/contracts';

/** Names of the task-stopped rules start with `<namePrefix>-task-stopped-`; the queues' policy admits exactly those. */
export function taskStoppedRulePrefix(namePrefix: string): string {
  return `${namePrefix}-task-stopped-`;
}

export interface TaskStoppedHandBackProps extends PipeTaskTarget {
  readonly namePrefix: string;
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
}

/**
 * The task-stopped rules of a pipe (taskStoppedRules in @docflow/contracts, the definition the local
 * pipe runs too): a pipe task that stopped without finishing with its message has the body from its
 * SQS_BODY override put back on the queue, one hand-back level more, or into the DLQ once it was
 * handed back handBackLimit - 1 times. SQS targets take no role (the queues' policy admits these
 * rules by ARN); an event EventBridge cannot deliver goes whole to the DLQ (body included).
 */
export class TaskStoppedHandBack extends Construct {
  readonly handBackRule: CloudwatchEventRule;
  readonly deadLetterRule: CloudwatchEventRule;
  /** The rules' names by label, as plain strings (alarms in other stacks name them without a cross-stack reference). */
  readonly ruleNames: Readonly<Record<'hand-back' | 'dead-letter', string>>;

  constructor(scope: Construct, id: string, props: TaskStoppedHandBackProps) {
    super(scope, id);
    const rules = taskStoppedRules(props);
    const prefix = taskStoppedRulePrefix(props.namePrefix);
    this.ruleNames = { 'hand-back': `${prefix}hand-back`, 'dead-letter': `${prefix}dead-letter` };
    this.handBackRule = this.rule('HandBack', this.ruleNames['hand-back'], 'A pipe task stopped before finishing with its message: put the message back on the queue', rules.handBack, props.queue, props.deadLetterQueue);
    this.deadLetterRule = this.rule('DeadLetter', this.ruleNames['dead-letter'], 'A pipe task stopped before finishing with a message handed back too often: dead-letter it', rules.deadLetter, props.deadLetterQueue, props.deadLetterQueue);
  }

  private rule(id: string, name: string, description: string, definition: EventRuleDefinition, target: SqsQueue, deadLetterQueue: SqsQueue): CloudwatchEventRule {
    const rule = new CloudwatchEventRule(this, id, { name, description, eventPattern: JSON.stringify(definition.eventPattern) });
    new CloudwatchEventTarget(this, `${id}Target`, {
      rule: rule.name,
      targetId: 'queue',
      arn: target.arn,
      inputTransformer: { inputPaths: { ...definition.inputTransformer.inputPaths }, inputTemplate: definition.inputTransformer.inputTemplate },
      // EventBridge's defaults, stated: retried for a day, then to the DLQ as the whole event
      retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 },
      deadLetterConfig: { arn: deadLetterQueue.arn },
    });
    return rule;
  }
}
