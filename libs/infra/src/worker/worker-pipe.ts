import { Construct } from 'constructs';
import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { PipesPipe } from '@cdktf/provider-aws/lib/pipes-pipe/index.js';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import type { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { accountIdOf } from '../core/account.js';
import { allow, ServiceRole } from '../core/iam.js';
import type { WorkloadPlacement } from '../network/network.js';
import type { Cluster } from '../platform/cluster.js';
import type { FargateTask } from '../services/fargate-task.js';

/** The environment variable the pipe fills with the message body (`$.body`, the claim check). */
export const PIPE_BODY_VARIABLE = 'SQS_BODY';

export interface WorkerPipeProps {
  readonly pipeName: string;
  readonly queue: SqsQueue;
  readonly cluster: Cluster;
  readonly task: FargateTask;
  readonly placement: WorkloadPlacement;
  readonly securityGroup: SecurityGroup;
  readonly region: string;
  readonly logGroup: CloudwatchLogGroup;
  /** The task group the pipe gives its tasks (`detail.group` of their events, which the task-stopped rules match). */
  readonly taskGroup: string;
  /** What the pipe logs (OFF, ERROR, INFO, TRACE). @default "ERROR" */
  readonly logLevel?: 'OFF' | 'ERROR' | 'INFO' | 'TRACE';
}

/**
 * EventBridge Pipe SQS -> ECS RunTask: one Fargate Spot task per message (batch size 1), the body in
 * SQS_BODY through a container override with explicit cpu and memory, a capacity provider strategy
 * and no launch type (the two are mutually exclusive), and a role that may read this queue, run this
 * task family on this cluster and pass its two roles, nothing else.
 *
 * The pipe deletes the message once RunTask succeeds, before the task runs: the worker itself
 * re-enqueues (attempt + 1) or dead-letters a message it fails to process, and the task-stopped
 * rules (TaskStoppedHandBack) hand back the message of a task that never got that far. Those rules
 * read the body positionally, so the override is one container (the worker) with one variable.
 * Capacity is FARGATE_SPOT only, by choice: a base on FARGATE would make every RunTask (one task
 * each) on-demand; an interruption is a SIGTERM the worker answers by handing its message back.
 */
export class WorkerPipe extends Construct {
  readonly pipe: PipesPipe;
  readonly role: ServiceRole;

  constructor(scope: Construct, id: string, props: WorkerPipeProps) {
    super(scope, id);
    const logLevel = props.logLevel ?? 'ERROR';
    const account = accountIdOf(this);
    const taskDefinition = props.task.taskDefinition;

    this.role = new ServiceRole(this, 'Role', {
      roleName: `${props.pipeName}-pipe`,
      servicePrincipal: 'pipes.amazonaws.com',
      description: 'EventBridge Pipe: documents queue to worker tasks',
      statements: [
        allow(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], [props.queue.arn]),
        allow(['ecs:RunTask'], [`${taskDefinition.arnWithoutRevision}:*`], {
          ArnEquals: { 'ecs:cluster': props.cluster.cluster.arn },
        }),
        // RunTask with propagated tags needs TagResource on the task it creates
        allow(['ecs:TagResource'], [`arn:aws:ecs:${props.region}:${account}:task/${props.cluster.cluster.name}/*`], {
          StringEquals: { 'ecs:CreateAction': 'RunTask' },
        }),
        allow(['iam:PassRole'], [props.task.taskRole.role.arn, props.task.executionRole.role.arn], {
          StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
        }),
        allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [`${props.logGroup.arn}:log-stream:*`]),
      ],
    });

    this.pipe = new PipesPipe(this, 'Pipe', {
      name: props.pipeName,
      description: 'One Fargate Spot worker task per documents message',
      roleArn: this.role.role.arn,
      source: props.queue.arn,
      target: props.cluster.cluster.arn,
      desiredState: 'RUNNING',
      sourceParameters: {
        sqsQueueParameters: { batchSize: 1, maximumBatchingWindowInSeconds: 0 },
      },
      targetParameters: {
        ecsTaskParameters: {
          taskDefinitionArn: taskDefinition.arn,
          taskCount: 1,
          group: props.taskGroup,
          capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }],
          platformVersion: 'LATEST',
          enableEcsManagedTags: true,
          propagateTags: 'TASK_DEFINITION',
          networkConfiguration: {
            awsVpcConfiguration: {
              subnets: props.placement.subnetIds,
              securityGroups: [props.securityGroup.id],
              assignPublicIp: props.placement.assignPublicIp ? 'ENABLED' : 'DISABLED',
            },
          },
          overrides: {
            cpu: String(props.task.cpu),
            memory: String(props.task.memoryMiB),
            containerOverride: [
              {
                name: props.task.containerName,
                // without these the provider sends 0 and RunTask rejects the override
                cpu: props.task.cpu,
                memory: props.task.memoryMiB,
                environment: [{ name: PIPE_BODY_VARIABLE, value: '$.body' }],
              },
            ],
          },
        },
      },
      logConfiguration: {
        level: logLevel,
        cloudwatchLogsLogDestination: { logGroupArn: props.logGroup.arn },
      },
      // the pipe starts polling at once; its permissions must exist first
      ...(this.role.policy ? { dependsOn: [this.role.policy] } : {}),
    });
  }
}
