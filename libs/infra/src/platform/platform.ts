import { Construct } from 'constructs';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record/index.js';
import type { EncryptionKeys } from '../core/keys.js';
import type { Profile } from '../environments/types.js';
import type { Network } from '../network/network.js';
import { ApiKeysSecret } from './api-keys-secret.js';
import { AppLogGroups } from './app-log-groups.js';
import { Cluster } from './cluster.js';
import { DnsCertificate } from './dns-certificate.js';
import type { Edge } from './edge.js';
import { EdgeFirewall } from './edge-firewall.js';
import { HttpApiEdge } from './http-api-edge.js';
import { LoadBalancerEdge } from './load-balancer-edge.js';
import { LoadBalancerLogs } from './load-balancer-logs.js';
import { Repositories } from './repositories.js';

/** The deployable apps; each gets an ECR repository and a log group. */
export const APPS = ['api', 'ingest', 'worker'] as const;
export type App = (typeof APPS)[number];

/** A public host name and the Route 53 zone that holds it. */
export interface PublicDomain {
  readonly name: string;
  readonly zoneId: string;
}

export interface PlatformProps {
  readonly namePrefix: string;
  readonly profile: Profile;
  readonly region: string;
  readonly network: Network;
  readonly logRetentionDays: number;
  /** Where clients reach api and ingest: required in the standard profile (HTTPS only). @default - lean: the HTTP API's own URL */
  readonly domain?: PublicDomain;
  /** WAF rate limit per client IP: required in the standard profile, refused in lean (no load balancer). @default - no WAF */
  readonly firewall?: { readonly requestsPerIpPer5Minutes: number };
  /** The environment's customer-managed keys. @default - AWS-managed encryption everywhere */
  readonly keys?: EncryptionKeys;
  /** Protect the ALB and keep images, secrets and logs when destroyed. @default true */
  readonly protectFromDeletion?: boolean;
}

/** What the standard profile adds around its load balancer. */
export interface LoadBalancerProtection {
  readonly certificate: DnsCertificate;
  readonly firewall: EdgeFirewall;
  readonly accessLogs: LoadBalancerLogs;
  readonly alias: Route53Record;
}

/**
 * What every service runs on: the ECS cluster, an ECR repository and a log group per app, the API
 * keys secret, and the edge of the profile:
 * - standard: an ALB answering HTTPS only on the environment's domain (DNS-validated certificate,
 *   alias record), behind WAF, with access logs;
 * - lean: an HTTP API + VPC link + Cloud Map (HTTPS by itself), optionally on a custom domain.
 */
export class Platform extends Construct {
  readonly cluster: Cluster;
  readonly repositories: Repositories;
  readonly logGroups: AppLogGroups;
  readonly apiKeys: ApiKeysSecret;
  readonly edge: Edge;
  /** Certificate, WAF, access logs and alias record of the load balancer (standard profile). */
  readonly protection?: LoadBalancerProtection;

  constructor(scope: Construct, id: string, props: PlatformProps) {
    super(scope, id);
    const protect = props.protectFromDeletion ?? true;
    const standard = props.profile === 'standard';
    if (standard && props.domain === undefined) {
      throw new Error('Platform: the standard profile serves HTTPS only, so it needs domain (a host name and its Route 53 zone)');
    }
    if (standard && props.firewall === undefined) throw new Error('Platform: the standard profile puts WAF in front of its load balancer, so it needs firewall');
    if (!standard && props.firewall !== undefined) {
      throw new Error('Platform: firewall configures WAF on the load balancer, which the lean profile does not have (HTTP APIs cannot take a web ACL)');
    }

    this.cluster = new Cluster(this, 'Cluster', { clusterName: props.namePrefix });
    const keys = props.keys;
    this.repositories = new Repositories(this, 'Repositories', {
      namePrefix: props.namePrefix,
      apps: APPS,
      forceDelete: !protect,
      ...(keys ? { kmsKeyArn: keys.dataKeyArn } : {}),
    });
    this.logGroups = new AppLogGroups(this, 'LogGroups', {
      namePrefix: props.namePrefix,
      apps: APPS,
      retentionDays: props.logRetentionDays,
      ...(keys ? { logKmsKeyArn: keys.logsKeyArn } : {}),
    });
    this.apiKeys = new ApiKeysSecret(this, 'ApiKeys', {
      secretName: `${props.namePrefix}/api-keys`,
      recoveryWindowDays: protect ? 30 : 0,
      ...(keys ? { kmsKeyArn: keys.dataKeyArn } : {}),
    });
    const certificate = props.domain !== undefined ? new DnsCertificate(this, 'Certificate', { domainName: props.domain.name, zoneId: props.domain.zoneId }) : undefined;

    if (standard && props.domain !== undefined && props.firewall !== undefined && certificate !== undefined) {
      const accessLogs = new LoadBalancerLogs(this, 'AccessLogs', {
        namePrefix: props.namePrefix,
        region: props.region,
        retentionDays: props.logRetentionDays,
        forceDestroy: !protect,
      });
      const edge = new LoadBalancerEdge(this, 'Edge', {
        namePrefix: props.namePrefix,
        vpc: props.network.vpc,
        publicSubnets: props.network.publicSubnets,
        deletionProtection: protect,
        certificateArn: certificate.certificateArn,
        hostName: props.domain.name,
        accessLogs,
      });
      const firewall = new EdgeFirewall(this, 'Firewall', {
        namePrefix: props.namePrefix,
        loadBalancer: edge.loadBalancer,
        requestsPerIpPer5Minutes: props.firewall.requestsPerIpPer5Minutes,
        logRetentionDays: props.logRetentionDays,
        ...(keys ? { logKmsKeyArn: keys.logsKeyArn } : {}),
      });
      const alias = new Route53Record(this, 'Alias', {
        zoneId: props.domain.zoneId,
        name: props.domain.name,
        type: 'A',
        alias: { name: edge.loadBalancer.dnsName, zoneId: edge.loadBalancer.zoneId, evaluateTargetHealth: true },
      });
      this.edge = edge;
      this.protection = { certificate, firewall, accessLogs, alias };
    } else {
      this.edge = new HttpApiEdge(this, 'Edge', {
        namePrefix: props.namePrefix,
        vpc: props.network.vpc,
        subnetIds: props.network.workloadPlacement.subnetIds,
        accessLogRetentionDays: props.logRetentionDays,
        ...(keys ? { logKmsKeyArn: keys.logsKeyArn } : {}),
        ...(props.domain !== undefined && certificate !== undefined
          ? { customDomain: { name: props.domain.name, zoneId: props.domain.zoneId, certificateArn: certificate.certificateArn } }
          : {}),
      });
    }
  }
}
