import { looksLikeSecretName, looksLikeSecretValue } from './secrets.js';
import {
  actionsOf,
  containerDefinitionsOf,
  dataSourcesOf,
  parsePolicy,
  resourcesOf,
  type TerraformBlock,
  type TerraformJson,
} from './terraform-json.js';

/**
 * docflow's own policy checks over a synthesized stack. They parse what generic scanners cannot
 * (container definitions are a JSON string; pipes and DLQs have no rules there), and each returns
 * the violations it found plus how many things it looked at, so a test can tell "nothing wrong"
 * from "nothing checked".
 */
export interface PolicyReport {
  readonly violations: string[];
  /** Things inspected, per check. */
  readonly checked: Record<PolicyCheck, number>;
}

export type PolicyCheck =
  | 'ingress'
  | 'database'
  | 'containerEnvironment'
  | 'queueRedrive'
  | 'pipeLaunch'
  | 'logRetention'
  | 'iamActions'
  | 'tags';

const OPEN_CIDRS = new Set(['0.0.0.0/0', '::/0']);
const PUBLIC_LOAD_BALANCER_PORTS = new Set([80, 443]);
export const REQUIRED_TAGS = ['project', 'env', 'stack'] as const;
/** The fewest receives before a queue dead-letters a message (a transient failure must not dead-letter it). */
export const MIN_MAX_RECEIVE_COUNT = 5;

/** Runs every check over one stack. */
export function checkPolicies(stackId: string, json: TerraformJson): PolicyReport {
  const violations: string[] = [];
  const checked = {} as Record<PolicyCheck, number>;
  const run = (check: PolicyCheck, fn: (json: TerraformJson) => { violations: string[]; checked: number }) => {
    const result = fn(json);
    checked[check] = result.checked;
    violations.push(...result.violations.map((violation) => `${stackId}: ${violation}`));
  };
  run('ingress', checkIngress);
  run('database', checkDatabases);
  run('containerEnvironment', checkContainerEnvironment);
  run('queueRedrive', checkQueueRedrive);
  run('pipeLaunch', checkPipes);
  run('logRetention', checkLogRetention);
  run('iamActions', checkIamActions);
  run('tags', checkTags);
  return { violations, checked };
}

type CheckResult = { violations: string[]; checked: number };

/** No ingress from the internet (0.0.0.0/0, ::/0), except TCP 80/443 to a load balancer's security group. */
export function checkIngress(json: TerraformJson): CheckResult {
  const violations: string[] = [];
  let checked = 0;
  const loadBalancerGroups = new Set(
    resourcesOf(json, 'aws_lb').flatMap(({ block }) => (block['security_groups'] as string[] | undefined) ?? []),
  );
  const judge = (where: string, group: string | undefined, cidrs: string[], protocol: string, from: number, to: number) => {
    checked++;
    if (!cidrs.some((cidr) => OPEN_CIDRS.has(cidr))) return;
    const toLoadBalancer = group !== undefined && loadBalancerGroups.has(group);
    const webPort = protocol === 'tcp' && from === to && PUBLIC_LOAD_BALANCER_PORTS.has(from);
    if (!(toLoadBalancer && webPort)) violations.push(`${where} allows ingress from the internet (${protocol} ${from}-${to})`);
  };
  for (const { name, block } of resourcesOf(json, 'aws_vpc_security_group_ingress_rule')) {
    const cidrs = [block['cidr_ipv4'], block['cidr_ipv6']].filter((cidr): cidr is string => typeof cidr === 'string');
    judge(`aws_vpc_security_group_ingress_rule.${name}`, block['security_group_id'], cidrs, String(block['ip_protocol']), Number(block['from_port'] ?? -1), Number(block['to_port'] ?? -1));
  }
  for (const { name, block } of resourcesOf(json, 'aws_security_group_rule')) {
    if (block['type'] !== 'ingress') continue;
    const cidrs = [...((block['cidr_blocks'] as string[]) ?? []), ...((block['ipv6_cidr_blocks'] as string[]) ?? [])];
    judge(`aws_security_group_rule.${name}`, block['security_group_id'], cidrs, String(block['protocol']), Number(block['from_port']), Number(block['to_port']));
  }
  for (const { name, block } of [...resourcesOf(json, 'aws_security_group'), ...resourcesOf(json, 'aws_default_security_group')]) {
    const self = `\${aws_security_group.${name}.id}`;
    for (const rule of (block['ingress'] as TerraformBlock[] | undefined) ?? []) {
      const cidrs = [...((rule['cidr_blocks'] as string[]) ?? []), ...((rule['ipv6_cidr_blocks'] as string[]) ?? [])];
      judge(`aws_security_group.${name} (inline)`, self, cidrs, String(rule['protocol']), Number(rule['from_port']), Number(rule['to_port']));
    }
  }
  return { violations, checked };
}

/** Every RDS instance or cluster is explicitly not public and has encrypted storage. */
export function checkDatabases(json: TerraformJson): CheckResult {
  const violations: string[] = [];
  const instances = resourcesOf(json, 'aws_db_instance');
  for (const { name, block } of instances) {
    if (block['publicly_accessible'] !== false) violations.push(`aws_db_instance.${name} is not explicitly private (publicly_accessible must be false)`);
    if (block['storage_encrypted'] !== true) violations.push(`aws_db_instance.${name} has unencrypted storage`);
  }
  const clusters = resourcesOf(json, 'aws_rds_cluster');
  for (const { name, block } of clusters) {
    if (block['storage_encrypted'] !== true) violations.push(`aws_rds_cluster.${name} has unencrypted storage`);
  }
  return { violations, checked: instances.length + clusters.length };
}

/** No container environment variable (task definitions, pipe overrides) has a secret-looking name or value. */
export function checkContainerEnvironment(json: TerraformJson): CheckResult {
  const violations: string[] = [];
  let checked = 0;
  const judge = (where: string, environment: TerraformBlock[] | undefined) => {
    for (const variable of environment ?? []) {
      checked++;
      const name = String(variable['name']);
      const value = String(variable['value'] ?? '');
      if (looksLikeSecretName(name)) violations.push(`${where}: environment variable ${name} looks like a secret (use secrets)`);
      else if (looksLikeSecretValue(value)) violations.push(`${where}: the value of environment variable ${name} looks like a secret`);
    }
  };
  for (const { name, block } of resourcesOf(json, 'aws_ecs_task_definition')) {
    for (const container of containerDefinitionsOf(block)) {
      judge(`aws_ecs_task_definition.${name} container ${String(container['name'])}`, container['environment'] as TerraformBlock[] | undefined);
    }
  }
  for (const { name, block } of resourcesOf(json, 'aws_pipes_pipe')) {
    const overrides = block['target_parameters']?.['ecs_task_parameters']?.['overrides']?.['container_override'] as TerraformBlock[] | undefined;
    for (const override of overrides ?? []) judge(`aws_pipes_pipe.${name} override ${String(override['name'])}`, override['environment']);
  }
  return { violations, checked };
}

/** What SQS keeps a message for when `message_retention_seconds` is not set (4 days). */
const DEFAULT_QUEUE_RETENTION_SECONDS = 345_600;

/**
 * Every queue has a DLQ: it redrives (maxReceiveCount >= 5) to another queue, or it is itself the
 * DLQ of a queue in the stack. A DLQ in the same stack keeps messages longer than its source queue:
 * a dead-lettered message keeps its original enqueue time, so an equal or shorter retention lets it
 * expire before anyone looks at it.
 */
export function checkQueueRedrive(json: TerraformJson): CheckResult {
  const violations: string[] = [];
  const queues = resourcesOf(json, 'aws_sqs_queue');
  const retentionOf = (block: TerraformBlock) => Number(block['message_retention_seconds'] ?? DEFAULT_QUEUE_RETENTION_SECONDS);
  const redrives = new Map<string, { target: string; maxReceiveCount: number }>();
  for (const { name, block } of queues) {
    if (typeof block['redrive_policy'] === 'string') {
      const policy = JSON.parse(block['redrive_policy'] as string) as { deadLetterTargetArn?: string; maxReceiveCount?: number };
      redrives.set(name, { target: String(policy.deadLetterTargetArn), maxReceiveCount: Number(policy.maxReceiveCount) });
    }
  }
  for (const { block } of resourcesOf(json, 'aws_sqs_queue_redrive_policy')) {
    const queueName = /aws_sqs_queue\.([^.]+)\.(url|id)/.exec(String(block['queue_url']))?.[1];
    const policy = JSON.parse(block['redrive_policy'] as string) as { deadLetterTargetArn?: string; maxReceiveCount?: number };
    if (queueName) redrives.set(queueName, { target: String(policy.deadLetterTargetArn), maxReceiveCount: Number(policy.maxReceiveCount) });
  }
  const deadLetterTargets = new Set([...redrives.values()].map((redrive) => redrive.target));
  for (const { name, block } of queues) {
    const redrive = redrives.get(name);
    if (redrive) {
      if (!(redrive.maxReceiveCount >= MIN_MAX_RECEIVE_COUNT)) {
        violations.push(`aws_sqs_queue.${name} dead-letters after ${redrive.maxReceiveCount} receives (at least ${MIN_MAX_RECEIVE_COUNT})`);
      }
      const deadLetter = queues.find((queue) => redrive.target === `\${aws_sqs_queue.${queue.name}.arn}`);
      if (deadLetter && !(retentionOf(deadLetter.block) > retentionOf(block))) {
        violations.push(
          `aws_sqs_queue.${name} keeps messages ${retentionOf(block)} s, its DLQ aws_sqs_queue.${deadLetter.name} only ${retentionOf(deadLetter.block)} s (the DLQ must keep them longer)`,
        );
      }
    } else if (!deadLetterTargets.has(`\${aws_sqs_queue.${name}.arn}`)) {
      violations.push(`aws_sqs_queue.${name} has no dead-letter queue and is no queue's DLQ`);
    }
  }
  return { violations, checked: queues.length };
}

/** What Pipes reads per batch from SQS when `batch_size` is not set. */
const DEFAULT_PIPE_SQS_BATCH_SIZE = 10;

/**
 * Pipes to ECS: no launch_type (capacity provider strategy only), explicit cpu and memory in the
 * overrides, and from SQS one message per task (batch size 1: with more, `$.body` no longer names
 * one claim check and a failed task takes the whole batch with it).
 */
export function checkPipes(json: TerraformJson): CheckResult {
  const violations: string[] = [];
  const pipes = resourcesOf(json, 'aws_pipes_pipe');
  for (const { name, block } of pipes) {
    const ecs = block['target_parameters']?.['ecs_task_parameters'] as TerraformBlock | undefined;
    if (!ecs) continue;
    if (ecs['launch_type'] !== undefined) violations.push(`aws_pipes_pipe.${name} sets launch_type (use capacity_provider_strategy only)`);
    const sqs = block['source_parameters']?.['sqs_queue_parameters'] as TerraformBlock | undefined;
    const fromSqs = sqs !== undefined || /sqs/i.test(String(block['source'] ?? ''));
    const batchSize = Number(sqs?.['batch_size'] ?? DEFAULT_PIPE_SQS_BATCH_SIZE);
    if (fromSqs && batchSize !== 1) violations.push(`aws_pipes_pipe.${name} reads ${batchSize} SQS messages per task (use batch_size 1)`);
    if (!Array.isArray(ecs['capacity_provider_strategy']) || ecs['capacity_provider_strategy'].length === 0) {
      violations.push(`aws_pipes_pipe.${name} has no capacity_provider_strategy`);
    }
    for (const override of (ecs['overrides']?.['container_override'] as TerraformBlock[] | undefined) ?? []) {
      if (!(Number(override['cpu']) > 0) || !(Number(override['memory']) > 0)) {
        violations.push(`aws_pipes_pipe.${name} override ${String(override['name'])} lacks explicit cpu and memory`);
      }
    }
  }
  return { violations, checked: pipes.length };
}

/** Every log group expires its events. */
export function checkLogRetention(json: TerraformJson): CheckResult {
  const groups = resourcesOf(json, 'aws_cloudwatch_log_group');
  const violations = groups
    .filter(({ block }) => !(Number(block['retention_in_days']) > 0))
    .map(({ name }) => `aws_cloudwatch_log_group.${name} keeps logs forever (set retention_in_days)`);
  return { violations, checked: groups.length };
}

/** Where policy documents live, and the attribute that holds each. */
const POLICY_ATTRIBUTES: readonly (readonly [string, string])[] = [
  ['aws_iam_role_policy', 'policy'],
  ['aws_iam_policy', 'policy'],
  ['aws_iam_role', 'assume_role_policy'],
  ['aws_s3_bucket_policy', 'policy'],
  ['aws_sqs_queue_policy', 'policy'],
  ['aws_sns_topic_policy', 'policy'],
];

/**
 * No Allow statement grants an action with a `*` (a Deny may: "deny s3:* without TLS"), nor every
 * action but some (`NotAction`, which is a wildcard by another name).
 */
export function checkIamActions(json: TerraformJson): CheckResult {
  const violations: string[] = [];
  let checked = 0;
  const judge = (where: string, statements: TerraformBlock[]) => {
    for (const statement of statements) {
      checked++;
      if (statement['Effect'] !== 'Allow' && statement['effect'] !== 'Allow') continue;
      for (const action of [...actionsOf(statement), ...((statement['actions'] as string[] | undefined) ?? [])]) {
        if (action.includes('*')) violations.push(`${where} allows the wildcard action "${action}"`);
      }
      if (statement['NotAction'] !== undefined || statement['not_actions'] !== undefined) {
        violations.push(`${where} allows every action except some (NotAction); list the actions`);
      }
    }
  };
  for (const [type, attribute] of POLICY_ATTRIBUTES) {
    for (const { name, block } of resourcesOf(json, type)) {
      const documents = [block[attribute], ...((block['inline_policy'] as TerraformBlock[] | undefined) ?? []).map((inline) => inline['policy'])];
      for (const document of documents) {
        if (typeof document === 'string') judge(`${type}.${name}`, parsePolicy(document).Statement);
      }
    }
  }
  for (const { name, block } of dataSourcesOf(json, 'aws_iam_policy_document')) {
    judge(`data.aws_iam_policy_document.${name}`, (block['statement'] as TerraformBlock[] | undefined) ?? []);
  }
  return { violations, checked };
}

/** The AWS provider tags every resource with project, env and stack (default_tags). */
export function checkTags(json: TerraformJson): CheckResult {
  const violations: string[] = [];
  const providers = json.provider?.['aws'] ?? [];
  for (const provider of providers) {
    const tags = (provider['default_tags'] as TerraformBlock[] | undefined)?.[0]?.['tags'] as Record<string, string> | undefined;
    const missing = REQUIRED_TAGS.filter((tag) => !tags?.[tag]);
    if (missing.length > 0) violations.push(`the aws provider${provider['alias'] ? ` "${provider['alias']}"` : ''} lacks default tags ${missing.join(', ')}`);
  }
  if (providers.length === 0 && Object.keys(json.resource ?? {}).length > 0) violations.push('no aws provider with default tags');
  return { violations, checked: providers.length };
}
