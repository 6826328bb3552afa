import type { TerraformBlock } from '../../terraform-json.js';
import { evaluationOf, fail, pass, resourceRule, unknown, type Resource, type Rule, type StackContext, type Verdict } from '../rule.js';
import { blocks, flag, strings } from '../../values.js';
import { permissionsOf } from '../../iam/roles.js';
import { statementsOf, type Statement } from '../../iam/statements.js';
import { PRODUCTION_ENVIRONMENTS } from './rds.js';

/**
 * docflow's own rules for the account-level security pieces: the audit trail and threat detection
 * in production, KMS key policies that let the services using a key use it, and the GitHub roles.
 */

const GITHUB_OIDC = 'token.actions.githubusercontent.com';
const BROAD_MANAGED_POLICIES = /:policy\/(PowerUserAccess|AdministratorAccess)$/;
const READ_ONLY_ACCESS = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
/** The reads ReadOnlyAccess allows that a CI role must be denied explicitly. */
const DATA_READS = ['s3:GetObject', 'secretsmanager:GetSecretValue', 'logs:GetLogEvents'];

const isTrue = (value: unknown) => flag(value) === 'true';

function policyStatements(raw: unknown): Statement[] | undefined {
  try {
    return statementsOf(JSON.parse(String(raw)));
  } catch {
    return undefined;
  }
}

/** The bucket policy statements of a bucket, in any stack of the environment. */
function bucketPolicyStatements(context: StackContext, bucket: Resource): Statement[] {
  return context
    .environmentResources('aws_s3_bucket_policy')
    .filter((policy) => context.refersTo(policy.block['bucket'], bucket, policy))
    .flatMap((policy) => policyStatements(policy.block['policy']) ?? []);
}

function trailVerdict(context: StackContext, trail: Resource): Verdict {
  const { block } = trail;
  const problems: string[] = [];
  if (!isTrue(block['is_multi_region_trail'])) problems.push('is_multi_region_trail is not true: activity in other regions goes unrecorded');
  if (!isTrue(block['enable_log_file_validation'])) problems.push('enable_log_file_validation is not true: a changed or deleted log file would go unnoticed');
  if (block['include_global_service_events'] === false) problems.push('include_global_service_events is false: IAM and STS calls go unrecorded');
  if (block['enable_logging'] === false) problems.push('enable_logging is false');
  const bucket = context.lookup(context.referenced(block['s3_bucket_name'], trail));
  if (bucket === undefined) return problems.length > 0 ? fail(problems.join('; ')) : unknown('the trail\'s bucket is not a bucket of this environment');
  const statements = bucketPolicyStatements(context, bucket);
  const byCloudTrail = statements.filter((statement) => statement.effect === 'Allow' && statement.principals.includes('Service:cloudtrail.amazonaws.com'));
  const aclCheck = byCloudTrail.some((statement) => statement.actions.includes('s3:GetBucketAcl'));
  const write = byCloudTrail.find((statement) => statement.actions.includes('s3:PutObject'));
  if (!aclCheck || write === undefined) problems.push('the bucket policy does not let CloudTrail check the ACL and write (AWS refuses to create the trail)');
  else {
    if (!write.conditionKeys.includes('s3:x-amz-acl')) problems.push('CloudTrail may write without s3:x-amz-acl = bucket-owner-full-control');
    if (!write.conditionKeys.includes('aws:SourceArn')) problems.push('any trail may write to the bucket (no aws:SourceArn condition)');
    if (!write.resources.some((resource) => resource.includes('/AWSLogs/'))) problems.push('CloudTrail may write anywhere in the bucket, not only under AWSLogs/');
  }
  const policies = context.environmentResources('aws_s3_bucket_policy').filter((policy) => context.refersTo(policy.block['bucket'], bucket, policy));
  if (!strings(block['depends_on']).some((dependency) => policies.some((policy) => dependency === `${policy.type}.${policy.name}`))) {
    problems.push('the trail does not depend on its bucket policy: the first apply fails while the policy is missing');
  }
  const expires = context
    .environmentResources('aws_s3_bucket_lifecycle_configuration')
    .filter((lifecycle) => context.refersTo(lifecycle.block['bucket'], bucket, lifecycle))
    .flatMap((lifecycle) => blocks(lifecycle.block['rule']))
    .some((rule) => blocks(rule['expiration']).some((expiration) => expiration['days'] !== undefined));
  if (!expires) problems.push('no lifecycle rule expires the log files');
  return problems.length === 0 ? pass('multi-region, validated, written only by this trail, expiring') : fail(problems.join('; '));
}

/** The services a key must admit, from what uses it in the environment. */
function keyUsers(context: StackContext, key: Resource): { service: string; why: string; context?: string }[] {
  const users: { service: string; why: string; context?: string }[] = [];
  const uses = (type: string, attribute: string) => context.environmentResources(type).filter((resource) => context.refersTo(resource.block[attribute], key, resource));
  const region = String(context.stack.json.provider?.['aws']?.[0]?.['region'] ?? '');
  if (uses('aws_cloudwatch_log_group', 'kms_key_id').length > 0) {
    users.push({ service: `logs.${region}.amazonaws.com`, why: 'log groups are encrypted with it', context: 'kms:EncryptionContext:aws:logs:arn' });
  }
  if (uses('aws_cloudtrail', 'kms_key_id').length > 0) users.push({ service: 'cloudtrail.amazonaws.com', why: 'the trail encrypts its log files with it', context: 'kms:EncryptionContext:aws:cloudtrail:arn' });
  const topics = uses('aws_sns_topic', 'kms_master_key_id');
  const alarmed = topics.some((topic) =>
    context.environmentResources('aws_cloudwatch_metric_alarm').some((alarm) => strings(alarm.block['alarm_actions']).some((action) => context.refersTo(action, topic, alarm))),
  );
  if (alarmed) users.push({ service: 'cloudwatch.amazonaws.com', why: 'alarms publish to a topic encrypted with it' });
  return users;
}

function keyPolicyVerdict(context: StackContext, key: Resource): Verdict {
  const statements = policyStatements(key.block['policy']);
  if (statements === undefined) return key.block['policy'] === undefined ? pass('the default key policy (the account decides through IAM)') : unknown('the key policy cannot be read');
  const allows = statements.filter((statement) => statement.effect === 'Allow');
  const problems: string[] = [];
  if (!allows.some((statement) => statement.principals.some((principal) => /^AWS:arn:aws:iam::[^:]+:root$/.test(principal)))) {
    problems.push('no statement for the account root: IAM policies cannot grant the key, and nobody can manage it');
  }
  for (const user of keyUsers(context, key)) {
    const granted = allows.find((statement) => statement.principals.includes(`Service:${user.service}`));
    if (granted === undefined) problems.push(`${user.why}, but the key policy does not admit ${user.service}`);
    else if (user.context !== undefined && !granted.conditionKeys.includes(user.context)) problems.push(`${user.service} may use the key for anything (no ${user.context} condition)`);
  }
  return problems.length === 0 ? pass('the account root and every service that uses it') : fail(problems.join('; '));
}

/** A role trusts GitHub's OIDC provider. */
const trustsGithub = (role: TerraformBlock) => String(role['assume_role_policy'] ?? '').includes(GITHUB_OIDC);

function ciRoleVerdict(context: StackContext, role: Resource): Verdict {
  const trust = policyStatements(role.block['assume_role_policy']);
  if (trust === undefined) return unknown('assume_role_policy cannot be read');
  const problems: string[] = [];
  for (const statement of trust.filter((candidate) => candidate.effect === 'Allow')) {
    const equals = (statement.condition['StringEquals'] ?? {}) as Record<string, unknown>;
    if (!(`${GITHUB_OIDC}:aud` in equals) || !(`${GITHUB_OIDC}:sub` in equals)) problems.push('the trust does not pin both aud and sub with StringEquals');
    if (Object.keys(statement.condition).some((operator) => operator.includes('Like'))) problems.push('the trust matches subjects with wildcards (StringLike)');
    if (strings(equals[`${GITHUB_OIDC}:sub`]).some((subject) => subject.includes('*'))) problems.push('a trusted subject contains "*"');
  }
  const attachments = context.environmentResources('aws_iam_role_policy_attachment').filter((attachment) => context.refersTo(attachment.block['role'], role, attachment) || attachment.block['role'] === role.block['name']);
  const arns = attachments.map((attachment) => String(attachment.block['policy_arn']));
  const broad = arns.filter((arn) => BROAD_MANAGED_POLICIES.test(arn));
  if (broad.length > 0) problems.push(`attaches ${broad.join(', ')}: it could read every secret and document and change anything`);
  if (arns.includes(READ_ONLY_ACCESS)) {
    const denies = permissionsOf(context, role).statements.filter((statement) => statement.effect === 'Deny');
    const missing = DATA_READS.filter((action) => !denies.some((statement) => statement.actions.includes(action)));
    if (missing.length > 0) problems.push(`ReadOnlyAccess without explicit denies of ${missing.join(', ')}: it reads stored data`);
  }
  return problems.length === 0 ? pass('pinned trust, no broad managed policy, data reads denied') : fail(problems.join('; '));
}

export const auditAndKeyRules: readonly Rule[] = [
  resourceRule({ id: 'DOCFLOW_CLOUDTRAIL', title: 'CloudTrail trails cover every region, validate their files and write only to a bucket that admits only them', types: ['aws_cloudtrail'], check: (trail, context) => trailVerdict(context, trail) }),
  {
    id: 'DOCFLOW_AUDIT_IN_PRODUCTION',
    title: 'A production environment has a multi-region CloudTrail trail and GuardDuty in its foundation',
    environments: PRODUCTION_ENVIRONMENTS,
    evaluate: (context) => {
      if (context.stack.name !== 'foundation') return [];
      const trails = context.resources('aws_cloudtrail').filter((trail) => isTrue(trail.block['is_multi_region_trail']) && trail.block['enable_logging'] !== false);
      const detectors = context.resources('aws_guardduty_detector').filter((detector) => detector.block['enable'] !== false);
      const missing = [...(trails.length === 0 ? ['a multi-region CloudTrail trail'] : []), ...(detectors.length === 0 ? ['an enabled GuardDuty detector'] : [])];
      const verdict = missing.length === 0 ? pass('a multi-region trail and GuardDuty') : fail(`no ${missing.join(' and no ')}: set audit in the environment table`);
      return [{ ...verdict, address: 'provider.aws' }];
    },
  },
  resourceRule({ id: 'DOCFLOW_KMS_KEY_USERS', title: 'KMS key policies admit the account and every service that uses the key (with its encryption context)', types: ['aws_kms_key'], check: (key, context) => keyPolicyVerdict(context, key) }),
  {
    id: 'DOCFLOW_CI_ROLES',
    title: 'GitHub OIDC roles pin aud and sub exactly, hold no PowerUser or Administrator policy, and deny data reads beside ReadOnlyAccess',
    evaluate: (context) => context.resources('aws_iam_role').filter((role) => trustsGithub(role.block)).map((role) => evaluationOf(role, ciRoleVerdict(context, role))),
  },
];
