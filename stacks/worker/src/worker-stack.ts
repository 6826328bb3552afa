import type { Construct } from 'constructs';
import {
  appEnvironment,
  databaseConnection,
  DocflowStack,
  imageTagVariable,
  resourceName,
  Worker,
} from '@docflow/infra';
import { encryptionKeys, type WorkloadStackProps } from '@docflow/stack-foundation';
import type { ApiStack } from '@docflow/stack-api';
import type { DataStack } from '@docflow/stack-data';
import type { NetworkStack } from '@docflow/stack-network';
import type { PlatformStack } from '@docflow/stack-platform';

export interface WorkerStackProps extends WorkloadStackProps {
  readonly network: NetworkStack;
  readonly data: DataStack;
  readonly platform: PlatformStack;
  /**
   * The api stack, whose deploy runs db-admin `setup` (roles, migrations, grants) to completion. The
   * worker stack depends on it (in cdktf's manifest here, in the Nx graph through the import), so a
   * worker that needs a new migration never rolls out before the migration ran.
   */
  readonly api: ApiStack;
}

/**
 * `<env>-worker`: the worker in the environment's mode: `poll` (ECS service autoscaled on backlog
 * per task, from zero) or `pipe` (EventBridge Pipe, one Fargate Spot task per message). It deploys
 * after the api stack, whose deploy migrates the database.
 */
export class WorkerStack extends DocflowStack {
  readonly worker: Worker;

  constructor(scope: Construct, props: WorkerStackProps) {
    super(scope, 'worker', props);
    const { env, network, data, platform } = props;
    const settings = env.worker;
    const keys = encryptionKeys(props.foundation);
    // no value crosses: the edge is the order (migrations before the worker that uses them)
    this.addDependency(props.api);
    this.worker = new Worker(this, 'Worker', {
      namePrefix: resourceName(env),
      mode: settings.mode,
      cluster: platform.platform.cluster,
      placement: network.network.workloadPlacement,
      securityGroup: network.securityGroups.of('worker'),
      repository: platform.platform.repositories.of('worker'),
      imageTag: imageTagVariable(this),
      logGroup: platform.platform.logGroups.of('worker'),
      region: env.region,
      cpu: settings.cpu,
      memoryMiB: settings.memoryMiB,
      queues: data.data.queues,
      processingTimeoutSeconds: settings.processingTimeoutSeconds,
      bucket: data.data.documents.bucket,
      database: databaseConnection(data.data.database, 'worker'),
      environment: appEnvironment(env),
      ...(data.data.documents.kmsKeyArn !== undefined ? { bucketKmsKeyArn: data.data.documents.kmsKeyArn } : {}),
      ...(keys ? { logKmsKeyArn: keys.logsKeyArn } : {}),
      ...(settings.mode === 'poll'
        ? { maxCount: settings.maxCount, backlogPerTask: settings.backlogPerTask, capacityProvider: settings.capacityProvider }
        : { maxCount: settings.maxCount, pipeLogRetentionDays: env.logRetentionDays }),
    });
  }
}
