import { Construct } from 'constructs';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter/index.js';
import { Eip } from '@cdktf/provider-aws/lib/eip/index.js';
import { Instance } from '@cdktf/provider-aws/lib/instance/index.js';
import type { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway/index.js';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway/index.js';
import { Route } from '@cdktf/provider-aws/lib/route/index.js';
import type { RouteTable } from '@cdktf/provider-aws/lib/route-table/index.js';
import type { Subnet } from '@cdktf/provider-aws/lib/subnet/index.js';
import type { Vpc } from '@cdktf/provider-aws/lib/vpc/index.js';
import { allowEgress, allowIngress, emptySecurityGroup } from '../core/security-group.js';
import type { NatMode } from '../environments/types.js';

export interface NatEgressProps {
  readonly namePrefix: string;
  readonly mode: Exclude<NatMode, 'none'>;
  readonly vpc: Vpc;
  readonly vpcCidr: string;
  readonly publicSubnets: readonly Subnet[];
  /** One per AZ, in AZ order. */
  readonly privateRouteTables: readonly RouteTable[];
  readonly internetGateway: InternetGateway;
  /** Instance type of the NAT instance (mode "instance"). @default "t4g.nano" */
  readonly natInstanceType?: string;
}

/** Amazon Linux 2023 for arm64, resolved from AWS's public SSM parameter at plan time. */
const NAT_INSTANCE_AMI_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64';

/** Turns an Amazon Linux 2023 instance into a NAT: forwarding on, masquerade out of the primary interface. */
const NAT_INSTANCE_USER_DATA = `#!/bin/bash
set -euo pipefail
dnf install -y iptables-services
echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-nat.conf
sysctl --system
iface=$(ip route show default | awk '{print $5; exit}')
iptables -t nat -A POSTROUTING -o "$iface" -j MASQUERADE
iptables -F FORWARD
service iptables save
systemctl enable --now iptables
`;

/**
 * The private subnets' default route: a NAT gateway per AZ (zone-independent), one NAT gateway
 * (cheaper; egress stops if its AZ fails) or one NAT instance (cheapest; a single instance to patch).
 */
export class NatEgress extends Construct {
  readonly natGateways: NatGateway[] = [];
  readonly natInstance?: Instance;

  constructor(scope: Construct, id: string, props: NatEgressProps) {
    super(scope, id);
    const natInstanceType = props.natInstanceType ?? 't4g.nano';
    const name = (suffix: string) => `${props.namePrefix}-${suffix}`;

    const [firstPublicSubnet] = props.publicSubnets;
    if (!firstPublicSubnet) throw new Error('NatEgress: needs at least one public subnet');

    if (props.mode === 'instance') {
      const instance = this.createInstance(props, firstPublicSubnet, natInstanceType);
      this.natInstance = instance;
      props.privateRouteTables.forEach((table, index) => {
        new Route(this, `PrivateDefaultRoute${index + 1}`, {
          routeTableId: table.id,
          destinationCidrBlock: '0.0.0.0/0',
          networkInterfaceId: instance.primaryNetworkInterfaceId,
        });
      });
      return;
    }

    const gatewaySubnets = props.mode === 'gateway-per-az' ? props.publicSubnets : [firstPublicSubnet];
    gatewaySubnets.forEach((subnet, index) => {
      const eip = new Eip(this, `Eip${index + 1}`, { domain: 'vpc', tags: { Name: name(`nat-${index + 1}`) } });
      this.natGateways.push(
        new NatGateway(this, `Gateway${index + 1}`, {
          allocationId: eip.allocationId,
          subnetId: subnet.id,
          tags: { Name: name(`nat-${index + 1}`) },
          dependsOn: [props.internetGateway],
        }),
      );
    });
    props.privateRouteTables.forEach((table, index) => {
      // per AZ when there is a gateway per AZ, else the single one
      const gateway = this.natGateways[index] ?? this.natGateways[0];
      new Route(this, `PrivateDefaultRoute${index + 1}`, {
        routeTableId: table.id,
        destinationCidrBlock: '0.0.0.0/0',
        ...(gateway ? { natGatewayId: gateway.id } : {}),
      });
    });
  }

  private createInstance(props: NatEgressProps, subnet: Subnet, instanceType: string): Instance {
    const securityGroup = emptySecurityGroup(this, 'InstanceSecurityGroup', {
      name: `${props.namePrefix}-nat-instance`,
      description: 'NAT instance: traffic from the VPC out to the internet',
      vpcId: props.vpc.id,
    });
    allowIngress(this, 'FromVpc', securityGroup, { peer: { cidr: props.vpcCidr }, port: 'all', description: 'Traffic to translate' });
    allowEgress(this, 'HttpsOut', securityGroup, { peer: { cidr: '0.0.0.0/0' }, port: 443, description: 'HTTPS out' });
    allowEgress(this, 'HttpOut', securityGroup, { peer: { cidr: '0.0.0.0/0' }, port: 80, description: 'HTTP out (package mirrors)' });
    const ami = new DataAwsSsmParameter(this, 'Ami', { name: NAT_INSTANCE_AMI_PARAMETER });
    return new Instance(this, 'Instance', {
      ami: ami.insecureValue,
      instanceType,
      subnetId: subnet.id,
      associatePublicIpAddress: true,
      sourceDestCheck: false,
      vpcSecurityGroupIds: [securityGroup.id],
      userData: NAT_INSTANCE_USER_DATA,
      userDataReplaceOnChange: true,
      metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled' },
      rootBlockDevice: { encrypted: true, volumeType: 'gp3' },
      monitoring: true,
      tags: { Name: `${props.namePrefix}-nat-instance` },
      // a new AMI from the SSM parameter must not replace the instance on every plan
      lifecycle: { ignoreChanges: ['ami'] },
    });
  }
}
