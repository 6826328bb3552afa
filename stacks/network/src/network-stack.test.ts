import { describe, expect, it } from 'vitest';
import { environment, resourcesOf, synthApp, testApp, type TerraformJson } from '@docflow/infra/testing';
import { FoundationStack } from '@docflow/stack-foundation';
import { NetworkStack } from './network-stack.js';

const synthFor = (name: 'dev' | 'staging' | 'prod') => {
  const app = testApp();
  const env = environment(name);
  const stack = new NetworkStack(app, { env, foundation: new FoundationStack(app, { env }) });
  return { stack, json: synthApp(app)[stack.node.id] ?? {} };
};
const tiers = (json: TerraformJson) => [...new Set(resourcesOf(json, 'aws_subnet').map(({ block }) => block['tags']['tier']))].sort();

describe('NetworkStack', () => {
  it('GIVEN dev (lean) THEN public and database subnets only, no NAT, no interface endpoint, HTTPS egress to the internet', () => {
    const { stack, json } = synthFor('dev');
    expect(stack.node.id).toBe('dev-network');
    expect(tiers(json)).toEqual(['database', 'public']);
    expect(resourcesOf(json, 'aws_nat_gateway')).toEqual([]);
    expect(resourcesOf(json, 'aws_vpc_endpoint').map(({ block }) => block['vpc_endpoint_type'])).toEqual(['Gateway']);
    expect(resourcesOf(json, 'aws_vpc_security_group_egress_rule').map(({ block }) => block['cidr_ipv4'])).toEqual(['0.0.0.0/0', '0.0.0.0/0', '0.0.0.0/0']);
    expect(stack.network.workloadPlacement.assignPublicIp).toBe(true);
  });

  it('GIVEN staging THEN private subnets behind one NAT gateway, and the five interface endpoints', () => {
    const { json } = synthFor('staging');
    expect(tiers(json)).toEqual(['database', 'private', 'public']);
    expect(resourcesOf(json, 'aws_nat_gateway')).toHaveLength(1);
    expect(resourcesOf(json, 'aws_vpc_endpoint')).toHaveLength(6);
  });

  it('GIVEN prod THEN a NAT gateway per AZ, and workloads may reach only the VPC endpoints and S3', () => {
    const { stack, json } = synthFor('prod');
    expect(resourcesOf(json, 'aws_nat_gateway')).toHaveLength(2);
    const destinations = resourcesOf(json, 'aws_vpc_security_group_egress_rule').map(({ block }) => block['cidr_ipv4'] ?? 'prefix-list');
    expect(destinations).not.toContain('0.0.0.0/0');
    expect(stack.network.workloadPlacement.assignPublicIp).toBe(false);
    expect(resourcesOf(json, 'aws_security_group').map(({ block }) => block['name']).sort()).toEqual([
      'docflow-prod-api',
      'docflow-prod-endpoints',
      'docflow-prod-ingest',
      'docflow-prod-worker',
    ]);
  });
});
