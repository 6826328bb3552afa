import { Construct } from 'constructs';
import type { Profile } from '../environments/types.js';
import type { Network } from '../network/network.js';
import { ApiKeysSecret } from './api-keys-secret.js';
import { AppLogGroups } from './app-log-groups.js';
import { Cluster } from './cluster.js';
import type { Edge } from './edge.js';
import { HttpApiEdge } from './http-api-edge.js';
import { LoadBalancerEdge } from './load-balancer-edge.js';
import { Repositories } from './repositories.js';

/** The deployable apps; each gets an ECR repository and a log group. */
export const APPS = ['api', 'ingest', 'worker'] as const;
export type App = (typeof APPS)[number];

export interface PlatformProps {
  readonly namePrefix: string;
  readonly profile: Profile;
  readonly network: Network;
  readonly logRetentionDays: number;
  /** ALB HTTPS certificate (standard profile). @default - HTTP only */
  readonly certificateArn?: string;
  /** Protect the ALB and keep images and secrets when destroyed. @default true */
  readonly protectFromDeletion?: boolean;
}

/**
 * What every service runs on: the ECS cluster, an ECR repository and a log group per app, the API
 * keys secret, and the edge of the profile (ALB for standard, HTTP API + VPC link + Cloud Map for lean).
 */
export class Platform extends Construct {
  readonly cluster: Cluster;
  readonly repositories: Repositories;
  readonly logGroups: AppLogGroups;
  readonly apiKeys: ApiKeysSecret;
  readonly edge: Edge;

  constructor(scope: Construct, id: string, props: PlatformProps) {
    super(scope, id);
    const protect = props.protectFromDeletion ?? true;
    if (props.profile === 'lean' && props.certificateArn !== undefined) {
      throw new Error('Platform: certificateArn configures the ALB, which the lean profile does not have');
    }
    this.cluster = new Cluster(this, 'Cluster', { clusterName: props.namePrefix });
    this.repositories = new Repositories(this, 'Repositories', { namePrefix: props.namePrefix, apps: APPS, forceDelete: !protect });
    this.logGroups = new AppLogGroups(this, 'LogGroups', {
      namePrefix: props.namePrefix,
      apps: APPS,
      retentionDays: props.logRetentionDays,
    });
    this.apiKeys = new ApiKeysSecret(this, 'ApiKeys', {
      secretName: `${props.namePrefix}/api-keys`,
      recoveryWindowDays: protect ? 30 : 0,
    });
    this.edge =
      props.profile === 'standard'
        ? new LoadBalancerEdge(this, 'Edge', {
            namePrefix: props.namePrefix,
            vpc: props.network.vpc,
            publicSubnets: props.network.publicSubnets,
            deletionProtection: protect,
            ...(props.certificateArn !== undefined ? { certificateArn: props.certificateArn } : {}),
          })
        : new HttpApiEdge(this, 'Edge', {
            namePrefix: props.namePrefix,
            vpc: props.network.vpc,
            subnetIds: props.network.workloadPlacement.subnetIds,
            accessLogRetentionDays: props.logRetentionDays,
          });
  }
}
