import { Construct } from 'constructs';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster/index.js';
import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers/index.js';

export interface ClusterProps {
  readonly clusterName: string;
  /** CloudWatch Container Insights (per-task metrics; the worker's backlog-per-task scaling reads RunningTaskCount from it). @default true */
  readonly containerInsights?: boolean;
}

/** ECS cluster with both Fargate capacity providers; services pick theirs, FARGATE by default. */
export class Cluster extends Construct {
  readonly cluster: EcsCluster;
  readonly capacityProviders: EcsClusterCapacityProviders;
  readonly containerInsights: boolean;

  constructor(scope: Construct, id: string, props: ClusterProps) {
    super(scope, id);
    this.containerInsights = props.containerInsights ?? true;
    this.cluster = new EcsCluster(this, 'Cluster', {
      name: props.clusterName,
      setting: [{ name: 'containerInsights', value: this.containerInsights ? 'enabled' : 'disabled' }],
    });
    this.capacityProviders = new EcsClusterCapacityProviders(this, 'CapacityProviders', {
      clusterName: this.cluster.name,
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1, base: 0 }],
    });
  }
}
