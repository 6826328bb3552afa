import { describe, expect, it } from 'vitest';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import { WORKLOAD_BOUNDARY_ACTIONS } from '../core/iam.js';
import { checkStack } from '@docflow/guardrails';
import { at, findResource, onlyResource, parsePolicy, resourcesOf, rolePolicyStatements, synthScope, type TerraformJson } from '../testing/index.js';
import { GithubDeployRoles, type GithubDeployRolesProps } from './github-deploy-roles.js';
import { StateBucket } from './state-bucket.js';
import { WorkloadBoundary } from './workload-boundary.js';

function synthRoles(props: Partial<Omit<GithubDeployRolesProps, 'stateBucket' | 'boundary'>> = {}): TerraformJson {
  return synthScope((scope) => {
    const stateBucket = new S3Bucket(scope, 'State', { bucket: 'state' });
    const boundary = new WorkloadBoundary(scope, 'WorkloadBoundary', { envName: 'prod' }).policy;
    new GithubDeployRoles(scope, 'Github', { envName: 'prod', repository: 'acme/docflow', stateBucket, boundary, ...props });
  });
}

const roleNamed = (json: TerraformJson, suffix: string) => findResource(json, 'aws_iam_role', ({ block }) => String(block['name']).endsWith(suffix));

describe('GithubDeployRoles', () => {
  const json = synthRoles();

  it('THEN the OIDC provider trusts GitHub for STS', () => {
    expect(onlyResource(json, 'aws_iam_openid_connect_provider')).toMatchObject({
      url: 'https://token.actions.githubusercontent.com',
      client_id_list: ['sts.amazonaws.com'],
    });
  });

  it('THEN the deploy role trusts only workflow jobs of this repository in the GitHub environment of the same name', () => {
    const trust = at(parsePolicy(roleNamed(json, 'github-deploy').block['assume_role_policy']).Statement, 0);
    expect(trust['Action']).toBe('sts:AssumeRoleWithWebIdentity');
    expect(trust['Condition']).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': 'repo:acme/docflow:environment:prod',
      },
    });
  });

  it('THEN the deploy role manages IAM roles only under /docflow/<env>/ and only with the workload boundary attached', () => {
    const policy = rolePolicyStatements(json, 'DeployIam');
    expect(policy[0]).toMatchObject({
      Action: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:PutRolePermissionsBoundary'],
      Resource: ['arn:aws:iam::${data.aws_caller_identity.CallerIdentity.account_id}:role/docflow/prod/*'],
      Condition: { StringEquals: { 'iam:PermissionsBoundary': expect.stringContaining('aws_iam_policy.WorkloadBoundary_Policy') } },
    });
    expect(policy.flatMap((statement) => statement['Resource'])).not.toContain('*');
    const attachments = resourcesOf(json, 'aws_iam_role_policy_attachment').map(({ block }) => block['policy_arn']);
    expect(attachments.sort()).toEqual(['arn:aws:iam::aws:policy/PowerUserAccess', 'arn:aws:iam::aws:policy/ReadOnlyAccess']);
    expect(roleNamed(json, 'github-deploy').block['path']).toBe('/docflow-foundation/');
  });

  it('THEN no policy of the roles grants a wildcard action', () => {
    expect(checkStack(json, ['DOCFLOW_IAM_WILDCARDS']).problems).toEqual([]);
  });

  it('THEN the plan role trusts pull requests and the main branch (nightly drift), reads everything, and may take the state lock', () => {
    const trust = at(parsePolicy(roleNamed(json, 'github-plan').block['assume_role_policy']).Statement, 0);
    expect(trust['Condition']['StringEquals']['token.actions.githubusercontent.com:sub']).toEqual(['repo:acme/docflow:pull_request', 'repo:acme/docflow:ref:refs/heads/main']);
    const state = rolePolicyStatements(json, 'PlanState');
    expect(state[2]).toEqual({ Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: ['${aws_s3_bucket.State.arn}/*.tflock'] });
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

describe('WorkloadBoundary', () => {
  it('THEN the boundary lists exactly the workload actions, none a wildcard', () => {
    const json = synthScope((scope) => {
      new WorkloadBoundary(scope, 'WorkloadBoundary', { envName: 'prod' });
    });
    const boundary = onlyResource(json, 'aws_iam_policy');
    expect(boundary['name']).toBe('docflow-prod-workload-boundary');
    expect(at(parsePolicy(boundary['policy']).Statement, 0)['Action']).toEqual(WORKLOAD_BOUNDARY_ACTIONS);
    expect(checkStack(json, ['DOCFLOW_IAM_WILDCARDS']).problems).toEqual([]);
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
