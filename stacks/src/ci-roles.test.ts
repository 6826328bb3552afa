import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEPLOY_GRANTS, ENVIRONMENTS } from '@docflow/infra';
import { allowsRequest, at, findResource, parsePolicy, resourcesOf, synthApp, testApp, type TerraformJson } from '@docflow/infra/testing';
import { DEPLOY_CUSTOM_PERMISSIONS, DEPLOY_ROLE_BY_RESOURCE_TYPE, DEPLOY_ROLES } from '@docflow/infra-gcp';
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
  it('covers every resource type of every workload stack of each environment with a grant that environment\'s deploy role holds', () => {
    // IAM roles and policies under /docflow/<env>/ have their own statements (github-deploy-roles.ts)
    const ownStatements = new Set(['aws_iam_role', 'aws_iam_role_policy']);
    for (const env of ENVIRONMENTS) {
      const held = new Set(deployRoleStatements(env.name).map((statement) => statement['Sid']));
      const covered = new Set(DEPLOY_GRANTS.filter((grant) => held.has(grant.sid)).flatMap((grant) => grant.resourceTypes));
      const types = new Set(workloadStacks.filter(([id]) => id.startsWith(`${env.name}-`)).flatMap(([, json]) => Object.keys(json.resource ?? {})));
      expect([...types].filter((type) => !covered.has(type) && !ownStatements.has(type)).sort(), env.name).toEqual([]);
    }
  });

  it('GIVEN the GCP stacks THEN the GCP deploy service account has a role for every resource type they create (the foundation aside)', () => {
    const gcpStacks = Object.entries(stacks).filter(([id]) => id.includes('-gcp-') && !id.endsWith('-gcp-foundation'));
    const types = new Set(gcpStacks.flatMap(([, json]) => Object.keys(json.resource ?? {})));
    expect([...types].filter((type) => DEPLOY_ROLE_BY_RESOURCE_TYPE[type] === undefined).sort()).toEqual([]);
    for (const env of ENVIRONMENTS) {
      const foundation = stacks[`${env.name}-gcp-foundation`]?.resource ?? {};
      const granted = Object.values(foundation['google_project_iam_member'] ?? {})
        .filter((grant) => String(grant['member']).includes('DeployServiceAccount'))
        .map((grant) => String(grant['role']));
      // the predefined roles, and the custom role (buckets and secrets without deletes, objects or secret values)
      expect(granted.filter((role) => role.startsWith('roles/')).sort(), env.name).toEqual([...DEPLOY_ROLES].sort());
      expect(granted.filter((role) => !role.startsWith('roles/')), env.name).toEqual([expect.stringMatching(/^\$\{google_project_iam_custom_role\.[^.]+\.name\}$/)]);
      expect(Object.values(foundation['google_project_iam_custom_role'] ?? {}).map((role) => role['permissions']), env.name).toEqual([[...DEPLOY_CUSTOM_PERMISSIONS]]);
    }
  });

  it('GIVEN the GCP stacks THEN CI creates no service account and may act only as the job\'s and the schedule\'s (no project-wide iam.serviceAccountUser)', () => {
    const gcpStacks = Object.entries(stacks).filter(([id]) => id.includes('-gcp-') && !id.endsWith('-gcp-foundation'));
    expect(gcpStacks.flatMap(([id, json]) => Object.keys(json.resource?.['google_service_account'] ?? {}).map((name) => `${id} ${name}`))).toEqual([]);
    for (const env of ENVIRONMENTS) {
      const foundation = stacks[`${env.name}-gcp-foundation`]?.resource ?? {};
      expect(DEPLOY_ROLES.filter((role) => role.startsWith('roles/iam.')), env.name).toEqual([]);
      const actAs = Object.values(foundation['google_service_account_iam_member'] ?? {}).filter((grant) => grant['role'] === 'roles/iam.serviceAccountUser');
      const accountIds = actAs.map((grant) => {
        const name = /^\$\{google_service_account\.([^.]+)\.name\}$/.exec(String(grant['service_account_id']))?.[1] ?? '';
        return foundation['google_service_account']?.[name]?.['account_id'];
      });
      expect(accountIds.sort(), env.name).toEqual([`docflow-${env.name}-export`, `docflow-${env.name}-scheduler`]);
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
      const trusted = at(parsePolicy(deploy['assume_role_policy']).Statement, 0)['Condition']['StringEquals'];
      expect(trusted['token.actions.githubusercontent.com:sub']).toBe(`repo:acme/docflow:environment:${env.name}`);
      // IAM checks the branch too, not only GitHub's deployment-branch rule: a job of another branch naming the environment is refused
      expect(trusted['token.actions.githubusercontent.com:ref']).toBe('refs/heads/main');
    }
  });
});

/** The deploy role's identity statements of an environment (its inline and managed policies), as synthesized. */
function deployRoleStatements(envName: string) {
  const foundation = stacks[`${envName}-foundation`] ?? {};
  const managed = resourcesOf(foundation, 'aws_iam_policy').filter(({ block }) => String(block['name']).startsWith(`docflow-${envName}-github-deploy-`));
  const inline = resourcesOf(foundation, 'aws_iam_role_policy').filter(({ name }) => name.startsWith('Github_Deploy'));
  return [...managed, ...inline].flatMap(({ block }) => parsePolicy(block['policy']).Statement);
}
const ACCOUNT_ID = '123456789012';
const ACCOUNT_REFERENCE = { '${data.aws_caller_identity.CallerIdentity.account_id}': ACCOUNT_ID };
const defaultTagsOf = (json: TerraformJson): Record<string, string> => (json.provider?.['aws'] as { default_tags?: { tags: Record<string, string> }[] }[] | undefined)?.[0]?.default_tags?.[0]?.tags ?? {};

describe('the deploy role against what the provider calls at apply', () => {
  for (const env of ENVIRONMENTS) {
    const statements = deployRoleStatements(env.name);
    const allows = (request: Parameters<typeof allowsRequest>[1]) => allowsRequest(statements, request, ACCOUNT_REFERENCE);

    it(`GIVEN ${env.name}'s network stack adopts the VPC's default security group (AWS creates it untagged) THEN the deploy role may tag it with the stack's tags, then revoke its rules`, () => {
      const network = stacks[`${env.name}-network`] ?? {};
      const defaultGroup = resourcesOf(network, 'aws_default_security_group');
      expect(defaultGroup).toHaveLength(1);
      // the provider tags first (every tag in one CreateTags), then revokes the rules (vpc_default_security_group.go)
      const tags = { ...defaultTagsOf(network), ...(at(defaultGroup, 0).block['tags'] as Record<string, string>) };
      const group = `arn:aws:ec2:${env.region}:${ACCOUNT_ID}:security-group/sg-0123456789abcdef0`;
      expect(allows({ action: 'ec2:CreateTags', resource: group, requestTags: tags })).toBe(true);
      expect(allows({ action: 'ec2:RevokeSecurityGroupIngress', resource: group, resourceTags: tags })).toBe(true);
      expect(allows({ action: 'ec2:RevokeSecurityGroupEgress', resource: group, resourceTags: tags })).toBe(true);
    });

    it(`GIVEN a security group of another environment or project THEN ${env.name}'s deploy role may neither claim it nor change its rules`, () => {
      const group = `arn:aws:ec2:${env.region}:${ACCOUNT_ID}:security-group/sg-0fedcba9876543210`;
      const other = { env: 'elsewhere', project: 'docflow' };
      expect(allows({ action: 'ec2:CreateTags', resource: group, resourceTags: other, requestTags: { env: env.name, project: 'docflow' } })).toBe(false);
      expect(allows({ action: 'ec2:RevokeSecurityGroupIngress', resource: group, resourceTags: other })).toBe(false);
      // an untagged group may be tagged for this environment only
      expect(allows({ action: 'ec2:CreateTags', resource: group, requestTags: { env: 'elsewhere', project: 'docflow' } })).toBe(false);
      expect(allows({ action: 'ec2:RevokeSecurityGroupIngress', resource: group })).toBe(false);
    });

    it(`GIVEN ${env.name} runs no EC2 instance (natMode ${env.natMode}) THEN its deploy role may launch none`, () => {
      const tags = { env: env.name, project: 'docflow' };
      expect(resourcesOf(stacks[`${env.name}-network`] ?? {}, 'aws_instance')).toEqual([]);
      expect(allows({ action: 'ec2:RunInstances', resource: `arn:aws:ec2:${env.region}:${ACCOUNT_ID}:instance/*`, requestTags: tags })).toBe(false);
      expect(allows({ action: 'ec2:RunInstances', resource: `arn:aws:ec2:${env.region}::image/ami-0123456789abcdef0` })).toBe(false);
    });

    it(`GIVEN ${env.name} (${env.profile}) THEN Cloud Map namespaces and hosted zones are the deploy role's only where the profile creates them, and a namespace only if it carries the environment's tag`, () => {
      const lean = env.profile === 'lean';
      const namespace = `arn:aws:servicediscovery:${env.region}:${ACCOUNT_ID}:namespace/ns-0123456789abcdef`;
      const zone = 'arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ';
      expect(allows({ action: 'servicediscovery:DeleteNamespace', resource: namespace, resourceTags: { env: env.name, project: 'docflow' } })).toBe(lean);
      expect(allows({ action: 'servicediscovery:DeleteNamespace', resource: namespace, resourceTags: { env: 'elsewhere', project: 'docflow' } })).toBe(false);
      expect(allows({ action: 'servicediscovery:DeleteNamespace', resource: namespace })).toBe(false);
      expect(allows({ action: 'servicediscovery:CreatePrivateDnsNamespace', resource: '*', requestTags: { env: env.name, project: 'docflow' } })).toBe(lean);
      expect(allows({ action: 'servicediscovery:CreatePrivateDnsNamespace', resource: '*', requestTags: { env: 'elsewhere', project: 'docflow' } })).toBe(false);
      // Route 53 has no condition key on a hosted zone: only where Cloud Map needs it
      expect(allows({ action: 'route53:DeleteHostedZone', resource: zone })).toBe(lean);
      expect(resourcesOf(stacks[`${env.name}-platform`] ?? {}, 'aws_service_discovery_private_dns_namespace').length > 0).toBe(lean);
    });

    const platform = stacks[`${env.name}-platform`] ?? {};
    for (const { block: association } of resourcesOf(platform, 'aws_wafv2_web_acl_association')) {
      it(`GIVEN ${env.name}'s web ACL association THEN the deploy role may associate and disassociate it: WAF on the ACL and the load balancer, and the load balancer's own permissions`, () => {
        const loadBalancerId = /^\$\{aws_lb\.(\w+)\.arn\}$/.exec(String(association['resource_arn']))?.[1];
        const loadBalancerName = String(platform.resource?.['aws_lb']?.[String(loadBalancerId)]?.['name']);
        const loadBalancer = `arn:aws:elasticloadbalancing:${env.region}:${ACCOUNT_ID}:loadbalancer/app/${loadBalancerName}/50dc6c495c0c9188`;
        const webAclName = String(Object.values(platform.resource?.['aws_wafv2_web_acl'] ?? {})[0]?.['name']);
        const webAcl = `arn:aws:wafv2:${env.region}:${ACCOUNT_ID}:regional/webacl/${webAclName}/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111`;
        for (const action of ['wafv2:AssociateWebACL', 'wafv2:DisassociateWebACL']) {
          expect(allows({ action, resource: webAcl }), `${action} on the web ACL`).toBe(true);
          expect(allows({ action, resource: loadBalancer }), `${action} on the load balancer`).toBe(true);
        }
        expect(allows({ action: 'elasticloadbalancing:SetWebAcl', resource: '*' })).toBe(true);
        expect(allows({ action: 'elasticloadbalancing:CreateWebACLAssociation', resource: loadBalancer })).toBe(true);
        expect(allows({ action: 'elasticloadbalancing:DeleteWebACLAssociation', resource: loadBalancer })).toBe(true);
        expect(allows({ action: 'wafv2:AssociateWebACL', resource: `arn:aws:elasticloadbalancing:${env.region}:${ACCOUNT_ID}:loadbalancer/app/someone-else/50dc6c495c0c9188` })).toBe(false);
      });
    }
  }
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
