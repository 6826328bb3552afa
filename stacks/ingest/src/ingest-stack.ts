import type { Construct } from 'constructs';
import {
  allow,
  appEnvironment,
  DocflowStack,
  FargateService,
  imageTagVariable,
  RAW_PREFIX,
  resourceName,
} from '@docflow/infra';
import type { WorkloadStackProps } from '@docflow/stack-foundation';
import type { DataStack } from '@docflow/stack-data';
import type { NetworkStack } from '@docflow/stack-network';
import type { PlatformStack } from '@docflow/stack-platform';

export interface IngestStackProps extends WorkloadStackProps {
  readonly network: NetworkStack;
  readonly data: DataStack;
  readonly platform: PlatformStack;
}

/**
 * `<env>-ingest`: the ingest Fargate service. Its task role allows exactly what ingest calls: PutObject
 * under `raw/`, HeadBucket (ListBucket) for readiness, SendMessage(Batch) and GetQueueAttributes on
 * the documents queue. It never reaches the database. The edge sends it every POST.
 */
export class IngestStack extends DocflowStack {
  readonly service: FargateService;

  constructor(scope: Construct, props: IngestStackProps) {
    super(scope, 'ingest', props);
    const { env, network, data, platform } = props;
    const bucket = data.data.documents.bucket;
    const queue = data.data.queues.queue;
    this.service = new FargateService(this, 'Service', {
      serviceName: 'ingest',
      namePrefix: resourceName(env),
      cluster: platform.platform.cluster,
      vpc: network.network.vpc,
      placement: network.network.workloadPlacement,
      securityGroup: network.securityGroups.of('ingest'),
      repository: platform.platform.repositories.of('ingest'),
      imageTag: imageTagVariable(this),
      logGroup: platform.platform.logGroups.of('ingest'),
      region: env.region,
      cpu: env.ingest.cpu,
      memoryMiB: env.ingest.memoryMiB,
      desiredCount: env.ingest.desiredCount,
      maxCount: env.ingest.maxCount,
      environment: { ...appEnvironment(env), DOCFLOW_QUEUE_URL: queue.url, DOCFLOW_BUCKET: bucket.bucket },
      secrets: { DOCFLOW_API_KEYS: platform.platform.apiKeys.reference() },
      taskStatements: [
        allow(['s3:PutObject'], [`${bucket.arn}/${RAW_PREFIX}*`]),
        ...data.data.documents.writerKeyStatements(),
        allow(['s3:ListBucket'], [bucket.arn]),
        allow(['sqs:SendMessage', 'sqs:GetQueueAttributes'], [queue.arn]),
      ],
      edge: platform.platform.edge,
      route: { priority: 100, httpMethods: ['POST'] },
    });
  }
}
