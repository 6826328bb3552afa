import type { TerraformBlock } from '../../terraform-json.js';
import { fail, pass, resourceRule, unknown, type Resource, type Rule, type StackContext, type Verdict } from '../rule.js';
import { blocks, numberOf, strings } from '../../values.js';
import { statementsOf } from '../../iam/statements.js';

/**
 * docflow's own rules for the public edge of the standard profile: what the issue "secure by
 * default" asks of the HTTPS listener, WAF and the load balancer's access logs, read from the
 * synthesized JSON (WAF statements are nested blocks Terraform passes through untyped).
 */

/** The AWS managed rule groups every web ACL must run, and what each stops. */
export const REQUIRED_MANAGED_RULE_GROUPS: Readonly<Record<string, string>> = {
  AWSManagedRulesAmazonIpReputationList: 'IP reputation',
  AWSManagedRulesCommonRuleSet: 'common rule set',
  AWSManagedRulesKnownBadInputsRuleSet: 'known bad inputs',
  AWSManagedRulesSQLiRuleSet: 'SQL injection',
};
const BODY_SIZE_RULE = 'SizeRestrictions_BODY';
const BODY_SIZE_LABEL = 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body';
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

function managedGroupsVerdict(acl: TerraformBlock): Verdict {
  const rules = rulesOf(acl);
  const problems: string[] = [];
  for (const [name, what] of Object.entries(REQUIRED_MANAGED_RULE_GROUPS)) {
    const rule = rules.find((candidate) => managedGroup(candidate)?.['vendor_name'] === 'AWS' && managedGroup(candidate)?.['name'] === name);
    if (rule === undefined) {
      problems.push(`${name} (${what}) is missing`);
      continue;
    }
    if (first(rule['override_action'])?.['count'] !== undefined) problems.push(`${name} only counts (override_action count): it blocks nothing`);
    const overridden = blocks(managedGroup(rule)?.['rule_action_override']).map((override) => String(override['name']));
    const unexpected = overridden.filter((ruleName) => !(name === 'AWSManagedRulesCommonRuleSet' && ruleName === BODY_SIZE_RULE));
    if (unexpected.length > 0) problems.push(`${name} overrides ${unexpected.join(', ')}`);
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
 * SizeRestrictions_BODY (8 KB) may count instead of block only when a later rule blocks its label
 * everywhere but on requests an earlier rule labelled, and that rule names one method and an
 * anchored path (so the exception is ingest's document routes, not the whole API).
 */
function bodySizeVerdict(acl: TerraformBlock): Verdict {
  const rules = rulesOf(acl);
  const common = rules.find((rule) => managedGroup(rule)?.['name'] === 'AWSManagedRulesCommonRuleSet');
  if (common === undefined) return pass('no common rule set, so no body-size exception');
  const overridden = blocks(managedGroup(common)?.['rule_action_override']).some((override) => override['name'] === BODY_SIZE_RULE);
  if (!overridden) return pass(`${BODY_SIZE_RULE} blocks as AWS ships it`);

  const blocker = rules.find((rule) => {
    const parts = andParts(statementOf(rule));
    return actionOf(rule) === 'block' && priorityOf(rule) > priorityOf(common) && parts?.length === 2 && labelMatch(parts[0]) === BODY_SIZE_LABEL && negatedLabel(parts[1]) !== undefined;
  });
  if (blocker === undefined) {
    return fail(`${BODY_SIZE_RULE} is set to count but no later rule blocks ${BODY_SIZE_LABEL} outside a labelled exception: bodies over 8 KB pass everywhere`);
  }
  const exceptionLabel = negatedLabel(andParts(statementOf(blocker))?.[1]) ?? '';
  const labeller = rules.find((rule) => blocks(rule['rule_label']).some((label) => label['name'] === exceptionLabel));
  if (labeller === undefined || !(priorityOf(labeller) < priorityOf(common))) {
    return fail(`no rule before the common rule set adds the exception label ${exceptionLabel}, so ${blocker['name']} blocks every large body`);
  }
  if (actionOf(labeller) !== 'count') return fail(`${labeller['name']} adds the exception label but its action is ${actionOf(labeller) ?? 'none'}, not count`);
  const parts = andParts(statementOf(labeller)) ?? [];
  const method = parts.map((part) => first(part['byte_match_statement'])).find((match) => first(match?.['field_to_match'])?.['method'] !== undefined);
  const path = parts.map((part) => first(part['regex_match_statement'])).find((match) => first(match?.['field_to_match'])?.['uri_path'] !== undefined);
  const pattern = String(path?.['regex_string'] ?? '');
  if (method?.['positional_constraint'] !== 'EXACTLY' || !method['search_string'] || !/^\^.+\$$/.test(pattern)) {
    return fail(`${labeller['name']} must match one method exactly and an anchored path (^...$): the large-body exception would cover more than the document routes`);
  }
  return pass(`bodies over 8 KB are blocked except ${String(method['search_string'])} ${pattern}`);
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
  aclRule({ id: 'DOCFLOW_WAF_BODY_SIZE', title: 'The 8 KB body limit is lifted only on ingest document routes', check: ({ block }) => bodySizeVerdict(block) }),
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

