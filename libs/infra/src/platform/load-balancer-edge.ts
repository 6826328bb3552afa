import { Annotations } from 'cdktf';
import { Construct } from 'constructs';
import { Lb } from '@cdktf/provider-aws/lib/lb/index.js';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener/index.js';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import type { Subnet } from '@cdktf/provider-aws/lib/subnet/index.js';
import type { Vpc } from '@cdktf/provider-aws/lib/vpc/index.js';
import { allowIngress, emptySecurityGroup } from '../core/security-group.js';

/** TLS 1.3 and 1.2 only (AWS's recommended policy for new listeners). */
export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

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
  /** ACM certificate: adds the HTTPS listener and turns port 80 into a redirect. @default - HTTP only (a warning is emitted) */
  readonly certificateArn?: string;
  /** @default true */
  readonly deletionProtection?: boolean;
  /** @default 60 */
  readonly idleTimeoutSeconds?: number;
}

/**
 * The standard profile's edge: an internet-facing ALB in the public subnets that drops invalid
 * header fields; with a certificate, HTTPS (TLS 1.2+) and an HTTP-to-HTTPS redirect. Services add
 * their own target group and listener rule to `routeListener`; unmatched requests get a JSON 404.
 */
export class LoadBalancerEdge extends Construct {
  readonly kind = 'alb' as const;
  readonly loadBalancer: Lb;
  readonly securityGroup: SecurityGroup;
  /** The listener services attach their rules to (HTTPS when a certificate is configured). */
  readonly routeListener: LbListener;
  readonly url: string;

  constructor(scope: Construct, id: string, props: LoadBalancerEdgeProps) {
    super(scope, id);
    const deletionProtection = props.deletionProtection ?? true;
    const idleTimeoutSeconds = props.idleTimeoutSeconds ?? 60;
    if (props.publicSubnets.length < 2) throw new Error('LoadBalancerEdge: an ALB needs public subnets in at least two AZs');

    this.securityGroup = emptySecurityGroup(this, 'SecurityGroup', {
      name: `${props.namePrefix}-alb`,
      description: 'Public ALB: HTTP and HTTPS from anywhere',
      vpcId: props.vpc.id,
    });
    allowIngress(this, 'HttpFromInternet', this.securityGroup, { peer: { cidr: '0.0.0.0/0' }, port: 80, description: 'HTTP (redirected when HTTPS is on)' });
    if (props.certificateArn) {
      allowIngress(this, 'HttpsFromInternet', this.securityGroup, { peer: { cidr: '0.0.0.0/0' }, port: 443, description: 'HTTPS' });
    }

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
    });

    if (props.certificateArn) {
      this.routeListener = new LbListener(this, 'HttpsListener', {
        loadBalancerArn: this.loadBalancer.arn,
        port: 443,
        protocol: 'HTTPS',
        sslPolicy: TLS_POLICY,
        certificateArn: props.certificateArn,
        defaultAction: [NOT_FOUND],
      });
      new LbListener(this, 'HttpListener', {
        loadBalancerArn: this.loadBalancer.arn,
        port: 80,
        protocol: 'HTTP',
        defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
      });
      this.url = `https://${this.loadBalancer.dnsName}`;
    } else {
      Annotations.of(this).addWarning(
        'LoadBalancerEdge: no certificateArn, so the ALB serves plain HTTP and API keys cross the internet unencrypted; set certificateArn in the environment table',
      );
      this.routeListener = new LbListener(this, 'HttpListener', {
        loadBalancerArn: this.loadBalancer.arn,
        port: 80,
        protocol: 'HTTP',
        defaultAction: [NOT_FOUND],
      });
      this.url = `http://${this.loadBalancer.dnsName}`;
    }
  }
}
