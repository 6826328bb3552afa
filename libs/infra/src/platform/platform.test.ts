import { TerraformStack } from 'cdktf';
import { Lb } from '@cdktf/provider-aws/lib/lb/index.js';
import { describe, expect, it } from 'vitest';
import { appFromStacks, checkStack, evaluatePolicy, RULES } from '@docflow/guardrails';
import { at, findResource, onlyResource, parsePolicy, resourcesOf, synthStack, TEST_DOMAIN, testApp, testNetwork, testPlatform } from '../testing/index.js';
import { logGroupWithRetention } from '../core/log-group.js';
import { AppLogGroups } from './app-log-groups.js';
import { DnsCertificate } from './dns-certificate.js';
import { DOCUMENT_ROUTES_EXCEPTION, EdgeFirewall, SEARCH_ROUTE_EXCEPTION, type RuleException } from './edge-firewall.js';
import { LoadBalancerEdge, TLS_POLICY } from './load-balancer-edge.js';
import { LoadBalancerLogs } from './load-balancer-logs.js';
import type { PlatformProps } from './platform.js';
import { Repositories } from './repositories.js';

function synthPlatform(props: Partial<Omit<PlatformProps, 'network'>> = {}) {
  const stack = new TerraformStack(testApp(), 'test');
  const profile = props.profile ?? 'standard';
  const { network } = testNetwork(stack, profile === 'lean' ? { createPrivateSubnets: false, natMode: 'none' } : {});
  const platform = testPlatform(stack, network, profile, props);
  return { json: synthStack(stack), stack, platform };
}

describe('Platform', () => {
  describe('GIVEN any profile', () => {
    const { json } = synthPlatform();

    it('THEN the ECS cluster has Container Insights and both Fargate capacity providers', () => {
      expect(onlyResource(json, 'aws_ecs_cluster')).toMatchObject({ name: 'docflow-test', setting: [{ name: 'containerInsights', value: 'enabled' }] });
      expect(onlyResource(json, 'aws_ecs_cluster_capacity_providers')).toMatchObject({
        capacity_providers: ['FARGATE', 'FARGATE_SPOT'],
        default_capacity_provider_strategy: [{ capacity_provider: 'FARGATE', weight: 1, base: 0 }],
      });
    });

    it('THEN each app has an ECR repository with immutable tags, scan on push and a lifecycle', () => {
      const repositories = resourcesOf(json, 'aws_ecr_repository').map(({ block }) => block);
      expect(repositories.map((repository) => repository['name']).sort()).toEqual(['docflow-test-api', 'docflow-test-ingest', 'docflow-test-worker']);
      for (const repository of repositories) {
        expect(repository).toMatchObject({ image_tag_mutability: 'IMMUTABLE', image_scanning_configuration: { scan_on_push: true }, force_delete: false });
      }
      const rules = JSON.parse(at(resourcesOf(json, 'aws_ecr_lifecycle_policy'), 0).block['policy']).rules;
      expect(rules.map((rule: { selection: { tagStatus: string; countType: string } }) => [rule.selection.tagStatus, rule.selection.countType])).toEqual([
        ['untagged', 'sinceImagePushed'],
        ['any', 'imageCountMoreThan'],
      ]);
    });

    it('THEN each app has a log group with retention, and the API keys secret has no value in Terraform', () => {
      const groups = resourcesOf(json, 'aws_cloudwatch_log_group').map(({ block }) => [block['name'], block['retention_in_days']]);
      expect(groups).toEqual(expect.arrayContaining([['/docflow-test/api', 30], ['/docflow-test/ingest', 30], ['/docflow-test/worker', 30]]));
      expect(checkStack(json, ['CKV_AWS_66']).problems).toEqual([]);
      expect(onlyResource(json, 'aws_secretsmanager_secret')['name']).toBe('docflow-test/api-keys');
      expect(resourcesOf(json, 'aws_secretsmanager_secret_version')).toEqual([]);
    });
  });

  describe('GIVEN the standard profile', () => {
    const { json, platform } = synthPlatform();
    const listeners = resourcesOf(json, 'aws_lb_listener').map(({ block }) => block);
    const https = at(listeners.filter((listener) => listener['port'] === 443), 0);
    const http = at(listeners.filter((listener) => listener['port'] === 80), 0);

    it('THEN the ALB is public, drops invalid headers and listens with HTTPS (TLS 1.3/1.2 policy, the validated certificate)', () => {
      expect(onlyResource(json, 'aws_lb')).toMatchObject({ internal: false, drop_invalid_header_fields: true, enable_deletion_protection: true });
      expect(listeners).toHaveLength(2);
      expect(https).toMatchObject({ protocol: 'HTTPS', ssl_policy: TLS_POLICY });
      expect(https['certificate_arn']).toMatch(/^\$\{aws_acm_certificate_validation\.Platform_Certificate_Validation_\w+\.certificate_arn\}$/);
      expect(https['default_action'][0]).toMatchObject({ type: 'fixed-response', fixed_response: { status_code: '404' } });
      expect(platform.edge.kind).toBe('alb');
      expect(platform.edge.url).toBe(`https://${TEST_DOMAIN.name}`);
    });

    it('THEN port 80 answers nothing but a permanent redirect to HTTPS on 443', () => {
      expect(http['protocol']).toBe('HTTP');
      expect(http['default_action']).toEqual([{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }]);
      expect(checkStack(json, ['CKV_AWS_2', 'CKV_AWS_103', 'CKV2_AWS_20']).problems).toEqual([]);
    });

    it('THEN the certificate is DNS-validated through one record per name in the zone, and its users wait for the validation', () => {
      expect(onlyResource(json, 'aws_acm_certificate')).toMatchObject({
        domain_name: TEST_DOMAIN.name,
        validation_method: 'DNS',
        lifecycle: { create_before_destroy: true },
      });
      const record = findResource(json, 'aws_route53_record', ({ block }) => String(block['name']).includes('domain_validation_options')).block;
      expect(record).toMatchObject({
        zone_id: TEST_DOMAIN.zoneId,
        allow_overwrite: true,
      });
      const certificate = at(resourcesOf(json, 'aws_acm_certificate'), 0).name;
      expect(record['name']).toBe(
        `\${one([for option in aws_acm_certificate.${certificate}.domain_validation_options : option.resource_record_name if option.domain_name == "${TEST_DOMAIN.name}"])}`,
      );
      expect(record['records']).toEqual([expect.stringContaining('option.resource_record_value if option.domain_name')]);
      expect(onlyResource(json, 'aws_acm_certificate_validation')['validation_record_fqdns']).toEqual([expect.stringMatching(/^\$\{aws_route53_record\.Platform_Certificate_Validation\w+\.fqdn\}$/)]);
    });

    const loadBalancer = `aws_lb.${at(resourcesOf(json, 'aws_lb'), 0).name}`;

    it('THEN an alias A record points the domain at the load balancer', () => {
      const alias = findResource(json, 'aws_route53_record', ({ block }) => block['name'] === TEST_DOMAIN.name).block;
      expect(alias).toMatchObject({
        zone_id: TEST_DOMAIN.zoneId,
        type: 'A',
        alias: { name: `\${${loadBalancer}.dns_name}`, zone_id: `\${${loadBalancer}.zone_id}`, evaluate_target_health: true },
      });
    });

    it('THEN the ALB writes access logs to an SSE-S3 bucket that expires them and lets only ELB log delivery write under alb/AWSLogs/<account>/', () => {
      const lb = onlyResource(json, 'aws_lb');
      expect(lb['access_logs']).toEqual({ bucket: expect.stringContaining('aws_s3_bucket.Platform_AccessLogs_Bucket'), prefix: 'alb', enabled: true });
      expect(lb['depends_on']).toEqual([expect.stringContaining('aws_s3_bucket_policy.Platform_AccessLogs_Bucket_Policy')]);
      const policy = parsePolicy(onlyResource(json, 'aws_s3_bucket_policy')['policy']);
      expect(policy.Statement.slice(1)).toEqual([
        expect.objectContaining({ Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' }, Action: 's3:PutObject', Resource: expect.stringMatching(/\/alb\/AWSLogs\/\$\{data\.aws_caller_identity\.CallerIdentity\.account_id\}\/\*$/) }),
        expect.objectContaining({ Principal: { AWS: 'arn:aws:iam::156460612806:root' }, Action: 's3:PutObject' }),
      ]);
      const lifecycle = onlyResource(json, 'aws_s3_bucket_lifecycle_configuration')['rule'];
      expect(lifecycle).toContainEqual(expect.objectContaining({ id: 'expire-objects', expiration: [{ days: 30 }] }));
      expect(checkStack(json, ['CKV_AWS_91', 'CKV_AWS_19']).problems).toEqual([]);
    });

    it('THEN WAF protects the ALB and logs to aws-waf-logs-*, without the API key header', () => {
      expect(onlyResource(json, 'aws_wafv2_web_acl_association')['resource_arn']).toBe(`\${${loadBalancer}.arn}`);
      const logging = onlyResource(json, 'aws_wafv2_web_acl_logging_configuration');
      expect(logging['redacted_fields']).toEqual([{ single_header: { name: 'x-api-key' } }]);
      expect(findResource(json, 'aws_cloudwatch_log_group', ({ block }) => String(block['name']).startsWith('aws-waf-logs-')).block).toMatchObject({
        name: 'aws-waf-logs-docflow-test',
        retention_in_days: 30,
      });
      expect(checkStack(json, ['CKV2_AWS_28']).problems).toEqual([]);
    });

    describe('THEN the web ACL lifts the body rules on ingest\'s document routes and the SQL injection query rules on the api\'s search, nowhere else', () => {
      const acl = onlyResource(json, 'aws_wafv2_web_acl');
      const rules = acl['rule'] as { name: string; priority: number; action?: unknown; rule_label?: unknown; statement: Record<string, unknown[]> }[];
      const ruleNamed = (name: string) => {
        const found = rules.find((rule) => rule.name === name);
        if (found === undefined) throw new Error(`no WAF rule ${name}`);
        return found;
      };
      const overridesOf = (group: string) =>
        ((ruleNamed(group).statement['managed_rule_group_statement']?.[0] as { rule_action_override?: { name: string; action_to_use: unknown }[] }).rule_action_override ?? []);
      const bodyLabels = [
        'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body',
        'awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body',
        'awswaf:managed:aws:core-rule-set:GenericLFI_Body',
        'awswaf:managed:aws:core-rule-set:GenericRFI_Body',
        'awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_Body',
        'awswaf:managed:aws:known-bad-inputs:JavaDeserializationRCE_Body',
        'awswaf:managed:aws:known-bad-inputs:Log4JRCE_Body',
        'awswaf:managed:aws:sql-database:SQLi_Body',
        'awswaf:managed:aws:sql-database:SQLiExtendedPatterns_Body',
      ];
      const hasLabel = (key: string) => ({ label_match_statement: [{ scope: 'LABEL', key }] });
      const labelRoute = (method: string, path: string) => ({
        and_statement: [
          {
            statement: [
              { byte_match_statement: [{ field_to_match: [{ method: [{}] }], positional_constraint: 'EXACTLY', search_string: method, text_transformation: [{ priority: 0, type: 'NONE' }] }] },
              { regex_match_statement: [{ field_to_match: [{ uri_path: [{}] }], regex_string: path, text_transformation: [{ priority: 0, type: 'NONE' }] }] },
            ],
          },
        ],
      });

      it('its description is one WAF accepts (CreateWebACL: 1-256 characters of [\\w+=:#@/\\-,.] and inner spaces)', () => {
        expect(String(acl['description'])).toMatch(/^[\w+=:#@/\-,.][\w+=:#@/\-,.\s]+[\w+=:#@/\-,.]$/);
        expect(String(acl['description']).length).toBeLessThanOrEqual(256);
      });

      it('in this order: rate limit, the two route labels, the four managed groups, the two blocks', () => {
        expect(rules.map((rule) => [rule.priority, rule.name])).toEqual([
          [0, 'rate-limit-per-ip'],
          [10, 'label-document-routes'],
          [11, 'label-search-route'],
          [20, 'AWSManagedRulesAmazonIpReputationList'],
          [30, 'AWSManagedRulesCommonRuleSet'],
          [40, 'AWSManagedRulesKnownBadInputsRuleSet'],
          [50, 'AWSManagedRulesSQLiRuleSet'],
          [60, 'block-body-rules-elsewhere'],
          [61, 'block-query-sqli-elsewhere'],
        ]);
      });

      it('the managed groups count exactly the lifted rules (the rest blocks as AWS ships it)', () => {
        const count = [{ count: [{}] }];
        expect(overridesOf('AWSManagedRulesAmazonIpReputationList')).toEqual([]);
        expect(overridesOf('AWSManagedRulesCommonRuleSet')).toEqual(
          ['SizeRestrictions_BODY', 'CrossSiteScripting_BODY', 'GenericLFI_BODY', 'GenericRFI_BODY', 'EC2MetaDataSSRF_BODY'].map((name) => ({ name, action_to_use: count })),
        );
        expect(overridesOf('AWSManagedRulesKnownBadInputsRuleSet')).toEqual(['JavaDeserializationRCE_BODY', 'Log4JRCE_BODY'].map((name) => ({ name, action_to_use: count })));
        expect(overridesOf('AWSManagedRulesSQLiRuleSet')).toEqual(
          ['SQLi_BODY', 'SQLiExtendedPatterns_BODY', 'SQLi_QUERYARGUMENTS', 'SQLiExtendedPatterns_QUERYARGUMENTS'].map((name) => ({ name, action_to_use: count })),
        );
      });

      it('the route labels: POST ^/v1/documents(:batch)?$ and GET ^/v1/documents$, counted', () => {
        expect(ruleNamed('label-document-routes')).toMatchObject({ action: { count: {} }, rule_label: [{ name: 'docflow:document-route' }], statement: labelRoute('POST', '^/v1/documents(:batch)?$') });
        expect(ruleNamed('label-search-route')).toMatchObject({ action: { count: {} }, rule_label: [{ name: 'docflow:search-route' }], statement: labelRoute('GET', '^/v1/documents$') });
      });

      it('every lifted rule\'s label is blocked on requests without its route\'s label', () => {
        expect(ruleNamed('block-body-rules-elsewhere')).toMatchObject({
          action: { block: {} },
          statement: { and_statement: [{ statement: [{ or_statement: [{ statement: bodyLabels.map(hasLabel) }] }, { not_statement: [{ statement: [hasLabel('docflow:document-route')] }] }] }] },
        });
        expect(ruleNamed('block-query-sqli-elsewhere')).toMatchObject({
          action: { block: {} },
          statement: {
            and_statement: [
              {
                statement: [
                  { or_statement: [{ statement: [hasLabel('awswaf:managed:aws:sql-database:SQLi_QueryArguments'), hasLabel('awswaf:managed:aws:sql-database:SQLiExtendedPatterns_QueryArguments')] }] },
                  { not_statement: [{ statement: [hasLabel('docflow:search-route')] }] },
                ],
              },
            ],
          },
        });
      });

      it('the policy agrees: each exception is one route, and the ACL needs 1,150 of the 1,500 WCUs its price includes', () => {
        const ids = ['DOCFLOW_WAF_MANAGED_RULES', 'DOCFLOW_WAF_RULE_EXCEPTIONS', 'DOCFLOW_WAF_CAPACITY'];
        const report = evaluatePolicy(appFromStacks({ 'test-stack': json }), { rules: RULES.filter((rule) => ids.includes(rule.id)), waivers: [] });
        expect(report.findings.map((finding) => [finding.rule, finding.outcome, finding.message])).toEqual([
          ['DOCFLOW_WAF_MANAGED_RULES', 'pass', 'runs AWSManagedRulesAmazonIpReputationList, AWSManagedRulesCommonRuleSet, AWSManagedRulesKnownBadInputsRuleSet, AWSManagedRulesSQLiRuleSet'],
          [
            'DOCFLOW_WAF_RULE_EXCEPTIONS',
            'pass',
            'SizeRestrictions_BODY, CrossSiteScripting_BODY, GenericLFI_BODY, GenericRFI_BODY, EC2MetaDataSSRF_BODY, JavaDeserializationRCE_BODY, Log4JRCE_BODY, SQLi_BODY, SQLiExtendedPatterns_BODY lifted only on POST ^/v1/documents(:batch)?$; ' +
              'SQLi_QUERYARGUMENTS, SQLiExtendedPatterns_QUERYARGUMENTS lifted only on GET ^/v1/documents$',
          ],
          ['DOCFLOW_WAF_CAPACITY', 'pass', '1150 WCUs of the 1500 the base price includes'],
        ]);
      });
    });

    it('THEN only the ALB is open to the internet, on 80 and 443', () => {
      const open = resourcesOf(json, 'aws_vpc_security_group_ingress_rule').filter(({ block }) => block['cidr_ipv4'] === '0.0.0.0/0');
      expect(open.map(({ block }) => block['from_port']).sort()).toEqual([443, 80]);
      expect(checkStack(json, ['DOCFLOW_INGRESS']).problems).toEqual([]);
    });
  });

  describe('GIVEN the standard profile without a domain or a firewall', () => {
    it('THEN it refuses: HTTPS needs a host name, the load balancer needs WAF', () => {
      expect(() => synthPlatform({ domain: undefined })).toThrow(
        'Platform: the standard profile serves HTTPS only, so it needs domain (a host name and its Route 53 zone)',
      );
      expect(() => synthPlatform({ firewall: undefined })).toThrow('Platform: the standard profile puts WAF in front of its load balancer, so it needs firewall');
    });
  });

  describe('GIVEN the lean profile', () => {
    const { json, platform } = synthPlatform({ profile: 'lean', protectFromDeletion: false });

    it('THEN there is no load balancer, but an HTTP API reaching the VPC through a VPC link and Cloud Map', () => {
      expect(resourcesOf(json, 'aws_lb')).toEqual([]);
      expect(onlyResource(json, 'aws_apigatewayv2_api')).toMatchObject({ protocol_type: 'HTTP' });
      expect(onlyResource(json, 'aws_apigatewayv2_vpc_link')['subnet_ids']).toHaveLength(2);
      expect(onlyResource(json, 'aws_service_discovery_private_dns_namespace')['name']).toBe('docflow-test.internal');
      expect(platform.edge.kind).toBe('http-api');
    });

    it('THEN the stage is throttled and access-logged to a group with retention', () => {
      const stage = onlyResource(json, 'aws_apigatewayv2_stage');
      expect(stage).toMatchObject({ name: '$default', auto_deploy: true, default_route_settings: { throttling_rate_limit: 50, throttling_burst_limit: 100 } });
      expect(stage['access_log_settings']['destination_arn']).toContain('aws_cloudwatch_log_group');
      expect(checkStack(json, ['DOCFLOW_INGRESS']).problems).toEqual([]);
    });

    it('THEN repositories and the secret may be deleted with the environment', () => {
      expect(resourcesOf(json, 'aws_ecr_repository').every(({ block }) => block['force_delete'] === true)).toBe(true);
      expect(onlyResource(json, 'aws_secretsmanager_secret')['recovery_window_in_days']).toBe(0);
    });

    it('THEN the HTTP API keeps its own https URL, and there is no certificate', () => {
      expect(platform.edge.url).not.toContain('https://');
      expect(resourcesOf(json, 'aws_acm_certificate')).toEqual([]);
    });

    it('WHEN a domain is given THEN the HTTP API answers on it (TLS 1.2, validated certificate, alias record)', () => {
      const { json: withDomain, platform: leanPlatform } = synthPlatform({ profile: 'lean', protectFromDeletion: false, domain: TEST_DOMAIN });
      expect(onlyResource(withDomain, 'aws_apigatewayv2_domain_name')).toMatchObject({
        domain_name: TEST_DOMAIN.name,
        domain_name_configuration: { endpoint_type: 'REGIONAL', security_policy: 'TLS_1_2', certificate_arn: expect.stringContaining('aws_acm_certificate_validation') },
      });
      expect(onlyResource(withDomain, 'aws_apigatewayv2_api_mapping')['stage']).toContain('aws_apigatewayv2_stage');
      const alias = findResource(withDomain, 'aws_route53_record', ({ block }) => block['name'] === TEST_DOMAIN.name).block;
      expect(alias['alias']).toMatchObject({ name: expect.stringContaining('domain_name_configuration[0].target_domain_name'), zone_id: expect.stringContaining('domain_name_configuration[0].hosted_zone_id') });
      expect(leanPlatform.edge.url).toBe(`https://${TEST_DOMAIN.name}`);
    });

    it('WHEN a firewall is given THEN it refuses (no load balancer to put it on)', () => {
      expect(() => synthPlatform({ profile: 'lean', firewall: { requestsPerIpPer5Minutes: 100 } })).toThrow(
        'Platform: firewall configures WAF on the load balancer, which the lean profile does not have (HTTP APIs cannot take a web ACL)',
      );
    });
  });
});

describe('platform constructs GIVEN invalid props', () => {
  const inStack = (build: (stack: TerraformStack) => void) => () => build(new TerraformStack(testApp(), 'test'));

  it('THEN an ALB with fewer than two public subnets is refused', () => {
    expect(
      inStack((stack) => {
        const { network } = testNetwork(stack);
        const accessLogs = new LoadBalancerLogs(stack, 'Logs', { namePrefix: 'docflow-test', region: 'eu-west-1', retentionDays: 30 });
        new LoadBalancerEdge(stack, 'Edge', {
          namePrefix: 'docflow-test',
          vpc: network.vpc,
          publicSubnets: network.publicSubnets.slice(0, 1),
          certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
          hostName: TEST_DOMAIN.name,
          accessLogs,
        });
      }),
    ).toThrow('LoadBalancerEdge: an ALB needs public subnets in at least two AZs');
  });

  it('THEN a lifecycle keeping no image, or an unknown app, is refused naming the known ones', () => {
    expect(inStack((stack) => new Repositories(stack, 'Repositories', { namePrefix: 'd', apps: ['api'], keepImages: 0 }))).toThrow(
      'Repositories: keepImages must be at least 1, got 0',
    );
    expect(inStack((stack) => new Repositories(stack, 'Repositories', { namePrefix: 'd', apps: ['api', 'ingest'] }).of('worker'))).toThrow(
      'Repositories: no repository for "worker" (have api, ingest)',
    );
    expect(inStack((stack) => new AppLogGroups(stack, 'Logs', { namePrefix: 'd', apps: ['api'], retentionDays: 7 }).of('worker'))).toThrow(
      'AppLogGroups: no log group for "worker" (have api)',
    );
  });

  it('THEN a certificate for a wildcard or a repeated name is refused (one validation record per name)', () => {
    expect(inStack((stack) => new DnsCertificate(stack, 'Cert', { domainName: '*.acme-test.dev', zoneId: 'Z0' }))).toThrow(
      'DnsCertificate: "*.acme-test.dev" is a wildcard; name each host (one validation record per name)',
    );
    expect(inStack((stack) => new DnsCertificate(stack, 'Cert', { domainName: 'a.acme-test.dev', subjectAlternativeNames: ['a.acme-test.dev'], zoneId: 'Z0' }))).toThrow(
      'DnsCertificate: a name is listed twice (a.acme-test.dev, a.acme-test.dev)',
    );
  });

  it('THEN a WAF rate limit below WAF\'s minimum is refused', () => {
    expect(
      inStack((stack) => {
        const { network } = testNetwork(stack);
        testPlatform(stack, network, 'standard', { firewall: { requestsPerIpPer5Minutes: 9 } });
      }),
    ).toThrow('EdgeFirewall: requestsPerIpPer5Minutes must be a whole number, at least 10, got 9');
  });

  it('THEN a managed rule lifted on two routes, or an exception without an anchored route, is refused', () => {
    const firewall = (exceptions: RuleException[]) =>
      inStack((stack) => new EdgeFirewall(stack, 'Firewall', { namePrefix: 'docflow-test', loadBalancer: new Lb(stack, 'Lb', { name: 'lb' }), requestsPerIpPer5Minutes: 100, logRetentionDays: 30, exceptions }));
    expect(firewall([DOCUMENT_ROUTES_EXCEPTION, { ...SEARCH_ROUTE_EXCEPTION, rules: [...SEARCH_ROUTE_EXCEPTION.rules, ...DOCUMENT_ROUTES_EXCEPTION.rules.slice(1, 2)] }])).toThrow(
      'EdgeFirewall: AWSManagedRulesCommonRuleSet CrossSiteScripting_BODY is lifted by two exceptions; a rule may be lifted on one route only',
    );
    expect(firewall([{ ...SEARCH_ROUTE_EXCEPTION, route: { method: 'GET', pathPattern: '/v1/' } }])).toThrow(
      'EdgeFirewall: exception label-search-route needs a method and an anchored path pattern (^...$), got "GET /v1/"',
    );
  });

  it('THEN a log group retention CloudWatch does not offer is refused', () => {
    expect(inStack((stack) => logGroupWithRetention(stack, 'Logs', { name: '/d/api', retentionDays: 10 }))).toThrow(
      'Log group "/d/api": retentionDays 10 is not a CloudWatch retention',
    );
  });
});
