import { Construct } from 'constructs';
import type { RouteTable } from '@cdktf/provider-aws/lib/route-table/index.js';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import type { Subnet } from '@cdktf/provider-aws/lib/subnet/index.js';
import type { Vpc } from '@cdktf/provider-aws/lib/vpc/index.js';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint/index.js';
import { allowIngress, emptySecurityGroup } from '../core/security-group.js';
import { pascalCase } from '../core/naming.js';

/** The interface endpoints docflow's services need to run without a route to the internet. */
export const INTERFACE_ENDPOINT_SERVICES = ['sqs', 'secretsmanager', 'logs', 'ecr.api', 'ecr.dkr'] as const;
export type InterfaceEndpointService = (typeof INTERFACE_ENDPOINT_SERVICES)[number];

export interface VpcEndpointsProps {
  readonly namePrefix: string;
  readonly region: string;
  readonly vpc: Vpc;
  readonly vpcCidr: string;
  /** Route tables that get the S3 gateway endpoint (free; also serves ECR image layers). */
  readonly gatewayRouteTables: readonly RouteTable[];
  readonly interfaceSubnets: readonly Subnet[];
  readonly interfaceServices: readonly InterfaceEndpointService[];
}

/** S3 gateway endpoint always; interface endpoints (private DNS) when services are listed. */
export class VpcEndpoints extends Construct {
  readonly s3Gateway: VpcEndpoint;
  readonly interfaceEndpoints: Partial<Record<InterfaceEndpointService, VpcEndpoint>> = {};
  readonly securityGroup?: SecurityGroup;

  constructor(scope: Construct, id: string, props: VpcEndpointsProps) {
    super(scope, id);
    this.s3Gateway = new VpcEndpoint(this, 'S3Gateway', {
      vpcId: props.vpc.id,
      serviceName: `com.amazonaws.${props.region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: props.gatewayRouteTables.map((table) => table.id),
      tags: { Name: `${props.namePrefix}-s3` },
    });
    if (props.interfaceServices.length === 0) return;

    const securityGroup = emptySecurityGroup(this, 'SecurityGroup', {
      name: `${props.namePrefix}-endpoints`,
      description: 'Interface VPC endpoints: HTTPS from inside the VPC',
      vpcId: props.vpc.id,
    });
    allowIngress(this, 'HttpsFromVpc', securityGroup, {
      peer: { cidr: props.vpcCidr },
      port: 443,
      description: 'HTTPS to the AWS APIs from inside the VPC',
    });
    this.securityGroup = securityGroup;
    for (const service of props.interfaceServices) {
      this.interfaceEndpoints[service] = new VpcEndpoint(this, `${pascalCase(service)}Interface`, {
        vpcId: props.vpc.id,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: props.interfaceSubnets.map((subnet) => subnet.id),
        securityGroupIds: [securityGroup.id],
        tags: { Name: `${props.namePrefix}-${service}` },
      });
    }
  }
}
