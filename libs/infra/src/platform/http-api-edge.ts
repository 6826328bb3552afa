import { Construct } from 'constructs';
import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api/index.js';
import { Apigatewayv2ApiMapping } from '@cdktf/provider-aws/lib/apigatewayv2-api-mapping/index.js';
import { Apigatewayv2DomainName } from '@cdktf/provider-aws/lib/apigatewayv2-domain-name/index.js';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage/index.js';
import { Apigatewayv2VpcLink } from '@cdktf/provider-aws/lib/apigatewayv2-vpc-link/index.js';
import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record/index.js';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import { ServiceDiscoveryPrivateDnsNamespace } from '@cdktf/provider-aws/lib/service-discovery-private-dns-namespace/index.js';
import type { Vpc } from '@cdktf/provider-aws/lib/vpc/index.js';
import { logGroupWithRetention } from '../core/log-group.js';
import { emptySecurityGroup } from '../core/security-group.js';

export interface HttpApiEdgeProps {
  readonly namePrefix: string;
  readonly vpc: Vpc;
  /** Subnets of the VPC link's network interfaces (where the services run). */
  readonly subnetIds: readonly string[];
  /** Private DNS namespace the services register in. @default "<namePrefix>.internal" */
  readonly namespaceName?: string;
  readonly accessLogRetentionDays: number;
  /** Encrypts the access log group. @default - the CloudWatch Logs service key */
  readonly logKmsKeyArn?: string;
  /** Requests per second the stage accepts (steady). @default 50 */
  readonly throttlingRateLimit?: number;
  /** @default 100 */
  readonly throttlingBurstLimit?: number;
  /** A host name of our own (TLS 1.2, a validated ACM certificate, an alias record in the zone). @default - the API's own execute-api URL */
  readonly customDomain?: { readonly name: string; readonly certificateArn: string; readonly zoneId: string };
}

/**
 * The lean profile's edge: an API Gateway HTTP API (HTTPS only, throttled, access-logged) that
 * reaches the services through a VPC link and Cloud Map, with no load balancer and no NAT. Services
 * register in the namespace and add an integration and routes.
 */
export class HttpApiEdge extends Construct {
  readonly kind = 'http-api' as const;
  readonly api: Apigatewayv2Api;
  readonly stage: Apigatewayv2Stage;
  readonly vpcLink: Apigatewayv2VpcLink;
  readonly securityGroup: SecurityGroup;
  readonly namespace: ServiceDiscoveryPrivateDnsNamespace;
  readonly accessLogGroup: CloudwatchLogGroup;
  readonly url: string;

  constructor(scope: Construct, id: string, props: HttpApiEdgeProps) {
    super(scope, id);
    const namespaceName = props.namespaceName ?? `${props.namePrefix}.internal`;
    const throttlingRateLimit = props.throttlingRateLimit ?? 50;
    const throttlingBurstLimit = props.throttlingBurstLimit ?? 100;

    this.securityGroup = emptySecurityGroup(this, 'VpcLinkSecurityGroup', {
      name: `${props.namePrefix}-vpc-link`,
      description: 'API Gateway VPC link: out to the services only',
      vpcId: props.vpc.id,
    });
    this.vpcLink = new Apigatewayv2VpcLink(this, 'VpcLink', {
      name: `${props.namePrefix}-vpc-link`,
      subnetIds: [...props.subnetIds],
      securityGroupIds: [this.securityGroup.id],
    });
    this.namespace = new ServiceDiscoveryPrivateDnsNamespace(this, 'Namespace', {
      name: namespaceName,
      description: 'docflow services, for the API Gateway VPC link',
      vpc: props.vpc.id,
    });
    this.api = new Apigatewayv2Api(this, 'Api', {
      name: `${props.namePrefix}-http-api`,
      protocolType: 'HTTP',
      description: 'docflow ingest and api',
    });
    this.accessLogGroup = logGroupWithRetention(this, 'AccessLogs', {
      name: `/${props.namePrefix}/http-api-access`,
      retentionDays: props.accessLogRetentionDays,
      kmsKeyArn: props.logKmsKeyArn,
    });
    this.stage = new Apigatewayv2Stage(this, 'DefaultStage', {
      apiId: this.api.id,
      name: '$default',
      autoDeploy: true,
      defaultRouteSettings: { throttlingRateLimit, throttlingBurstLimit },
      accessLogSettings: {
        destinationArn: this.accessLogGroup.arn,
        format: JSON.stringify({
          requestId: '$context.requestId',
          ip: '$context.identity.sourceIp',
          method: '$context.httpMethod',
          path: '$context.path',
          status: '$context.status',
          latencyMs: '$context.responseLatency',
          integrationError: '$context.integrationErrorMessage',
        }),
      },
    });
    this.url = this.api.apiEndpoint;

    if (props.customDomain !== undefined) {
      const domain = new Apigatewayv2DomainName(this, 'DomainName', {
        domainName: props.customDomain.name,
        domainNameConfiguration: { certificateArn: props.customDomain.certificateArn, endpointType: 'REGIONAL', securityPolicy: 'TLS_1_2' },
      });
      new Apigatewayv2ApiMapping(this, 'ApiMapping', { apiId: this.api.id, domainName: domain.id, stage: this.stage.id });
      new Route53Record(this, 'Alias', {
        zoneId: props.customDomain.zoneId,
        name: props.customDomain.name,
        type: 'A',
        alias: {
          name: domain.domainNameConfiguration.targetDomainName,
          zoneId: domain.domainNameConfiguration.hostedZoneId,
          evaluateTargetHealth: false,
        },
      });
      this.url = `https://${props.customDomain.name}`;
    }
  }
}
