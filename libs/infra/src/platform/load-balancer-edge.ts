import { Construct } from 'constructs';
import { Lb } from '@cdktf/provider-aws/lib/lb/index.js';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener/index.js';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import type { Subnet } from '@cdktf/provider-aws/lib/subnet/index.js';
import type { Vpc } from '@cdktf/provider-aws/lib/vpc/index.js';
import { allowIngress, emptySecurityGroup } from '../core/security-group.js';
import type { LoadBalancerLogs } from './load-balancer-logs.js';

/**
 * TLS 1.3 and 1.2 only, restricted to forward-secret AEAD ciphers (AWS's TLS 1.3 policy for clients
 * that all speak TLS 1.2 or later). Listeners always name it: without ssl_policy AWS applies
 * ELBSecurityPolicy-2016-08, which still accepts TLS 1.0.
 */
export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06';

const NOT_FOUND = {
  type: 'fixed-response',
  fixedResponse: {
    contentType: 'application/json',
    statusCode: '404',
    messageBody: JSON.stringify({ error: 'NotFound', message: 'no route' }),
  },
};

export interface LoadBalancerEdgeProps {
  readonly namePrefix: string;
  readonly vpc: Vpc;
  readonly publicSubnets: readonly Subnet[];
  /** The validated ACM certificate of the HTTPS listener (see DnsCertificate). */
  readonly certificateArn: string;
  /** The host name clients use (the url output). */
  readonly hostName: string;
  /** Where the access logs go. */
  readonly accessLogs: LoadBalancerLogs;
  /** @default true */
  readonly deletionProtection?: boolean;
  /** @default 60 */
  readonly idleTimeoutSeconds?: number;
}

/**
 * The standard profile's edge: an internet-facing ALB in the public subnets that drops invalid
 * header fields and writes access logs; HTTPS only (TLS 1.2+), port 80 answering nothing but a
 * permanent redirect to HTTPS. Services add their own target group and listener rule to
 * `routeListener`; unmatched requests get a JSON 404.
 */
export class LoadBalancerEdge extends Construct {
  readonly kind = 'alb' as const;
  readonly loadBalancer: Lb;
  readonly securityGroup: SecurityGroup;
  /** The HTTPS listener services attach their rules to. */
  readonly routeListener: LbListener;
  /** The port-80 listener: a redirect to HTTPS and nothing else. */
  readonly redirectListener: LbListener;
  readonly url: string;

  constructor(scope: Construct, id: string, props: LoadBalancerEdgeProps) {
    super(scope, id);
    const deletionProtection = props.deletionProtection ?? true;
    const idleTimeoutSeconds = props.idleTimeoutSeconds ?? 60;
    if (props.publicSubnets.length < 2) throw new Error('LoadBalancerEdge: an ALB needs public subnets in at least two AZs');

    this.securityGroup = emptySecurityGroup(this, 'SecurityGroup', {
      name: `${props.namePrefix}-alb`,
      description: 'Public ALB: HTTPS, and HTTP only to redirect it, from anywhere',
      vpcId: props.vpc.id,
    });
    allowIngress(this, 'HttpsFromInternet', this.securityGroup, { peer: { cidr: '0.0.0.0/0' }, port: 443, description: 'HTTPS' });
    allowIngress(this, 'HttpFromInternet', this.securityGroup, { peer: { cidr: '0.0.0.0/0' }, port: 80, description: 'HTTP, answered with a redirect to HTTPS' });

    this.loadBalancer = new Lb(this, 'LoadBalancer', {
      name: `${props.namePrefix}-alb`,
      loadBalancerType: 'application',
      internal: false,
      subnets: props.publicSubnets.map((subnet) => subnet.id),
      securityGroups: [this.securityGroup.id],
      dropInvalidHeaderFields: true,
      desyncMitigationMode: 'strictest',
      enableDeletionProtection: deletionProtection,
      idleTimeout: idleTimeoutSeconds,
      accessLogs: { bucket: props.accessLogs.bucket.bucket, prefix: props.accessLogs.prefix, enabled: true },
      // the load balancer checks that it may write to the bucket when logging is turned on
      dependsOn: [props.accessLogs.policy],
    });

    this.routeListener = new LbListener(this, 'HttpsListener', {
      loadBalancerArn: this.loadBalancer.arn,
      port: 443,
      protocol: 'HTTPS',
      sslPolicy: TLS_POLICY,
      certificateArn: props.certificateArn,
      defaultAction: [NOT_FOUND],
    });
    this.redirectListener = new LbListener(this, 'HttpListener', {
      loadBalancerArn: this.loadBalancer.arn,
      port: 80,
      protocol: 'HTTP',
      defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
    });
    this.url = `https://${props.hostName}`;
  }
}
