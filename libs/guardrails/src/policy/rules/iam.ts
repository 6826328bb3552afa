import { evaluationOf, fail, pass, unknown, type Resource, type Rule, type StackContext, type Verdict } from '../rule.js';
import { blocks, strings } from '../../values.js';
import { actionCovers, dataDocumentStatements, statementsOf, type Statement } from '../../iam/statements.js';

/**
 * Actions that AWS's Service Authorization Reference lists without a resource type: they can only be
 * granted on `*`, so CKV_AWS_355 does not hold them against a statement. Checkov asks cloudsplaining
 * (and its copy of the whole IAM database) the same question; an action not listed here counts as
 * restrictable, which errs on the strict side.
 */
export const UNRESTRICTABLE_ACTIONS: readonly string[] = [
  'ecr:GetAuthorizationToken',
  'sts:GetCallerIdentity',
  'cloudwatch:PutMetricData',
  'cloudwatch:GetMetricData',
  'cloudwatch:GetMetricStatistics',
  'cloudwatch:ListMetrics',
  'logs:DescribeLogGroups',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'ec2:Describe*',
  'elasticloadbalancing:Describe*',
  'elasticloadbalancing:SetWebAcl',
  'autoscaling:Describe*',
  'application-autoscaling:Describe*',
  'ecs:RegisterTaskDefinition',
  'ecs:DeregisterTaskDefinition',
  'ecs:DescribeTaskDefinition',
  'ecs:ListTaskDefinitions',
  'ecs:ListClusters',
  'ecs:DiscoverPollEndpoint',
  's3:ListAllMyBuckets',
  'sqs:ListQueues',
  'sns:ListTopics',
  'secretsmanager:GetRandomPassword',
  'secretsmanager:ListSecrets',
  'kms:ListKeys',
  'logs:PutResourcePolicy',
  'logs:DeleteResourcePolicy',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'route53:CreateHostedZone',
  'servicediscovery:CreatePrivateDnsNamespace',
  'kms:ListAliases',
  'iam:ListRoles',
  'iam:ListPolicies',
  'pipes:ListPipes',
  'tag:GetResources',
];

const IDENTITY_POLICIES: readonly (readonly [type: string, attribute: string])[] = [
  ['aws_iam_role_policy', 'policy'],
  ['aws_iam_policy', 'policy'],
  ['aws_iam_user_policy', 'policy'],
  ['aws_iam_group_policy', 'policy'],
];
const RESOURCE_POLICIES: readonly (readonly [type: string, attribute: string])[] = [
  ['aws_s3_bucket_policy', 'policy'],
  ['aws_sqs_queue_policy', 'policy'],
  ['aws_sns_topic_policy', 'policy'],
];

interface PolicyKinds {
  /** Identity policies: role, user, group and managed policies, inline role policies, `aws_iam_policy_document`. */
  readonly identity: boolean;
  /** Resource policies: bucket, queue and topic policies. */
  readonly resource?: boolean;
  /** Trust policies (`assume_role_policy`). */
  readonly trust?: boolean;
}

/** Each policy-bearing resource with its statements, or the verdict saying why they cannot be read. */
function documentsOf(context: StackContext, kinds: PolicyKinds): { resource: Resource; statements: Statement[] | Verdict }[] {
  const result: { resource: Resource; statements: Statement[] | Verdict }[] = [];
  const add = (resource: Resource, raw: unknown, what: string) => {
    if (typeof raw !== 'string') return void result.push({ resource, statements: unknown(`${what} is not a JSON string`) });
    try {
      result.push({ resource, statements: statementsOf(JSON.parse(raw)) });
    } catch {
      result.push({ resource, statements: unknown(`${what} cannot be read: ${/^\s*\$\{/.test(raw) ? 'it is computed at apply time' : 'not valid JSON'}`) });
    }
  };
  const attributeKinds = [...(kinds.identity ? IDENTITY_POLICIES : []), ...(kinds.resource ? RESOURCE_POLICIES : [])];
  for (const [type, attribute] of attributeKinds) for (const resource of context.resources(type)) add(resource, resource.block[attribute], attribute);
  for (const role of context.resources('aws_iam_role')) {
    if (kinds.identity) for (const inline of blocks(role.block['inline_policy'])) add(role, inline['policy'], 'inline_policy');
    if (kinds.trust) add(role, role.block['assume_role_policy'], 'assume_role_policy');
  }
  if (kinds.identity) {
    for (const resource of context.resources('data.aws_iam_policy_document')) result.push({ resource, statements: dataDocumentStatements(resource.block) });
  }
  return result;
}

/** A rule over the Allow statements of policies: `bad` returns what it objects to in one statement. */
function statementRule(
  id: string,
  title: string,
  kinds: PolicyKinds,
  bad: (statement: Statement) => string | undefined,
  exempt?: (context: StackContext, resource: Resource) => string | undefined,
): Rule {
  return {
    id,
    title,
    evaluate: (context) =>
      documentsOf(context, kinds).map(({ resource, statements }) => {
        const exemption = exempt?.(context, resource);
        if (exemption) return evaluationOf(resource, pass(exemption));
        if (!Array.isArray(statements)) return evaluationOf(resource, statements);
        const problems = statements.filter((statement) => statement.effect === 'Allow').flatMap((statement) => bad(statement) ?? []);
        return evaluationOf(resource, problems.length > 0 ? fail(problems.join('; ')) : pass(`${statements.length} statements, none of them that broad`));
      }),
  };
}

/** Trust-policy rules: what a role's `assume_role_policy` lets assume it. */
function trustRule(id: string, title: string, bad: (statement: Statement) => string | undefined): Rule {
  return statementRule(id, title, { identity: false, trust: true }, bad);
}

/**
 * Whether a managed policy serves as a permissions boundary: a role names it in `permissions_boundary`,
 * or a policy requires it through `iam:PermissionsBoundary`. A boundary caps what roles may do and
 * grants nothing, so `"*"` resources in it are how a boundary is written (Checkov flags them anyway).
 */
function isPermissionsBoundary(context: StackContext, policy: Resource): boolean {
  if (policy.type !== 'aws_iam_policy') return false;
  const name = String(policy.block['name'] ?? '');
  const roles = context.environmentResources('aws_iam_role');
  const byName = name !== '' && roles.some((role) => String(role.block['permissions_boundary'] ?? '').endsWith(`:policy/${name}`));
  // a role in another stack naming the boundary through a cross-stack reference (the foundation's output)
  const byReference = roles.some((role) => role.block['permissions_boundary'] !== undefined && context.refersTo(role.block['permissions_boundary'], policy, role));
  const byCondition = context
    .environmentResources('aws_iam_policy')
    .concat(context.environmentResources('aws_iam_role_policy'))
    .some((holder) => String(holder.block['policy'] ?? '').includes('iam:PermissionsBoundary') && context.refersTo(holder.block['policy'], policy, holder, true));
  return byName || byReference || byCondition;
}

/** Whether AWS scopes `action` to no resource, so that it can only be granted on `*`. */
export const isUnrestrictable = (action: string) => UNRESTRICTABLE_ACTIONS.some((pattern) => actionCovers(pattern, action));

const ACCOUNT_PRINCIPAL = /^AWS:(\d{12}|arn:aws:iam::\d{12}:root)$/;
const ADMINISTRATOR_ACCESS = /:policy\/AdministratorAccess$/;

export const iamRules: readonly Rule[] = [
  trustRule('CKV_AWS_60', 'IAM roles are assumable only by specific principals', (statement) =>
    statement.principals.includes('AWS:*') || statement.principals.includes('*') ? 'any AWS principal may assume the role' : undefined,
  ),
  trustRule('CKV_AWS_61', 'IAM roles do not trust a whole account without an external id', (statement) => {
    const account = statement.principals.find((principal) => ACCOUNT_PRINCIPAL.test(principal));
    if (!account) return undefined;
    const externalId = statement.actions.some((action) => action === 'sts:AssumeRole') && statement.conditionKeys.includes('sts:ExternalId');
    return externalId ? undefined : `every principal of account ${account.slice('AWS:'.length)} may assume the role`;
  }),
  statementRule('CKV_AWS_62', 'No IAM policy grants full administrative rights ("*" on "*")', { identity: true }, (statement) =>
    statement.actions.includes('*') && statement.resources.includes('*') ? 'allows "*" on "*"' : undefined,
  ),
  statementRule('CKV_AWS_63', 'No IAM policy allows the action "*"', { identity: true }, (statement) => (statement.actions.includes('*') && !statement.notAction ? 'allows the action "*"' : undefined)),
  statementRule('CKV_AWS_355', 'No IAM policy allows a restrictable action on the resource "*"', { identity: true }, (statement) => {
    if (!statement.resources.includes('*')) return undefined;
    const restrictable = statement.notAction ? ['every action but some (NotAction)'] : statement.actions.filter((action) => !isUnrestrictable(action));
    return restrictable.length > 0 ? `allows ${restrictable.join(', ')} on "*" (name the resources)` : undefined;
  }, (context, resource) => (isPermissionsBoundary(context, resource) ? 'a permissions boundary: it caps what roles may do and grants nothing' : undefined)),
  {
    id: 'CKV_AWS_274',
    title: 'Nothing is granted the AdministratorAccess policy',
    evaluate: (context) => [
      ...['aws_iam_role_policy_attachment', 'aws_iam_policy_attachment', 'aws_iam_user_policy_attachment', 'aws_iam_group_policy_attachment']
        .flatMap((type) => context.resources(type))
        .map((attachment) =>
          evaluationOf(attachment, ADMINISTRATOR_ACCESS.test(String(attachment.block['policy_arn'])) ? fail('attaches AdministratorAccess') : pass(`attaches ${String(attachment.block['policy_arn'])}`)),
        ),
      ...context
        .resources('aws_iam_role')
        .filter((role) => role.block['managed_policy_arns'] !== undefined)
        .map((role) => evaluationOf(role, strings(role.block['managed_policy_arns']).some((arn) => ADMINISTRATOR_ACCESS.test(arn)) ? fail('managed_policy_arns includes AdministratorAccess') : pass('no AdministratorAccess'))),
    ],
  },
  statementRule('DOCFLOW_IAM_WILDCARDS', 'No Allow grants a wildcard action ("sqs:*") or every action but some (NotAction), in any identity, resource or trust policy', { identity: true, resource: true, trust: true }, (statement) => {
    if (statement.notAction) return 'allows every action except some (NotAction); list the actions';
    const wildcards = statement.actions.filter((action) => action.includes('*'));
    return wildcards.length > 0 ? `allows the wildcard action ${wildcards.map((action) => `"${action}"`).join(', ')}` : undefined;
  }),
];
