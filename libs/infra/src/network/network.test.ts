import { describe, expect, it } from 'vitest';
import { checkStack } from '@docflow/guardrails';
import { at, onlyResource, resourcesOf, synthScope, type TerraformJson } from '../testing/index.js';
import { INTERFACE_ENDPOINT_SERVICES } from './endpoints.js';
import { Network, type NetworkProps } from './network.js';
import { WorkloadSecurityGroups } from './workload-security-groups.js';

function synthNetwork(props: Partial<NetworkProps> = {}): TerraformJson {
  return synthScope((scope) => {
    new Network(scope, 'Network', { namePrefix: 'docflow-test', region: 'eu-west-1', ...props });
  });
}

const cidrsOfTier = (json: TerraformJson, tier: string) =>
  resourcesOf(json, 'aws_subnet')
    .filter(({ block }) => block['tags']['tier'] === tier)
    .map(({ block }) => block['cidr_block']);

describe('Network', () => {
  describe('GIVEN the lean shape (no private subnets, no NAT)', () => {
    const json = synthNetwork({ createPrivateSubnets: false, natMode: 'none', flowLogTrafficType: 'REJECT', flowLogRetentionDays: 7 });

    it('THEN it has public and isolated database subnets over two AZs, nothing private', () => {
      expect(cidrsOfTier(json, 'public')).toEqual(['10.0.0.0/20', '10.0.16.0/20']);
      expect(cidrsOfTier(json, 'database')).toEqual(['10.0.128.0/20', '10.0.144.0/20']);
      expect(cidrsOfTier(json, 'private')).toEqual([]);
      for (const tier of ['public', 'database']) {
        const zones = resourcesOf(json, 'aws_subnet')
          .filter(({ block }) => block['tags']['tier'] === tier)
          .map(({ block }) => String(block['availability_zone']).replace(/Zones_[0-9A-F]+/, 'Zones'));
        expect(zones).toEqual(['${element(data.aws_availability_zones.Network_Zones.names, 0)}', '${element(data.aws_availability_zones.Network_Zones.names, 1)}']);
      }
      expect(resourcesOf(json, 'aws_subnet').every(({ block }) => block['map_public_ip_on_launch'] === false)).toBe(true);
    });

    it('THEN there is no NAT and the only default route is the public one to the internet gateway', () => {
      expect(resourcesOf(json, 'aws_nat_gateway')).toEqual([]);
      expect(resourcesOf(json, 'aws_instance')).toEqual([]);
      const routes = resourcesOf(json, 'aws_route');
      expect(routes).toHaveLength(1);
      expect(at(routes, 0).block).toMatchObject({ destination_cidr_block: '0.0.0.0/0', gateway_id: expect.stringContaining('aws_internet_gateway') });
    });

    it('THEN only the free S3 gateway endpoint exists', () => {
      const endpoints = resourcesOf(json, 'aws_vpc_endpoint').map(({ block }) => [block['service_name'], block['vpc_endpoint_type']]);
      expect(endpoints).toEqual([['com.amazonaws.eu-west-1.s3', 'Gateway']]);
    });

    it('THEN the default security group has no rules, and the flow log records rejects with a retention', () => {
      const defaultGroup = onlyResource(json, 'aws_default_security_group');
      expect(defaultGroup['ingress']).toBeUndefined();
      expect(defaultGroup['egress']).toBeUndefined();
      expect(onlyResource(json, 'aws_flow_log')).toMatchObject({ traffic_type: 'REJECT', log_destination_type: 'cloud-watch-logs' });
      expect(onlyResource(json, 'aws_cloudwatch_log_group')).toMatchObject({ name: '/docflow-test/vpc-flow-logs', retention_in_days: 7 });
    });
  });

  describe('GIVEN the standard shape', () => {
    it('WHEN natMode is single-gateway THEN both private route tables use the one NAT gateway', () => {
      const json = synthNetwork({ natMode: 'single-gateway', interfaceEndpoints: INTERFACE_ENDPOINT_SERVICES });
      expect(cidrsOfTier(json, 'private')).toEqual(['10.0.64.0/20', '10.0.80.0/20']);
      const gateways = resourcesOf(json, 'aws_nat_gateway');
      expect(gateways).toHaveLength(1);
      const natRoutes = resourcesOf(json, 'aws_route').filter(({ block }) => block['nat_gateway_id']);
      expect(natRoutes.map(({ block }) => block['nat_gateway_id'])).toEqual([
        `\${aws_nat_gateway.${at(gateways, 0).name}.id}`,
        `\${aws_nat_gateway.${at(gateways, 0).name}.id}`,
      ]);
    });

    it('WHEN natMode is gateway-per-az THEN each AZ routes through its own NAT gateway', () => {
      const json = synthNetwork({ natMode: 'gateway-per-az', azCount: 3 });
      const gateways = resourcesOf(json, 'aws_nat_gateway').map(({ name }) => `\${aws_nat_gateway.${name}.id}`);
      expect(gateways).toHaveLength(3);
      const natRoutes = resourcesOf(json, 'aws_route')
        .filter(({ block }) => block['nat_gateway_id'])
        .map(({ block }) => block['nat_gateway_id']);
      expect(natRoutes).toEqual(gateways);
    });

    it('WHEN natMode is instance THEN a hardened NAT instance forwards the private routes', () => {
      const json = synthNetwork({ natMode: 'instance' });
      const instance = onlyResource(json, 'aws_instance');
      expect(instance).toMatchObject({
        instance_type: 't4g.nano',
        source_dest_check: false,
        metadata_options: { http_tokens: 'required' },
        root_block_device: { encrypted: true },
      });
      expect(resourcesOf(json, 'aws_route').filter(({ block }) => block['network_interface_id'])).toHaveLength(2);
    });

    it('WHEN interface endpoints are listed THEN each gets private DNS in the private subnets, reachable on 443 from the VPC only', () => {
      const json = synthNetwork({ interfaceEndpoints: INTERFACE_ENDPOINT_SERVICES });
      const interfaces = resourcesOf(json, 'aws_vpc_endpoint').filter(({ block }) => block['vpc_endpoint_type'] === 'Interface');
      expect(interfaces.map(({ block }) => block['service_name']).sort()).toEqual(
        ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'sqs'].map((service) => `com.amazonaws.eu-west-1.${service}`),
      );
      expect(interfaces.every(({ block }) => block['private_dns_enabled'] === true && block['subnet_ids'].length === 2)).toBe(true);
      expect(onlyResource(json, 'aws_vpc_security_group_ingress_rule')).toMatchObject({ cidr_ipv4: '10.0.0.0/16', from_port: 443, to_port: 443 });
      expect(checkStack(json, ['DOCFLOW_INGRESS']).problems).toEqual([]);
    });
  });

  describe('GIVEN conflicting props', () => {
    it('THEN a NAT without private subnets is refused', () => {
      expect(() => synthNetwork({ createPrivateSubnets: false, natMode: 'gateway-per-az' })).toThrow(
        'Network: natMode "gateway-per-az" needs private subnets, but createPrivateSubnets is false',
      );
    });

    it('THEN interface endpoints without private subnets are refused', () => {
      expect(() => synthNetwork({ createPrivateSubnets: false, interfaceEndpoints: ['sqs'] })).toThrow(
        'Network: interfaceEndpoints live in the private subnets, but createPrivateSubnets is false',
      );
    });

    it('THEN one AZ and an oversized CIDR are refused', () => {
      expect(() => synthNetwork({ azCount: 1 })).toThrow('Network: azCount must be 2 to 4 (an RDS subnet group needs two AZs), got 1');
      expect(() => synthNetwork({ cidrBlock: '10.0.0.0/12' })).toThrow('Network: cidrBlock "10.0.0.0/12" must be an IPv4 network from /16 to /20');
    });
  });
});

describe('WorkloadSecurityGroups', () => {
  const synthGroups = (egress: 'vpc-endpoints' | 'https-anywhere') =>
    synthScope((scope) => {
      const network = new Network(scope, 'Network', { namePrefix: 'docflow-test', region: 'eu-west-1', natMode: 'none' });
      new WorkloadSecurityGroups(scope, 'Groups', {
        namePrefix: 'docflow-test',
        vpc: network.vpc,
        workloads: ['api', 'worker'],
        egress: egress === 'vpc-endpoints' ? { kind: egress, vpcCidr: '10.0.0.0/16', s3Gateway: network.endpoints.s3Gateway } : { kind: egress },
      });
    });

  it('GIVEN standard egress THEN each group may reach only the VPC endpoints and S3 on 443, and has no ingress', () => {
    const json = synthGroups('vpc-endpoints');
    expect(resourcesOf(json, 'aws_security_group').map(({ block }) => block['name'])).toEqual(['docflow-test-api', 'docflow-test-worker']);
    const egress = resourcesOf(json, 'aws_vpc_security_group_egress_rule').map(({ block }) =>
      [block['security_group_id'].includes('Groups_Api') ? 'api' : 'worker', block['cidr_ipv4'] ?? block['prefix_list_id'], block['from_port']].join(' '),
    );
    expect(egress.sort()).toEqual([
      'api ${aws_vpc_endpoint.Network_Endpoints_S3Gateway_8444D5AC.prefix_list_id} 443',
      'api 10.0.0.0/16 443',
      'worker ${aws_vpc_endpoint.Network_Endpoints_S3Gateway_8444D5AC.prefix_list_id} 443',
      'worker 10.0.0.0/16 443',
    ]);
    expect(resourcesOf(json, 'aws_vpc_security_group_ingress_rule')).toEqual([]);
  });

  it('GIVEN lean egress THEN HTTPS goes anywhere (tasks reach AWS APIs over the internet)', () => {
    const egress = resourcesOf(synthGroups('https-anywhere'), 'aws_vpc_security_group_egress_rule').map(({ block }) => [block['cidr_ipv4'], block['from_port']]);
    expect(egress).toEqual([
      ['0.0.0.0/0', 443],
      ['0.0.0.0/0', 443],
    ]);
  });

  it('GIVEN the same workload twice THEN it refuses', () => {
    expect(() =>
      synthScope((scope) => {
        const network = new Network(scope, 'Network', { namePrefix: 'n', region: 'eu-west-1' });
        new WorkloadSecurityGroups(scope, 'Groups', { namePrefix: 'n', vpc: network.vpc, workloads: ['api', 'api'], egress: { kind: 'https-anywhere' } });
      }),
    ).toThrow('WorkloadSecurityGroups: workloads must be unique, got api, api');
  });

  it('GIVEN an unknown workload THEN of() names the known ones', () => {
    synthScope((scope) => {
      const network = new Network(scope, 'Network', { namePrefix: 'n', region: 'eu-west-1' });
      const groups = new WorkloadSecurityGroups(scope, 'Groups', { namePrefix: 'n', vpc: network.vpc, workloads: ['api'], egress: { kind: 'https-anywhere' } });
      expect(() => groups.of('db')).toThrow('WorkloadSecurityGroups: no group for "db" (have api)');
    });
  });
});
