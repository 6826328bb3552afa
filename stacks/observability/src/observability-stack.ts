import type { Construct } from 'constructs';
import { DocflowStack, Observability, resourceName, type FargateService } from '@docflow/infra';
import { encryptionKeys, type WorkloadStackProps } from '@docflow/stack-foundation';
import type { ApiStack } from '@docflow/stack-api';
import type { DataStack } from '@docflow/stack-data';
import type { IngestStack } from '@docflow/stack-ingest';
import type { PlatformStack } from '@docflow/stack-platform';
import type { WorkerStack } from '@docflow/stack-worker';

export interface ObservabilityStackProps extends WorkloadStackProps {
  readonly data: DataStack;
  readonly platform: PlatformStack;
  readonly api: ApiStack;
  readonly ingest: IngestStack;
  readonly worker: WorkerStack;
}

/** `<env>-observability`: dashboard, alarms to the SNS email topic, and the monthly budget. */
export class ObservabilityStack extends DocflowStack {
  readonly observability: Observability;

  constructor(scope: Construct, props: ObservabilityStackProps) {
    super(scope, 'observability', props);
    const { env, data, platform, api, ingest, worker } = props;
    const keys = encryptionKeys(props.foundation);
    const pollService = worker.worker.service;
    const pipe = worker.worker.pipe?.pipe;
    const taskStopped = worker.worker.taskStopped;
    this.observability = new Observability(this, 'Observability', {
      namePrefix: resourceName(env),
      region: env.region,
      alarmEmail: env.alarmEmail,
      ...(keys ? { topicKmsKeyArn: keys.logsKeyArn } : {}),
      monthlyBudgetUsd: env.monthlyBudgetUsd,
      envName: env.name,
      cluster: platform.platform.cluster,
      services: [
        { label: 'api', service: api.service.service, ...targetGroupOf(api.service) },
        { label: 'ingest', service: ingest.service.service, ...targetGroupOf(ingest.service) },
        ...(pollService ? [{ label: 'worker', service: pollService }] : []),
      ],
      queues: data.data.queues,
      database: data.data.database,
      edge: platform.platform.edge,
      connectionsAlarmThreshold: env.database.connectionsAlarmThreshold,
      databaseInstanceClass: env.database.instanceClass,
      logRetentionDays: env.logRetentionDays,
      ...(keys ? { logKmsKeyArn: keys.logsKeyArn } : {}),
      ...(pipe ? { pipe } : {}),
      ...(taskStopped ? { taskStoppedRules: taskStopped.ruleNames } : {}),
      ...(data.documentReplication ? { documentReplication: data.documentReplication } : {}),
    });
  }
}

/** The service's load balancer target group, when it is behind the ALB (standard profile). */
function targetGroupOf(service: FargateService) {
  const targetGroup = service.edgeAttachment?.targetGroup;
  return targetGroup ? { targetGroup } : {};
}
