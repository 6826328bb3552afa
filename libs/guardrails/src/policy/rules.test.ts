import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TerraformJson } from '../terraform-json.js';
import { checkStacks } from './engine.js';
import { RULES } from './rules/index.js';

/**
 * Every rule, one passing and one failing fixture each (and an unreadable one where a rule reads a
 * JSON string or follows a reference): GIVEN the fixture stacks WHEN only that rule runs THEN it
 * gives a verdict, and the failing fixture's problem names what is wrong.
 */
type Stacks = Record<string, TerraformJson>;

/** One stack with the aws provider tagged as docflow's are (env and stack from its id). */
function stack(resource: TerraformJson['resource'], extra: Partial<TerraformJson> = {}, id = 'dev-x'): TerraformJson {
  const [env, name] = id.split('-');
  return { provider: { aws: [{ region: 'eu-west-1', default_tags: [{ tags: { project: 'docflow', env, stack: name } }] }] }, resource, ...extra };
}
const one = (resource: TerraformJson['resource'], extra: Partial<TerraformJson> = {}, id = 'dev-x'): Stacks => ({ [id]: stack(resource, extra, id) });
const json = (value: unknown) => JSON.stringify(value);
const policy = (...statements: unknown[]) => json({ Version: '2012-10-17', Statement: statements });

interface Case {
  readonly pass: Stacks;
  readonly fail: Stacks;
  /** A part of the failing problem's message. */
  readonly because: string;
  /** A fixture the rule cannot read: it must say unknown, never pass. */
  readonly unreadable?: Stacks;
}

const db = (block: Record<string, unknown>) => one({ aws_db_instance: { Db: { engine: 'postgres', ...block } } });
const queue = (block: Record<string, unknown>) => one({ aws_sqs_queue: { Queue: block } });
const task = (block: Record<string, unknown>) => one({ aws_ecs_task_definition: { Task: block } });
const containers = (...definitions: unknown[]) => task({ container_definitions: json(definitions) });
const service = (block: Record<string, unknown>) => one({ aws_ecs_service: { Service: block } });
const listener = (block: Record<string, unknown>) => one({ aws_lb_listener: { Listener: { load_balancer_arn: '${aws_lb.Alb.arn}', ...block } } });
const alb = (block: Record<string, unknown>, more: TerraformJson['resource'] = {}) => one({ aws_lb: { Alb: { load_balancer_type: 'application', ...block } }, ...more });
const ingress = (port: number | '-1', group = '${aws_security_group.Web.id}', more: TerraformJson['resource'] = {}) =>
  one({
    aws_vpc_security_group_ingress_rule: {
      Rule: { security_group_id: group, cidr_ipv4: '0.0.0.0/0', ip_protocol: port === '-1' ? '-1' : 'tcp', ...(port === '-1' ? {} : { from_port: port, to_port: port }) },
    },
    ...more,
  });
const bucket = (companions: TerraformJson['resource'] = {}) => one({ aws_s3_bucket: { Bucket: { bucket: 'b' } }, ...companions });
const sse = (algorithm: string) => ({
  aws_s3_bucket_server_side_encryption_configuration: { Sse: { bucket: '${aws_s3_bucket.Bucket.id}', rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: algorithm } }] } },
});
const publicAccessBlock = (overrides: Record<string, boolean> = {}) =>
  one({
    aws_s3_bucket_public_access_block: {
      Block: { bucket: 'b', block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true, ...overrides },
    },
  });
const role = (trust: unknown) => one({ aws_iam_role: { Role: { assume_role_policy: policy(trust) } } });
const rolePolicy = (...statements: unknown[]) => one({ aws_iam_role_policy: { Policy: { role: 'r', policy: policy(...statements) } } });
const logGroup = (block: Record<string, unknown>) => one({ aws_cloudwatch_log_group: { Logs: block } });
/** One GCP stack: the google provider, labelled as docflow's are. */
const gcpOne = (resource: TerraformJson['resource'], extra: Partial<TerraformJson> = {}, env = 'dev'): Stacks => ({
  [`${env}-gcp-x`]: { provider: { google: [{ project: 'p', region: 'europe-west1', default_labels: { project: 'docflow', env, stack: 'gcp-x' } }] }, resource, ...extra },
});
const gcpMember = (role: string, member: string) => gcpOne({ google_storage_bucket_iam_member: { Member: { bucket: 'b', role, member } } });
const githubProvider = (condition: string, mapping: Record<string, string>) =>
  gcpOne({ google_iam_workload_identity_pool_provider: { P: { attribute_condition: condition, attribute_mapping: mapping, oidc: { issuer_uri: 'https://token.actions.githubusercontent.com' } } } });
/** A Cloud Run job exporting to the Archive bucket, running as its own account, granted on `grant.bucket`. */
const exportJob = (grant: { bucket: string }) =>
  gcpOne({
    google_service_account: { Job: { account_id: 'docflow-dev-export' } },
    google_storage_bucket: { Archive: { name: 'a' }, Other: { name: 'o' } },
    google_storage_bucket_iam_member: { Writes: { bucket: grant.bucket, role: 'roles/storage.objectCreator', member: 'serviceAccount:${google_service_account.Job.email}' } },
    google_cloud_run_v2_job: {
      Job: {
        template: {
          template: { service_account: '${google_service_account.Job.email}', containers: [{ args: ['export', '--to', 'gs://${google_storage_bucket.Archive.name}/nightly'] }] },
        },
      },
    },
  });

/** The worker side of a queue in another stack: a pipe reading it and the task it starts, declaring its processing timeout. */
function queueWithPipeWorker(visibilitySeconds: number, tags: Record<string, string> | undefined): Stacks {
  const output = 'cross-stack-output-aws_sqs_queueQueuearn';
  return {
    'dev-data': stack({ aws_sqs_queue: { Queue: { visibility_timeout_seconds: visibilitySeconds } } }, { output: { [output]: { value: '${aws_sqs_queue.Queue.arn}' } } }, 'dev-data'),
    'dev-worker': stack(
      {
        aws_pipes_pipe: {
          Pipe: {
            source: `\${data.terraform_remote_state.cross-stack-reference-input-dev-data.outputs.${output}}`,
            target_parameters: { ecs_task_parameters: { task_definition_arn: '${aws_ecs_task_definition.Task.arn}' } },
          },
        },
        aws_ecs_task_definition: { Task: { family: 'worker', ...(tags ? { tags } : {}) } },
      },
      { data: { terraform_remote_state: { 'cross-stack-reference-input-dev-data': { backend: 'local' } } } },
      'dev-worker',
    ),
  };
}

/** A pipe from Queue to Task with its role; `statements` is the role's policy. */
function pipeWithRole(...statements: unknown[]): Stacks {
  return one({
    aws_sqs_queue: { Queue: {}, Other: {} },
    aws_iam_role: { PipeRole: { assume_role_policy: policy() }, TaskRole: {}, ExecutionRole: {} },
    aws_iam_role_policy: { PipePolicy: { role: '${aws_iam_role.PipeRole.id}', policy: policy(...statements) } },
    aws_ecs_task_definition: { Task: { task_role_arn: '${aws_iam_role.TaskRole.arn}', execution_role_arn: '${aws_iam_role.ExecutionRole.arn}' } },
    aws_pipes_pipe: {
      Pipe: { role_arn: '${aws_iam_role.PipeRole.arn}', source: '${aws_sqs_queue.Queue.arn}', target_parameters: { ecs_task_parameters: { task_definition_arn: '${aws_ecs_task_definition.Task.arn}' } } },
    },
  });
}
const pipe = (ecs: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  one({ aws_pipes_pipe: { Pipe: { source: 'arn:aws:sqs:eu-west-1:123456789012:q', target_parameters: { ecs_task_parameters: ecs }, ...extra } } });
const spot = { capacity_provider_strategy: [{ capacity_provider: 'FARGATE_SPOT', weight: 1 }] };

/** A web ACL with docflow's edge rules; `change` edits the rule list. */
const managedRule = (name: string, priority: number, extra: Record<string, unknown> = {}) => ({
  name,
  priority,
  override_action: { none: {} },
  statement: { managed_rule_group_statement: [{ vendor_name: 'AWS', name, ...extra }] },
});
const sizeCount = { rule_action_override: [{ name: 'SizeRestrictions_BODY', action_to_use: [{ count: [{}] }] }] };
const labelRoutes = (method: string, path: string) => ({
  name: 'label-large-body-routes',
  priority: 10,
  action: { count: {} },
  rule_label: [{ name: 'docflow:large-body-route' }],
  statement: {
    and_statement: [
      {
        statement: [
          { byte_match_statement: [{ field_to_match: [{ method: [{}] }], positional_constraint: 'EXACTLY', search_string: method }] },
          { regex_match_statement: [{ field_to_match: [{ uri_path: [{}] }], regex_string: path }] },
        ],
      },
    ],
  },
});
const blockLargeElsewhere = {
  name: 'block-large-bodies-elsewhere',
  priority: 60,
  action: { block: {} },
  statement: {
    and_statement: [
      {
        statement: [
          { label_match_statement: [{ scope: 'LABEL', key: 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body' }] },
          { not_statement: [{ statement: [{ label_match_statement: [{ scope: 'LABEL', key: 'docflow:large-body-route' }] }] }] },
        ],
      },
    ],
  },
};
const rateLimit = { name: 'rate', priority: 0, action: { block: {} }, statement: { rate_based_statement: [{ limit: 2000, aggregate_key_type: 'IP' }] } };
const EDGE_RULES = [
  rateLimit,
  labelRoutes('POST', '^/v1/documents(:batch)?$'),
  managedRule('AWSManagedRulesAmazonIpReputationList', 20),
  managedRule('AWSManagedRulesCommonRuleSet', 30, sizeCount),
  managedRule('AWSManagedRulesKnownBadInputsRuleSet', 40),
  managedRule('AWSManagedRulesSQLiRuleSet', 50),
  blockLargeElsewhere,
];
const webAcl = (rules: unknown[], more: TerraformJson['resource'] = {}) => one({ aws_wafv2_web_acl: { Acl: { scope: 'REGIONAL', rule: rules } }, ...more });
const wafLogging = (group: Record<string, unknown>, redacted: unknown[] = [{ single_header: { name: 'x-api-key' } }]) =>
  webAcl(EDGE_RULES, {
    aws_cloudwatch_log_group: { Logs: group },
    aws_wafv2_web_acl_logging_configuration: {
      Logging: { resource_arn: '${aws_wafv2_web_acl.Acl.arn}', log_destination_configs: ['${aws_cloudwatch_log_group.Logs.arn}'], redacted_fields: redacted },
    },
  });
const logBucket = (algorithm: string, statements: unknown[], lifecycle: unknown[], dependsOn = ['aws_s3_bucket_policy.Policy']) =>
  alb(
    { access_logs: { bucket: '${aws_s3_bucket.Logs.bucket}', prefix: 'alb', enabled: true }, depends_on: dependsOn },
    {
      aws_s3_bucket: { Logs: { bucket_prefix: 'logs-' } },
      aws_s3_bucket_server_side_encryption_configuration: { Sse: { bucket: '${aws_s3_bucket.Logs.id}', rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: algorithm } }] } },
      aws_s3_bucket_policy: { Policy: { bucket: '${aws_s3_bucket.Logs.id}', policy: policy(...statements) } },
      aws_s3_bucket_lifecycle_configuration: { Lifecycle: { bucket: '${aws_s3_bucket.Logs.id}', rule: lifecycle } },
    },
  );
const elbDelivery = {
  Effect: 'Allow',
  Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
  Action: 's3:PutObject',
  Resource: '${aws_s3_bucket.Logs.arn}/alb/AWSLogs/123456789012/*',
};
const expiry = [{ id: 'expire', status: 'Enabled', expiration: [{ days: 30 }] }];
const httpsListener = (block: Record<string, unknown>) =>
  one({ aws_acm_certificate: { Cert: { domain_name: 'a.acme.dev' } }, aws_acm_certificate_validation: { Valid: { certificate_arn: '${aws_acm_certificate.Cert.arn}' } }, aws_lb_listener: { L: { protocol: 'HTTPS', port: 443, ...block } } });
const aliased = (certificateName: string) =>
  alb(
    { internal: false },
    {
      aws_route53_record: { Alias: { name: 'a.acme.dev', type: 'A', alias: { name: '${aws_lb.Alb.dns_name}', zone_id: '${aws_lb.Alb.zone_id}' } } },
      aws_acm_certificate: { Cert: { domain_name: certificateName } },
    },
  );

/** A trail writing to Bucket, whose policy has `statements`. */
const trail = (block: Record<string, unknown>, statements: unknown[]) =>
  one({
    aws_s3_bucket: { Trail: {} },
    aws_s3_bucket_policy: { Policy: { bucket: '${aws_s3_bucket.Trail.id}', policy: policy(...statements) } },
    aws_s3_bucket_lifecycle_configuration: { Lifecycle: { bucket: '${aws_s3_bucket.Trail.id}', rule: [{ status: 'Enabled', expiration: [{ days: 365 }] }] } },
    aws_cloudtrail: { Trail: { s3_bucket_name: '${aws_s3_bucket.Trail.id}', is_multi_region_trail: true, enable_log_file_validation: true, depends_on: ['aws_s3_bucket_policy.Policy'], ...block } },
  });
const trailSource = { 'aws:SourceArn': 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/t' };
const TRAIL_POLICY = [
  { Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: '${aws_s3_bucket.Trail.arn}', Condition: { StringEquals: trailSource } },
  {
    Effect: 'Allow',
    Principal: { Service: 'cloudtrail.amazonaws.com' },
    Action: 's3:PutObject',
    Resource: '${aws_s3_bucket.Trail.arn}/cloudtrail/AWSLogs/123456789012/*',
    Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...trailSource } },
  },
];
const foundationWith = (resource: TerraformJson['resource']) => one(resource, {}, 'prod-foundation');
const rootStatement = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' };
const keyUsedByLogs = (...statements: unknown[]) =>
  one({ aws_kms_key: { Key: { policy: policy(rootStatement, ...statements) } }, aws_cloudwatch_log_group: { Logs: { kms_key_id: '${aws_kms_key.Key.arn}' } } });
const logsStatement = (condition: Record<string, unknown> | undefined) => ({
  Effect: 'Allow',
  Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
  Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
  Resource: '*',
  ...(condition ? { Condition: condition } : {}),
});
const githubTrust = (sub: unknown, operator = 'StringEquals') =>
  policy({
    Effect: 'Allow',
    Action: 'sts:AssumeRoleWithWebIdentity',
    Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' },
    Condition: { [operator]: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': sub } },
  });
const ciRole = (sub: unknown, attachments: string[], denies: unknown[] = [], operator = 'StringEquals') =>
  one({
    aws_iam_role: { Ci: { name: 'ci', assume_role_policy: githubTrust(sub, operator) } },
    aws_iam_role_policy_attachment: Object.fromEntries(attachments.map((arn, index) => [`A${index}`, { role: '${aws_iam_role.Ci.name}', policy_arn: arn }])),
    ...(denies.length > 0 ? { aws_iam_role_policy: { Denies: { role: '${aws_iam_role.Ci.id}', policy: policy(...denies) } } } : {}),
  });
const DATA_DENY = { Effect: 'Deny', Action: ['s3:GetObject', 'secretsmanager:GetSecretValue', 'logs:GetLogEvents'], Resource: '*' };

/** A task whose role may read `secretArn`. */
const taskReading = (family: string, secretArn: string) =>
  one({
    aws_iam_role: { TaskRole: {} },
    aws_iam_role_policy: { TaskPolicy: { role: '${aws_iam_role.TaskRole.id}', policy: policy({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [secretArn] }) } },
    aws_ecs_task_definition: { Task: { family, task_role_arn: '${aws_iam_role.TaskRole.arn}', container_definitions: json([{ name: 'app', secrets: [], environment: [] }]) } },
  });
const MASTER = '${aws_db_instance.Db.master_user_secret[0].secret_arn}';

/** A service reading its login secret, and the db-admin task that writes it, on a schedule or not. */
function databaseAccess(options: { ssl?: string; fixedPassword?: boolean; scheduled?: boolean } = {}): Stacks {
  // the options change the api's container; the db-admin task's stays right
  const env = (login: string, service: boolean) => [
    { name: 'DB_HOST', value: 'db.example' },
    { name: 'DB_SSL', value: (service ? options.ssl : undefined) ?? 'verify-full' },
    { name: 'DB_SSL_CA_FILE', value: '/app/rds-ca-bundle.pem' },
    { name: 'DB_LOGIN_ARN', value: login },
    ...(service && options.fixedPassword ? [{ name: 'DB_PASSWORD', value: 'x' }] : []),
  ];
  return one({
    aws_secretsmanager_secret: { Login: { name: 'docflow-dev/db/api' } },
    aws_iam_role: { ApiRole: {}, AdminRole: {}, SchedulerRole: {} },
    aws_iam_role_policy: {
      ApiPolicy: { role: '${aws_iam_role.ApiRole.id}', policy: policy({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: ['${aws_secretsmanager_secret.Login.arn}'] }) },
      AdminPolicy: { role: '${aws_iam_role.AdminRole.id}', policy: policy({ Effect: 'Allow', Action: ['secretsmanager:PutSecretValue'], Resource: ['${aws_secretsmanager_secret.Login.arn}'] }) },
    },
    aws_ecs_task_definition: {
      Api: { family: 'docflow-dev-api', task_role_arn: '${aws_iam_role.ApiRole.arn}', container_definitions: json([{ name: 'api', environment: env('${aws_secretsmanager_secret.Login.arn}', true) }]) },
      Admin: { family: 'docflow-dev-db-admin', task_role_arn: '${aws_iam_role.AdminRole.arn}', container_definitions: json([{ name: 'db-admin', environment: env(MASTER, false) }]) },
    },
    ...(options.scheduled === false
      ? {}
      : { aws_scheduler_schedule: { Rotation: { schedule_expression: 'rate(30 days)', target: { arn: 'c', role_arn: '${aws_iam_role.SchedulerRole.arn}', ecs_parameters: { task_definition_arn: '${aws_ecs_task_definition.Admin.arn}' } } } } }),
  });
}
/** A rotation schedule like the db-admin one: Fargate with a network, a flexible window, bounded retries. */
const schedule = (expression: string, target: Record<string, unknown> = {}, window: Record<string, unknown> = { mode: 'FLEXIBLE', maximum_window_in_minutes: 60 }) =>
  one({
    aws_scheduler_schedule: {
      Rotation: {
        schedule_expression: expression,
        flexible_time_window: window,
        target: {
          arn: 'c',
          role_arn: 'r',
          ecs_parameters: { launch_type: 'FARGATE', task_definition_arn: 't', network_configuration: { subnets: ['s'], assign_public_ip: false } },
          retry_policy: { maximum_retry_attempts: 3, maximum_event_age_in_seconds: 3600 },
          ...target,
        },
      },
    },
  });
const masterRotation = (rules: Record<string, unknown>) =>
  one({
    aws_db_instance: { Db: { engine: 'postgres', manage_master_user_password: true } },
    aws_secretsmanager_secret_rotation: { MasterRotation: { secret_id: MASTER, rotation_rules: rules } },
  });

const CASES: Record<string, Case> = {
  CKV_AWS_16: { pass: db({ storage_encrypted: true }), fail: db({ storage_encrypted: false }), because: 'storage_encrypted is false', unreadable: db({ storage_encrypted: '${var.encrypt}' }) },
  CKV_AWS_17: { pass: db({ publicly_accessible: false }), fail: db({ publicly_accessible: true }), because: 'publicly_accessible is true' },
  CKV_AWS_133: { pass: db({ backup_retention_period: 7 }), fail: db({ backup_retention_period: 0 }), because: 'backup_retention_period is 0' },
  CKV_AWS_293: { pass: db({ deletion_protection: true }), fail: db({}), because: 'deletion_protection is not set' },
  CKV_AWS_157: {
    pass: one({ aws_db_instance: { Db: { multi_az: true } } }, {}, 'prod-data'),
    fail: one({ aws_db_instance: { Db: { multi_az: false } } }, {}, 'prod-data'),
    because: 'multi_az is false',
  },
  CKV_AWS_161: { pass: db({ iam_database_authentication_enabled: true }), fail: db({}), because: 'iam_database_authentication_enabled is not set' },
  CKV_AWS_129: { pass: db({ enabled_cloudwatch_logs_exports: ['postgresql'] }), fail: db({}), because: 'enabled_cloudwatch_logs_exports is empty' },
  CKV_AWS_226: { pass: db({}), fail: db({ auto_minor_version_upgrade: false }), because: 'auto_minor_version_upgrade is false' },
  CKV2_AWS_69: {
    pass: one({
      aws_db_instance: { Db: { engine: 'postgres', parameter_group_name: '${aws_db_parameter_group.Pg.name}' } },
      aws_db_parameter_group: { Pg: { family: 'postgres17', parameter: [{ name: 'rds.force_ssl', value: '1' }] } },
    }),
    fail: one({
      aws_db_instance: { Db: { engine: 'postgres', parameter_group_name: '${aws_db_parameter_group.Pg.name}' } },
      aws_db_parameter_group: { Pg: { family: 'postgres17', parameter: [{ name: 'rds.force_ssl', value: '0' }] } },
    }),
    because: 'rds.force_ssl is 0',
    unreadable: db({ parameter_group_name: 'made-by-hand' }),
  },
  CKV_AWS_27: { pass: queue({ sqs_managed_sse_enabled: true }), fail: queue({}), because: 'neither kms_master_key_id nor sqs_managed_sse_enabled' },
  CKV_AWS_168: {
    pass: one({ aws_sqs_queue_policy: { Tls: { policy: policy({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sqs:*', Resource: 'q' }) } } }),
    fail: one({ aws_sqs_queue_policy: { Open: { policy: policy({ Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: 'q' }) } } }),
    because: 'allows sqs:SendMessage to any principal',
    unreadable: one({ aws_sqs_queue_policy: { Computed: { policy: '${data.aws_iam_policy_document.x.json}' } } }),
  },
  DOCFLOW_QUEUE_DLQ: {
    pass: one({ aws_sqs_queue: { Queue: { redrive_policy: json({ deadLetterTargetArn: '${aws_sqs_queue.Dlq.arn}', maxReceiveCount: 5 }) }, Dlq: { message_retention_seconds: 1_209_600 } } }),
    fail: one({ aws_sqs_queue: { Orphan: {} } }),
    because: "has no dead-letter queue and is no queue's DLQ",
    unreadable: one({ aws_sqs_queue: { Queue: { redrive_policy: '{not json' } } }),
  },
  DOCFLOW_QUEUE_VISIBILITY: {
    pass: queueWithPipeWorker(720, { 'docflow:processing-timeout-seconds': '120' }),
    fail: queueWithPipeWorker(300, { 'docflow:processing-timeout-seconds': '120' }),
    because: 'visibility timeout 300 s < 6 x aws_ecs_task_definition.Task',
    unreadable: queueWithPipeWorker(720, undefined),
  },
  CKV_AWS_336: {
    pass: containers({ name: 'app', readonlyRootFilesystem: true }),
    fail: containers({ name: 'app', readonlyRootFilesystem: true }, { name: 'sidecar' }),
    because: 'container sidecar has a writable root filesystem',
    unreadable: task({ container_definitions: '${jsonencode(local.containers)}' }),
  },
  CKV_AWS_249: {
    pass: task({ execution_role_arn: '${aws_iam_role.Execution.arn}', task_role_arn: '${aws_iam_role.Task.arn}' }),
    fail: task({ execution_role_arn: '${aws_iam_role.Same.arn}', task_role_arn: '${aws_iam_role.Same.arn}' }),
    because: 'are the same role',
  },
  CKV_AWS_333: { pass: service({ network_configuration: { assign_public_ip: false } }), fail: service({ network_configuration: { assign_public_ip: true } }), because: 'assign_public_ip is true' },
  CKV_AWS_332: {
    pass: service({ ...spot, platform_version: 'LATEST' }),
    fail: service({ launch_type: 'FARGATE', platform_version: '1.3.0' }),
    because: 'platform_version is pinned to 1.3.0',
  },
  CKV_AWS_65: {
    pass: one({ aws_ecs_cluster: { Cluster: { setting: [{ name: 'containerInsights', value: 'enabled' }] } } }),
    fail: one({ aws_ecs_cluster: { Cluster: {} } }),
    because: 'containerInsights is not enabled',
  },
  DOCFLOW_CONTAINER_SECRETS: {
    pass: containers({ name: 'app', environment: [{ name: 'DB_HOST', value: 'db.internal' }] }),
    fail: containers({ name: 'app', environment: [{ name: 'DB_PASSWORD', value: 'hunter2-is-the-password' }] }),
    because: 'container app: environment variable DB_PASSWORD looks like a secret',
    unreadable: task({ container_definitions: '[{"name": ' }),
  },
  DOCFLOW_PIPE_LAUNCH_TYPE: { pass: pipe(spot), fail: pipe({ launch_type: 'FARGATE', ...spot }), because: 'sets launch_type FARGATE together with a capacity provider strategy' },
  DOCFLOW_PIPE_BATCH: {
    pass: pipe(spot, { source_parameters: { sqs_queue_parameters: { batch_size: 1 } } }),
    fail: pipe(spot),
    because: 'reads 10 messages per task',
  },
  DOCFLOW_PIPE_OVERRIDES: {
    pass: pipe({ ...spot, overrides: { container_override: [{ name: 'worker', cpu: 1024, memory: 2048, environment: [{ name: 'SQS_BODY', value: '$.body' }] }] } }),
    fail: pipe({ ...spot, overrides: { container_override: [{ name: 'worker', cpu: 1024, memory: 2048, environment: [{ name: 'ATTRIBUTES', value: '$.messageAttributes' }] }] } }),
    because: 'override worker sets ATTRIBUTES to something other than $.body',
  },
  DOCFLOW_PIPE_ROLE: {
    pass: pipeWithRole(
      { Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: '${aws_sqs_queue.Queue.arn}' },
      { Effect: 'Allow', Action: 'ecs:RunTask', Resource: '${aws_ecs_task_definition.Task.arn_without_revision}:*' },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: ['${aws_iam_role.TaskRole.arn}', '${aws_iam_role.ExecutionRole.arn}'] },
    ),
    fail: pipeWithRole(
      { Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: ['${aws_sqs_queue.Queue.arn}', '${aws_sqs_queue.Other.arn}'] },
      { Effect: 'Allow', Action: 'ecs:RunTask', Resource: '${aws_ecs_task_definition.Task.arn_without_revision}:*' },
    ),
    because: 'SQS actions on ${aws_sqs_queue.Other.arn} besides its source queue',
    unreadable: pipe(spot, { role_arn: 'arn:aws:iam::123456789012:role/made-by-hand' }),
  },
  CKV_AWS_2: {
    pass: listener({ port: 443, protocol: 'HTTPS' }),
    fail: listener({ port: 80, protocol: 'HTTP', default_action: [{ type: 'forward' }] }),
    because: 'port 80 serves plain HTTP',
    unreadable: listener({ port: 80, protocol: 'HTTP', default_action: [{ type: 'redirect', redirect: { status_code: 'HTTP_301' } }] }),
  },
  CKV_AWS_103: {
    pass: listener({ port: 443, protocol: 'HTTPS', ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' }),
    fail: listener({ port: 443, protocol: 'HTTPS', ssl_policy: 'ELBSecurityPolicy-2016-08' }),
    because: 'ssl_policy ELBSecurityPolicy-2016-08 allows TLS below 1.2',
  },
  CKV2_AWS_20: {
    pass: alb({}, { aws_lb_listener: { Http: { load_balancer_arn: '${aws_lb.Alb.arn}', port: 80, protocol: 'HTTP', default_action: [{ type: 'redirect', redirect: { port: '443', protocol: 'HTTPS', status_code: 'HTTP_301' } }] } } }),
    fail: alb({}, { aws_lb_listener: { Http: { load_balancer_arn: '${aws_lb.Alb.arn}', port: 80, protocol: 'HTTP', default_action: [{ type: 'fixed-response' }] } } }),
    because: 'aws_lb_listener.Http answers HTTP',
  },
  CKV2_AWS_28: {
    pass: alb({ internal: false }, { aws_wafv2_web_acl_association: { Waf: { resource_arn: '${aws_lb.Alb.arn}', web_acl_arn: 'acl' } } }),
    fail: alb({ internal: false }),
    because: 'internet-facing with no WAF web ACL',
  },
  CKV_AWS_91: { pass: alb({ access_logs: { bucket: 'logs', enabled: true } }), fail: alb({}), because: 'no access_logs' },
  CKV_AWS_131: { pass: alb({ drop_invalid_header_fields: true }), fail: alb({ drop_invalid_header_fields: false }), because: 'drop_invalid_header_fields is false' },
  CKV_AWS_150: { pass: alb({ enable_deletion_protection: true }), fail: alb({}), because: 'enable_deletion_protection is not set' },
  CKV_AWS_328: { pass: alb({}), fail: alb({ desync_mitigation_mode: 'monitor' }), because: 'desync_mitigation_mode is monitor' },
  CKV_AWS_261: {
    pass: one({ aws_lb_target_group: { Tg: { protocol: 'HTTP', health_check: { path: '/readyz' } } } }),
    fail: one({ aws_lb_target_group: { Tg: { protocol: 'HTTP' } } }),
    because: 'no health check path',
  },
  CKV_AWS_24: { pass: ingress(443), fail: ingress(22), because: 'allows tcp 22-22 from the internet' },
  CKV_AWS_25: { pass: ingress(443), fail: ingress(3389), because: 'allows tcp 3389-3389 from the internet' },
  CKV_AWS_260: { pass: ingress(443), fail: ingress(80), because: 'allows tcp 80-80 from the internet' },
  CKV_AWS_277: { pass: ingress(443), fail: ingress('-1'), because: 'allows every protocol and port from the internet' },
  DOCFLOW_INGRESS: {
    pass: ingress(443, '${aws_security_group.Lb.id}', { aws_security_group: { Lb: {} }, aws_lb: { Alb: { security_groups: ['${aws_security_group.Lb.id}'] } } }),
    fail: ingress(443, '${aws_security_group.Tasks.id}', { aws_security_group: { Lb: {}, Tasks: {} }, aws_lb: { Alb: { security_groups: ['${aws_security_group.Lb.id}'] } } }),
    because: 'allows tcp 443-443 from the internet',
  },
  CKV_AWS_23: {
    pass: one({ aws_security_group: { Web: { description: 'web', ingress: [{ description: 'https', from_port: 443 }] } } }),
    fail: one({ aws_security_group: { Web: { description: 'web', ingress: [{ from_port: 443 }] } } }),
    because: '1 inline rules have no description',
  },
  CKV2_AWS_12: {
    pass: one({ aws_vpc: { Vpc: {} }, aws_default_security_group: { Default: { vpc_id: '${aws_vpc.Vpc.id}', ingress: [], egress: [] } } }),
    fail: one({ aws_vpc: { Vpc: {} }, aws_default_security_group: { Default: { vpc_id: '${aws_vpc.Vpc.id}', ingress: [{ self: true, protocol: '-1' }] } } }),
    because: 'has 1 rules (it must have none)',
  },
  CKV2_AWS_11: {
    pass: one({ aws_vpc: { Vpc: {} }, aws_flow_log: { Log: { vpc_id: '${aws_vpc.Vpc.id}', traffic_type: 'ALL' } } }),
    fail: one({ aws_vpc: { Vpc: {} } }),
    because: 'no flow log',
  },
  CKV2_AWS_6: {
    pass: bucket({ aws_s3_bucket_public_access_block: { Block: { bucket: '${aws_s3_bucket.Bucket.id}', block_public_acls: true, block_public_policy: true } } }),
    fail: bucket(),
    because: 'no public access block',
  },
  CKV_AWS_53: { pass: publicAccessBlock(), fail: publicAccessBlock({ block_public_acls: false }), because: 'block_public_acls is false' },
  CKV_AWS_54: { pass: publicAccessBlock(), fail: publicAccessBlock({ block_public_policy: false }), because: 'block_public_policy is false' },
  CKV_AWS_55: { pass: publicAccessBlock(), fail: publicAccessBlock({ ignore_public_acls: false }), because: 'ignore_public_acls is false' },
  CKV_AWS_56: { pass: publicAccessBlock(), fail: publicAccessBlock({ restrict_public_buckets: false }), because: 'restrict_public_buckets is false' },
  CKV_AWS_19: { pass: bucket(sse('AES256')), fail: bucket(), because: 'no default encryption' },
  CKV_AWS_145: { pass: bucket(sse('aws:kms')), fail: bucket(sse('AES256')), because: 'default encryption is AES256, not KMS' },
  CKV_AWS_21: {
    pass: bucket({ aws_s3_bucket_versioning: { V: { bucket: '${aws_s3_bucket.Bucket.id}', versioning_configuration: { status: 'Enabled' } } } }),
    fail: bucket({ aws_s3_bucket_versioning: { V: { bucket: '${aws_s3_bucket.Bucket.id}', versioning_configuration: { status: 'Suspended' } } } }),
    because: 'not versioned',
  },
  CKV_AWS_60: {
    pass: role({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ecs-tasks.amazonaws.com' } }),
    fail: role({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: '*' } }),
    because: 'any AWS principal may assume the role',
    unreadable: one({ aws_iam_role: { Role: { assume_role_policy: '${data.aws_iam_policy_document.trust.json}' } } }),
  },
  CKV_AWS_61: {
    pass: role({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: '123456789012' }, Condition: { StringEquals: { 'sts:ExternalId': 'x' } } }),
    fail: role({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'arn:aws:iam::123456789012:root' } }),
    because: 'every principal of account arn:aws:iam::123456789012:root may assume the role',
  },
  CKV_AWS_62: { pass: rolePolicy({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'b/*' }), fail: rolePolicy({ Effect: 'Allow', Action: '*', Resource: '*' }), because: 'allows "*" on "*"' },
  CKV_AWS_63: { pass: rolePolicy({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'b/*' }), fail: rolePolicy({ Effect: 'Allow', Action: '*', Resource: 'b/*' }), because: 'allows the action "*"' },
  CKV_AWS_355: {
    pass: rolePolicy({ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }),
    fail: rolePolicy({ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 's3:GetObject'], Resource: '*' }),
    because: 'allows s3:GetObject on "*"',
    unreadable: one({ aws_iam_role_policy: { Policy: { policy: '${data.aws_iam_policy_document.x.json}' } } }),
  },
  CKV_AWS_274: {
    pass: one({ aws_iam_role_policy_attachment: { A: { role: 'r', policy_arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } } }),
    fail: one({ aws_iam_role_policy_attachment: { A: { role: 'r', policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' } } }),
    because: 'attaches AdministratorAccess',
  },
  DOCFLOW_IAM_WILDCARDS: {
    pass: one({ aws_s3_bucket_policy: { Tls: { policy: policy({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'b' }) } } }),
    fail: rolePolicy({ Effect: 'Allow', Action: ['sqs:*'], Resource: 'q' }),
    because: 'allows the wildcard action "sqs:*"',
  },
  CKV_AWS_158: { pass: logGroup({ kms_key_id: 'arn:aws:kms:eu-west-1:123456789012:key/k' }), fail: logGroup({}), because: 'no kms_key_id' },
  CKV_AWS_66: { pass: logGroup({ retention_in_days: 7 }), fail: logGroup({}), because: 'keeps logs forever' },
  CKV_AWS_338: { pass: logGroup({ retention_in_days: 365 }), fail: logGroup({ retention_in_days: 30 }), because: 'retention 30 days (< 365)', unreadable: logGroup({ retention_in_days: '${var.days}' }) },
  CKV_AWS_7: { pass: one({ aws_kms_key: { Key: { enable_key_rotation: true } } }), fail: one({ aws_kms_key: { Key: {} } }), because: 'enable_key_rotation is not set' },
  CKV_AWS_149: { pass: one({ aws_secretsmanager_secret: { S: { kms_key_id: 'k' } } }), fail: one({ aws_secretsmanager_secret: { S: {} } }), because: 'no kms_key_id' },
  DOCFLOW_TAGS: {
    pass: one({ aws_sqs_queue: { Q: {} } }),
    fail: { 'dev-x': { provider: { aws: [{ default_tags: [{ tags: { project: 'docflow' } }] }] }, resource: { aws_sqs_queue: { Q: {} } } } },
    because: 'lacks default tags env, stack',
  },
  DOCFLOW_GCP_LABELS: {
    pass: gcpOne({ google_storage_bucket: { B: {} } }),
    fail: { 'dev-gcp-x': { provider: { google: [{ project: 'p', default_labels: { project: 'docflow' } }] }, resource: { google_storage_bucket: { B: {} } } } },
    because: 'lacks default labels env, stack',
  },
  DOCFLOW_GCP_PUBLIC_BUCKET: {
    pass: gcpOne({ google_storage_bucket: { B: { public_access_prevention: 'enforced' } } }),
    fail: gcpOne({ google_storage_bucket: { B: { public_access_prevention: 'inherited' } } }),
    because: 'public_access_prevention is not "enforced"',
  },
  DOCFLOW_GCP_UNIFORM_ACCESS: {
    pass: gcpOne({ google_storage_bucket: { B: { uniform_bucket_level_access: true } } }),
    fail: gcpOne({ google_storage_bucket: { B: { uniform_bucket_level_access: false } } }),
    because: 'uniform_bucket_level_access is not true',
  },
  DOCFLOW_GCP_RETENTION: {
    pass: gcpOne({ google_storage_bucket: { B: { retention_policy: { retention_period: 2_592_000 }, versioning: { enabled: false }, lifecycle_rule: [{ action: { type: 'SetStorageClass', storage_class: 'NEARLINE' }, condition: { age: 30 } }] } } }),
    fail: gcpOne({ google_storage_bucket: { B: { retention_policy: { retention_period: 2_592_000 }, versioning: { enabled: true } } } }),
    because: 'versioning is enabled beside a retention policy (GCS refuses the combination)',
    unreadable: gcpOne({ google_storage_bucket: { B: { retention_policy: { retention_period: '${var.days}' } } } }),
  },
  DOCFLOW_GCP_ARCHIVE_LOCKED: {
    pass: gcpOne({ google_storage_bucket: { B: { retention_policy: { retention_period: 31_536_000, is_locked: true } } } }, {}, 'prod'),
    fail: gcpOne({ google_storage_bucket: { B: { retention_policy: { retention_period: 31_536_000, is_locked: false } } } }, {}, 'prod'),
    because: 'the retention policy is not locked (is_locked is not true)',
  },
  DOCFLOW_GCP_PRIMITIVE_ROLES: {
    pass: gcpMember('roles/storage.objectCreator', 'serviceAccount:exporter@p.iam.gserviceaccount.com'),
    fail: gcpMember('roles/editor', 'serviceAccount:exporter@p.iam.gserviceaccount.com'),
    because: 'grants the basic role roles/editor',
  },
  DOCFLOW_GCP_ALL_USERS: { pass: gcpMember('roles/storage.objectViewer', 'group:ops@example.com'), fail: gcpMember('roles/storage.objectViewer', 'allUsers'), because: 'grants roles/storage.objectViewer to allUsers' },
  DOCFLOW_GCP_WIF_CONDITION: {
    pass: githubProvider('attribute.repository == "acme/docflow"', { 'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository' }),
    fail: githubProvider('attribute.repository_owner == "acme"', { 'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository' }),
    because: 'the condition reads attribute.repository_owner, which attribute_mapping does not map (GCP rejects it); the condition does not pin the repository',
    unreadable: githubProvider('${var.condition}', { 'google.subject': 'assertion.sub' }),
  },
  DOCFLOW_GCP_SERVICE_ACCOUNTS: {
    pass: exportJob({ bucket: '${google_storage_bucket.Archive.name}' }),
    fail: exportJob({ bucket: '${google_storage_bucket.Other.name}' }),
    because: 'google_storage_bucket_iam_member.Writes grants roles/storage.objectCreator on google_storage_bucket.Other, which google_cloud_run_v2_job.Job does not use',
    unreadable: exportJob({ bucket: '${data.terraform_remote_state.elsewhere.outputs.bucket}' }),
  },
  DOCFLOW_GCP_DNSSEC: {
    pass: gcpOne({ google_dns_managed_zone: { Zone: { dns_name: 'a.acme.com.', dnssec_config: { state: 'on' } } } }),
    fail: gcpOne({ google_dns_managed_zone: { Zone: { dns_name: 'a.acme.com.' } } }),
    because: 'dnssec_config.state is not set, not "on"',
  },
  DOCFLOW_GCP_IMMUTABLE_TAGS: {
    pass: gcpOne({ google_artifact_registry_repository: { R: { format: 'DOCKER', docker_config: { immutable_tags: true }, cleanup_policies: [{ id: 'u', action: 'DELETE', condition: { tag_state: 'UNTAGGED', older_than: '604800s' } }] } } }),
    fail: gcpOne({ google_artifact_registry_repository: { R: { format: 'DOCKER', docker_config: { immutable_tags: true }, cleanup_policies: [{ id: 'k', action: 'KEEP', most_recent_versions: { keep_count: 10 } }] } } }),
    because: 'no DELETE cleanup policy (storage grows without bound; a KEEP policy alone deletes nothing)',
  },
  DOCFLOW_WAF_MANAGED_RULES: {
    pass: webAcl(EDGE_RULES),
    fail: webAcl(EDGE_RULES.filter((rule) => rule.name !== 'AWSManagedRulesSQLiRuleSet')),
    because: 'AWSManagedRulesSQLiRuleSet (SQL injection) is missing',
  },
  DOCFLOW_WAF_RATE_LIMIT: { pass: webAcl(EDGE_RULES), fail: webAcl(EDGE_RULES.slice(1)), because: 'no rate-based rule blocks a single client IP' },
  DOCFLOW_WAF_RULE_EXCEPTIONS: {
    pass: webAcl(EDGE_RULES),
    fail: webAcl([...EDGE_RULES.slice(0, 1), labelRoutes('POST', '/v1/'), ...EDGE_RULES.slice(2)]),
    because: 'must match one method exactly and an anchored path',
  },
  DOCFLOW_WAF_CAPACITY: {
    pass: webAcl(EDGE_RULES),
    fail: webAcl([...EDGE_RULES, managedRule('AWSManagedRulesCommonRuleSet', 70), managedRule('AWSManagedRulesCommonRuleSet', 80)]),
    because: '2534 WCUs, above the 1500 the base price includes',
  },
  DOCFLOW_WAF_LOGGING: {
    pass: wafLogging({ name: 'aws-waf-logs-docflow', retention_in_days: 30 }),
    fail: wafLogging({ name: 'aws-waf-logs-docflow', retention_in_days: 30 }, []),
    because: 'the x-api-key header is not redacted',
  },
  DOCFLOW_HTTPS_CERTIFICATE: {
    pass: httpsListener({ certificate_arn: '${aws_acm_certificate_validation.Valid.certificate_arn}', ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06' }),
    fail: httpsListener({ certificate_arn: '${aws_acm_certificate.Cert.arn}', ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06' }),
    because: 'certificate_arn is the certificate itself, not its aws_acm_certificate_validation',
  },
  DOCFLOW_ALB_ACCESS_LOG_BUCKET: {
    pass: logBucket('AES256', [elbDelivery], expiry),
    fail: logBucket('aws:kms', [elbDelivery], expiry),
    because: "the bucket's default encryption is aws:kms: ELB delivers access logs only to SSE-S3 (AES256) buckets",
  },
  DOCFLOW_ALB_DOMAIN: { pass: aliased('a.acme.dev'), fail: aliased('b.acme.dev'), because: 'a.acme.dev points at it but no certificate of the environment names it' },
  DOCFLOW_DB_MASTER_SECRET: {
    pass: taskReading('docflow-prod-db-admin', MASTER),
    fail: taskReading('docflow-prod-api', MASTER),
    because: "the docflow-prod-api task can read the RDS master user's secret (granted to its role)",
  },
  DOCFLOW_DB_CONNECTION: {
    pass: databaseAccess(),
    fail: databaseAccess({ ssl: 'require' }),
    because: "container api connects with DB_SSL=require, not verify-full: the server's certificate is not checked",
    unreadable: task({ family: 'docflow-dev-api', container_definitions: '${jsonencode(local.containers)}' }),
  },
  DOCFLOW_DB_MASTER_ROTATION: {
    pass: masterRotation({ automatically_after_days: 7 }),
    fail: masterRotation({ automatically_after_days: 7, schedule_expression: 'rate(7 days)' }),
    because: 'aws_secretsmanager_secret_rotation.MasterRotation sets both automatically_after_days and schedule_expression (Secrets Manager takes one)',
  },
  DOCFLOW_SCHEDULE: {
    pass: schedule('rate(1 day)'),
    fail: schedule('rate(1 days)'),
    because: 'schedule_expression "rate(1 days)" must use the singular unit for 1 (rate(1 day))',
  },
  DOCFLOW_CLOUDTRAIL: {
    pass: trail({}, TRAIL_POLICY),
    fail: trail({ enable_log_file_validation: false }, TRAIL_POLICY),
    because: 'enable_log_file_validation is not true',
  },
  DOCFLOW_AUDIT_IN_PRODUCTION: {
    pass: foundationWith({ aws_cloudtrail: { T: { is_multi_region_trail: true } }, aws_guardduty_detector: { D: { enable: true } } }),
    fail: foundationWith({ aws_cloudtrail: { T: { is_multi_region_trail: true } } }),
    because: 'no an enabled GuardDuty detector',
  },
  DOCFLOW_KMS_KEY_USERS: {
    pass: keyUsedByLogs(logsStatement({ ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-west-1:123456789012:log-group:*' } })),
    fail: keyUsedByLogs(logsStatement(undefined)),
    because: 'logs.eu-west-1.amazonaws.com may use the key for anything (no kms:EncryptionContext:aws:logs:arn condition)',
  },
  DOCFLOW_CI_ROLES: {
    pass: ciRole('repo:acme/docflow:environment:prod', ['arn:aws:iam::aws:policy/ReadOnlyAccess'], [DATA_DENY]),
    fail: ciRole('repo:acme/docflow:environment:prod', ['arn:aws:iam::aws:policy/PowerUserAccess']),
    because: 'attaches arn:aws:iam::aws:policy/PowerUserAccess',
  },
};

describe('every policy rule', () => {
  it('has a passing and a failing fixture here', () => {
    expect(Object.keys(CASES).sort()).toEqual(RULES.map((rule) => rule.id).sort());
  });

  describe.each(Object.entries(CASES))('%s', (id, fixtures) => {
    it('GIVEN its passing fixture THEN it gives a verdict and finds nothing', () => {
      const result = checkStacks(fixtures.pass, [id]);
      expect(result.problems).toEqual([]);
      expect(result.evaluated).toBeGreaterThan(0);
    });

    it('GIVEN its failing fixture THEN it names the problem', () => {
      const { problems } = checkStacks(fixtures.fail, [id]);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^FAIL ${id} `));
      expect(problems[0]).toContain(fixtures.because);
    });

    if (fixtures.unreadable) {
      const unreadable = fixtures.unreadable;
      it('GIVEN a value it cannot read THEN it is not a pass', () => {
        const { problems } = checkStacks(unreadable, [id]);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(new RegExp(`^UNKNOWN ${id} `));
      });
    }
  });
});

describe('the production archive rule', () => {
  it('GIVEN an unlocked retention policy outside production (dev and staging can be torn down) THEN DOCFLOW_GCP_ARCHIVE_LOCKED judges nothing', () => {
    const unlocked = { google_storage_bucket: { B: { retention_policy: { retention_period: 2_592_000, is_locked: false } } } };
    for (const env of ['dev', 'staging']) expect(checkStacks(gcpOne(unlocked, {}, env), ['DOCFLOW_GCP_ARCHIVE_LOCKED']), env).toMatchObject({ problems: [], evaluated: 0 });
  });
});

describe('the WAF exception rule', () => {
  const count = [{ count: [{}] }];
  const xss = 'awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body';
  const size = 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body';
  const commonCounting = (...names: string[]) => managedRule('AWSManagedRulesCommonRuleSet', 30, { rule_action_override: names.map((name) => ({ name, action_to_use: count })) });
  const blockAnyOf = (labels: string[]) => ({
    ...blockLargeElsewhere,
    statement: {
      and_statement: [
        {
          statement: [
            { or_statement: [{ statement: labels.map((key) => ({ label_match_statement: [{ scope: 'LABEL', key }] })) }] },
            { not_statement: [{ statement: [{ label_match_statement: [{ scope: 'LABEL', key: 'docflow:large-body-route' }] }] }] },
          ],
        },
      ],
    },
  });
  const withCommon = (common: unknown, blocker: unknown) => webAcl([...EDGE_RULES.slice(0, 3), common, ...EDGE_RULES.slice(4, 6), blocker]);
  const verdict = (stacks: Stacks) => checkStacks(stacks, ['DOCFLOW_WAF_RULE_EXCEPTIONS']).problems;

  it('GIVEN several body rules counted and blocked by an OR of their labels outside the route THEN it passes', () => {
    expect(verdict(withCommon(commonCounting('SizeRestrictions_BODY', 'CrossSiteScripting_BODY'), blockAnyOf([size, xss])))).toEqual([]);
  });

  it('GIVEN a counted rule whose label no later rule blocks THEN it says the rule is lifted everywhere', () => {
    expect(verdict(withCommon(commonCounting('SizeRestrictions_BODY', 'CrossSiteScripting_BODY'), blockAnyOf([size])))[0]).toContain(
      `CrossSiteScripting_BODY counts but no later rule blocks ${xss} outside a labelled exception: it is lifted everywhere`,
    );
  });

  it('GIVEN a rule docflow knows no label of, or an override that is not count THEN it names each', () => {
    expect(verdict(withCommon(commonCounting('SizeRestrictions_BODY', 'NoUserAgent_HEADER'), blockAnyOf([size])))[0]).toContain(
      'AWSManagedRulesCommonRuleSet NoUserAgent_HEADER counts, and no known label lets a later rule block it elsewhere',
    );
    const allowed = managedRule('AWSManagedRulesCommonRuleSet', 30, { rule_action_override: [{ name: 'CrossSiteScripting_BODY', action_to_use: [{ allow: [{}] }] }] });
    expect(verdict(withCommon(allowed, blockAnyOf([size])))[0]).toContain('AWSManagedRulesCommonRuleSet CrossSiteScripting_BODY is overridden to allow, not count');
  });
});

describe('the CI role rule', () => {
  it('GIVEN a wildcard subject, a StringLike trust or ReadOnlyAccess without data denies THEN it names each', () => {
    expect(checkStacks(ciRole('repo:acme/docflow:*', [], [], 'StringLike'), ['DOCFLOW_CI_ROLES']).problems[0]).toContain(
      'the trust does not pin both aud and sub with StringEquals; the trust matches subjects with wildcards (StringLike)',
    );
    expect(checkStacks(ciRole(['repo:acme/docflow:*'], []), ['DOCFLOW_CI_ROLES']).problems[0]).toContain('a trusted subject contains "*"');
    expect(checkStacks(ciRole('repo:acme/docflow:pull_request', ['arn:aws:iam::aws:policy/ReadOnlyAccess']), ['DOCFLOW_CI_ROLES']).problems[0]).toContain(
      'ReadOnlyAccess without explicit denies of s3:GetObject, secretsmanager:GetSecretValue, logs:GetLogEvents: it reads stored data',
    );
  });
});

describe('rules that follow references or keep secrets', () => {
  it('GIVEN a Cloud Run job THEN DOCFLOW_CONTAINER_SECRETS finds a key passed as a plain value, and accepts it from Secret Manager', () => {
    const job = (env: unknown[]) => gcpOne({ google_cloud_run_v2_job: { Job: { template: { template: { service_account: 's', containers: [{ name: 'exporter', env }] } } } } });
    const fromSecret = { name: 'DOCFLOW_API_KEY', value_source: { secret_key_ref: { secret: 'docflow-dev-api-key', version: 'latest' } } };
    expect(checkStacks(job([fromSecret, { name: 'DOCFLOW_ENV', value: 'dev' }]), ['DOCFLOW_CONTAINER_SECRETS'])).toMatchObject({ problems: [], evaluated: 1 });
    const { problems } = checkStacks(job([{ name: 'DOCFLOW_API_KEY', value: 'not-so-secret-0123456789' }]), ['DOCFLOW_CONTAINER_SECRETS']);
    expect(problems).toEqual([expect.stringContaining('container exporter: environment variable DOCFLOW_API_KEY looks like a secret (pass it in secrets)')]);
    expect(problems.join()).not.toContain('not-so-secret');
  });

  it('GIVEN a poll-mode worker whose task role may receive from the queue THEN the visibility rule weighs its processing timeout', () => {
    const stacks = one({
      aws_sqs_queue: { Queue: { visibility_timeout_seconds: 600 } },
      aws_iam_role: { TaskRole: {} },
      aws_iam_role_policy: { Poll: { role: '${aws_iam_role.TaskRole.id}', policy: policy({ Effect: 'Allow', Action: ['sqs:ReceiveMessage'], Resource: '${aws_sqs_queue.Queue.arn}' }) } },
      aws_ecs_task_definition: { Worker: { task_role_arn: '${aws_iam_role.TaskRole.arn}', tags: { 'docflow:processing-timeout-seconds': '120' } } },
    });
    expect(checkStacks(stacks, ['DOCFLOW_QUEUE_VISIBILITY']).problems).toEqual([
      "FAIL DOCFLOW_QUEUE_VISIBILITY aws_sqs_queue.Queue: visibility timeout 600 s < 6 x aws_ecs_task_definition.Worker's processing timeout 120 s (720 s): a slow message is handed to a second worker",
    ]);
  });

  it('GIVEN a password in a container environment or a pipe override THEN the problem names the variable and never prints the value', () => {
    const secret = 'postgres://docflow:hunter2@db:5432/docflow';
    const stacks = one(
      {
        aws_ecs_task_definition: { Task: { container_definitions: json([{ name: 'app', environment: [{ name: 'DATABASE_URL', value: secret }, { name: 'TOKEN_HOLDER', value: 'x' }] }]) } },
        aws_pipes_pipe: { Pipe: { target_parameters: { ecs_task_parameters: { overrides: { container_override: [{ name: 'worker', environment: [{ name: 'CONFIG', value: '${var.db_password}' }] }] } } } } },
      },
      { variable: { db_password: { type: 'string', sensitive: true } } },
    );
    const { problems } = checkStacks(stacks, ['DOCFLOW_CONTAINER_SECRETS']);
    expect(problems).toEqual([
      'FAIL DOCFLOW_CONTAINER_SECRETS aws_ecs_task_definition.Task: container app: the value of environment variable DATABASE_URL looks like a secret (pass it in secrets); container app: environment variable TOKEN_HOLDER looks like a secret (pass it in secrets)',
      'FAIL DOCFLOW_CONTAINER_SECRETS aws_pipes_pipe.Pipe: override worker: environment variable CONFIG takes the sensitive variable db_password (pass it in secrets)',
    ]);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('GIVEN a permissions boundary with "*" resources THEN CKV_AWS_355 sees a boundary, not a grant', () => {
    const stacks = one({
      aws_iam_policy: { Boundary: { name: 'docflow-dev-workload-boundary', policy: policy({ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }) } },
      aws_iam_role: { Task: { permissions_boundary: 'arn:aws:iam::${data.aws_caller_identity.Me.account_id}:policy/docflow-dev-workload-boundary' } },
    });
    expect(checkStacks(stacks, ['CKV_AWS_355']).problems).toEqual([]);
  });

  it('GIVEN PostgreSQL without a parameter group THEN CKV2_AWS_69 passes from version 15 (rds.force_ssl defaults to 1) and fails before', () => {
    expect(checkStacks(db({ engine_version: '17' }), ['CKV2_AWS_69']).problems).toEqual([]);
    expect(checkStacks(db({ engine_version: '14.9' }), ['CKV2_AWS_69']).problems).toEqual([
      'FAIL CKV2_AWS_69 aws_db_instance.Db: no parameter group, so rds.force_ssl keeps its default (0): clients may connect without TLS',
    ]);
  });

  it('GIVEN a service whose login secret no schedule rotates, or a password fixed at start, or an RDS master secret without a written rotation THEN the database rules say which', () => {
    expect(checkStacks(databaseAccess({ scheduled: false }), ['DOCFLOW_DB_CONNECTION']).problems).toEqual([
      "FAIL DOCFLOW_DB_CONNECTION aws_ecs_task_definition.Api: container api's login secret aws_secretsmanager_secret.Login is rotated by no scheduled task (no aws_scheduler_schedule runs a task whose role may PutSecretValue on it)",
    ]);
    expect(checkStacks(databaseAccess({ fixedPassword: true }), ['DOCFLOW_DB_CONNECTION']).problems).toEqual([
      'FAIL DOCFLOW_DB_CONNECTION aws_ecs_task_definition.Api: container api gets DB_PASSWORD when the task starts: the next password rotation locks it out (fetch it per connection through DB_LOGIN_ARN)',
    ]);
    expect(checkStacks(db({ manage_master_user_password: true }), ['DOCFLOW_DB_MASTER_ROTATION']).problems).toEqual([
      'FAIL DOCFLOW_DB_MASTER_ROTATION aws_db_instance.Db: its RDS-managed master secret has no aws_secretsmanager_secret_rotation: RDS rotates it every 7 days unless the schedule is written down',
    ]);
    expect(checkStacks(masterRotation({ automatically_after_days: 0 }), ['DOCFLOW_DB_MASTER_ROTATION']).problems).toEqual([
      'FAIL DOCFLOW_DB_MASTER_ROTATION aws_db_instance.Db: aws_secretsmanager_secret_rotation.MasterRotation rotates every 0 days (Secrets Manager takes 1 to 1000)',
    ]);
  });

  it('GIVEN schedules AWS would refuse at apply THEN DOCFLOW_SCHEDULE names each rule they break', () => {
    const problems = (stacks: Stacks) => checkStacks(stacks, ['DOCFLOW_SCHEDULE']).problems.map((problem) => problem.replace(/^FAIL DOCFLOW_SCHEDULE aws_scheduler_schedule\.Rotation: /, ''));
    expect(problems(schedule('rate(30 day)'))).toEqual(['schedule_expression "rate(30 day)" must use the plural unit above 1']);
    expect(problems(schedule('rate(30 days)', {}, { mode: 'FLEXIBLE' }))).toEqual(['a FLEXIBLE time window needs maximum_window_in_minutes from 1 to 1440']);
    expect(problems(schedule('rate(30 days)', {}, { mode: 'OFF', maximum_window_in_minutes: 5 }))).toEqual(['an OFF time window takes no maximum_window_in_minutes']);
    expect(problems(schedule('rate(30 days)', { ecs_parameters: { launch_type: 'FARGATE', task_definition_arn: 't' } }))).toEqual(['an ECS target on FARGATE needs network_configuration with subnets (awsvpc)']);
    expect(problems(schedule('rate(30 days)', { retry_policy: { maximum_retry_attempts: 200, maximum_event_age_in_seconds: 30 } }))).toEqual([
      'retry_policy.maximum_event_age_in_seconds must be 60 to 86400; retry_policy.maximum_retry_attempts must be 0 to 185',
    ]);
  });

  it('GIVEN a DLQ that keeps messages no longer than its queue, or a redrive after 2 receives THEN DOCFLOW_QUEUE_DLQ says which', () => {
    const redrive = (count: number) => json({ deadLetterTargetArn: '${aws_sqs_queue.Dlq.arn}', maxReceiveCount: count });
    expect(checkStacks(one({ aws_sqs_queue: { Queue: { redrive_policy: redrive(5) }, Dlq: {} } }), ['DOCFLOW_QUEUE_DLQ']).problems).toEqual([
      'FAIL DOCFLOW_QUEUE_DLQ aws_sqs_queue.Queue: keeps messages 345600 s, its DLQ aws_sqs_queue.Dlq only 345600 s: a dead-lettered message keeps its enqueue time and would expire before anyone reads it',
    ]);
    expect(checkStacks(one({ aws_sqs_queue: { Queue: { redrive_policy: redrive(2) }, Dlq: { message_retention_seconds: 1_209_600 } } }), ['DOCFLOW_QUEUE_DLQ']).problems).toEqual([
      'FAIL DOCFLOW_QUEUE_DLQ aws_sqs_queue.Queue: dead-letters after 2 receives (at least 5, so a passing outage does not dead-letter messages)',
    ]);
  });
});

describe('the library README', () => {
  it('lists every rule', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(RULES.map((rule) => rule.id).filter((id) => !new RegExp(`\\b${id}\\b`).test(readme))).toEqual([]);
  });
});
