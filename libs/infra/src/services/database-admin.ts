import { Construct } from 'constructs';
import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import type { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository/index.js';
import { SchedulerSchedule } from '@cdktf/provider-aws/lib/scheduler-schedule/index.js';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import { DataResource } from 'cdktf';
import { allow, ServiceRole } from '../core/iam.js';
import { databaseAdminConnection, type Database } from '../data/database.js';
import type { WorkloadPlacement } from '../network/network.js';
import type { Cluster } from '../platform/cluster.js';
import { FargateTask } from './fargate-task.js';

/** The container of the database administration task, and the bundle it runs (in the api image). */
export const DB_ADMIN_CONTAINER = 'db-admin';
const command = (what: 'setup' | 'rotate') => ['node', '--enable-source-maps', 'db-admin.js', what];

export interface DatabaseAdminProps {
  readonly namePrefix: string;
  readonly region: string;
  readonly cluster: Cluster;
  /** The api's repository: its image carries db-admin.js. */
  readonly repository: EcrRepository;
  readonly imageTag: string;
  readonly logGroup: CloudwatchLogGroup;
  readonly placement: WorkloadPlacement;
  /** A security group the database admits (the api's). */
  readonly securityGroup: SecurityGroup;
  readonly database: Database;
  /** Days between new passwords for the api and worker roles. */
  readonly rotationDays: number;
  /** Environment every docflow app gets (DOCFLOW_ENV, AWS_REGION, LOG_LEVEL). */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * The database administration task (`db-admin.js` in the api image), the one workload that logs
 * in as the master user:
 * - `setup`, which every deploy of the api stack runs to completion before the api service
 *   changes (a `terraform_data` that runs the task with the AWS CLI, `--overrides` naming the
 *   command, and waits for it; it runs again when the task definition changes, which a new image
 *   does): the roles, the migrations as the owner, the services' grants, a first password for a new
 *   environment;
 * - `rotate`, the task definition's own command, on an EventBridge Scheduler schedule every
 *   `rotationDays` (no input to interpret: the schedule runs the task as defined): a new password
 *   for the api and worker roles, stored at AWSPENDING first, set on the role, then made AWSCURRENT.
 */
export class DatabaseAdmin extends Construct {
  readonly task: FargateTask;
  readonly schedule: SchedulerSchedule;
  /** The deploy's setup run: what the api service waits for. */
  readonly setup: DataResource;

  constructor(scope: Construct, id: string, props: DatabaseAdminProps) {
    super(scope, id);
    if (!Number.isInteger(props.rotationDays) || props.rotationDays < 1) throw new Error(`DatabaseAdmin: rotationDays must be a whole number of days, at least 1, got ${props.rotationDays}`);
    const family = `${props.namePrefix}-db-admin`;
    const connection = databaseAdminConnection(props.database);
    this.task = new FargateTask(this, 'Task', {
      family,
      containerName: DB_ADMIN_CONTAINER,
      repository: props.repository,
      imageTag: props.imageTag,
      cpu: 256,
      memoryMiB: 512,
      region: props.region,
      logGroup: props.logGroup,
      environment: { ...props.environment, ...connection.environment },
      taskStatements: connection.taskStatements,
      // what the schedule runs; the deploy's run names `setup` in its overrides (SETUP_SCRIPT)
      command: command('rotate'),
    });

    const network = {
      subnets: [...props.placement.subnetIds],
      securityGroups: [props.securityGroup.id],
      assignPublicIp: props.placement.assignPublicIp,
    };
    const schedulerRole = new ServiceRole(this, 'SchedulerRole', {
      roleName: `${props.namePrefix}-db-rotation`,
      servicePrincipal: 'scheduler.amazonaws.com',
      description: 'EventBridge Scheduler starts the database password rotation task',
      statements: [
        allow(['ecs:RunTask'], [this.task.taskDefinition.arnWithoutRevision, `${this.task.taskDefinition.arnWithoutRevision}:*`]),
        allow(['iam:PassRole'], [this.task.taskRole.role.arn, this.task.executionRole.role.arn]),
      ],
    });
    this.schedule = new SchedulerSchedule(this, 'Rotation', {
      name: `${props.namePrefix}-db-rotation`,
      description: `New passwords for the api and worker database roles every ${props.rotationDays} days`,
      // EventBridge wants the singular unit for 1 (`rate(1 day)`) and the plural above
      scheduleExpression: `rate(${props.rotationDays} ${props.rotationDays === 1 ? 'day' : 'days'})`,
      flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 60 },
      target: {
        arn: props.cluster.cluster.arn,
        roleArn: schedulerRole.role.arn,
        ecsParameters: {
          // the revision this apply registered (a new one updates the schedule)
          taskDefinitionArn: this.task.taskDefinition.arn,
          launchType: 'FARGATE',
          taskCount: 1,
          networkConfiguration: network,
        },
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      },
    });

    const awsvpc = `awsvpcConfiguration={subnets=[${network.subnets.join(',')}],securityGroups=[${network.securityGroups.join(',')}],assignPublicIp=${network.assignPublicIp ? 'ENABLED' : 'DISABLED'}}`;
    this.setup = new DataResource(this, 'Setup', {
      // a new task definition (a new image, a changed environment) runs the setup again
      triggersReplace: { task_definition: this.task.taskDefinition.arn },
      provisioners: [
        {
          type: 'local-exec',
          interpreter: ['/bin/sh', '-c'],
          environment: {
            AWS_REGION: props.region,
            CLUSTER: props.cluster.cluster.name,
            TASK_DEFINITION: this.task.taskDefinition.arn,
            NETWORK: awsvpc,
            OVERRIDES: JSON.stringify({ containerOverrides: [{ name: DB_ADMIN_CONTAINER, command: command('setup') }] }),
          },
          command: SETUP_SCRIPT,
        },
      ],
    });
  }
}

/**
 * Runs the setup task and waits for it: `terraform apply` (as the deploy role, with the AWS CLI
 * GitHub's runners carry) fails when the task does not exit 0, so the api service is not changed.
 */
export const SETUP_SCRIPT = [
  'set -eu',
  'task=$(aws ecs run-task --cluster "$CLUSTER" --task-definition "$TASK_DEFINITION" --launch-type FARGATE --count 1 --network-configuration "$NETWORK" --overrides "$OVERRIDES" --query "tasks[0].taskArn" --output text)',
  'echo "db-admin setup: task $task"',
  'aws ecs wait tasks-stopped --cluster "$CLUSTER" --tasks "$task"',
  'code=$(aws ecs describe-tasks --cluster "$CLUSTER" --tasks "$task" --query "tasks[0].containers[0].exitCode" --output text)',
  'if [ "$code" != "0" ]; then echo "db-admin setup failed (exit code $code): see its log stream in the api log group" >&2; exit 1; fi',
  'echo "db-admin setup: done"',
].join('\n');
