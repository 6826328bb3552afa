import { describe, expect, it } from 'vitest';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import { isUnscopedAction, WORKLOAD_BOUNDARY_ACTIONS } from '../core/iam.js';
import { checkStack } from '@docflow/guardrails';
import { allowsRequest, at, findResource, onlyResource, parsePolicy, resourcesOf, rolePolicyStatements, synthScope, type TerraformJson } from '../testing/index.js';
import { AuditTrail, ThreatDetection } from './audit.js';
import { EnvironmentKeys } from './environment-keys.js';
import { GithubDeployRoles, MANAGED_POLICY_MAX_CHARS, READ_ONLY_ACCESS, type GithubDeployRolesProps } from './github-deploy-roles.js';
import { StateBucket } from './state-bucket.js';
import { WorkloadBoundary } from './workload-boundary.js';

function synthRoles(props: Partial<Omit<GithubDeployRolesProps, 'stateBucket' | 'boundary'>> = {}): TerraformJson {
  return synthScope((scope) => {
    const stateBucket = new S3Bucket(scope, 'State', { bucket: 'state' });
    const boundary = new WorkloadBoundary(scope, 'WorkloadBoundary', { envName: 'prod', region: 'eu-west-1' }).policy;
    new GithubDeployRoles(scope, 'Github', { envName: 'prod', region: 'eu-west-1', repository: 'acme/docflow', domainName: 'docflow.acme-test.dev', stateBucket, boundary, ...props });
  });
}

const roleNamed = (json: TerraformJson, suffix: string) => findResource(json, 'aws_iam_role', ({ block }) => String(block['name']).endsWith(suffix));
const inlinePolicy = (json: TerraformJson, id: string) => rolePolicyStatements(json, id);
const ACCOUNT = '${data.aws_caller_identity.CallerIdentity.account_id}';

describe('GithubDeployRoles', () => {
  const json = synthRoles();
  const deployPolicies = resourcesOf(json, 'aws_iam_policy').filter(({ block }) => String(block['name']).startsWith('docflow-prod-github-deploy-'));
  const deployStatementsSynthesized = deployPolicies.flatMap(({ block }) => parsePolicy(block['policy']).Statement);

  it('THEN the OIDC provider trusts GitHub for STS', () => {
    expect(onlyResource(json, 'aws_iam_openid_connect_provider')).toMatchObject({
      url: 'https://token.actions.githubusercontent.com',
      client_id_list: ['sts.amazonaws.com'],
    });
  });

  it('THEN the deploy role trusts only workflow jobs of this repository in the GitHub environment of the same name, run from main', () => {
    const trust = parsePolicy(roleNamed(json, 'github-deploy').block['assume_role_policy']).Statement;
    expect(trust).toHaveLength(1);
    expect(at(trust, 0)['Action']).toBe('sts:AssumeRoleWithWebIdentity');
    expect(at(trust, 0)['Condition']).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': 'repo:acme/docflow:environment:prod',
        'token.actions.githubusercontent.com:ref': 'refs/heads/main',
      },
    });
  });

  it('THEN the plan role trusts pull requests of this repository and its main branch (the nightly drift run), nothing else', () => {
    const trust = at(parsePolicy(roleNamed(json, 'github-plan').block['assume_role_policy']).Statement, 0);
    expect(trust['Condition']).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': ['repo:acme/docflow:pull_request', 'repo:acme/docflow:ref:refs/heads/main'],
      },
    });
  });

  it('THEN neither role holds PowerUserAccess or AdministratorAccess: reads come from ReadOnlyAccess, writes from docflow\'s own policies', () => {
    const attachments = resourcesOf(json, 'aws_iam_role_policy_attachment').map(({ block }) => String(block['policy_arn']));
    expect(attachments.filter((arn) => arn.startsWith('arn:aws:iam::aws:policy/')).sort()).toEqual([READ_ONLY_ACCESS, READ_ONLY_ACCESS]);
    expect(attachments.some((arn) => /PowerUserAccess|AdministratorAccess/.test(arn))).toBe(false);
    expect(deployPolicies.length).toBeGreaterThan(0);
    for (const { block } of deployPolicies) expect(String(block['policy']).replace(/\s/g, '').length).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
  });

  it('THEN every write of the deploy role names docflow-prod resources, or the environment\'s tags, or an action AWS scopes to nothing', () => {
    for (const statement of deployStatementsSynthesized) {
      const resources: string[] = statement['Resource'];
      for (const resource of resources) {
        if (resource === '*') continue;
        expect(resource, statement['Sid']).toMatch(/docflow-prod|^arn:aws:(ec2|acm|backup|apigateway|application-autoscaling|servicediscovery|route53|wafv2):|:aws-service-role\/|:og:default:postgres-\*$|:secret:rds!db-\*$|:auto-backup:\*$/);
      }
      const tagged = JSON.stringify(statement['Condition'] ?? {});
      // EC2, ACM and AWS Backup plans name resources by generated ids: their writes go by the environment's tags
      if (statement['Action'].some((action: string) => /^(ec2|acm|backup):/.test(action)) && statement['Sid'] !== 'NatInstanceImages') {
        expect(tagged, statement['Sid']).toMatch(/"aws:(Resource|Request)Tag\/env":"prod"|ec2:CreateAction/);
      }
      if (resources.includes('*')) for (const action of statement['Action']) expect(isUnscopedAction(action), action).toBe(true);
    }
    expect(checkStack(json, ['DOCFLOW_IAM_WILDCARDS', 'CKV_AWS_355', 'CKV_AWS_63', 'CKV_AWS_62', 'CKV_AWS_274']).problems).toEqual([]);
  });

  it('THEN DNS changes are limited to the environment\'s domain and the names under it', () => {
    const dns = deployStatementsSynthesized.find((statement) => statement['Sid'] === 'DnsRecordsOfTheDomain');
    expect(dns?.['Condition']).toEqual({
      'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['docflow.acme-test.dev', '*.docflow.acme-test.dev'] },
    });
  });

  it('THEN the deploy role manages IAM roles only under /docflow/<env>/, only with the workload boundary attached, and may not loosen the boundary', () => {
    const policy = inlinePolicy(json, 'DeployIam');
    expect(policy[0]).toMatchObject({
      Action: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:PutRolePermissionsBoundary'],
      Resource: [`arn:aws:iam::${ACCOUNT}:role/docflow/prod/*`],
      Condition: { StringEquals: { 'iam:PermissionsBoundary': expect.stringContaining('aws_iam_policy.WorkloadBoundary_Policy') } },
    });
    expect(policy.find((statement) => statement['Sid'] === 'DenyBoundaryChanges')).toMatchObject({
      Effect: 'Deny',
      Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeleteRolePermissionsBoundary'],
    });
    expect(roleNamed(json, 'github-deploy').block['path']).toBe('/docflow-foundation/');
  });

  it('THEN the deploy role may not assume, tag a session of or set a source identity on a workload role, whatever that role\'s trust says', () => {
    const deny = inlinePolicy(json, 'DeployIam').find((statement) => statement['Sid'] === 'DenyAssumingWorkloadRoles');
    expect(deny).toEqual({
      Sid: 'DenyAssumingWorkloadRoles',
      Effect: 'Deny',
      Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
      Resource: [`arn:aws:iam::${ACCOUNT}:role/docflow/prod/*`],
    });
    // a trust policy naming the deploy role would grant the assumption on its own (same account): only this deny stops it
    const grantedByTrust = { Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: ['*'] };
    const workloadRole = `arn:aws:iam::${ACCOUNT}:role/docflow/prod/docflow-prod-api-task`;
    expect(allowsRequest([...inlinePolicy(json, 'DeployIam'), grantedByTrust], { action: 'sts:AssumeRole', resource: workloadRole })).toBe(false);
    expect(allowsRequest([grantedByTrust], { action: 'sts:AssumeRole', resource: workloadRole })).toBe(true);
  });

  it('THEN both roles deny the data reads ReadOnlyAccess would allow: stored objects, secret values, log events, queued messages, database logs', () => {
    const expected = [
      { Sid: 'DenyStoredObjects', Effect: 'Deny', Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectAttributes'], Resource: ['arn:aws:s3:::docflow-prod-documents-*/*', 'arn:aws:s3:::docflow-prod-dr-documents-*/*', 'arn:aws:s3:::docflow-prod-alb-logs-*/*', 'arn:aws:s3:::docflow-prod-audit-*/*'] },
      { Sid: 'DenySecretValues', Effect: 'Deny', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue'], Resource: ['*'] },
      {
        Sid: 'DenyLogEvents',
        Effect: 'Deny',
        Action: ['logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:StartQuery', 'logs:GetQueryResults', 'logs:StartLiveTail', 'logs:GetLogRecord', 'logs:Unmask'],
        Resource: ['*'],
      },
      { Sid: 'DenyQueuedMessages', Effect: 'Deny', Action: ['sqs:ReceiveMessage'], Resource: ['*'] },
      { Sid: 'DenyDatabaseLogFiles', Effect: 'Deny', Action: ['rds:DownloadDBLogFilePortion', 'rds:DownloadCompleteDBLogFile'], Resource: ['*'] },
    ];
    expect(inlinePolicy(json, 'PlanDataDenies')).toEqual(expected);
    expect(inlinePolicy(json, 'DeployDataDenies')).toEqual(expected);
  });

  it('THEN the plan role may read the state and take the lock, and write nothing else', () => {
    expect(inlinePolicy(json, 'PlanState')).toEqual([
      { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['${aws_s3_bucket.State.arn}'] },
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['${aws_s3_bucket.State.arn}/*'] },
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: ['${aws_s3_bucket.State.arn}/*.tflock'] },
    ]);
    const planRole = roleNamed(json, 'github-plan').name;
    const planAttachments = resourcesOf(json, 'aws_iam_role_policy_attachment').filter(({ block }) => String(block['role']).includes(planRole));
    expect(planAttachments.map(({ block }) => block['policy_arn'])).toEqual([READ_ONLY_ACCESS]);
  });

  it('GIVEN the environment\'s keys THEN the deploy role may use them for grants and data keys', () => {
    const withKeys = synthRoles({ keyArns: ['arn:aws:kms:eu-west-1:123456789012:key/data'] });
    expect(rolePolicyStatements(withKeys, 'DeployIam')).toContainEqual({
      Effect: 'Allow',
      Action: ['kms:DescribeKey', 'kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: ['arn:aws:kms:eu-west-1:123456789012:key/data'],
    });
  });

  it('GIVEN natMode instance THEN the deploy role may launch, tag, change and terminate the NAT instance; GIVEN gateways THEN no EC2 instance at all', () => {
    const actionsOf = (json: TerraformJson) =>
      resourcesOf(json, 'aws_iam_policy')
        .filter(({ block }) => String(block['name']).startsWith('docflow-prod-github-deploy-'))
        .flatMap(({ block }) => parsePolicy(block['policy']).Statement.flatMap((statement) => statement['Action'] as string[]));
    const withInstance = actionsOf(synthRoles({ profile: 'standard', natMode: 'instance' }));
    expect(withInstance).toEqual(expect.arrayContaining(['ec2:RunInstances', 'ec2:TerminateInstances', 'ec2:ModifyInstanceAttribute']));
    const withGateways = actionsOf(synthRoles({ profile: 'standard', natMode: 'gateway-per-az' }));
    expect(withGateways.filter((action) => /^ec2:.*Instances?$|^ec2:ModifyInstanceAttribute$/.test(action))).toEqual([]);
    expect(withGateways.filter((action) => action.startsWith('servicediscovery:') || action === 'route53:DeleteHostedZone')).toEqual([]);
  });

  it('GIVEN an existing OIDC provider THEN it is looked up, not created', () => {
    const existing = synthRoles({ existingOidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' });
    expect(resourcesOf(existing, 'aws_iam_openid_connect_provider')).toEqual([]);
    expect(existing.data?.['aws_iam_openid_connect_provider']).toBeDefined();
  });

  it('GIVEN a repository that is not owner/name THEN it refuses', () => {
    expect(() => synthRoles({ repository: 'docflow' })).toThrow('GithubDeployRoles: repository "docflow" must be "owner/name"');
  });
});

describe('EnvironmentKeys', () => {
  const json = synthScope((scope) => {
    new EnvironmentKeys(scope, 'Keys', { envName: 'prod', region: 'eu-west-1', trailName: 'docflow-prod-audit' });
  });
  const keys = resourcesOf(json, 'aws_kms_key').map(({ block }) => block);
  const policyOf = (description: string) => parsePolicy(at(keys.filter((key) => String(key['description']).includes(description)), 0)['policy']).Statement;

  it('THEN two keys rotate every year, wait 30 days before deletion and have aliases', () => {
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(key).toMatchObject({ enable_key_rotation: true, rotation_period_in_days: 365, deletion_window_in_days: 30 });
    expect(resourcesOf(json, 'aws_kms_alias').map(({ block }) => block['name']).sort()).toEqual(['alias/docflow-prod-data', 'alias/docflow-prod-logs']);
    expect(checkStack(json, ['CKV_AWS_7']).problems).toEqual([]);
  });

  it('THEN the data key lets IAM decide (the account root), so only roles that name it use it', () => {
    expect(policyOf('documents')).toEqual([{ Sid: 'AccountIamDecides', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }]);
  });

  it('THEN the logs key lets CloudWatch Logs (this account\'s log groups), CloudWatch alarms (this account) and this trail use it', () => {
    const statements = policyOf('log groups');
    expect(statements.map((statement) => statement['Sid'])).toEqual(['AccountIamDecides', 'CloudWatchLogsOfThisAccount', 'CloudWatchAlarmsPublish', 'CloudTrailWrites', 'CloudTrailDescribes']);
    expect(at(statements, 1)).toMatchObject({
      Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:*` } },
    });
    expect(at(statements, 3)).toMatchObject({
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: ['kms:GenerateDataKey'],
      Condition: {
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*` },
        StringEquals: { 'aws:SourceArn': `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/docflow-prod-audit` },
      },
    });
  });
});

describe('AuditTrail and ThreatDetection', () => {
  const json = synthScope((scope) => {
    new AuditTrail(scope, 'Audit', { envName: 'prod', region: 'eu-west-1', retentionDays: 365, kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/logs' });
    new ThreatDetection(scope, 'Threats');
  });
  const trail = onlyResource(json, 'aws_cloudtrail');

  it('THEN the trail covers every region and the global services, validates its log files and is encrypted with the key', () => {
    expect(trail).toMatchObject({
      name: 'docflow-prod-audit',
      is_multi_region_trail: true,
      include_global_service_events: true,
      enable_log_file_validation: true,
      kms_key_id: 'arn:aws:kms:eu-west-1:123456789012:key/logs',
      s3_key_prefix: 'cloudtrail',
    });
    expect(trail['depends_on']).toEqual([expect.stringContaining('aws_s3_bucket_policy.Audit_Bucket_Policy')]);
  });

  it('THEN only this trail may write to its bucket, with the owner\'s full control, and the files expire', () => {
    const policy = parsePolicy(onlyResource(json, 'aws_s3_bucket_policy')['policy']).Statement;
    const source = `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/docflow-prod-audit`;
    expect(policy.slice(1)).toEqual([
      { Sid: 'CloudTrailAclCheck', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: expect.stringContaining('aws_s3_bucket.Audit_Bucket'), Condition: { StringEquals: { 'aws:SourceArn': source } } },
      {
        Sid: 'CloudTrailWrite',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: expect.stringMatching(new RegExp(`/cloudtrail/AWSLogs/\\$\\{data\\.aws_caller_identity\\.CallerIdentity\\.account_id\\}/\\*$`)),
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': source } },
      },
    ]);
    expect(onlyResource(json, 'aws_s3_bucket_lifecycle_configuration')['rule']).toContainEqual(expect.objectContaining({ expiration: [{ days: 365 }] }));
    expect(onlyResource(json, 'aws_s3_bucket')).toMatchObject({ bucket_prefix: 'docflow-prod-audit-', lifecycle: { prevent_destroy: true } });
    expect(checkStack(json, ['DOCFLOW_CLOUDTRAIL']).problems).toEqual([]);
  });

  it('THEN GuardDuty runs with S3 data events and RDS login events', () => {
    expect(onlyResource(json, 'aws_guardduty_detector')).toMatchObject({ enable: true, finding_publishing_frequency: 'FIFTEEN_MINUTES' });
    expect(resourcesOf(json, 'aws_guardduty_detector_feature').map(({ block }) => [block['name'], block['status']]).sort()).toEqual([
      ['RDS_LOGIN_EVENTS', 'ENABLED'],
      ['S3_DATA_EVENTS', 'ENABLED'],
    ]);
  });
});

describe('WorkloadBoundary', () => {
  const boundaryOf = (keyArns?: readonly string[]) => {
    const json = synthScope((scope) => {
      new WorkloadBoundary(scope, 'WorkloadBoundary', { envName: 'prod', region: 'eu-west-1', ...(keyArns ? { keyArns } : {}) });
    });
    return { json, statements: parsePolicy(onlyResource(json, 'aws_iam_policy')['policy']).Statement };
  };

  it('GIVEN the environment\'s data key THEN the boundary grants exactly the workload actions, none a wildcard, and names a resource of the environment for each but the registry login', () => {
    const { json, statements } = boundaryOf(['arn:aws:kms:eu-west-1:123456789012:key/data']);
    expect(onlyResource(json, 'aws_iam_policy')['name']).toBe('docflow-prod-workload-boundary');
    expect([...new Set(statements.flatMap((statement) => statement['Action']))].sort()).toEqual([...WORKLOAD_BOUNDARY_ACTIONS].sort());
    for (const statement of statements) {
      const resources: string[] = statement['Resource'];
      if (statement['Sid'] === 'RegistryLogin') expect(resources).toEqual(['*']);
      else for (const resource of resources) expect(resource, statement['Sid']).toMatch(/docflow-prod|docflow\/prod\/|:secret:rds!db-\*$|:key\/data$/);
    }
    expect(checkStack(json, ['DOCFLOW_IAM_WILDCARDS']).problems).toEqual([]);
  });

  it('GIVEN no customer-managed keys THEN the boundary grants no KMS action at all', () => {
    const { statements } = boundaryOf();
    expect(statements.flatMap((statement) => statement['Action']).filter((action: string) => action.startsWith('kms:'))).toEqual([]);
  });
});

describe('StateBucket', () => {
  it('THEN the bucket is named after the environment and account, secure, versioned and protected from destroy', () => {
    const json = synthScope((scope) => {
      new StateBucket(scope, 'State', { envName: 'prod' });
    });
    expect(onlyResource(json, 'aws_s3_bucket')).toMatchObject({
      bucket: 'docflow-prod-tfstate-${data.aws_caller_identity.CallerIdentity.account_id}',
      lifecycle: { prevent_destroy: true },
    });
    expect(onlyResource(json, 'aws_s3_bucket_versioning')['versioning_configuration']).toEqual({ status: 'Enabled' });
    expect(onlyResource(json, 'aws_s3_bucket_public_access_block')['block_public_policy']).toBe(true);
  });
});
