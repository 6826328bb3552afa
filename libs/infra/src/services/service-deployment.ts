import type { EcsServiceConfig } from '@cdktf/provider-aws/lib/ecs-service/index.js';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import type { CapacityProvider } from '../environments/types.js';
import type { WorkloadPlacement } from '../network/network.js';
import type { Cluster } from '../platform/cluster.js';

export interface ServiceDeploymentProps {
  readonly cluster: Cluster;
  readonly taskDefinitionArn: string;
  readonly capacityProvider: CapacityProvider;
  readonly placement: WorkloadPlacement;
  readonly securityGroup: SecurityGroup;
}

/**
 * Where and how every docflow ECS service runs and deploys, so the api, ingest and the worker
 * cannot drift apart: one capacity provider, the workload placement, a rolling deploy that keeps
 * every task until the new ones are healthy and rolls back when they never are.
 */
export function serviceDeployment(props: ServiceDeploymentProps) {
  return {
    cluster: props.cluster.cluster.arn,
    taskDefinition: props.taskDefinitionArn,
    capacityProviderStrategy: [{ capacityProvider: props.capacityProvider, weight: 1, base: 0 }],
    platformVersion: 'LATEST',
    networkConfiguration: {
      subnets: props.placement.subnetIds,
      securityGroups: [props.securityGroup.id],
      assignPublicIp: props.placement.assignPublicIp,
    },
    deploymentCircuitBreaker: { enable: true, rollback: true },
    deploymentMinimumHealthyPercent: 100,
    deploymentMaximumPercent: 200,
    availabilityZoneRebalancing: 'ENABLED',
    propagateTags: 'SERVICE',
    enableEcsManagedTags: true,
  } satisfies Partial<EcsServiceConfig>;
}
