import { describe, expect, it } from 'vitest';
import { onlyResource, resourcesOf, synthScope } from '@docflow/infra/testing';
import { DEPLOY_CUSTOM_PERMISSIONS, DEPLOY_ROLES, GithubFederation, PLAN_ROLES } from './github-federation.js';
import { workloadServiceAccount } from './service-account.js';

const props = {
  projectId: 'acme-docflow-prod',
  poolId: 'docflow-prod-github',
  repository: 'acme/docflow',
  githubEnvironment: 'prod',
  deployServiceAccountId: 'docflow-prod-deploy',
  deployCustomRoleId: 'docflowProdDeploy',
  planServiceAccountId: 'docflow-prod-plan',
};

describe('GithubFederation', () => {
  const json = synthScope((scope) => {
    const federation = new GithubFederation(scope, 'Github', props);
    federation.letDeployActAs('Export', workloadServiceAccount(scope, 'ExportAccount', { accountId: 'docflow-prod-export', displayName: 'e', description: 'e' }));
  });
  const provider = onlyResource(json, 'google_iam_workload_identity_pool_provider');

  it('GIVEN a repository THEN an OIDC provider for GitHub whose condition admits that repository only, reading a mapped attribute', () => {
    expect(provider['oidc']).toEqual({ issuer_uri: 'https://token.actions.githubusercontent.com' });
    expect(provider['attribute_condition']).toBe('attribute.repository == "acme/docflow"');
    expect(provider['attribute_mapping']).toMatchObject({ 'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository' });
    expect(onlyResource(json, 'google_iam_workload_identity_pool')['workload_identity_pool_id']).toBe('docflow-prod-github');
  });

  it('GIVEN the repository id as well THEN the condition pins the id too (a re-created repository of that name has another)', () => {
    const pinned = onlyResource(synthScope((scope) => new GithubFederation(scope, 'Github', { ...props, repositoryId: '123456789' })), 'google_iam_workload_identity_pool_provider');
    expect(pinned['attribute_condition']).toBe('attribute.repository == "acme/docflow" && attribute.repository_id == "123456789"');
    expect(pinned['attribute_mapping']).toMatchObject({ 'attribute.repository_id': 'assertion.repository_id' });
    expect(() => synthScope((scope) => new GithubFederation(scope, 'G', { ...props, repositoryId: 'acme' }))).toThrow('repositoryId "acme" must be GitHub\'s numeric repository id');
  });

  it('THEN the deploy account may be impersonated from jobs of the GitHub environment only, the plan account from pull requests and main', () => {
    const bindings = resourcesOf(json, 'google_service_account_iam_member')
      .filter(({ block }) => block['role'] === 'roles/iam.workloadIdentityUser')
      .map(({ name, block }) => [name.split('_')[1], block['role'], String(block['member']).replace(/\$\{[^}]+\}/, '<pool>')])
      .sort((a, b) => String(a[2]).localeCompare(String(b[2])));
    expect(bindings).toEqual([
      ['DeployFederated', 'roles/iam.workloadIdentityUser', 'principal://iam.googleapis.com/<pool>/subject/repo:acme/docflow:environment:prod'],
      ['PlanFederated', 'roles/iam.workloadIdentityUser', 'principal://iam.googleapis.com/<pool>/subject/repo:acme/docflow:pull_request'],
      ['PlanFederated2', 'roles/iam.workloadIdentityUser', 'principal://iam.googleapis.com/<pool>/subject/repo:acme/docflow:ref:refs/heads/main'],
    ]);
  });

  it('THEN each account gets its predefined roles in the project (the deploy account also its custom role, below), and no basic role', () => {
    const roles = (kind: string) => resourcesOf(json, 'google_project_iam_member').filter(({ name }) => name.includes(`_${kind}`)).map(({ block }) => block['role']);
    expect(roles('Deploy').filter((role) => String(role).startsWith('roles/'))).toEqual([...DEPLOY_ROLES]);
    expect(roles('Plan')).toEqual([...PLAN_ROLES]);
    expect(resourcesOf(json, 'google_project_iam_member').map(({ block }) => block['role'])).not.toEqual(expect.arrayContaining(['roles/owner']));
    expect([...DEPLOY_ROLES, ...PLAN_ROLES].filter((role) => ['roles/owner', 'roles/editor', 'roles/viewer'].includes(role))).toEqual([]);
  });

  it('THEN the deploy account holds neither storage.admin, secretmanager.admin, nor any service account role on the project', () => {
    const deploy = resourcesOf(json, 'google_project_iam_member').filter(({ name }) => name.includes('_Deploy')).map(({ block }) => String(block['role']));
    expect(deploy).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^roles\/(storage\.admin|secretmanager\.admin|iam\.serviceAccountUser|iam\.serviceAccountAdmin|iam\.serviceAccountTokenCreator)$/)]),
    );
    expect(deploy.filter((role) => !role.startsWith('roles/'))).toEqual([`\${${resourcesOf(json, 'google_project_iam_custom_role').map(({ name }) => `google_project_iam_custom_role.${name}`)[0]}.name}`]);
  });

  it('THEN its custom role creates, changes and grants on buckets and secrets, and cannot delete a bucket, touch an object or read a secret value', () => {
    const role = onlyResource(json, 'google_project_iam_custom_role');
    expect(role).toMatchObject({ project: 'acme-docflow-prod', role_id: 'docflowProdDeploy', permissions: [...DEPLOY_CUSTOM_PERMISSIONS] });
    const permissions = role['permissions'] as string[];
    expect(permissions).toEqual(expect.arrayContaining(['storage.buckets.create', 'storage.buckets.update', 'storage.buckets.setIamPolicy', 'secretmanager.secrets.create', 'secretmanager.secrets.setIamPolicy']));
    expect(permissions.filter((permission) => /^storage\.objects\.|^storage\.buckets\.delete$|^secretmanager\.versions\./.test(permission))).toEqual([]);
  });

  it('THEN it may act only as the service accounts it is told to (iam.serviceAccountUser on each, never on the project)', () => {
    const actAs = resourcesOf(json, 'google_service_account_iam_member').filter(({ block }) => block['role'] === 'roles/iam.serviceAccountUser');
    expect(actAs.map(({ block }) => [block['service_account_id'], String(block['member'])])).toEqual([
      [expect.stringMatching(/^\$\{google_service_account\.ExportAccount[^.]*\.name\}$/), expect.stringMatching(/^serviceAccount:\$\{google_service_account\.Github_DeployServiceAccount[^.]*\.email\}$/)],
    ]);
  });

  it('refuses a repository that is not owner/name and a pool id GCP refuses', () => {
    expect(() => synthScope((scope) => new GithubFederation(scope, 'G', { ...props, repository: 'docflow' }))).toThrow('GithubFederation: repository "docflow" must be "owner/name"');
    expect(() => synthScope((scope) => new GithubFederation(scope, 'G', { ...props, poolId: 'gcp-pool' }))).toThrow('poolId "gcp-pool" must be 4-32 of a-z, 0-9 and hyphens, not starting with "gcp-"');
    expect(() => synthScope((scope) => new GithubFederation(scope, 'G', { ...props, deployCustomRoleId: 'docflow-prod-deploy' }))).toThrow('deployCustomRoleId "docflow-prod-deploy" must be 3-64 of letters, digits, "_" and "."');
  });
});
