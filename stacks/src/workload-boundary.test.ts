import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, type EnvironmentConfig } from '@docflow/infra';
import { allowsRequest, parsePolicy, resourcesOf, synthApp, testApp, type TerraformJson } from '@docflow/infra/testing';
import { defineDocflow } from './app.js';
import { readSettings } from './settings.js';

/**
 * The workload boundary against the roles it caps, on the synthesized JSON of every stack: every
 * grant a workload role holds (its inline policy, references to other stacks resolved to the names
 * those stacks give their resources) stays inside its environment's boundary, and the boundary
 * refuses the same kinds of access to another environment's resources and to the foundation's roles.
 */
const app = testApp();
defineDocflow(app, readSettings(ENVIRONMENTS, { DOCFLOW_GITHUB_REPOSITORY: 'acme/docflow' }));
const stacks = synthApp(app);
const ACCOUNT = '123456789012';

/** A stand-in ARN, of the shape AWS gives it, for the resource a Terraform reference names. */
function arnOf(env: EnvironmentConfig, stackId: string, address: string): string {
  const [type = '', name = '', ...attribute] = address.split('.');
  const block = stacks[stackId]?.resource?.[type]?.[name];
  if (!block) throw new Error(`${stackId}: no resource ${type}.${name}`);
  const { region } = env;
  const named = (key: string) => String(block[key] ?? `${String(block[`${key}_prefix`] ?? block['bucket_prefix'])}20261130`);
  const path = attribute.join('.');
  switch (`${type}.${path}`) {
    case 'aws_s3_bucket.arn':
      return `arn:aws:s3:::${named('bucket')}`;
    case 'aws_sqs_queue.arn':
      return `arn:aws:sqs:${region}:${ACCOUNT}:${named('name')}`;
    case 'aws_secretsmanager_secret.arn':
      return `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${named('name')}-AbCdEf`;
    case 'aws_db_instance.master_user_secret[0].secret_arn':
      return `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:rds!db-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b-GhIjKl`;
    case 'aws_ecs_task_definition.arn_without_revision':
      return `arn:aws:ecs:${region}:${ACCOUNT}:task-definition/${named('family')}`;
    case 'aws_ecs_cluster.arn':
      return `arn:aws:ecs:${region}:${ACCOUNT}:cluster/${named('name')}`;
    case 'aws_ecs_cluster.name':
      return named('name');
    case 'aws_iam_role.arn':
      return `arn:aws:iam::${ACCOUNT}:role${String(block['path'] ?? '/')}${named('name')}`;
    case 'aws_cloudwatch_log_group.arn':
      return `arn:aws:logs:${region}:${ACCOUNT}:log-group:${named('name')}`;
    case 'aws_ecr_repository.arn':
      return `arn:aws:ecr:${region}:${ACCOUNT}:repository/${named('name')}`;
    case 'aws_kms_key.arn':
      return `arn:aws:kms:${region}:${ACCOUNT}:key/${name}`;
    default:
      throw new Error(`no stand-in ARN for ${type}.${path}`);
  }
}

/** `text` with every Terraform reference replaced: the account, local resources, other stacks' outputs. */
function resolve(env: EnvironmentConfig, stackId: string, text: string): string {
  return text.replace(/\$\{([^}]+)\}/g, (_match, expression: string) => {
    if (expression === 'data.aws_caller_identity.CallerIdentity.account_id') return ACCOUNT;
    const remote = /^data\.terraform_remote_state\.cross-stack-reference-input-([\w-]+)\.outputs\.([\w-]+)$/.exec(expression);
    if (remote) {
      const [, otherStack = '', output = ''] = remote;
      const value = stacks[otherStack]?.output?.[output]?.['value'];
      if (typeof value !== 'string') throw new Error(`${otherStack}: no output ${output}`);
      return resolve(env, otherStack, value);
    }
    return arnOf(env, stackId, expression);
  });
}

interface Grant {
  readonly role: string;
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string>;
}

/** Every action-on-resource a workload role of `env` is granted by its inline policy. */
function workloadGrants(env: EnvironmentConfig): Grant[] {
  return Object.entries(stacks)
    .filter(([id]) => id.startsWith(`${env.name}-`) && !id.endsWith('-foundation') && !id.includes('-gcp-'))
    .flatMap(([id, json]: [string, TerraformJson]) =>
      resourcesOf(json, 'aws_iam_role_policy').flatMap(({ block }) => {
        const role = String(block['role']);
        return parsePolicy(resolve(env, id, String(block['policy']))).Statement.filter((statement) => statement['Effect'] === 'Allow').flatMap((statement) => {
          const context = Object.fromEntries(Object.values((statement['Condition'] ?? {}) as Record<string, Record<string, string>>).flatMap((keys) => Object.entries(keys)));
          return (statement['Action'] as string[]).flatMap((action) => (statement['Resource'] as string[]).map((resource) => ({ role, action, resource, context })));
        });
      }),
    );
}

function boundaryStatements(env: EnvironmentConfig) {
  const foundationId = `${env.name}-foundation`;
  const boundary = resourcesOf(stacks[foundationId] ?? {}, 'aws_iam_policy').find(({ block }) => block['name'] === `docflow-${env.name}-workload-boundary`);
  if (!boundary) throw new Error(`${foundationId}: no workload boundary`);
  return parsePolicy(resolve(env, foundationId, String(boundary.block['policy']))).Statement;
}

describe('the workload boundary against the workload roles of every environment', () => {
  for (const env of ENVIRONMENTS) {
    const boundary = boundaryStatements(env);
    const allows = (action: string, resource: string, context: Record<string, string> = {}) => allowsRequest(boundary, { action, resource, context });

    it(`GIVEN ${env.name}'s workload roles THEN the boundary allows every grant they hold (wildcard resources by a sample of their shape)`, () => {
      const grants = workloadGrants(env);
      expect(grants.length).toBeGreaterThan(20);
      const outside = grants.filter(({ action, resource, context }) => !allows(action, resource.replace(/\*/g, 'sample'), context));
      expect(outside.map(({ role, action, resource }) => `${role} ${action} ${resource}`)).toEqual([]);
    });

    it(`GIVEN ${env.name}'s boundary THEN it refuses another environment's secrets, objects, queues, tasks and roles, and the foundation's roles`, () => {
      const other = env.name === 'prod' ? 'staging' : 'prod';
      const { region } = env;
      expect(allows('secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:docflow-${other}/db/api-AbCdEf`)).toBe(false);
      expect(allows('secretsmanager:GetSecretValue', `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:someone-else/token-AbCdEf`)).toBe(false);
      expect(allows('s3:GetObject', `arn:aws:s3:::docflow-${other}-documents-20261130/raw/abc`)).toBe(false);
      expect(allows('s3:GetObject', `arn:aws:s3:::docflow-${env.name}-tfstate-${ACCOUNT}/${env.name}/data.tfstate`)).toBe(false);
      expect(allows('s3:GetObject', `arn:aws:s3:::docflow-${env.name}-audit-20261130/cloudtrail/AWSLogs/x.json.gz`)).toBe(false);
      expect(allows('sqs:ReceiveMessage', `arn:aws:sqs:${region}:${ACCOUNT}:docflow-${other}-documents`)).toBe(false);
      expect(allows('ecs:RunTask', `arn:aws:ecs:${region}:${ACCOUNT}:task-definition/docflow-${other}-db-admin:3`)).toBe(false);
      expect(allows('iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/docflow/${other}/docflow-${other}-api-task`)).toBe(false);
      expect(allows('iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/docflow-foundation/docflow-${env.name}-github-deploy`)).toBe(false);
      expect(allows('kms:Decrypt', `arn:aws:kms:${region}:${ACCOUNT}:key/someone-elses-key`)).toBe(false);
    });
  }
});
