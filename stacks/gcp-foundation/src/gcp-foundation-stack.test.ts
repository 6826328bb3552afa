import { describe, expect, it } from 'vitest';
import { environment, onlyResource, resourcesOf, synthApp, testApp } from '@docflow/infra/testing';
import { GcpFoundationStack } from './gcp-foundation-stack.js';

const synthFor = (name: 'dev' | 'prod', props: { githubRepository?: string; stateBackend?: { bucket: string } } = {}) => {
  const app = testApp();
  const stack = new GcpFoundationStack(app, { env: environment(name), ...props });
  return { stack, json: synthApp(app)[`${name}-gcp-foundation`] ?? {} };
};

describe('GcpFoundationStack', () => {
  it('GIVEN no repository THEN only the APIs, with the google provider of the environment labelling everything, and local state', () => {
    const { json } = synthFor('dev');
    expect(json.provider?.['google']).toEqual([
      { project: environment('dev').gcp?.projectId, region: 'europe-west1', default_labels: { project: 'docflow', env: 'dev', stack: 'gcp-foundation', profile: 'lean' } },
    ]);
    expect(json.provider?.['aws']).toBeUndefined();
    expect(resourcesOf(json, 'google_project_service').map(({ block }) => [block['service'], block['disable_on_destroy']])).toEqual(
      expect.arrayContaining([['run.googleapis.com', false], ['iamcredentials.googleapis.com', false], ['sts.googleapis.com', false]]),
    );
    expect(resourcesOf(json, 'google_iam_workload_identity_pool')).toEqual([]);
    // the workloads' own accounts: here, so that CI's deploy account never creates service accounts
    expect(resourcesOf(json, 'google_service_account').map(({ block }) => block['account_id']).sort()).toEqual(['docflow-dev-export', 'docflow-dev-scheduler']);
    expect(json.terraform?.backend).toEqual({ local: { path: '../../../terraform.dev-gcp-foundation.tfstate' } });
  });

  it('GIVEN a repository THEN the federation, its service accounts, a versioned state bucket that cannot be destroyed, and the outputs CI needs', () => {
    const { json } = synthFor('prod', { githubRepository: 'acme/docflow', stateBackend: { bucket: 'docflow-prod-tfstate-acme' } });
    expect(onlyResource(json, 'google_iam_workload_identity_pool_provider')['attribute_condition']).toBe('attribute.repository == "acme/docflow"');
    const state = onlyResource(json, 'google_storage_bucket');
    expect(state).toMatchObject({ versioning: { enabled: true }, public_access_prevention: 'enforced', uniform_bucket_level_access: true, lifecycle: { prevent_destroy: true } });
    expect(state['retention_policy']).toBeUndefined();
    // plan takes the state lock, deploy writes the state: objectUser on this bucket, no storage role on the project
    const stateUsers = resourcesOf(json, 'google_storage_bucket_iam_member').map(({ block }) => [block['role'], String(block['member']).replace(/\$\{google_service_account\.GithubFederation_(\w+)ServiceAccount_[^}]+\}/, '$1')]);
    expect(stateUsers.sort()).toEqual([
      ['roles/storage.objectUser', 'serviceAccount:Deploy'],
      ['roles/storage.objectUser', 'serviceAccount:Plan'],
    ]);
    // the deploy account acts as the job's and the schedule's accounts, and as no other
    const actAs = resourcesOf(json, 'google_service_account_iam_member').filter(({ block }) => block['role'] === 'roles/iam.serviceAccountUser');
    expect(actAs.map(({ block }) => String(block['service_account_id']).replace(/^\$\{google_service_account\.(\w+?)ServiceAccount[^}]*\}$/, '$1')).sort()).toEqual(['Export', 'Scheduler']);
    expect(actAs.every(({ block }) => /^serviceAccount:\$\{google_service_account\.GithubFederation_DeployServiceAccount/.test(String(block['member'])))).toBe(true);
    expect(onlyResource(json, 'google_project_iam_custom_role')['role_id']).toBe('docflowProdDeploy');
    expect(Object.keys(json.output ?? {}).sort()).toEqual(['deploy_service_account', 'plan_service_account', 'state_bucket', 'workload_identity_provider']);
    expect(json.terraform?.backend).toEqual({ gcs: { bucket: 'docflow-prod-tfstate-acme', prefix: 'docflow/prod-gcp-foundation' } });
    // the federation waits for the IAM APIs it needs
    expect(onlyResource(json, 'google_iam_workload_identity_pool')['depends_on']).toHaveLength(resourcesOf(json, 'google_project_service').length);
  });

  it('GIVEN the repository id THEN the provider pins it, and without it synth warns', () => {
    const app = testApp();
    const stack = new GcpFoundationStack(app, { env: environment('prod'), githubRepository: 'acme/docflow', githubRepositoryId: '123456789' });
    expect(onlyResource(synthApp(app)['prod-gcp-foundation'] ?? {}, 'google_iam_workload_identity_pool_provider')['attribute_condition']).toBe(
      'attribute.repository == "acme/docflow" && attribute.repository_id == "123456789"',
    );
    const warnings = (s: GcpFoundationStack) => s.node.metadata.filter((entry) => entry.type === '@cdktf/warn').map((entry) => String(entry.data));
    expect(warnings(stack).filter((warning) => warning.includes('DOCFLOW_GITHUB_REPOSITORY_ID'))).toEqual([]);
    expect(warnings(synthFor('prod', { githubRepository: 'acme/docflow' }).stack)).toContainEqual(expect.stringMatching(/^DOCFLOW_GITHUB_REPOSITORY_ID is not set: the federation admits any repository named acme\/docflow/));
  });

  it('GIVEN the shipped placeholder project THEN synth warns, naming the setting', () => {
    const { stack } = synthFor('dev');
    const warnings = stack.node.metadata.filter((entry) => entry.type === '@cdktf/warn').map((entry) => String(entry.data));
    expect(warnings).toEqual([expect.stringMatching(/^gcp\.projectId "docflow-dev-example" is a placeholder/)]);
  });
});
