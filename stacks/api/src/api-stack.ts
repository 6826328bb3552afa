import type { Construct } from 'constructs';
import {
  allow,
  appEnvironment,
  databaseConnection,
  DatabaseAdmin,
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

export interface ApiStackProps extends WorkloadStackProps {
  readonly network: NetworkStack;
  readonly data: DataStack;
  readonly platform: PlatformStack;
}

/**
 * `<env>-api`: the api Fargate service. Its task role allows only reading stored bodies
 * (GetObject under `raw/`, and ListBucket so that a missing body is a 404 rather than a 403) for
 * `GET /v1/documents/:id/body`; the database credentials and API keys arrive as ECS secrets. The
 * edge sends it every request that is not ingest's (POST).
 */
export class ApiStack extends DocflowStack {
  readonly service: FargateService;
  readonly databaseAdmin: DatabaseAdmin;

  constructor(scope: Construct, props: ApiStackProps) {
    super(scope, 'api', props);
    const { env, network, data, platform } = props;
    const database = databaseConnection(data.data.database, 'api');
    const bucket = data.data.documents.bucket;
    const imageTag = imageTagVariable(this);
    this.databaseAdmin = new DatabaseAdmin(this, 'DatabaseAdmin', {
      namePrefix: resourceName(env),
      region: env.region,
      cluster: platform.platform.cluster,
      repository: platform.platform.repositories.of('api'),
      imageTag,
      logGroup: platform.platform.logGroups.of('api'),
      placement: network.network.workloadPlacement,
      securityGroup: network.securityGroups.of('api'),
      database: data.data.database,
      rotationDays: env.database.credentialRotationDays,
      environment: appEnvironment(env),
    });
    this.service = new FargateService(this, 'Service', {
      serviceName: 'api',
      namePrefix: resourceName(env),
      cluster: platform.platform.cluster,
      vpc: network.network.vpc,
      placement: network.network.workloadPlacement,
      securityGroup: network.securityGroups.of('api'),
      repository: platform.platform.repositories.of('api'),
      imageTag,
      logGroup: platform.platform.logGroups.of('api'),
      region: env.region,
      cpu: env.api.cpu,
      memoryMiB: env.api.memoryMiB,
      desiredCount: env.api.desiredCount,
      maxCount: env.api.maxCount,
      environment: { ...appEnvironment(env), ...database.environment, DOCFLOW_BUCKET: bucket.bucket },
      secrets: { DOCFLOW_API_KEYS: platform.platform.apiKeys.reference() },
      taskStatements: [
        allow(['s3:GetObject'], [`${bucket.arn}/${RAW_PREFIX}*`]),
        allow(['s3:ListBucket'], [bucket.arn]),
        ...data.data.documents.readerKeyStatements(),
        ...database.taskStatements,
      ],
      // the roles, migrations and grants are in place before a new api starts
      dependsOn: [this.databaseAdmin.setup],
      edge: platform.platform.edge,
      route: { priority: 200 },
    });
  }
}
