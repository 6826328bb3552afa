import type { TerraformBlock } from '../../terraform-json.js';
import { fail, pass, resourceRule, unknown, type Resource, type Rule, type StackContext, type Verdict } from '../rule.js';
import { blocks, numberOf, strings } from '../../values.js';
import { statementsOf } from '../../iam/statements.js';
import { MANAGED_RULE_LABELS, REQUIRED_MANAGED_RULE_GROUPS, WEB_ACL_INCLUDED_CAPACITY, type ManagedRuleGroupName } from '../waf-managed-rules.js';

/**
 * docflow's own rules for the public edge of the standard profile: what the issue "secure by
 * default" asks of the HTTPS listener, WAF and the load balancer's access logs, read from the
 * synthesized JSON (WAF statements are nested blocks Terraform passes through untyped).
 */

const WAF_LOG_PREFIX = 'aws-waf-logs-';
const API_KEY_HEADER = 'x-api-key';
const ELB_LOG_DELIVERY = ['Service:logdelivery.elasticloadbalancing.amazonaws.com'];

const first = (value: unknown): TerraformBlock | undefined => blocks(value)[0];
const rulesOf = (acl: TerraformBlock) => blocks(acl['rule']);
/** The statement of a WAF rule (one block), whichever way it was written. */
const statementOf = (rule: TerraformBlock | undefined) => first(rule?.['statement']);
const priorityOf = (rule: TerraformBlock) => numberOf(rule['priority']) ?? Number.NaN;
const actionOf = (rule: TerraformBlock): string | undefined => Object.keys(first(rule['action']) ?? {})[0];

/** The managed rule group statement of a rule, if it is one. */
function managedGroup(rule: TerraformBlock): TerraformBlock | undefined {
  return first(statementOf(rule)?.['managed_rule_group_statement']);
}

/** The parts of an `and_statement`, or undefined when the statement is something else. */
function andParts(statement: TerraformBlock | undefined): TerraformBlock[] | undefined {
  const and = first(statement?.['and_statement']);
  return and === undefined ? undefined : blocks(and['statement']);
}

const labelMatch = (statement: TerraformBlock | undefined): string | undefined => {
  const match = first(statement?.['label_match_statement']);
  return match?.['scope'] === 'LABEL' ? String(match['key']) : undefined;
};
const negatedLabel = (statement: TerraformBlock | undefined): string | undefined => labelMatch(first(first(statement?.['not_statement'])?.['statement']));

/** The labels a statement matches: one label match, or an `or_statement` of label matches only. */
function anyOfLabels(statement: TerraformBlock | undefined): string[] | undefined {
  const single = labelMatch(statement);
  if (single !== undefined) return [single];
  const or = first(statement?.['or_statement']);
  if (or === undefined) return undefined;
  const labels = blocks(or['statement']).map(labelMatch);
  return labels.every((label): label is string => label !== undefined) ? labels : undefined;
}

/** A blocking rule of the shape `any of these labels AND NOT the exception label`. */
function labelBlocker(rule: TerraformBlock): { labels: string[]; exception: string } | undefined {
  const parts = andParts(statementOf(rule));
  if (actionOf(rule) !== 'block' || parts?.length !== 2) return undefined;
  const labels = anyOfLabels(parts[0]);
  const exception = negatedLabel(parts[1]);
  return labels !== undefined && exception !== undefined ? { labels, exception } : undefined;
}

function managedGroupsVerdict(acl: TerraformBlock): Verdict {
  const rules = rulesOf(acl);
  const problems: string[] = [];
  for (const [name, { stops }] of Object.entries(REQUIRED_MANAGED_RULE_GROUPS)) {
    const rule = rules.find((candidate) => managedGroup(candidate)?.['vendor_name'] === 'AWS' && managedGroup(candidate)?.['name'] === name);
    if (rule === undefined) {
      problems.push(`${name} (${stops}) is missing`);
      continue;
    }
    if (first(rule['override_action'])?.['count'] !== undefined) problems.push(`${name} only counts (override_action count): it blocks nothing`);
  }
  return problems.length === 0 ? pass(`runs ${Object.keys(REQUIRED_MANAGED_RULE_GROUPS).join(', ')}`) : fail(problems.join('; '));
}

function rateLimitVerdict(acl: TerraformBlock): Verdict {
  const limits = rulesOf(acl)
    .filter((rule) => actionOf(rule) === 'block')
    .map((rule) => first(statementOf(rule)?.['rate_based_statement']))
    .filter((statement): statement is TerraformBlock => statement !== undefined && (statement['aggregate_key_type'] ?? 'IP') === 'IP' && statement['scope_down_statement'] === undefined);
  const limit = limits.map((statement) => numberOf(statement['limit'])).find((value) => value !== undefined);
  if (limit === undefined) return fail('no rate-based rule blocks a single client IP: one client can flood the services');
  if (Number.isNaN(limit)) return unknown('the rate limit is computed at apply time');
  return pass(`blocks a client IP above ${limit} requests per window`);
}

/**
 * The route an exception label stands for: the counting rule before `beforePriority` that adds the
 * label must name one method exactly and an anchored path (so an exception is a route, not the API).
 */
function exceptionRoute(rules: TerraformBlock[], exceptionLabel: string, beforePriority: number): { route: string } | { problem: string } {
  const labeller = rules.find((rule) => blocks(rule['rule_label']).some((label) => label['name'] === exceptionLabel));
  if (labeller === undefined || !(priorityOf(labeller) < beforePriority)) {
    return { problem: `no rule before the managed groups adds the exception label ${exceptionLabel}, so its rules are blocked everywhere` };
  }
  if (actionOf(labeller) !== 'count') return { problem: `${String(labeller['name'])} adds the exception label but its action is ${actionOf(labeller) ?? 'none'}, not count` };
  const parts = andParts(statementOf(labeller)) ?? [];
  const method = parts.map((part) => first(part['byte_match_statement'])).find((match) => first(match?.['field_to_match'])?.['method'] !== undefined);
  const path = parts.map((part) => first(part['regex_match_statement'])).find((match) => first(match?.['field_to_match'])?.['uri_path'] !== undefined);
  const pattern = String(path?.['regex_string'] ?? '');
  if (parts.length !== 2 || method?.['positional_constraint'] !== 'EXACTLY' || !method['search_string'] || !/^\^.+\$$/.test(pattern)) {
    return { problem: `${String(labeller['name'])} must match one method exactly and an anchored path (^...$): its exception would cover more than one route` };
  }
  return { route: `${String(method['search_string'])} ${pattern}` };
}

/**
 * A managed rule may count instead of block only when a later rule blocks its label everywhere but
 * on requests an earlier counting rule labelled for one method and an anchored path: the rule is
 * lifted on that route (ingest's document bodies, the api's search words), nowhere else.
 */
function ruleExceptionsVerdict(acl: TerraformBlock): Verdict {
  const rules = rulesOf(acl);
  const problems: string[] = [];
  const lifted = new Map<string, string[]>();
  for (const group of rules.filter((rule) => managedGroup(rule) !== undefined)) {
    const groupName = String(managedGroup(group)?.['name']);
    for (const override of blocks(managedGroup(group)?.['rule_action_override'])) {
      const ruleName = String(override['name']);
      const action = Object.keys(first(override['action_to_use']) ?? {})[0];
      if (action !== 'count') {
        problems.push(`${groupName} ${ruleName} is overridden to ${action ?? 'nothing'}, not count`);
        continue;
      }
      const label = MANAGED_RULE_LABELS[groupName as ManagedRuleGroupName]?.[ruleName];
      if (label === undefined) {
        problems.push(`${groupName} ${ruleName} counts, and no known label lets a later rule block it elsewhere: it is lifted everywhere`);
        continue;
      }
      const blocker = rules.map((rule) => ({ rule, shape: labelBlocker(rule) })).find(({ rule, shape }) => priorityOf(rule) > priorityOf(group) && shape?.labels.includes(label));
      if (blocker?.shape === undefined) {
        problems.push(`${ruleName} counts but no later rule blocks ${label} outside a labelled exception: it is lifted everywhere`);
        continue;
      }
      const route = exceptionRoute(rules, blocker.shape.exception, priorityOf(group));
      if ('problem' in route) problems.push(`${ruleName}: ${route.problem}`);
      else lifted.set(route.route, [...(lifted.get(route.route) ?? []), ruleName]);
    }
  }
  if (problems.length > 0) return fail(problems.join('; '));
  if (lifted.size === 0) return pass('every managed rule blocks as AWS ships it');
  return pass([...lifted].map(([route, names]) => `${names.join(', ')} lifted only on ${route}`).join('; '));
}

const NO_TRANSFORMATION = 'NONE';
/** WCUs of a text-matching statement: its base, +10 per text transformation, +10 over all query arguments, doubled base on a JSON body. */
function matchCapacity(statement: TerraformBlock, base: number): number {
  const field = first(statement['field_to_match']) ?? {};
  const transformations = blocks(statement['text_transformation']).filter((transformation) => transformation['type'] !== NO_TRANSFORMATION).length;
  return (field['json_body'] !== undefined ? 2 * base : base) + 10 * transformations + (field['all_query_arguments'] !== undefined ? 10 : 0);
}
const BYTE_MATCH_BASE: Readonly<Record<string, number>> = { EXACTLY: 2, STARTS_WITH: 2, ENDS_WITH: 2, CONTAINS: 10, CONTAINS_WORD: 10 };

/** WCUs of one rule statement by AWS's published costs, or a string naming what it cannot price. */
function statementCapacity(statement: TerraformBlock | undefined): number | string {
  const [kind, ...others] = Object.keys(statement ?? {});
  const body = first(statement?.[kind ?? '']);
  if (kind === undefined || body === undefined || others.length > 0) return 'a statement that is not one block';
  const nested = (statements: TerraformBlock[], base = 0): number | string =>
    statements.map(statementCapacity).reduce<number | string>((sum, part) => (typeof sum === 'string' ? sum : typeof part === 'string' ? part : sum + part), base);
  switch (kind) {
    case 'label_match_statement':
      return 1;
    case 'byte_match_statement': {
      const base = BYTE_MATCH_BASE[String(body['positional_constraint'])];
      return base === undefined ? `byte match ${String(body['positional_constraint'])}` : matchCapacity(body, base);
    }
    case 'regex_match_statement':
      return matchCapacity(body, 3);
    case 'and_statement':
    case 'or_statement':
    case 'not_statement':
      return nested(blocks(body['statement']));
    case 'rate_based_statement': {
      const scopeDown = first(body['scope_down_statement']);
      return scopeDown === undefined ? 2 : nested([scopeDown], 2);
    }
    case 'managed_rule_group_statement': {
      const group = REQUIRED_MANAGED_RULE_GROUPS[String(body['name']) as ManagedRuleGroupName];
      if (body['vendor_name'] !== 'AWS' || group === undefined) return `managed group ${String(body['name'])}`;
      const scopeDown = first(body['scope_down_statement']);
      return scopeDown === undefined ? group.capacity : nested([scopeDown], group.capacity);
    }
    default:
      return kind;
  }
}

/** The web ACL's capacity (WCUs) stays within what its base price includes (AWS refuses above 5,000). */
function capacityVerdict(acl: TerraformBlock): Verdict {
  let total = 0;
  for (const rule of rulesOf(acl)) {
    const capacity = statementCapacity(statementOf(rule));
    if (typeof capacity === 'string') return unknown(`rule ${String(rule['name'])}: docflow cannot price ${capacity}`);
    total += capacity;
  }
  return total <= WEB_ACL_INCLUDED_CAPACITY
    ? pass(`${total} WCUs of the ${WEB_ACL_INCLUDED_CAPACITY} the base price includes`)
    : fail(`${total} WCUs, above the ${WEB_ACL_INCLUDED_CAPACITY} the base price includes (WAF bills more; above 5,000 it refuses the ACL)`);
}

function loggingVerdict(context: StackContext, acl: Resource): Verdict {
  const logging = context.environmentResources('aws_wafv2_web_acl_logging_configuration').find((candidate) => context.refersTo(candidate.block['resource_arn'], acl, candidate));
  if (logging === undefined) return fail('no logging configuration: blocked requests leave no trace');
  const problems: string[] = [];
  for (const destination of strings(logging.block['log_destination_configs'])) {
    const group = context.lookup(context.referenced(destination, logging));
    if (group === undefined) return unknown(`the log destination ${destination} is not a log group of this environment`);
    if (group.type !== 'aws_cloudwatch_log_group') continue;
    const name = String(group.block['name'] ?? '');
    if (!name.startsWith(WAF_LOG_PREFIX)) problems.push(`log group "${name}" does not start with ${WAF_LOG_PREFIX} (WAF refuses it)`);
    if (group.block['retention_in_days'] === undefined) problems.push(`log group "${name}" keeps WAF logs forever (set retention_in_days)`);
  }
  const redacted = blocks(logging.block['redacted_fields']).map((field) => String(first(field['single_header'])?.['name'] ?? '').toLowerCase());
  if (!redacted.includes(API_KEY_HEADER)) problems.push(`the ${API_KEY_HEADER} header is not redacted: API keys would be written to the logs`);
  return problems.length === 0 ? pass(`logs to ${WAF_LOG_PREFIX}* with retention, ${API_KEY_HEADER} redacted`) : fail(problems.join('; '));
}

/** A rule over each public ALB's web ACLs (none associated: the verdict is CKV2_AWS_28's to give). */
function aclRule(spec: { id: string; title: string; check: (acl: Resource, context: StackContext) => Verdict }): Rule {
  return resourceRule({
    id: spec.id,
    title: spec.title,
    types: ['aws_wafv2_web_acl'],
    check: (acl, context) => spec.check(acl, context),
  });
}

const isPublicApplication = (block: TerraformBlock) => (block['load_balancer_type'] ?? 'application') === 'application' && !(block['internal'] === true || block['internal'] === 'true');

export const edgeProtectionRules: readonly Rule[] = [
  aclRule({ id: 'DOCFLOW_WAF_MANAGED_RULES', title: 'WAF runs the AWS managed rule groups (IP reputation, common, known bad inputs, SQLi)', check: ({ block }) => managedGroupsVerdict(block) }),
  aclRule({ id: 'DOCFLOW_WAF_RATE_LIMIT', title: 'WAF blocks a client IP above a request rate', check: ({ block }) => rateLimitVerdict(block) }),
  aclRule({ id: 'DOCFLOW_WAF_RULE_EXCEPTIONS', title: 'A managed rule set to count is still blocked everywhere but on one route (one method, an anchored path)', check: ({ block }) => ruleExceptionsVerdict(block) }),
  aclRule({ id: 'DOCFLOW_WAF_CAPACITY', title: 'The web ACL stays within the 1,500 WCUs its base price includes', check: ({ block }) => capacityVerdict(block) }),
  aclRule({ id: 'DOCFLOW_WAF_LOGGING', title: 'WAF logs to an aws-waf-logs-* group with retention, without API keys', check: (acl, context) => loggingVerdict(context, acl) }),
  resourceRule({
    id: 'DOCFLOW_HTTPS_CERTIFICATE',
    title: 'HTTPS listeners name a validated certificate and their TLS policy',
    types: ['aws_lb_listener', 'aws_alb_listener'],
    check: (listener, context) => {
      if (String(listener.block['protocol'] ?? 'HTTP') !== 'HTTPS') return undefined;
      const problems: string[] = [];
      const certificate = listener.block['certificate_arn'];
      if (certificate === undefined) problems.push('no certificate_arn (AWS refuses an HTTPS listener without one)');
      else if (context.referenced(certificate, listener)?.type === 'aws_acm_certificate') {
        problems.push('certificate_arn is the certificate itself, not its aws_acm_certificate_validation: the listener may be created before ACM issued it');
      }
      if (listener.block['ssl_policy'] === undefined) problems.push('no ssl_policy: AWS applies ELBSecurityPolicy-2016-08, which accepts TLS 1.0');
      return problems.length === 0 ? pass('a validated certificate and an explicit TLS policy') : fail(problems.join('; '));
    },
  }),
  resourceRule({
    id: 'DOCFLOW_ALB_ACCESS_LOG_BUCKET',
    title: 'Load balancer access logs go to an SSE-S3 bucket that ELB may write to and that expires them',
    types: ['aws_lb', 'aws_alb'],
    check: (loadBalancer, context) => {
      const logs = first(loadBalancer.block['access_logs']);
      if (logs === undefined || !(logs['enabled'] === true || logs['enabled'] === 'true')) return undefined;
      const bucket = context.lookup(context.referenced(logs['bucket'], loadBalancer));
      if (bucket === undefined) return unknown('the access log bucket is not a bucket of this environment');
      const companions = (type: string) => context.environmentResources(type).filter((companion) => context.refersTo(companion.block['bucket'], bucket, companion));
      const problems: string[] = [];
      const algorithm = companions('aws_s3_bucket_server_side_encryption_configuration')
        .flatMap((configuration) => blocks(configuration.block['rule']))
        .map((rule) => first(rule['apply_server_side_encryption_by_default'])?.['sse_algorithm'])
        .find((value) => value !== undefined);
      if (algorithm !== 'AES256') problems.push(`the bucket's default encryption is ${String(algorithm ?? 'not set')}: ELB delivers access logs only to SSE-S3 (AES256) buckets`);
      const policies = companions('aws_s3_bucket_policy');
      const prefix = String(logs['prefix'] ?? '');
      const delivery = policies.flatMap((policy) => {
        try {
          return statementsOf(JSON.parse(String(policy.block['policy'])));
        } catch {
          return [];
        }
      }).filter(
        (statement) =>
          statement.effect === 'Allow' &&
          statement.actions.includes('s3:PutObject') &&
          statement.principals.some((principal) => ELB_LOG_DELIVERY.includes(principal) || /^AWS:arn:aws:iam::\d{12}:root$/.test(principal)) &&
          statement.resources.some((resource) => resource.includes(`/${prefix ? `${prefix}/` : ''}AWSLogs/`)),
      );
      if (delivery.length === 0) problems.push(`no bucket policy lets ELB log delivery put objects under ${prefix ? `${prefix}/` : ''}AWSLogs/`);
      const waits = strings(loadBalancer.block['depends_on']).some((dependency) => policies.some((policy) => dependency === `${policy.type}.${policy.name}`));
      if (policies.length > 0 && !waits) problems.push('the load balancer does not depend on the bucket policy: enabling logs fails when the policy is not there yet');
      const expires = companions('aws_s3_bucket_lifecycle_configuration')
        .flatMap((lifecycle) => blocks(lifecycle.block['rule']))
        .some((rule) => rule['status'] === 'Enabled' && blocks(rule['expiration']).some((expiration) => expiration['days'] !== undefined));
      if (!expires) problems.push('no lifecycle rule expires the logs');
      return problems.length === 0 ? pass(`SSE-S3, ELB may write under ${prefix}/AWSLogs/, logs expire`) : fail(problems.join('; '));
    },
  }),
  resourceRule({
    id: 'DOCFLOW_ALB_DOMAIN',
    title: 'Public load balancers answer on a domain (a Route 53 alias) that their certificate names',
    types: ['aws_lb', 'aws_alb'],
    check: (loadBalancer, context) => {
      if (!isPublicApplication(loadBalancer.block)) return undefined;
      const aliases = context
        .environmentResources('aws_route53_record')
        .filter((record) => context.refersTo(first(record.block['alias'])?.['name'], loadBalancer, record));
      if (aliases.length === 0) return fail('no Route 53 alias record points at it: clients would use the load balancer\'s own name, which no certificate covers');
      const names = aliases.map((record) => String(record.block['name']));
      const certified = context.environmentResources('aws_acm_certificate').flatMap((certificate) => [String(certificate.block['domain_name']), ...strings(certificate.block['subject_alternative_names'])]);
      const uncovered = names.filter((name) => !certified.includes(name));
      return uncovered.length === 0 ? pass(`answers on ${names.join(', ')}`) : fail(`${uncovered.join(', ')} points at it but no certificate of the environment names it`);
    },
  }),
];

