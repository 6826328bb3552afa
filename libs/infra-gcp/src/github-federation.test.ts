import { describe, expect, it } from 'vitest';
import { onlyResource, resourcesOf, synthScope } from '@docflow/infra/testing';
import { DEPLOY_ROLES, GithubFederation, PLAN_ROLES } from './github-federation.js';

const props = { projectId: 'acme-docflow-prod', poolId: 'docflow-prod-github', repository: 'acme/docflow', githubEnvironment: 'prod', deployServiceAccountId: 'docflow-prod-deploy', planServiceAccountId: 'docflow-prod-plan' };

describe('GithubFederation', () => {
  const json = synthScope((scope) => new GithubFederation(scope, 'Github', props));
  const provider = onlyResource(json, 'google_iam_workload_identity_pool_provider');

  it('GIVEN a repository THEN an OIDC provider for GitHub whose condition admits that repository only, reading a mapped attribute', () => {
    expect(provider['oidc']).toEqual({ issuer_uri: 'https://token.actions.githubusercontent.com' });
    expect(provider['attribute_condition']).toBe('attribute.repository == "acme/docflow"');
    expect(provider['attribute_mapping']).toMatchObject({ 'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository' });
    expect(onlyResource(json, 'google_iam_workload_identity_pool')['workload_identity_pool_id']).toBe('docflow-prod-github');
  });

  it('THEN the deploy account may be impersonated from jobs of the GitHub environment only, the plan account from pull requests and main', () => {
    const bindings = resourcesOf(json, 'google_service_account_iam_member')
      .map(({ name, block }) => [name.split('_')[1], block['role'], String(block['member']).replace(/\$\{[^}]+\}/, '<pool>')])
      .sort((a, b) => String(a[2]).localeCompare(String(b[2])));
    expect(bindings).toEqual([
      ['DeployFederated', 'roles/iam.workloadIdentityUser', 'principal://iam.googleapis.com/<pool>/subject/repo:acme/docflow:environment:prod'],
      ['PlanFederated', 'roles/iam.workloadIdentityUser', 'principal://iam.googleapis.com/<pool>/subject/repo:acme/docflow:pull_request'],
      ['PlanFederated2', 'roles/iam.workloadIdentityUser', 'principal://iam.googleapis.com/<pool>/subject/repo:acme/docflow:ref:refs/heads/main'],
    ]);
  });

  it('THEN each account gets its predefined roles in the project, and no basic role', () => {
    const roles = (kind: string) => resourcesOf(json, 'google_project_iam_member').filter(({ name }) => name.includes(`_${kind}`)).map(({ block }) => block['role']);
    expect(roles('Deploy')).toEqual([...DEPLOY_ROLES]);
    expect(roles('Plan')).toEqual([...PLAN_ROLES]);
    expect(resourcesOf(json, 'google_project_iam_member').map(({ block }) => block['role'])).not.toEqual(expect.arrayContaining(['roles/owner']));
    expect([...DEPLOY_ROLES, ...PLAN_ROLES].filter((role) => ['roles/owner', 'roles/editor', 'roles/viewer'].includes(role))).toEqual([]);
  });

  it('refuses a repository that is not owner/name and a pool id GCP refuses', () => {
    expect(() => synthScope((scope) => new GithubFederation(scope, 'G', { ...props, repository: 'docflow' }))).toThrow('GithubFederation: repository "docflow" must be "owner/name"');
    expect(() => synthScope((scope) => new GithubFederation(scope, 'G', { ...props, poolId: 'gcp-pool' }))).toThrow('poolId "gcp-pool" must be 4-32 of a-z, 0-9 and hyphens, not starting with "gcp-"');
  });
});
