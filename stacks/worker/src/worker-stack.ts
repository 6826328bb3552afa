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
import type { DataStack } from '@docflow/stack-data';
import type { NetworkStack } from '@docflow/stack-network';
import type { PlatformStack } from '@docflow/stack-platform';

export interface WorkerStackProps extends WorkloadStackProps {
  readonly network: NetworkStack;
  readonly data: DataStack;
  readonly platform: PlatformStack;
}

/**
 * `<env>-worker`: the worker in the environment's mode: `poll` (ECS service autoscaled on backlog
 * per task, from zero) or `pipe` (EventBridge Pipe, one Fargate Spot task per message).
 */
export class WorkerStack extends DocflowStack {
  readonly worker: Worker;

  constructor(scope: Construct, props: WorkerStackProps) {
    super(scope, 'worker', props);
    const { env, network, data, platform } = props;
    const settings = env.worker;
    const keys = encryptionKeys(props.foundation);
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
