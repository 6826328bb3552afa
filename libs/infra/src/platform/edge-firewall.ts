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
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
] as const;

/** The common rule set's rule that blocks bodies over 8 KB, and the label it adds (note the case). */
export const BODY_SIZE_RULE = 'SizeRestrictions_BODY';
export const BODY_SIZE_LABEL = 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body';
/** The label docflow's own rule puts on requests to ingest's document routes. */
export const LARGE_BODY_ROUTE_LABEL = 'docflow:large-body-route';
/** Log groups WAF writes to must be named like this (PutLoggingConfiguration refuses others). */
export const WAF_LOG_GROUP_PREFIX = 'aws-waf-logs-';
/** The header docflow's clients send their API key in: never written to the WAF logs. */
export const API_KEY_HEADER = 'x-api-key';

/** Requests the large-body exception covers: one method and a path pattern. */
export interface LargeBodyRoute {
  readonly method: string;
  /** A regular expression over the URI path (WAF's regex syntax), anchored. */
  readonly pathPattern: string;
}

/**
 * ingest's document routes, which take documents up to 1 MiB and batches up to 16 MiB:
 * `POST /v1/documents` (JSON or a raw body) and `POST /v1/documents:batch`.
 */
export const INGEST_DOCUMENT_ROUTES: LargeBodyRoute = { method: 'POST', pathPattern: '^/v1/documents(:batch)?$' };

export interface EdgeFirewallProps {
  readonly namePrefix: string;
  readonly loadBalancer: Lb;
  /** Requests one client IP may send in any 5 minutes before it is blocked (10 or more). */
  readonly requestsPerIpPer5Minutes: number;
  readonly logRetentionDays: number;
  /** Encrypts the WAF log group. @default - the CloudWatch Logs service key */
  readonly logKmsKeyArn?: string;
  /** Requests whose bodies may exceed the common rule set's 8 KB. @default INGEST_DOCUMENT_ROUTES */
  readonly largeBodyRoute?: LargeBodyRoute;
}

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });

/**
 * AWS WAF on the load balancer. Rules, in the order they run:
 * 1. a rate limit per client IP (blocks floods before anything else reads the request);
 * 2. `label-large-body-routes` counts and labels ingest's document routes (POST /v1/documents and
 *    /v1/documents:batch), nothing else;
 * 3. the AWS managed groups: IP reputation, the common rule set (with SizeRestrictions_BODY set
 *    to count), known bad inputs, SQL injection;
 * 4. `block-large-bodies-elsewhere` blocks what SizeRestrictions_BODY labelled unless the request
 *    carries the ingest label: an 8 KB body limit everywhere but where documents arrive.
 * On an ALB WAF inspects only the first 8 KB of a body, so on ingest's routes the body rules look
 * at the start of a document; the services' own body limits stay the real cap.
 * Logs go to `aws-waf-logs-<prefix>` with retention, without the API key header.
 */
export class EdgeFirewall extends Construct {
  readonly webAcl: Wafv2WebAcl;
  readonly association: Wafv2WebAclAssociation;
  readonly logGroup: CloudwatchLogGroup;
  readonly logging: Wafv2WebAclLoggingConfiguration;

  constructor(scope: Construct, id: string, props: EdgeFirewallProps) {
    super(scope, id);
    const route = props.largeBodyRoute ?? INGEST_DOCUMENT_ROUTES;
    if (!Number.isInteger(props.requestsPerIpPer5Minutes) || props.requestsPerIpPer5Minutes < MIN_WAF_RATE_LIMIT) {
      throw new Error(`EdgeFirewall: requestsPerIpPer5Minutes must be a whole number, at least ${MIN_WAF_RATE_LIMIT}, got ${props.requestsPerIpPer5Minutes}`);
    }
    const name = `${props.namePrefix}-edge`;

    const managed = (groupName: (typeof MANAGED_RULE_GROUPS)[number], priority: number, overrides: string[] = []): Wafv2WebAclRule => ({
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
    });
    const noTransformation = [{ priority: 0, type: 'NONE' }];
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
      {
        name: 'label-large-body-routes',
        priority: 10,
        action: { count: {} },
        ruleLabel: [{ name: LARGE_BODY_ROUTE_LABEL }],
        statement: {
          and_statement: [
            {
              statement: [
                {
                  byte_match_statement: [
                    { field_to_match: [{ method: [{}] }], positional_constraint: 'EXACTLY', search_string: route.method, text_transformation: noTransformation },
                  ],
                },
                {
                  regex_match_statement: [{ field_to_match: [{ uri_path: [{}] }], regex_string: route.pathPattern, text_transformation: noTransformation }],
                },
              ],
            },
          ],
        },
        visibilityConfig: visibility(`${name}-label-large-body-routes`),
      },
      managed('AWSManagedRulesAmazonIpReputationList', 20),
      managed('AWSManagedRulesCommonRuleSet', 30, [BODY_SIZE_RULE]),
      managed('AWSManagedRulesKnownBadInputsRuleSet', 40),
      managed('AWSManagedRulesSQLiRuleSet', 50),
      {
        name: 'block-large-bodies-elsewhere',
        priority: 60,
        action: { block: {} },
        statement: {
          and_statement: [
            {
              statement: [
                { label_match_statement: [{ scope: 'LABEL', key: BODY_SIZE_LABEL }] },
                { not_statement: [{ statement: [{ label_match_statement: [{ scope: 'LABEL', key: LARGE_BODY_ROUTE_LABEL }] }] }] },
              ],
            },
          ],
        },
        visibilityConfig: visibility(`${name}-block-large-bodies-elsewhere`),
      },
    ];

    this.webAcl = new Wafv2WebAcl(this, 'WebAcl', {
      name,
      description: 'docflow edge: rate limit, AWS managed rules, 8 KB bodies except on ingest document routes',
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
