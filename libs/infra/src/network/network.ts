import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones/index.js';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group/index.js';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway/index.js';
import { Route } from '@cdktf/provider-aws/lib/route/index.js';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table/index.js';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association/index.js';
import { Subnet } from '@cdktf/provider-aws/lib/subnet/index.js';
import { Vpc } from '@cdktf/provider-aws/lib/vpc/index.js';
import { cidrSubnet, parseCidr } from '../core/cidr.js';
import type { NatMode } from '../environments/types.js';
import { VpcEndpoints, type InterfaceEndpointService } from './endpoints.js';
import { FlowLog, type FlowLogTrafficType } from './flow-log.js';
import { NatEgress } from './nat.js';
import { pascalCase } from '../core/naming.js';

export interface NetworkProps {
  /** Prefix of every name (`docflow-<env>`). */
  readonly namePrefix: string;
  /** Region, for the VPC endpoint service names. */
  readonly region: string;
  /** VPC CIDR block, /16 to /20. @default "10.0.0.0/16" */
  readonly cidrBlock?: string;
  /** Availability zones to spread the subnets over (RDS needs two). @default 2 */
  readonly azCount?: number;
  /** Create private subnets for the services (standard). Without them services run in the public subnets with public IPs and ingress only from the edge. @default true */
  readonly createPrivateSubnets?: boolean;
  /** How private subnets reach the internet. @default - "single-gateway" with private subnets, else "none" */
  readonly natMode?: NatMode;
  /** Interface endpoints in the private subnets (the S3 gateway endpoint is always created). @default [] */
  readonly interfaceEndpoints?: readonly InterfaceEndpointService[];
  /** Flow log retention. @default 30 */
  readonly flowLogRetentionDays?: number;
  /** Which traffic the flow log records. @default "ALL" */
  readonly flowLogTrafficType?: FlowLogTrafficType;
  /** Encrypts the flow log's log group. @default - the CloudWatch Logs service key */
  readonly logKmsKeyArn?: string;
}

/** Where a workload's tasks run. */
export interface WorkloadPlacement {
  readonly subnetIds: string[];
  /** True in the public subnets (no NAT): the tasks need a public IP to reach AWS APIs and ECR. */
  readonly assignPublicIp: boolean;
}

/** Subnet tiers, each a /(prefix+4) per AZ: public 0-3, private 4-7, database 8-11. */
const SUBNET_NEW_BITS = 4;
const TIER_OFFSET = { public: 0, private: 4, database: 8 } as const;

/**
 * The VPC: public subnets (IGW), optional private subnets (NAT per mode), isolated database subnets
 * (no route out), the S3 gateway endpoint, optional interface endpoints, a flow log, and a default
 * security group stripped of every rule.
 */
export class Network extends Construct {
  readonly vpc: Vpc;
  readonly cidrBlock: string;
  readonly publicSubnets: Subnet[];
  readonly privateSubnets: Subnet[];
  readonly databaseSubnets: Subnet[];
  readonly natEgress?: NatEgress;
  readonly endpoints: VpcEndpoints;
  readonly flowLog: FlowLog;
  readonly workloadPlacement: WorkloadPlacement;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const cidrBlock = props.cidrBlock ?? '10.0.0.0/16';
    const azCount = props.azCount ?? 2;
    const createPrivateSubnets = props.createPrivateSubnets ?? true;
    const natMode = props.natMode ?? (createPrivateSubnets ? 'single-gateway' : 'none');
    const interfaceEndpoints = props.interfaceEndpoints ?? [];
    const flowLogRetentionDays = props.flowLogRetentionDays ?? 30;
    const flowLogTrafficType = props.flowLogTrafficType ?? 'ALL';

    const parsed = parseCidr(cidrBlock);
    if (!parsed || parsed.prefixLength < 16 || parsed.prefixLength > 20) {
      throw new Error(`Network: cidrBlock "${cidrBlock}" must be an IPv4 network from /16 to /20`);
    }
    if (!Number.isInteger(azCount) || azCount < 2 || azCount > 4) {
      throw new Error(`Network: azCount must be 2 to 4 (an RDS subnet group needs two AZs), got ${azCount}`);
    }
    if (!createPrivateSubnets && natMode !== 'none') {
      throw new Error(`Network: natMode "${natMode}" needs private subnets, but createPrivateSubnets is false`);
    }
    if (!createPrivateSubnets && interfaceEndpoints.length > 0) {
      throw new Error('Network: interfaceEndpoints live in the private subnets, but createPrivateSubnets is false');
    }
    this.cidrBlock = cidrBlock;
    const name = (suffix: string) => `${props.namePrefix}-${suffix}`;

    this.vpc = new Vpc(this, 'Vpc', {
      cidrBlock,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: name('vpc') },
    });
    // AWS gives every VPC a default group that allows all traffic between its members; empty it
    new DefaultSecurityGroup(this, 'DefaultSecurityGroup', { vpcId: this.vpc.id, tags: { Name: name('default-deny') } });

    const zones = new DataAwsAvailabilityZones(this, 'Zones', { state: 'available' });
    const zone = (index: number) => Fn.element(zones.names, index);
    const subnets = (tier: keyof typeof TIER_OFFSET) =>
      Array.from({ length: azCount }, (_, index) => {
        const tierName = `${tier}-${index + 1}`;
        return new Subnet(this, `${pascalCase(tier)}Subnet${index + 1}`, {
          vpcId: this.vpc.id,
          availabilityZone: zone(index),
          cidrBlock: cidrSubnet(cidrBlock, SUBNET_NEW_BITS, TIER_OFFSET[tier] + index),
          // tasks that need a public IP ask for one; nothing gets one by accident
          mapPublicIpOnLaunch: false,
          tags: { Name: name(tierName), tier },
        });
      });

    // public: the internet gateway is the default route
    const internetGateway = new InternetGateway(this, 'InternetGateway', { vpcId: this.vpc.id, tags: { Name: name('igw') } });
    this.publicSubnets = subnets('public');
    const publicRouteTable = new RouteTable(this, 'PublicRouteTable', { vpcId: this.vpc.id, tags: { Name: name('public') } });
    new Route(this, 'PublicDefaultRoute', {
      routeTableId: publicRouteTable.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: internetGateway.id,
    });
    this.publicSubnets.forEach((subnet, index) => {
      new RouteTableAssociation(this, `PublicSubnet${index + 1}Routes`, { subnetId: subnet.id, routeTableId: publicRouteTable.id });
    });

    // private: one route table per AZ, so a NAT gateway per AZ keeps traffic in its zone
    this.privateSubnets = createPrivateSubnets ? subnets('private') : [];
    const privateRouteTables = this.privateSubnets.map((subnet, index) => {
      const table = new RouteTable(this, `PrivateRouteTable${index + 1}`, {
        vpcId: this.vpc.id,
        tags: { Name: name(`private-${index + 1}`) },
      });
      new RouteTableAssociation(this, `PrivateSubnet${index + 1}Routes`, { subnetId: subnet.id, routeTableId: table.id });
      return table;
    });
    if (natMode !== 'none') {
      this.natEgress = new NatEgress(this, 'Nat', {
        namePrefix: props.namePrefix,
        mode: natMode,
        vpc: this.vpc,
        vpcCidr: cidrBlock,
        publicSubnets: this.publicSubnets,
        privateRouteTables,
        internetGateway,
      });
    }

    // database: isolated, no route beyond the VPC
    this.databaseSubnets = subnets('database');
    const databaseRouteTable = new RouteTable(this, 'DatabaseRouteTable', { vpcId: this.vpc.id, tags: { Name: name('database') } });
    this.databaseSubnets.forEach((subnet, index) => {
      new RouteTableAssociation(this, `DatabaseSubnet${index + 1}Routes`, { subnetId: subnet.id, routeTableId: databaseRouteTable.id });
    });

    this.endpoints = new VpcEndpoints(this, 'Endpoints', {
      namePrefix: props.namePrefix,
      region: props.region,
      vpc: this.vpc,
      vpcCidr: cidrBlock,
      gatewayRouteTables: [publicRouteTable, ...privateRouteTables],
      interfaceSubnets: this.privateSubnets,
      interfaceServices: interfaceEndpoints,
    });

    this.flowLog = new FlowLog(this, 'FlowLog', {
      namePrefix: props.namePrefix,
      vpc: this.vpc,
      retentionDays: flowLogRetentionDays,
      trafficType: flowLogTrafficType,
      ...(props.logKmsKeyArn !== undefined ? { logKmsKeyArn: props.logKmsKeyArn } : {}),
    });

    this.workloadPlacement = createPrivateSubnets
      ? { subnetIds: this.privateSubnets.map((subnet) => subnet.id), assignPublicIp: false }
      : { subnetIds: this.publicSubnets.map((subnet) => subnet.id), assignPublicIp: true };
  }
}
