import { Construct } from 'constructs';
import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import type { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository/index.js';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition/index.js';
import { allow, ServiceRole, type PolicyStatement } from '../core/iam.js';
import { fargateSizeProblem } from '../environments/validate.js';
import { containerDefinition, TMP_VOLUME } from './container.js';

export interface SecretReference {
  /** ARN of the Secrets Manager secret. */
  readonly secretArn: string;
  /** JSON key inside the secret. @default - the whole secret value */
  readonly jsonKey?: string;
  /** The customer-managed key that encrypts the secret: the execution role may decrypt with it. @default - an AWS-managed key */
  readonly kmsKeyArn?: string;
}

export interface FargateTaskProps {
  /** Task definition family, also the prefix of the two role names. */
  readonly family: string;
  readonly containerName: string;
  readonly repository: EcrRepository;
  /** Image tag (immutable in ECR), e.g. the `image_tag` Terraform variable. */
  readonly imageTag: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly region: string;
  readonly logGroup: CloudwatchLogGroup;
  /** @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** Variables ECS fills from Secrets Manager; the execution role may read exactly these secrets. @default {} */
  readonly secrets?: Readonly<Record<string, SecretReference>>;
  /** What the app itself may do in AWS. @default - nothing */
  readonly taskStatements?: readonly PolicyStatement[];
  /** @default - no port */
  readonly port?: number;
  /** @default - no container health check */
  readonly healthCheckPath?: string;
  /** Seconds between SIGTERM and SIGKILL. @default 30 */
  readonly stopTimeoutSeconds?: number;
  /** @default "X86_64" */
  readonly cpuArchitecture?: 'X86_64' | 'ARM64';
  /** Tags of the task definition, besides the provider's default tags. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /** Replaces the image's CMD. @default - the image's CMD */
  readonly command?: readonly string[];
}

/**
 * A Fargate task definition with its two roles: the execution role (ECS pulls the image, writes
 * the logs, reads the listed secrets) and the task role (what the app may call, nothing by default).
 */
export class FargateTask extends Construct {
  readonly taskDefinition: EcsTaskDefinition;
  readonly taskRole: ServiceRole;
  readonly executionRole: ServiceRole;
  readonly containerName: string;
  readonly cpu: number;
  readonly memoryMiB: number;

  constructor(scope: Construct, id: string, props: FargateTaskProps) {
    super(scope, id);
    const environment = props.environment ?? {};
    const secrets = props.secrets ?? {};
    const taskStatements = props.taskStatements ?? [];
    const stopTimeoutSeconds = props.stopTimeoutSeconds ?? 30;
    const cpuArchitecture = props.cpuArchitecture ?? 'X86_64';

    const sizeProblem = fargateSizeProblem(`FargateTask "${props.family}"`, { cpu: props.cpu, memoryMiB: props.memoryMiB });
    if (sizeProblem) throw new Error(sizeProblem);
    this.containerName = props.containerName;
    this.cpu = props.cpu;
    this.memoryMiB = props.memoryMiB;

    const secretArns = [...new Set(Object.values(secrets).map((secret) => secret.secretArn))];
    const secretKeyArns = [...new Set(Object.values(secrets).flatMap((secret) => (secret.kmsKeyArn !== undefined ? [secret.kmsKeyArn] : [])))];
    this.executionRole = new ServiceRole(this, 'ExecutionRole', {
      roleName: `${props.family}-execution`,
      servicePrincipal: 'ecs-tasks.amazonaws.com',
      description: `ECS agent for ${props.family}: image pull, logs, secrets`,
      statements: [
        allow(['ecr:GetAuthorizationToken'], ['*']),
        allow(['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'], [props.repository.arn]),
        allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [`${props.logGroup.arn}:log-stream:*`]),
        ...(secretArns.length > 0 ? [allow(['secretsmanager:GetSecretValue'], secretArns)] : []),
        ...(secretKeyArns.length > 0 ? [allow(['kms:Decrypt'], secretKeyArns)] : []),
      ],
    });
    this.taskRole = new ServiceRole(this, 'TaskRole', {
      roleName: `${props.family}-task`,
      servicePrincipal: 'ecs-tasks.amazonaws.com',
      description: `What the ${props.containerName} app may call in AWS`,
      statements: taskStatements,
    });

    const container = containerDefinition({
      name: props.containerName,
      image: `${props.repository.repositoryUrl}:${props.imageTag}`,
      environment,
      secrets: Object.fromEntries(
        Object.entries(secrets).map(([name, secret]) => [
          name,
          secret.jsonKey === undefined ? secret.secretArn : `${secret.secretArn}:${secret.jsonKey}::`,
        ]),
      ),
      logGroupName: props.logGroup.name,
      region: props.region,
      stopTimeoutSeconds,
      ...(props.command !== undefined ? { command: props.command } : {}),
      ...(props.port !== undefined ? { port: props.port } : {}),
      ...(props.healthCheckPath !== undefined ? { healthCheckPath: props.healthCheckPath } : {}),
    });

    this.taskDefinition = new EcsTaskDefinition(this, 'TaskDefinition', {
      family: props.family,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: String(props.cpu),
      memory: String(props.memoryMiB),
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture },
      executionRoleArn: this.executionRole.role.arn,
      taskRoleArn: this.taskRole.role.arn,
      volume: [{ name: TMP_VOLUME }],
      containerDefinitions: JSON.stringify([container]),
      ...(props.tags && Object.keys(props.tags).length > 0 ? { tags: { ...props.tags } } : {}),
    });
  }
}
