import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEPLOY_GRANTS, ENVIRONMENTS } from '@docflow/infra';
import { at, findResource, parsePolicy, synthApp, testApp, type TerraformJson } from '@docflow/infra/testing';
import { DEPLOY_ROLE_BY_RESOURCE_TYPE, DEPLOY_ROLES } from '@docflow/infra-gcp';
import { defineDocflow } from './app.js';
import { readSettings } from './settings.js';

/**
 * The GitHub roles against what they serve: the deploy role's grants cover every resource type the
 * workload stacks create (so a new type fails here, not at apply), the stacks never make Terraform
 * read a secret value or a stored object (the roles' denies would break plan and deploy), and the
 * workflows assume the roles the way their trust expects.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const app = testApp();
defineDocflow(app, readSettings(ENVIRONMENTS, { DOCFLOW_GITHUB_REPOSITORY: 'acme/docflow' }));
const stacks = synthApp(app);
// the AWS stacks the AWS deploy role deploys; the GCP stacks have their own deploy service account (below)
const workloadStacks = Object.entries(stacks).filter(([id]) => !id.endsWith('-foundation') && !id.includes('-gcp-'));

interface Job {
  readonly environment?: string | { readonly name: string };
  readonly steps?: readonly { readonly uses?: string; readonly with?: Record<string, unknown> }[];
}
const workflows = readdirSync(join(root, '.github', 'workflows'))
  .filter((file) => file.endsWith('.yml'))
  .map((file) => ({ file, workflow: parse(readFileSync(join(root, '.github', 'workflows', file), 'utf8')) as { on: Record<string, unknown>; jobs: Record<string, Job> } }));
const assumes = (job: Job, secret: RegExp) => (job.steps ?? []).some((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@') && secret.test(String(step.with?.['role-to-assume'])));

describe('the deploy role against the stacks it deploys', () => {
  it('covers every resource type of every workload stack of every environment with a grant', () => {
    const covered = new Set(DEPLOY_GRANTS.flatMap((grant) => grant.resourceTypes));
    // IAM roles and policies under /docflow/<env>/ have their own statements (github-deploy-roles.ts)
    const ownStatements = new Set(['aws_iam_role', 'aws_iam_role_policy']);
    const types = new Set(workloadStacks.flatMap(([, json]) => Object.keys(json.resource ?? {})));
    expect([...types].filter((type) => !covered.has(type) && !ownStatements.has(type)).sort()).toEqual([]);
  });

  it('GIVEN the GCP stacks THEN the GCP deploy service account has a role for every resource type they create (the foundation aside)', () => {
    const gcpStacks = Object.entries(stacks).filter(([id]) => id.includes('-gcp-') && !id.endsWith('-gcp-foundation'));
    const types = new Set(gcpStacks.flatMap(([, json]) => Object.keys(json.resource ?? {})));
    expect([...types].filter((type) => DEPLOY_ROLE_BY_RESOURCE_TYPE[type] === undefined).sort()).toEqual([]);
    for (const env of ENVIRONMENTS) {
      const granted = Object.values(stacks[`${env.name}-gcp-foundation`]?.resource?.['google_project_iam_member'] ?? {})
        .filter((grant) => String(grant['member']).includes('DeployServiceAccount'))
        .map((grant) => grant['role']);
      expect(granted.sort(), env.name).toEqual([...DEPLOY_ROLES].sort());
    }
  });

  it('reads nothing the roles are denied: no secret versions, no secret or object data sources', () => {
    const readers = Object.entries(stacks).flatMap(([id, json]: [string, TerraformJson]) => [
      ...Object.keys(json.resource ?? {}).filter((type) => type === 'aws_secretsmanager_secret_version').map((type) => `${id} ${type}`),
      ...Object.keys(json.data ?? {}).filter((type) => /secretsmanager_secret_version|s3_object|cloudwatch_log_events/.test(type)).map((type) => `${id} data.${type}`),
    ]);
    expect(readers).toEqual([]);
  });

  it('trusts each environment\'s GitHub environment in its own account, and every foundation passes the CI role rule', () => {
    for (const env of ENVIRONMENTS) {
      const foundation = stacks[`${env.name}-foundation`] ?? {};
      const deploy = findResource(foundation, 'aws_iam_role', ({ block }) => String(block['name']).endsWith('github-deploy')).block;
      expect(at(parsePolicy(deploy['assume_role_policy']).Statement, 0)['Condition']['StringEquals']['token.actions.githubusercontent.com:sub']).toBe(`repo:acme/docflow:environment:${env.name}`);
    }
  });
});

describe('the workflows against the roles\' trust', () => {
  it('never run on pull_request_target (it would hand a fork\'s code the base repository\'s OIDC token)', () => {
    expect(workflows.filter(({ workflow }) => Object.keys(workflow.on ?? {}).includes('pull_request_target')).map(({ file }) => file)).toEqual([]);
  });

  it('assume a deploy role only in a job of the GitHub environment of the same name, from main or by hand', () => {
    const deployJobs = workflows.flatMap(({ file, workflow }) =>
      Object.entries(workflow.jobs).filter(([, job]) => assumes(job, /AWS_DEPLOY_ROLE_ARN_/)).map(([name, job]) => ({ file, name, job, on: workflow.on })),
    );
    expect(deployJobs.length).toBeGreaterThan(0);
    for (const { file, name, job, on } of deployJobs) {
      const environment = typeof job.environment === 'string' ? job.environment : job.environment?.name;
      const secret = String(job.steps?.find((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'))?.with?.['role-to-assume']);
      expect(secret, `${file} ${name}`).toBe(`\${{ secrets.AWS_DEPLOY_ROLE_ARN_${String(environment).toUpperCase()} }}`);
      expect(Object.keys(on).sort(), `${file} ${name}`).toEqual(['push', 'workflow_dispatch']);
      expect(on['push'], `${file} ${name}`).toEqual({ branches: ['main'] });
    }
  });

  it('assume a plan role only from jobs without an environment (the role trusts pull requests and main, not environments)', () => {
    const planJobs = workflows.flatMap(({ file, workflow }) => Object.entries(workflow.jobs).filter(([, job]) => assumes(job, /AWS_PLAN_ROLE_ARN_/)).map(([name, job]) => ({ file, name, job })));
    expect(planJobs.length).toBeGreaterThan(0);
    for (const { file, name, job } of planJobs) expect(job.environment, `${file} ${name}`).toBeUndefined();
  });
});
