import { managedRuleLabel, REQUIRED_MANAGED_RULE_GROUPS, type ManagedRuleGroupName } from '@docflow/guardrails';
import { Construct } from 'constructs';
import { CloudwatchLogResourcePolicy } from '@cdktf/provider-aws/lib/cloudwatch-log-resource-policy/index.js';
import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import type { Lb } from '@cdktf/provider-aws/lib/lb/index.js';
import { Wafv2WebAcl, type Wafv2WebAclRule } from '@cdktf/provider-aws/lib/wafv2-web-acl/index.js';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association/index.js';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration/index.js';
import { accountIdOf } from '../core/account.js';
import { policyDocument } from '../core/iam.js';
import { logGroupWithRetention } from '../core/log-group.js';
import { MIN_WAF_RATE_LIMIT } from '../environments/validate.js';

/** The AWS managed rule groups every docflow web ACL runs, in order. */
export const MANAGED_RULE_GROUPS = Object.keys(REQUIRED_MANAGED_RULE_GROUPS) as readonly ManagedRuleGroupName[];

/** One rule of an AWS managed rule group and the label it adds to what it matches. */
export interface ManagedRule {
  readonly group: ManagedRuleGroupName;
  readonly name: string;
  readonly label: string;
}
const managedRule = (group: ManagedRuleGroupName, name: string): ManagedRule => ({ group, name, label: managedRuleLabel(group, name) });

/**
 * Every managed rule that inspects the request body (on an ALB, its first 8 KB): the common rule
 * set's size, cross-site scripting, local and remote file inclusion and EC2 metadata rules, known
 * bad inputs' Java deserialization and Log4j rules, and the SQL injection set's two body rules.
 * ingest stores a document and extracts its text; nothing renders, runs or interprets it (as HTML,
 * SQL, a path or a URL), so on its document routes these rules only refuse legitimate documents.
 */
export const DOCUMENT_BODY_RULES: readonly ManagedRule[] = [
  managedRule('AWSManagedRulesCommonRuleSet', 'SizeRestrictions_BODY'),
  managedRule('AWSManagedRulesCommonRuleSet', 'CrossSiteScripting_BODY'),
  managedRule('AWSManagedRulesCommonRuleSet', 'GenericLFI_BODY'),
  managedRule('AWSManagedRulesCommonRuleSet', 'GenericRFI_BODY'),
  managedRule('AWSManagedRulesCommonRuleSet', 'EC2MetaDataSSRF_BODY'),
  managedRule('AWSManagedRulesKnownBadInputsRuleSet', 'JavaDeserializationRCE_BODY'),
  managedRule('AWSManagedRulesKnownBadInputsRuleSet', 'Log4JRCE_BODY'),
  managedRule('AWSManagedRulesSQLiRuleSet', 'SQLi_BODY'),
  managedRule('AWSManagedRulesSQLiRuleSet', 'SQLiExtendedPatterns_BODY'),
];

/**
 * The SQL injection set's query-argument rules. The api's search passes `q` to PostgreSQL as a bound
 * parameter of websearch_to_tsquery, never as SQL text, so on the search route these rules can only
 * refuse searches for words like "select", "union" or "drop table".
 */
export const SEARCH_QUERY_RULES: readonly ManagedRule[] = [
  managedRule('AWSManagedRulesSQLiRuleSet', 'SQLi_QUERYARGUMENTS'),
  managedRule('AWSManagedRulesSQLiRuleSet', 'SQLiExtendedPatterns_QUERYARGUMENTS'),
];

/** Requests an exception covers: one method and a path pattern. */
export interface ExceptedRoute {
  readonly method: string;
  /** A regular expression over the URI path (WAF's regex syntax), anchored. */
  readonly pathPattern: string;
}

/**
 * Managed rules lifted on one route: they count in their groups, a rule before the groups labels
 * the route, and a rule after them blocks their labels on every request without that label.
 */
export interface RuleException {
  /** The rule that labels the route's requests, e.g. `label-document-routes`. */
  readonly labelRuleName: string;
  /** The rule that blocks the lifted rules' labels elsewhere, e.g. `block-body-rules-elsewhere`. */
  readonly blockRuleName: string;
  /** docflow's label for the route's requests. */
  readonly routeLabel: string;
  readonly route: ExceptedRoute;
  readonly rules: readonly ManagedRule[];
}

/**
 * ingest's document routes, which take documents up to 1 MiB and batches up to 16 MiB:
 * `POST /v1/documents` (JSON or a raw body) and `POST /v1/documents:batch`.
 */
export const INGEST_DOCUMENT_ROUTES: ExceptedRoute = { method: 'POST', pathPattern: '^/v1/documents(:batch)?$' };
/** The api's search and listing: `GET /v1/documents?q=...`. */
export const API_SEARCH_ROUTE: ExceptedRoute = { method: 'GET', pathPattern: '^/v1/documents$' };

/** The body rules lifted on ingest's document routes. */
export const DOCUMENT_ROUTES_EXCEPTION: RuleException = {
  labelRuleName: 'label-document-routes',
  blockRuleName: 'block-body-rules-elsewhere',
  routeLabel: 'docflow:document-route',
  route: INGEST_DOCUMENT_ROUTES,
  rules: DOCUMENT_BODY_RULES,
};
/** The SQL injection query-argument rules lifted on the api's search. */
export const SEARCH_ROUTE_EXCEPTION: RuleException = {
  labelRuleName: 'label-search-route',
  blockRuleName: 'block-query-sqli-elsewhere',
  routeLabel: 'docflow:search-route',
  route: API_SEARCH_ROUTE,
  rules: SEARCH_QUERY_RULES,
};

/** Log groups WAF writes to must be named like this (PutLoggingConfiguration refuses others). */
export const WAF_LOG_GROUP_PREFIX = 'aws-waf-logs-';
/** The header docflow's clients send their API key in: never written to the WAF logs. */
export const API_KEY_HEADER = 'x-api-key';

/** Why `exceptions` cannot be built as given, or undefined. */
function exceptionsProblem(exceptions: readonly RuleException[]): string | undefined {
  const seen = new Set<string>();
  for (const exception of exceptions) {
    if (!/^\^.+\$$/.test(exception.route.pathPattern) || exception.route.method === '') {
      return `exception ${exception.labelRuleName} needs a method and an anchored path pattern (^...$), got "${exception.route.method} ${exception.route.pathPattern}"`;
    }
    if (exception.rules.length === 0) return `exception ${exception.labelRuleName} lifts no rule`;
    for (const rule of exception.rules) {
      // the other exception's block rule would still block it on this route
      if (seen.has(rule.label)) return `${rule.group} ${rule.name} is lifted by two exceptions; a rule may be lifted on one route only`;
      seen.add(rule.label);
    }
  }
  return undefined;
}

export interface EdgeFirewallProps {
  readonly namePrefix: string;
  readonly loadBalancer: Lb;
  /** Requests one client IP may send in any 5 minutes before it is blocked (10 or more). */
  readonly requestsPerIpPer5Minutes: number;
  readonly logRetentionDays: number;
  /** Encrypts the WAF log group. @default - the CloudWatch Logs service key */
  readonly logKmsKeyArn?: string;
  /** Managed rules lifted on one route each. @default [DOCUMENT_ROUTES_EXCEPTION, SEARCH_ROUTE_EXCEPTION] */
  readonly exceptions?: readonly RuleException[];
}

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });

/**
 * AWS WAF on the load balancer. Rules, in the order they run:
 * 1. a rate limit per client IP (blocks floods before anything else reads the request);
 * 2. per exception, a counting rule that labels its route: `label-document-routes` (ingest's
 *    POST /v1/documents and /v1/documents:batch), `label-search-route` (the api's GET /v1/documents);
 * 3. the AWS managed groups: IP reputation, the common rule set, known bad inputs, SQL injection,
 *    with every excepted rule set to count;
 * 4. per exception, a rule that blocks the excepted rules' labels on requests without the route's
 *    label: `block-body-rules-elsewhere` (every body rule, the 8 KB size limit included, everywhere
 *    but where documents arrive), `block-query-sqli-elsewhere` (SQL injection in query arguments
 *    everywhere but the search).
 * On an ALB WAF inspects only the first 8 KB of a body; the services' own limits stay the real cap.
 * Logs go to `aws-waf-logs-<prefix>` with retention, without the API key header.
 */
export class EdgeFirewall extends Construct {
  readonly webAcl: Wafv2WebAcl;
  readonly association: Wafv2WebAclAssociation;
  readonly logGroup: CloudwatchLogGroup;
  readonly logging: Wafv2WebAclLoggingConfiguration;

  constructor(scope: Construct, id: string, props: EdgeFirewallProps) {
    super(scope, id);
    const exceptions = props.exceptions ?? [DOCUMENT_ROUTES_EXCEPTION, SEARCH_ROUTE_EXCEPTION];
    if (!Number.isInteger(props.requestsPerIpPer5Minutes) || props.requestsPerIpPer5Minutes < MIN_WAF_RATE_LIMIT) {
      throw new Error(`EdgeFirewall: requestsPerIpPer5Minutes must be a whole number, at least ${MIN_WAF_RATE_LIMIT}, got ${props.requestsPerIpPer5Minutes}`);
    }
    const problem = exceptionsProblem(exceptions);
    if (problem !== undefined) throw new Error(`EdgeFirewall: ${problem}`);
    const name = `${props.namePrefix}-edge`;

    const lifted = exceptions.flatMap((exception) => exception.rules);
    const managed = (groupName: ManagedRuleGroupName, priority: number): Wafv2WebAclRule => {
      const overrides = lifted.filter((rule) => rule.group === groupName).map((rule) => rule.name);
      return {
        name: groupName,
        priority,
        overrideAction: { none: {} },
        // `statement` is passed through to Terraform as written: snake_case, nested blocks as lists
        statement: {
          managed_rule_group_statement: [
            {
              vendor_name: 'AWS',
              name: groupName,
              ...(overrides.length > 0 ? { rule_action_override: overrides.map((rule) => ({ name: rule, action_to_use: [{ count: [{}] }] })) } : {}),
            },
          ],
        },
        visibilityConfig: visibility(`${name}-${groupName}`),
      };
    };
    const noTransformation = [{ priority: 0, type: 'NONE' }];
    const hasLabel = (key: string) => ({ label_match_statement: [{ scope: 'LABEL', key }] });
    const labelRoute = (exception: RuleException, priority: number): Wafv2WebAclRule => ({
      name: exception.labelRuleName,
      priority,
      action: { count: {} },
      ruleLabel: [{ name: exception.routeLabel }],
      statement: {
        and_statement: [
          {
            statement: [
              {
                byte_match_statement: [
                  { field_to_match: [{ method: [{}] }], positional_constraint: 'EXACTLY', search_string: exception.route.method, text_transformation: noTransformation },
                ],
              },
              {
                regex_match_statement: [{ field_to_match: [{ uri_path: [{}] }], regex_string: exception.route.pathPattern, text_transformation: noTransformation }],
              },
            ],
          },
        ],
      },
      visibilityConfig: visibility(`${name}-${exception.labelRuleName}`),
    });
    const blockElsewhere = (exception: RuleException, priority: number): Wafv2WebAclRule => {
      const labels = exception.rules.map((rule) => hasLabel(rule.label));
      // WAF's OR takes two statements or more
      const anyLabel = labels.length === 1 ? labels[0] : { or_statement: [{ statement: labels }] };
      return {
        name: exception.blockRuleName,
        priority,
        action: { block: {} },
        statement: {
          and_statement: [{ statement: [anyLabel, { not_statement: [{ statement: [hasLabel(exception.routeLabel)] }] }] }],
        },
        visibilityConfig: visibility(`${name}-${exception.blockRuleName}`),
      };
    };
    const rules: Wafv2WebAclRule[] = [
      {
        name: 'rate-limit-per-ip',
        priority: 0,
        action: { block: {} },
        statement: {
          rate_based_statement: [{ limit: props.requestsPerIpPer5Minutes, aggregate_key_type: 'IP', evaluation_window_sec: 300 }],
        },
        visibilityConfig: visibility(`${name}-rate-limit-per-ip`),
      },
      ...exceptions.map((exception, index) => labelRoute(exception, 10 + index)),
      ...MANAGED_RULE_GROUPS.map((group, index) => managed(group, 20 + 10 * index)),
      ...exceptions.map((exception, index) => blockElsewhere(exception, 60 + index)),
    ];

    this.webAcl = new Wafv2WebAcl(this, 'WebAcl', {
      name,
      // WAF allows only letters, digits, spaces and + = : # @ / - , . here (no semicolon, no brackets)
      description: 'docflow edge: rate limit, AWS managed rules, body rules lifted on ingest document routes, SQLi query rules on the api search',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rule: rules,
      visibilityConfig: visibility(name),
    });
    this.association = new Wafv2WebAclAssociation(this, 'Association', {
      resourceArn: props.loadBalancer.arn,
      webAclArn: this.webAcl.arn,
    });

    this.logGroup = logGroupWithRetention(this, 'Logs', {
      name: `${WAF_LOG_GROUP_PREFIX}${props.namePrefix}`,
      retentionDays: props.logRetentionDays,
      kmsKeyArn: props.logKmsKeyArn,
    });
    // written here rather than left to WAF, which otherwise edits one account-wide policy that can outgrow its size limit
    const account = accountIdOf(this);
    const deliveryPolicy = new CloudwatchLogResourcePolicy(this, 'LogDeliveryPolicy', {
      policyName: `${props.namePrefix}-waf-log-delivery`,
      policyDocument: policyDocument([
        {
          Sid: 'WafLogDelivery',
          Effect: 'Allow',
          Principal: { Service: 'delivery.logs.amazonaws.com' },
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: [`${this.logGroup.arn}:*`],
          Condition: {
            ArnLike: { 'aws:SourceArn': `arn:aws:logs:*:${account}:*` },
            StringEquals: { 'aws:SourceAccount': account },
          },
        },
      ]),
    });
    this.logging = new Wafv2WebAclLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.arn,
      logDestinationConfigs: [this.logGroup.arn],
      redactedFields: [{ singleHeader: { name: API_KEY_HEADER } }],
      dependsOn: [deliveryPolicy],
    });
  }
}
