import { Construct } from 'constructs';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration/index.js';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route/index.js';
import { LbListenerRule } from '@cdktf/provider-aws/lib/lb-listener-rule/index.js';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group/index.js';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import { ServiceDiscoveryService } from '@cdktf/provider-aws/lib/service-discovery-service/index.js';
import type { Vpc } from '@cdktf/provider-aws/lib/vpc/index.js';
import { allowEgress, allowIngress } from '../core/security-group.js';
import type { Edge, EdgeRoute } from '../platform/edge.js';

export interface EdgeAttachmentProps {
  readonly serviceName: string;
  /** Name of the ALB target group (at most 32 characters). */
  readonly targetGroupName: string;
  readonly edge: Edge;
  readonly route: EdgeRoute;
  readonly vpc: Vpc;
  readonly serviceSecurityGroup: SecurityGroup;
  readonly port: number;
  /** What the ALB target group's health check asks (readiness). Cloud Map follows the container health check instead. */
  readonly readinessPath: string;
}

/**
 * Connects one service to the edge: the firewall pair (edge out to the service's port, service in
 * from the edge only), then either an ALB target group and listener rule, or a Cloud Map service
 * (SRV records carry the port) with an HTTP API integration and routes.
 */
export class EdgeAttachment extends Construct {
  readonly targetGroup?: LbTargetGroup;
  readonly listenerRule?: LbListenerRule;
  readonly discoveryService?: ServiceDiscoveryService;

  constructor(scope: Construct, id: string, props: EdgeAttachmentProps) {
    super(scope, id);
    if (props.targetGroupName.length > 32) {
      throw new Error(`EdgeAttachment: targetGroupName "${props.targetGroupName}" is longer than the 32 characters ALB allows`);
    }
    allowIngress(this, 'FromEdge', props.serviceSecurityGroup, {
      peer: { securityGroup: props.edge.securityGroup },
      port: props.port,
      description: `${props.serviceName} from the edge`,
    });
    allowEgress(this, 'EdgeToService', props.edge.securityGroup, {
      peer: { securityGroup: props.serviceSecurityGroup },
      port: props.port,
      description: `edge to ${props.serviceName}`,
    });

    const edge = props.edge;
    if (edge.kind === 'alb') {
      this.targetGroup = new LbTargetGroup(this, 'TargetGroup', {
        name: props.targetGroupName,
        vpcId: props.vpc.id,
        targetType: 'ip',
        protocol: 'HTTP',
        port: props.port,
        deregistrationDelay: '30',
        healthCheck: {
          path: props.readinessPath,
          matcher: '200',
          interval: 15,
          timeout: 5,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
        },
      });
      this.listenerRule = new LbListenerRule(this, 'ListenerRule', {
        listenerArn: edge.routeListener.arn,
        priority: props.route.priority,
        action: [{ type: 'forward', targetGroupArn: this.targetGroup.arn }],
        condition: [
          { pathPattern: { values: ['/*'] } },
          ...(props.route.httpMethods ? [{ httpRequestMethod: { values: [...props.route.httpMethods] } }] : []),
        ],
      });
      return;
    }

    this.discoveryService = new ServiceDiscoveryService(this, 'DiscoveryService', {
      name: props.serviceName,
      namespaceId: edge.namespace.id,
      dnsConfig: {
        namespaceId: edge.namespace.id,
        routingPolicy: 'MULTIVALUE',
        dnsRecords: [{ type: 'SRV', ttl: 10 }],
      },
      // ECS reports the container health check (liveness) to Cloud Map; unhealthy tasks are deregistered
      healthCheckCustomConfig: { failureThreshold: 1 },
    });
    const integration = new Apigatewayv2Integration(this, 'Integration', {
      apiId: edge.api.id,
      integrationType: 'HTTP_PROXY',
      integrationMethod: 'ANY',
      connectionType: 'VPC_LINK',
      connectionId: edge.vpcLink.id,
      integrationUri: this.discoveryService.arn,
      payloadFormatVersion: '1.0',
      timeoutMilliseconds: 29_000,
    });
    const routeKeys = props.route.httpMethods
      ? props.route.httpMethods.flatMap((method) => [`${method} /`, `${method} /{proxy+}`])
      : ['$default'];
    routeKeys.forEach((routeKey, index) => {
      new Apigatewayv2Route(this, `Route${index + 1}`, {
        apiId: edge.api.id,
        routeKey,
        target: `integrations/${integration.id}`,
      });
    });
  }
}
