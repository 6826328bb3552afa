import { TerraformStack } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { isUnrestrictable as isUnscopedAction } from '@docflow/guardrails';
import { accountIdOf } from './account.js';

export type Condition = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

/** One IAM policy statement, written as AWS spells it. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Condition;
}

export interface TrustStatement {
  readonly Effect: 'Allow';
  readonly Action: string | readonly string[];
  readonly Principal: Readonly<Record<string, string | readonly string[]>>;
  readonly Condition?: Condition;
}

/** A statement of a resource policy (bucket, queue, topic), which names its principal. */
export interface ResourcePolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal: Readonly<Record<string, string | readonly string[]>>;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Condition;
}

/** A policy document as JSON (tokens inside strings resolve to Terraform references). */
export function policyDocument(statements: readonly (PolicyStatement | TrustStatement | ResourcePolicyStatement)[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** `Allow` on explicit actions and resources. */
export function allow(actions: readonly string[], resources: readonly string[], condition?: Condition): PolicyStatement {
  return { Effect: 'Allow', Action: actions, Resource: resources, ...(condition ? { Condition: condition } : {}) };
}

/**
 * Actions that AWS does not scope to a resource, so their statement must say `Resource: "*"`: the
 * policy's list (CKV_AWS_355 reads the same one). Only these may be granted on `*`; everything else
 * names its resources.
 */
export { isUnscopedAction };

/** Problems with a set of statements (a wildcard action, a `*` resource for a scoped action). */
export function statementProblems(statements: readonly PolicyStatement[]): string[] {
  const problems: string[] = [];
  for (const statement of statements) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of statement.Action) {
      if (action.includes('*')) problems.push(`action "${action}" is a wildcard; list the actions`);
      if (statement.Resource.includes('*') && !isUnscopedAction(action)) {
        problems.push(`action "${action}" is granted on every resource ("*"); name the resources`);
      }
    }
    if (statement.Action.length === 0) problems.push('a statement has no action');
    if (statement.Resource.length === 0) problems.push('a statement has no resource');
  }
  return problems;
}

/**
 * Every action a docflow workload role may be granted. It is also the permissions boundary the
 * foundation stack puts in place and the GitHub deploy role must attach to every role it creates, so
 * a compromised pipeline cannot mint a role with more power than the workloads need.
 */
export const WORKLOAD_BOUNDARY_ACTIONS: readonly string[] = [
  'ecr:GetAuthorizationToken',
  'ecr:BatchCheckLayerAvailability',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchGetImage',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'logs:DescribeLogStreams',
  'secretsmanager:GetSecretValue',
  // the db-admin task writes the services' login secrets (a rotation)
  'secretsmanager:DescribeSecret',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
  's3:GetObject',
  's3:PutObject',
  's3:ListBucket',
  'sqs:SendMessage',
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
  'ecs:RunTask',
  'ecs:TagResource',
  'iam:PassRole',
  // objects and secrets under a customer-managed key (keys: customer-managed)
  'kms:Decrypt',
  'kms:GenerateDataKey',
];

/** Name of an environment's workload permissions boundary (a managed policy, created by the foundation stack). */
export function workloadBoundaryName(envName: string): string {
  return `docflow-${envName}-workload-boundary`;
}

/** IAM path of an environment's workload roles; the deploy role may manage roles under it only. */
export function workloadRolePath(envName: string): string {
  return `/docflow/${envName}/`;
}

/** Settings every ServiceRole of a stack inherits. */
export interface IamDefaults {
  readonly path: string;
  readonly permissionsBoundaryArn: string;
}

const iamDefaults = new WeakMap<IConstruct, IamDefaults>();

/** Makes every ServiceRole in `stack` use this path and permissions boundary. */
export function setIamDefaults(stack: TerraformStack, defaults: IamDefaults): void {
  iamDefaults.set(stack, defaults);
}

function iamDefaultsOf(scope: IConstruct): IamDefaults | undefined {
  return iamDefaults.get(TerraformStack.of(scope));
}

export interface ServiceRoleProps {
  /** Role name (IAM names are global per account, so it carries the environment). */
  readonly roleName: string;
  /** The service principal that assumes the role, e.g. `ecs-tasks.amazonaws.com`. */
  readonly servicePrincipal: string;
  readonly description: string;
  /** Permissions; validated: no wildcard action, `*` only for actions AWS cannot scope. @default - no permissions */
  readonly statements?: readonly PolicyStatement[];
  /**
   * Guard against the confused deputy: the service may assume the role only on behalf of this
   * account. @default true
   */
  readonly restrictToAccount?: boolean;
}

/** An IAM role for an AWS service, with one inline least-privilege policy. */
export class ServiceRole extends Construct {
  readonly role: IamRole;
  readonly policy?: IamRolePolicy;

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    const statements = props.statements ?? [];
    const restrictToAccount = props.restrictToAccount ?? true;

    const defaults = iamDefaultsOf(this);
    const problems = statementProblems(statements);
    if (defaults) {
      const outside = statements.flatMap((statement) => statement.Action).filter((action) => !WORKLOAD_BOUNDARY_ACTIONS.includes(action));
      if (outside.length > 0) problems.push(`actions ${outside.join(', ')} are outside the workload permissions boundary`);
    }
    if (problems.length > 0) throw new Error(`ServiceRole "${props.roleName}": ${problems.join('; ')}`);

    const trust: TrustStatement = {
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { Service: props.servicePrincipal },
      ...(restrictToAccount ? { Condition: { StringEquals: { 'aws:SourceAccount': accountIdOf(this) } } } : {}),
    };
    this.role = new IamRole(this, 'Role', {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: policyDocument([trust]),
      ...(defaults ? { path: defaults.path, permissionsBoundary: defaults.permissionsBoundaryArn } : {}),
    });
    if (statements.length > 0) {
      this.policy = new IamRolePolicy(this, 'Policy', {
        name: 'least-privilege',
        role: this.role.id,
        policy: policyDocument(statements),
      });
    }
  }
}

/** The path of the roles the foundation itself holds (deployers, AWS Backup's): outside the workload path and boundary. */
export const FOUNDATION_ROLE_PATH = '/docflow-foundation/';
