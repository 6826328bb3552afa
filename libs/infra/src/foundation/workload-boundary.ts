import { Construct } from 'constructs';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy/index.js';
import { accountIdOf } from '../core/account.js';
import { policyDocument, WORKLOAD_BOUNDARY_ACTIONS, workloadBoundaryName, workloadRolePath, type PolicyStatement } from '../core/iam.js';

export interface WorkloadBoundaryProps {
  readonly envName: string;
  readonly region: string;
  /** The environment's customer-managed keys, the only keys its workloads may use. @default - none (keys: aws-managed: the services use AWS-managed keys, which need no KMS permission) */
  readonly keyArns?: readonly string[];
}

/**
 * The permissions boundary of every docflow workload role of an environment: exactly the actions
 * the workloads use (`WORKLOAD_BOUNDARY_ACTIONS`), each on this environment's own resources only
 * (its `docflow-<env>` names, its secrets and RDS's master secret, its keys, its workload roles).
 * Every role the other stacks create names it, so it must exist before their first apply: the
 * foundation stack owns it, and nothing else creates it. Because the deploy role may create and
 * re-trust roles under the workload path, the boundary is what caps such a role: it reads no other
 * environment's data and passes no other role.
 */
export class WorkloadBoundary extends Construct {
  readonly policy: IamPolicy;

  constructor(scope: Construct, id: string, props: WorkloadBoundaryProps) {
    super(scope, id);
    const statements = workloadBoundaryStatements({ ...props, account: accountIdOf(this) });
    const granted = new Set(statements.flatMap((statement) => statement.Action));
    const keyless = props.keyArns === undefined || props.keyArns.length === 0;
    const missing = WORKLOAD_BOUNDARY_ACTIONS.filter((action) => !granted.has(action) && !(keyless && action.startsWith('kms:')));
    if (missing.length > 0) throw new Error(`WorkloadBoundary: no resources for ${missing.join(', ')}`);
    this.policy = new IamPolicy(this, 'Policy', {
      name: workloadBoundaryName(props.envName),
      description: `Permissions boundary of every docflow ${props.envName} workload role`,
      policy: policyDocument(statements),
    });
  }

  /** The boundary's ARN (a reference: a stack that uses it depends on the foundation stack). */
  get arn(): string {
    return this.policy.arn;
  }
}

/** The boundary's statements: each workload action on the environment's own resources. */
export function workloadBoundaryStatements(props: WorkloadBoundaryProps & { readonly account: string }): PolicyStatement[] {
  const { envName, region, account } = props;
  const prefix = `docflow-${envName}`;
  const statement = (Sid: string, Action: readonly string[], Resource: readonly string[]): PolicyStatement => ({ Sid, Effect: 'Allow', Action, Resource });
  return [
    // AWS scopes the registry login to no resource
    statement('RegistryLogin', ['ecr:GetAuthorizationToken'], ['*']),
    statement('Images', ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'], [`arn:aws:ecr:${region}:${account}:repository/${prefix}-*`]),
    statement('Logs', ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], [`arn:aws:logs:${region}:${account}:log-group:/${prefix}/*`]),
    // the environment's own secrets, and RDS's master secret (`rds!db-<id>`, a name RDS chooses: read by the db-admin task only)
    statement(
      'Secrets',
      ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
      [`arn:aws:secretsmanager:${region}:${account}:secret:${prefix}/*`],
    ),
    statement('DatabaseMasterSecret', ['secretsmanager:GetSecretValue'], [`arn:aws:secretsmanager:${region}:${account}:secret:rds!db-*`]),
    // the documents bucket only: not the state, audit, load balancer log or replica buckets (no workload reads those)
    statement('Documents', ['s3:GetObject', 's3:PutObject'], [`arn:aws:s3:::${prefix}-documents-*/*`]),
    statement('DocumentsBucket', ['s3:ListBucket'], [`arn:aws:s3:::${prefix}-documents-*`]),
    statement('Queues', ['sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'], [`arn:aws:sqs:${region}:${account}:${prefix}-*`]),
    statement('Tasks', ['ecs:RunTask'], [`arn:aws:ecs:${region}:${account}:task-definition/${prefix}-*`]),
    statement('TaskTags', ['ecs:TagResource'], [`arn:aws:ecs:${region}:${account}:task/${prefix}/*`]),
    // the environment's workload roles only: never a foundation role, never another environment's
    statement('PassWorkloadRoles', ['iam:PassRole'], [`arn:aws:iam::${account}:role${workloadRolePath(envName)}*`]),
    ...(props.keyArns !== undefined && props.keyArns.length > 0 ? [statement('Keys', ['kms:Decrypt', 'kms:GenerateDataKey'], props.keyArns)] : []),
  ];
}
