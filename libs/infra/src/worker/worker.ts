import { PROCESSING_TIMEOUT_TAG, VISIBILITY_TIMEOUT_FACTOR } from '@docflow/guardrails';
import { Construct } from 'constructs';
import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import type { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository/index.js';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service/index.js';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import { allow } from '../core/iam.js';
import { logGroupWithRetention } from '../core/log-group.js';
import type { DatabaseConnection } from '../data/database.js';
import type { DocumentQueues } from '../data/document-queues.js';
import { RAW_PREFIX } from '../data/secure-bucket.js';
import type { CapacityProvider, WorkerMode } from '../environments/types.js';
import type { WorkloadPlacement } from '../network/network.js';
import type { Cluster } from '../platform/cluster.js';
import { MAX_STOP_TIMEOUT_SECONDS } from '../services/container.js';
import { FargateTask } from '../services/fargate-task.js';
import { serviceDeployment } from '../services/service-deployment.js';
import { BacklogScaling } from './backlog-scaling.js';
import { TaskStoppedHandBack } from './task-stopped-hand-back.js';
import { PIPE_BODY_VARIABLE, WorkerPipe } from './worker-pipe.js';

export interface WorkerProps {
  readonly namePrefix: string;
  readonly mode: WorkerMode;
  readonly cluster: Cluster;
  readonly placement: WorkloadPlacement;
  readonly securityGroup: SecurityGroup;
  readonly repository: EcrRepository;
  readonly imageTag: string;
  readonly logGroup: CloudwatchLogGroup;
  readonly region: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly queues: DocumentQueues;
  /**
   * Longest time one message may take. The queue's visibility timeout must be at least
   * VISIBILITY_TIMEOUT_FACTOR times it; the task definition declares it (tag PROCESSING_TIMEOUT_TAG)
   * so the policy can check that on the synthesized JSON.
   */
  readonly processingTimeoutSeconds: number;
  readonly bucket: S3Bucket;
  readonly database: DatabaseConnection;
  /** Plain variables every docflow app gets (DOCFLOW_ENV, LOG_LEVEL, AWS_REGION). @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** poll: autoscaling ceiling. pipe: tasks that may process at once (WORKER_PIPE_MAX_TASKS, the worker's gate). @default 1 */
  readonly maxCount?: number;
  /** poll: backlog per task the tracking policy keeps. @default 10 */
  readonly backlogPerTask?: number;
  /** poll: where the service's tasks run (pipe mode always uses FARGATE_SPOT). @default "FARGATE_SPOT" */
  readonly capacityProvider?: CapacityProvider;
  /** Seconds between SIGTERM and SIGKILL; Fargate Spot allows 120. @default 120 */
  readonly stopTimeoutSeconds?: number;
  /** Retention of the pipe's own log group (pipe mode). @default 30 */
  readonly pipeLogRetentionDays?: number;
  /** The key the bucket's objects are encrypted with (the worker decrypts what it reads). @default - SSE-S3 */
  readonly bucketKmsKeyArn?: string;
  /** Encrypts the pipe's log group. @default - the CloudWatch Logs service key */
  readonly logKmsKeyArn?: string;
}

/**
 * The worker: one task definition (the image runs `main.js`; WORKER_MODE picks the mode) and either a
 * poll-mode ECS service autoscaled on backlog per task from zero, or a pipe-mode EventBridge Pipe.
 * Task role: read `raw/*`, send to the queue (re-enqueue) and the DLQ (dead-letter), and in poll mode
 * receive, delete and extend visibility on the queue.
 */
export class Worker extends Construct {
  readonly task: FargateTask;
  readonly service?: EcsService;
  readonly scaling?: BacklogScaling;
  readonly pipe?: WorkerPipe;
  /** pipe: the rules that hand back the message of a task that stopped without finishing with it. */
  readonly taskStopped?: TaskStoppedHandBack;
  readonly workerName: string;

  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id);
    const maxCount = props.maxCount ?? 1;
    const backlogPerTask = props.backlogPerTask ?? 10;
    const capacityProvider = props.capacityProvider ?? 'FARGATE_SPOT';
    const stopTimeoutSeconds = props.stopTimeoutSeconds ?? MAX_STOP_TIMEOUT_SECONDS;
    const pipeLogRetentionDays = props.pipeLogRetentionDays ?? 30;

    if (props.mode === 'pipe' && (props.backlogPerTask !== undefined || props.capacityProvider !== undefined)) {
      throw new Error(
        'Worker: backlogPerTask and capacityProvider configure the poll-mode service; pipe mode runs one FARGATE_SPOT task per message',
      );
    }
    if (!Number.isInteger(maxCount) || maxCount < 1) throw new Error(`Worker: maxCount must be a positive integer, got ${maxCount}`);
    if (props.mode === 'poll' && props.pipeLogRetentionDays !== undefined) {
      throw new Error('Worker: pipeLogRetentionDays applies to pipe mode only');
    }
    const neededVisibility = props.processingTimeoutSeconds * VISIBILITY_TIMEOUT_FACTOR;
    if (props.queues.visibilityTimeoutSeconds < neededVisibility) {
      throw new Error(
        `Worker: the queue's visibility timeout (${props.queues.visibilityTimeoutSeconds} s) must be at least ${VISIBILITY_TIMEOUT_FACTOR} x processingTimeoutSeconds (${neededVisibility} s)`,
      );
    }
    this.workerName = `${props.namePrefix}-worker`;
    const queue = props.queues.queue;
    const deadLetterQueue = props.queues.deadLetterQueue;

    const pollStatements =
      props.mode === 'poll'
        ? [allow(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'], [queue.arn])]
        : [];
    this.task = new FargateTask(this, 'Task', {
      family: this.workerName,
      containerName: 'worker',
      repository: props.repository,
      imageTag: props.imageTag,
      cpu: props.cpu,
      memoryMiB: props.memoryMiB,
      region: props.region,
      logGroup: props.logGroup,
      stopTimeoutSeconds,
      environment: {
        ...props.environment,
        ...props.database.environment,
        WORKER_MODE: props.mode,
        DOCFLOW_QUEUE_URL: queue.url,
        DOCFLOW_DLQ_URL: deadLetterQueue.url,
        DOCFLOW_BUCKET: props.bucket.bucket,
        WORKER_VISIBILITY_TIMEOUT_SECONDS: String(props.queues.visibilityTimeoutSeconds),
        // pipe mode re-enqueues itself; past this many attempts it dead-letters, like the redrive would
        WORKER_MAX_ATTEMPTS: String(props.queues.maxReceiveCount),
        // finish in-flight work before ECS's SIGKILL
        SHUTDOWN_TIMEOUT_MS: String((stopTimeoutSeconds - 10) * 1000),
        // a pipe-mode task handles one message; many may run at once against a small database
        // and Pipes cannot cap them: at most maxCount process at once (a gate of advisory locks)
        ...(props.mode === 'pipe' ? { DB_POOL_MAX: '2', WORKER_PIPE_MAX_TASKS: String(maxCount) } : {}),
      },
      tags: { [PROCESSING_TIMEOUT_TAG]: String(props.processingTimeoutSeconds) },
      taskStatements: [
        allow(['s3:GetObject'], [`${props.bucket.arn}/${RAW_PREFIX}*`]),
        // without it S3 answers a missing body with 403, and the worker cannot tell "gone" (recorded
        // as a failed document) from "not allowed" (retried until the DLQ)
        allow(['s3:ListBucket'], [props.bucket.arn]),
        allow(['sqs:SendMessage'], [queue.arn, deadLetterQueue.arn]),
        ...props.database.taskStatements,
        ...(props.bucketKmsKeyArn !== undefined ? [allow(['kms:Decrypt'], [props.bucketKmsKeyArn])] : []),
        ...pollStatements,
      ],
    });

    if (props.mode === 'pipe') {
      const taskGroup = `${this.workerName}-pipe`;
      this.pipe = new WorkerPipe(this, 'Pipe', {
        pipeName: this.workerName,
        taskGroup,
        queue,
        cluster: props.cluster,
        task: this.task,
        placement: props.placement,
        securityGroup: props.securityGroup,
        region: props.region,
        logGroup: logGroupWithRetention(this, 'PipeLogs', { name: `/${props.namePrefix}/worker-pipe`, retentionDays: pipeLogRetentionDays, kmsKeyArn: props.logKmsKeyArn }),
      });
      this.taskStopped = new TaskStoppedHandBack(this, 'TaskStopped', {
        namePrefix: props.namePrefix,
        clusterArn: props.cluster.cluster.arn,
        group: taskGroup,
        containerName: this.task.containerName,
        bodyVariable: PIPE_BODY_VARIABLE,
        handBackLimit: props.queues.maxReceiveCount,
        queue,
        deadLetterQueue,
      });
      return;
    }

    this.service = new EcsService(this, 'Service', {
      name: this.workerName,
      ...serviceDeployment({ ...props, taskDefinitionArn: this.task.taskDefinition.arn, capacityProvider }),
      desiredCount: 0,
      // the autoscaling owns the task count
      lifecycle: { ignoreChanges: ['desired_count'] },
    });
    this.scaling = new BacklogScaling(this, 'Scaling', {
      namePrefix: props.namePrefix,
      cluster: props.cluster,
      service: this.service,
      queue,
      maxCount,
      backlogPerTask,
    });
  }
}
