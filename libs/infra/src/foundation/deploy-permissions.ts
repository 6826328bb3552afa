import { FOUNDATION_ROLE_PATH, type Condition } from '../core/iam.js';
import type { NatMode, Profile } from '../environments/types.js';

/** Where the deploy role works: one environment in one account and region. */
export interface DeployScope {
  readonly envName: string;
  readonly region: string;
  /** The account id (a Terraform reference in the foundation stack). */
  readonly account: string;
  /** The environment's public host: DNS changes are limited to it and the names under it. @default - no DNS changes */
  readonly domainName?: string;
  /** The environment's profile: grants for another profile's resource types are left out. @default - every grant */
  readonly profile?: Profile;
  /** The environment's NAT: the instance grants only with `instance`. @default - every grant */
  readonly natMode?: NatMode;
}

/** What a group of Terraform resource types needs the deploy role to do, and on what. */
export interface DeployGrant {
  /** Short name, the statement's Sid. */
  readonly sid: string;
  /** The Terraform resource types whose create, update and delete the grant covers. */
  readonly resourceTypes: readonly string[];
  readonly actions: readonly string[];
  readonly resources: (scope: DeployScope) => readonly string[];
  readonly condition?: (scope: DeployScope) => Condition;
  /** Whether the environment needs the grant at all (its profile or NAT creates these types). @default - every environment */
  readonly when?: (scope: DeployScope) => boolean;
}

/** The grant applies to environments of this profile (every one when the scope names no profile). */
const onlyFor = (profile: Profile) => (scope: DeployScope) => scope.profile === undefined || scope.profile === profile;
/** The grant applies where the NAT is an instance (the only EC2 instance docflow runs). */
const natInstance = (scope: DeployScope) => scope.natMode === undefined || scope.natMode === 'instance';

const prefix = (scope: DeployScope) => `docflow-${scope.envName}`;
const arn = (service: string, scope: DeployScope, resource: string, { region = true, account = true } = {}) =>
  `arn:aws:${service}:${region ? scope.region : ''}:${account ? scope.account : ''}:${resource}`;
/** Existing EC2 resources of the environment carry its `env` tag (the provider's default_tags). */
const taggedEnv = (scope: DeployScope): Condition => ({ StringEquals: { 'aws:ResourceTag/env': scope.envName, 'aws:ResourceTag/project': 'docflow' } });
/** A create names the environment's tags in the request. */
const requestsEnv = (scope: DeployScope): Condition => ({ StringEquals: { 'aws:RequestTag/env': scope.envName, 'aws:RequestTag/project': 'docflow' } });

const EC2_CREATES = [
  'ec2:CreateVpc',
  'ec2:CreateSubnet',
  'ec2:CreateInternetGateway',
  'ec2:CreateRouteTable',
  'ec2:CreateSecurityGroup',
  'ec2:CreateNatGateway',
  'ec2:AllocateAddress',
  'ec2:CreateVpcEndpoint',
  'ec2:CreateFlowLogs',
];

/**
 * Every write the deploy role may make, by the Terraform resource types it serves. Reads
 * (Describe, Get, List: Terraform's refresh) come from AWS's ReadOnlyAccess, with the data reads
 * denied. Resources are named by docflow's prefix (`docflow-<env>`) where the service's ARNs carry
 * names; where they do not (EC2, ACM, API Gateway), by the environment's tags or the region.
 * `npm test` fails when a stack creates a resource type no grant covers (stacks/src/ci-roles.test.ts).
 */
export const DEPLOY_GRANTS: readonly DeployGrant[] = [
  {
    sid: 'Ec2CreateTagged',
    resourceTypes: ['aws_vpc', 'aws_subnet', 'aws_internet_gateway', 'aws_route_table', 'aws_security_group', 'aws_nat_gateway', 'aws_eip', 'aws_vpc_endpoint', 'aws_flow_log'],
    actions: EC2_CREATES,
    resources: (scope) => [arn('ec2', scope, '*')],
    condition: requestsEnv,
  },
  {
    sid: 'Ec2CreateInTaggedParents',
    resourceTypes: [],
    actions: EC2_CREATES,
    resources: (scope) => [arn('ec2', scope, '*')],
    condition: taggedEnv,
  },
  {
    sid: 'Ec2TagOnCreate',
    resourceTypes: [],
    actions: ['ec2:CreateTags'],
    resources: (scope) => [arn('ec2', scope, '*')],
    condition: () => ({ StringEquals: { 'ec2:CreateAction': EC2_CREATES.map((action) => action.slice('ec2:'.length)) } }),
  },
  {
    sid: 'NatInstanceLaunch',
    resourceTypes: ['aws_instance'],
    // natMode instance only: the instance, its volume and interface carry the environment's tags in the request
    actions: ['ec2:RunInstances'],
    resources: (scope) => [arn('ec2', scope, '*')],
    condition: requestsEnv,
    when: natInstance,
  },
  {
    sid: 'NatInstanceInTaggedParents',
    resourceTypes: [],
    // its subnet and security group are the environment's
    actions: ['ec2:RunInstances'],
    resources: (scope) => [arn('ec2', scope, '*')],
    condition: taggedEnv,
    when: natInstance,
  },
  {
    sid: 'NatInstanceImages',
    resourceTypes: [],
    actions: ['ec2:RunInstances'],
    resources: (scope) => [`arn:aws:ec2:${scope.region}::image/*`],
    when: natInstance,
  },
  {
    sid: 'NatInstanceTagOnCreate',
    resourceTypes: [],
    actions: ['ec2:CreateTags'],
    resources: (scope) => [arn('ec2', scope, '*')],
    condition: () => ({ StringEquals: { 'ec2:CreateAction': 'RunInstances' } }),
    when: natInstance,
  },
  {
    sid: 'NatInstanceChange',
    resourceTypes: [],
    actions: ['ec2:TerminateInstances', 'ec2:ModifyInstanceAttribute'],
    resources: (scope) => [arn('ec2', scope, '*')],
    condition: taggedEnv,
    when: natInstance,
  },
  {
    sid: 'Ec2ClaimDefaultSecurityGroup',
    resourceTypes: ['aws_default_security_group'],
    // AWS creates a VPC's default security group untagged. The provider adopts it by tagging it first
    // (the default tags, env among them), then revokes its rules, which Ec2ChangeTagged then allows.
    // So: tag a security group that has no env tag yet, only with this environment's tags. (ec2:Vpc
    // cannot name the VPC: its id is generated by the network stack, applied after this policy.)
    actions: ['ec2:CreateTags'],
    resources: (scope) => [arn('ec2', scope, 'security-group/*')],
    condition: (scope) => ({ Null: { 'aws:ResourceTag/env': 'true' }, ...requestsEnv(scope) }),
  },
  {
    sid: 'Ec2ChangeTagged',
    resourceTypes: [
      'aws_route',
      'aws_route_table_association',
      'aws_vpc_security_group_ingress_rule',
      'aws_vpc_security_group_egress_rule',
    ],
    actions: [
      'ec2:DeleteVpc',
      'ec2:ModifyVpcAttribute',
      'ec2:DeleteSubnet',
      'ec2:ModifySubnetAttribute',
      'ec2:AttachInternetGateway',
      'ec2:DetachInternetGateway',
      'ec2:DeleteInternetGateway',
      'ec2:DeleteRouteTable',
      'ec2:CreateRoute',
      'ec2:ReplaceRoute',
      'ec2:DeleteRoute',
      'ec2:AssociateRouteTable',
      'ec2:DisassociateRouteTable',
      'ec2:ReplaceRouteTableAssociation',
      'ec2:DeleteSecurityGroup',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:AuthorizeSecurityGroupEgress',
      'ec2:RevokeSecurityGroupIngress',
      'ec2:RevokeSecurityGroupEgress',
      'ec2:ModifySecurityGroupRules',
      'ec2:UpdateSecurityGroupRuleDescriptionsIngress',
      'ec2:UpdateSecurityGroupRuleDescriptionsEgress',
      'ec2:DeleteNatGateway',
      'ec2:ReleaseAddress',
      'ec2:AssociateAddress',
      'ec2:DisassociateAddress',
      'ec2:DeleteVpcEndpoints',
      'ec2:ModifyVpcEndpoint',
      'ec2:DeleteFlowLogs',
      'ec2:CreateTags',
      'ec2:DeleteTags',
    ],
    resources: (scope) => [arn('ec2', scope, '*')],
    condition: taggedEnv,
  },
  {
    sid: 'Buckets',
    resourceTypes: [
      'aws_s3_bucket',
      'aws_s3_bucket_lifecycle_configuration',
      'aws_s3_bucket_ownership_controls',
      'aws_s3_bucket_policy',
      'aws_s3_bucket_public_access_block',
      'aws_s3_bucket_server_side_encryption_configuration',
      'aws_s3_bucket_versioning',
      'aws_s3_bucket_replication_configuration',
    ],
    actions: [
      's3:CreateBucket',
      's3:DeleteBucket',
      's3:PutBucketPolicy',
      's3:DeleteBucketPolicy',
      's3:PutBucketVersioning',
      's3:PutEncryptionConfiguration',
      's3:PutLifecycleConfiguration',
      's3:PutBucketPublicAccessBlock',
      's3:PutBucketOwnershipControls',
      's3:PutBucketTagging',
      // puts and deletes the documents bucket's replication configuration (DeleteBucketReplication is authorized by it too)
      's3:PutReplicationConfiguration',
    ],
    resources: (scope) => [`arn:aws:s3:::${prefix(scope)}-*`],
  },
  {
    sid: 'Queues',
    resourceTypes: ['aws_sqs_queue', 'aws_sqs_queue_policy', 'aws_sqs_queue_redrive_allow_policy', 'aws_sqs_queue_redrive_policy'],
    actions: ['sqs:CreateQueue', 'sqs:DeleteQueue', 'sqs:SetQueueAttributes', 'sqs:TagQueue', 'sqs:UntagQueue'],
    resources: (scope) => [arn('sqs', scope, `${prefix(scope)}-*`)],
  },
  {
    sid: 'LogGroups',
    resourceTypes: ['aws_cloudwatch_log_group'],
    actions: ['logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy', 'logs:AssociateKmsKey', 'logs:DisassociateKmsKey', 'logs:TagResource', 'logs:UntagResource'],
    resources: (scope) => [
      arn('logs', scope, `log-group:/${prefix(scope)}/*`),
      arn('logs', scope, `log-group:/aws/rds/instance/${prefix(scope)}-*`),
      arn('logs', scope, `log-group:aws-waf-logs-${prefix(scope)}*`),
      arn('logs', scope, `log-group:/aws/events/${prefix(scope)}-*`),
    ],
  },
  {
    sid: 'LogDelivery',
    resourceTypes: ['aws_cloudwatch_log_resource_policy', 'aws_wafv2_web_acl_logging_configuration'],
    // AWS scopes none of these to a resource: vended log delivery (WAF, Pipes, API Gateway access logs) and resource policies
    actions: ['logs:PutResourcePolicy', 'logs:DeleteResourcePolicy', 'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries'],
    resources: () => ['*'],
  },
  {
    sid: 'ImageRepositories',
    resourceTypes: ['aws_ecr_repository', 'aws_ecr_lifecycle_policy'],
    actions: [
      'ecr:CreateRepository',
      'ecr:DeleteRepository',
      'ecr:PutLifecyclePolicy',
      'ecr:DeleteLifecyclePolicy',
      'ecr:PutImageScanningConfiguration',
      'ecr:PutImageTagMutability',
      'ecr:TagResource',
      'ecr:UntagResource',
      // the image build pushes to them
      'ecr:BatchCheckLayerAvailability',
      'ecr:InitiateLayerUpload',
      'ecr:UploadLayerPart',
      'ecr:CompleteLayerUpload',
      'ecr:PutImage',
      'ecr:BatchGetImage',
      'ecr:GetDownloadUrlForLayer',
    ],
    resources: (scope) => [arn('ecr', scope, `repository/${prefix(scope)}-*`)],
  },
  {
    sid: 'RegistryLogin',
    resourceTypes: [],
    actions: ['ecr:GetAuthorizationToken'],
    resources: () => ['*'],
  },
  {
    sid: 'Containers',
    resourceTypes: ['aws_ecs_cluster', 'aws_ecs_cluster_capacity_providers', 'aws_ecs_service'],
    actions: [
      'ecs:CreateCluster',
      'ecs:DeleteCluster',
      'ecs:UpdateCluster',
      'ecs:UpdateClusterSettings',
      'ecs:PutClusterCapacityProviders',
      'ecs:CreateService',
      'ecs:UpdateService',
      'ecs:DeleteService',
      'ecs:TagResource',
      'ecs:UntagResource',
    ],
    resources: (scope) => [arn('ecs', scope, `cluster/${prefix(scope)}`), arn('ecs', scope, `service/${prefix(scope)}/*`), arn('ecs', scope, `task-definition/${prefix(scope)}-*:*`)],
  },
  {
    sid: 'DatabaseSetupTask',
    resourceTypes: ['terraform_data'],
    // the api stack's apply runs the db-admin setup task and waits for it (database-admin.ts)
    actions: ['ecs:RunTask'],
    resources: (scope) => [arn('ecs', scope, `task-definition/${prefix(scope)}-db-admin:*`)],
  },
  {
    sid: 'Schedules',
    resourceTypes: ['aws_scheduler_schedule'],
    actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'scheduler:TagResource', 'scheduler:UntagResource'],
    resources: (scope) => [arn('scheduler', scope, `schedule/default/${prefix(scope)}-*`)],
  },
  {
    sid: 'TaskDefinitions',
    resourceTypes: ['aws_ecs_task_definition'],
    // AWS scopes task definition registration to no resource
    actions: ['ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition'],
    resources: () => ['*'],
  },
  {
    sid: 'Autoscaling',
    resourceTypes: ['aws_appautoscaling_target', 'aws_appautoscaling_policy'],
    actions: ['application-autoscaling:RegisterScalableTarget', 'application-autoscaling:DeregisterScalableTarget', 'application-autoscaling:PutScalingPolicy', 'application-autoscaling:DeleteScalingPolicy', 'application-autoscaling:TagResource', 'application-autoscaling:UntagResource'],
    resources: (scope) => [arn('application-autoscaling', scope, 'scalable-target/*')],
  },
  {
    sid: 'Alarms',
    resourceTypes: ['aws_cloudwatch_metric_alarm'],
    actions: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:TagResource', 'cloudwatch:UntagResource'],
    resources: (scope) => [arn('cloudwatch', scope, `alarm:${prefix(scope)}-*`)],
  },
  {
    sid: 'BackupPlansCreate',
    resourceTypes: ['aws_backup_plan'],
    // plans are addressed by a generated id, not their name: their writes go by the environment's tags
    actions: ['backup:CreateBackupPlan', 'backup:TagResource'],
    resources: (scope) => [arn('backup', scope, 'backup-plan:*')],
    condition: requestsEnv,
  },
  {
    sid: 'BackupPlansChange',
    resourceTypes: ['aws_backup_plan', 'aws_backup_selection'],
    actions: ['backup:UpdateBackupPlan', 'backup:DeleteBackupPlan', 'backup:CreateBackupSelection', 'backup:DeleteBackupSelection', 'backup:TagResource', 'backup:UntagResource'],
    resources: (scope) => [arn('backup', scope, 'backup-plan:*')],
    condition: taggedEnv,
  },
  {
    sid: 'BackupRole',
    resourceTypes: ['aws_backup_selection'],
    // the foundation's backup role (data/backup.ts), handed to AWS Backup only
    actions: ['iam:PassRole'],
    resources: (scope) => [arn('iam', scope, `role${FOUNDATION_ROLE_PATH}${prefix(scope)}-backup`, { region: false })],
    condition: () => ({ StringEquals: { 'iam:PassedToService': 'backup.amazonaws.com' } }),
  },
  {
    sid: 'DocumentReplicationRole',
    resourceTypes: ['aws_s3_bucket_replication_configuration'],
    // the foundation's documents replication role (data/document-replication.ts), handed to S3 only
    actions: ['iam:PassRole'],
    resources: (scope) => [arn('iam', scope, `role${FOUNDATION_ROLE_PATH}${prefix(scope)}-document-replication`, { region: false })],
    condition: () => ({ StringEquals: { 'iam:PassedToService': 's3.amazonaws.com' } }),
  },
  {
    sid: 'Dashboards',
    resourceTypes: ['aws_cloudwatch_dashboard'],
    actions: ['cloudwatch:PutDashboard', 'cloudwatch:DeleteDashboards'],
    resources: (scope) => [arn('cloudwatch', scope, `dashboard/${prefix(scope)}*`, { region: false })],
  },
  {
    sid: 'Topics',
    resourceTypes: ['aws_sns_topic', 'aws_sns_topic_subscription', 'aws_sns_topic_policy'],
    actions: ['sns:CreateTopic', 'sns:DeleteTopic', 'sns:SetTopicAttributes', 'sns:Subscribe', 'sns:Unsubscribe', 'sns:TagResource', 'sns:UntagResource'],
    resources: (scope) => [arn('sns', scope, `${prefix(scope)}-*`)],
  },
  {
    sid: 'Budgets',
    resourceTypes: ['aws_budgets_budget'],
    actions: ['budgets:ModifyBudget', 'budgets:TagResource', 'budgets:UntagResource'],
    resources: (scope) => [arn('budgets', scope, `budget/${prefix(scope)}-*`, { region: false })],
  },
  {
    sid: 'Database',
    resourceTypes: ['aws_db_instance', 'aws_db_parameter_group', 'aws_db_subnet_group'],
    actions: [
      'rds:CreateDBInstance',
      'rds:ModifyDBInstance',
      'rds:DeleteDBInstance',
      'rds:RebootDBInstance',
      'rds:CreateDBParameterGroup',
      'rds:ModifyDBParameterGroup',
      'rds:DeleteDBParameterGroup',
      'rds:CreateDBSubnetGroup',
      'rds:ModifyDBSubnetGroup',
      'rds:DeleteDBSubnetGroup',
      'rds:CreateDBSnapshot',
      'rds:AddTagsToResource',
      'rds:RemoveTagsFromResource',
    ],
    resources: (scope) => [
      arn('rds', scope, `db:${prefix(scope)}-*`),
      arn('rds', scope, `pg:${prefix(scope)}-*`),
      arn('rds', scope, `subgrp:${prefix(scope)}-*`),
      arn('rds', scope, `snapshot:${prefix(scope)}-*`),
      arn('rds', scope, 'og:default:postgres-*'),
    ],
  },
  {
    sid: 'DatabaseBackupReplication',
    resourceTypes: ['aws_db_instance_automated_backups_replication'],
    // called in the copy region on the source instance; the replicated backups get a generated id there
    actions: ['rds:StartDBInstanceAutomatedBackupsReplication', 'rds:StopDBInstanceAutomatedBackupsReplication'],
    resources: (scope) => [`arn:aws:rds:*:${scope.account}:db:${prefix(scope)}-*`, `arn:aws:rds:*:${scope.account}:auto-backup:*`],
  },
  {
    sid: 'Secrets',
    resourceTypes: ['aws_secretsmanager_secret', 'aws_secretsmanager_secret_rotation'],
    // `rds!db-*`: the master user's secret, which RDS creates with the caller's permissions
    actions: ['secretsmanager:CreateSecret', 'secretsmanager:DeleteSecret', 'secretsmanager:UpdateSecret', 'secretsmanager:RotateSecret', 'secretsmanager:CancelRotateSecret', 'secretsmanager:TagResource', 'secretsmanager:UntagResource'],
    resources: (scope) => [arn('secretsmanager', scope, `secret:${prefix(scope)}/*`), arn('secretsmanager', scope, 'secret:rds!db-*')],
  },
  {
    sid: 'LoadBalancer',
    resourceTypes: ['aws_lb', 'aws_lb_listener', 'aws_lb_listener_rule', 'aws_lb_target_group'],
    actions: [
      'elasticloadbalancing:CreateLoadBalancer',
      'elasticloadbalancing:DeleteLoadBalancer',
      'elasticloadbalancing:ModifyLoadBalancerAttributes',
      'elasticloadbalancing:SetSecurityGroups',
      'elasticloadbalancing:SetSubnets',
      'elasticloadbalancing:CreateTargetGroup',
      'elasticloadbalancing:DeleteTargetGroup',
      'elasticloadbalancing:ModifyTargetGroup',
      'elasticloadbalancing:ModifyTargetGroupAttributes',
      'elasticloadbalancing:CreateListener',
      'elasticloadbalancing:DeleteListener',
      'elasticloadbalancing:ModifyListener',
      'elasticloadbalancing:ModifyListenerAttributes',
      'elasticloadbalancing:CreateRule',
      'elasticloadbalancing:DeleteRule',
      'elasticloadbalancing:ModifyRule',
      'elasticloadbalancing:SetRulePriorities',
      // what wafv2:AssociateWebACL and DisassociateWebACL also check on the load balancer (permission-only actions)
      'elasticloadbalancing:CreateWebACLAssociation',
      'elasticloadbalancing:DeleteWebACLAssociation',
      'elasticloadbalancing:AddTags',
      'elasticloadbalancing:RemoveTags',
    ],
    resources: (scope) => [
      arn('elasticloadbalancing', scope, `loadbalancer/app/${prefix(scope)}-*/*`),
      arn('elasticloadbalancing', scope, `targetgroup/${prefix(scope)}-*/*`),
      arn('elasticloadbalancing', scope, `listener/app/${prefix(scope)}-*/*`),
      arn('elasticloadbalancing', scope, `listener-rule/app/${prefix(scope)}-*/*`),
    ],
  },
  {
    sid: 'Certificates',
    resourceTypes: ['aws_acm_certificate', 'aws_acm_certificate_validation'],
    actions: ['acm:RequestCertificate', 'acm:AddTagsToCertificate'],
    resources: (scope) => [arn('acm', scope, 'certificate/*')],
    condition: requestsEnv,
  },
  {
    sid: 'CertificatesOfTheEnvironment',
    resourceTypes: [],
    actions: ['acm:DeleteCertificate', 'acm:AddTagsToCertificate', 'acm:RemoveTagsFromCertificate', 'acm:UpdateCertificateOptions'],
    resources: (scope) => [arn('acm', scope, 'certificate/*')],
    condition: taggedEnv,
  },
  {
    sid: 'DnsRecordsOfTheDomain',
    resourceTypes: ['aws_route53_record'],
    actions: ['route53:ChangeResourceRecordSets'],
    resources: () => ['arn:aws:route53:::hostedzone/*'],
    condition: (scope) => ({
      'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': scope.domainName ? [scope.domainName, `*.${scope.domainName}`] : ['nothing.invalid'] },
    }),
  },
  {
    sid: 'DnsChanges',
    resourceTypes: [],
    actions: ['route53:GetChange'],
    resources: () => ['arn:aws:route53:::change/*'],
  },
  {
    sid: 'Firewall',
    resourceTypes: ['aws_wafv2_web_acl', 'aws_wafv2_web_acl_association'],
    actions: [
      'wafv2:CreateWebACL',
      'wafv2:UpdateWebACL',
      'wafv2:DeleteWebACL',
      'wafv2:AssociateWebACL',
      'wafv2:DisassociateWebACL',
      'wafv2:PutLoggingConfiguration',
      'wafv2:DeleteLoggingConfiguration',
      'wafv2:TagResource',
      'wafv2:UntagResource',
    ],
    resources: (scope) => [
      arn('wafv2', scope, `regional/webacl/${prefix(scope)}-*/*`),
      arn('wafv2', scope, 'regional/managedruleset/*/*'),
      // AssociateWebACL and DisassociateWebACL authorize against the protected load balancer too
      arn('elasticloadbalancing', scope, `loadbalancer/app/${prefix(scope)}-*/*`),
    ],
  },
  {
    sid: 'FirewallOnLoadBalancer',
    resourceTypes: ['aws_wafv2_web_acl_association'],
    // AssociateWebACL's dependent action for a load balancer; AWS scopes it to no resource
    actions: ['elasticloadbalancing:SetWebAcl'],
    resources: () => ['*'],
  },
  {
    sid: 'EventRules',
    resourceTypes: ['aws_cloudwatch_event_rule', 'aws_cloudwatch_event_target'],
    actions: ['events:PutRule', 'events:DeleteRule', 'events:EnableRule', 'events:DisableRule', 'events:PutTargets', 'events:RemoveTargets', 'events:TagResource', 'events:UntagResource'],
    resources: (scope) => [arn('events', scope, `rule/${prefix(scope)}-*`)],
  },
  {
    sid: 'Pipes',
    resourceTypes: ['aws_pipes_pipe'],
    actions: ['pipes:CreatePipe', 'pipes:UpdatePipe', 'pipes:DeletePipe', 'pipes:StartPipe', 'pipes:StopPipe', 'pipes:TagResource', 'pipes:UntagResource'],
    resources: (scope) => [arn('pipes', scope, `pipe/${prefix(scope)}-*`)],
  },
  {
    sid: 'HttpApi',
    resourceTypes: ['aws_apigatewayv2_api', 'aws_apigatewayv2_integration', 'aws_apigatewayv2_route', 'aws_apigatewayv2_stage', 'aws_apigatewayv2_vpc_link', 'aws_apigatewayv2_domain_name', 'aws_apigatewayv2_api_mapping'],
    // API Gateway's ARNs carry generated ids, not names: the environment's region is the scope
    actions: ['apigateway:POST', 'apigateway:PATCH', 'apigateway:PUT', 'apigateway:DELETE', 'apigateway:TagResource', 'apigateway:UntagResource'],
    resources: (scope) => [
      `arn:aws:apigateway:${scope.region}::/apis`,
      `arn:aws:apigateway:${scope.region}::/apis/*`,
      `arn:aws:apigateway:${scope.region}::/vpclinks`,
      `arn:aws:apigateway:${scope.region}::/vpclinks/*`,
      `arn:aws:apigateway:${scope.region}::/domainnames`,
      `arn:aws:apigateway:${scope.region}::/domainnames/*`,
      `arn:aws:apigateway:${scope.region}::/tags/*`,
    ],
  },
  {
    sid: 'NamespaceCreate',
    resourceTypes: ['aws_service_discovery_private_dns_namespace'],
    // lean only (Cloud Map behind the HTTP API). AWS scopes the create to no resource: the request carries the environment's tags
    actions: ['servicediscovery:CreatePrivateDnsNamespace'],
    resources: () => ['*'],
    condition: requestsEnv,
    when: onlyFor('lean'),
  },
  {
    sid: 'ServiceDiscoveryCreate',
    resourceTypes: ['aws_service_discovery_service'],
    actions: ['servicediscovery:CreateService'],
    resources: (scope) => [arn('servicediscovery', scope, 'namespace/*'), arn('servicediscovery', scope, 'service/*')],
    condition: requestsEnv,
    when: onlyFor('lean'),
  },
  {
    sid: 'ServiceDiscoveryOfTheEnvironment',
    resourceTypes: [],
    // namespaces and services carry aws:ResourceTag (Service Authorization Reference); TagResource and
    // UntagResource are scoped to no resource, so they are not granted: tags are set by the creates
    actions: ['servicediscovery:DeleteNamespace', 'servicediscovery:UpdateService', 'servicediscovery:DeleteService'],
    resources: (scope) => [arn('servicediscovery', scope, 'namespace/*'), arn('servicediscovery', scope, 'service/*')],
    condition: taggedEnv,
    when: onlyFor('lean'),
  },
  {
    sid: 'NamespaceZoneCreate',
    resourceTypes: [],
    // Cloud Map keeps a namespace's records in a private hosted zone it creates with the caller's rights
    actions: ['route53:CreateHostedZone'],
    resources: () => ['*'],
    when: onlyFor('lean'),
  },
  {
    sid: 'NamespaceZone',
    resourceTypes: [],
    // Route 53 offers no condition key on a hosted zone (not even tags): lean environments only, where Cloud Map needs it
    actions: ['route53:DeleteHostedZone', 'route53:AssociateVPCWithHostedZone', 'route53:ChangeTagsForResource'],
    resources: (scope) => ['arn:aws:route53:::hostedzone/*', arn('ec2', scope, 'vpc/*')],
    when: onlyFor('lean'),
  },
];
