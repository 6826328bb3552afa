import { describe, expect, it } from 'vitest';
import { defineEnvironments, ENVIRONMENTS, findEnvironment } from '@docflow/infra';
import { appFromStacks, evaluatePolicy } from '@docflow/guardrails';
import { onlyResource, resourcesOf, synthApp, testApp, type TerraformJson } from '@docflow/infra/testing';
import { defineDocflow, GCP_STACK_NAMES, STACK_NAMES } from './app.js';
import { readSettings } from './settings.js';

/**
 * "Adding an environment is one entry": two entries the shipped table does not have, each only
 * an entry, go through the whole app. `qa` is lean in another region over three AZs; `perf` is
 * standard with a NAT instance, a domain in an existing zone and a pinned account, the paths no shipped
 * environment takes.
 */
const base = (name: string) => findEnvironment(ENVIRONMENTS, name);
const table = defineEnvironments([
  ...ENVIRONMENTS,
  { ...base('dev'), name: 'qa', region: 'eu-central-1', vpcCidr: '10.20.0.0/16', azCount: 3 },
  {
    ...base('prod'),
    name: 'perf',
    vpcCidr: '10.30.0.0/18',
    natMode: 'instance',
    accountId: '123456789012',
    domain: { name: 'perf.docflow.acme-test.dev', hostedZone: { hostedZoneId: 'Z0PERFZONE' } },
  },
]);

describe('GIVEN two new entries in the environment table', () => {
  const app = testApp();
  defineDocflow(app, readSettings(table, { DOCFLOW_ENVIRONMENTS: 'qa,perf' }));
  const stacks = synthApp(app);
  const stack = (id: string): TerraformJson => stacks[id] ?? {};

  it('THEN every stack exists for each (the GCP stacks too: both copy a gcp section), and nothing else', () => {
    expect(Object.keys(stacks).sort()).toEqual(['perf', 'qa'].flatMap((env) => [...STACK_NAMES, ...GCP_STACK_NAMES].map((name) => `${env}-${name}`)).sort());
  });

  it('THEN an entry without a gcp section has no GCP stacks', () => {
    const { gcp: _gcp, ...withoutGcp } = base('dev');
    const app = testApp();
    defineDocflow(app, readSettings(defineEnvironments([{ ...withoutGcp, name: 'lab' }]), {}));
    expect(Object.keys(synthApp(app)).sort()).toEqual(STACK_NAMES.map((name) => `lab-${name}`).sort());
  });

  it('THEN every stack of each passes the policy with the waivers of its profile', () => {
    const report = evaluatePolicy(appFromStacks(stacks));
    expect(report.blocking.map((finding) => `${finding.rule} ${finding.stackId} ${finding.address}: ${finding.message}`)).toEqual([]);
  });

  it('THEN qa is lean in its own region over three AZs, with its own CIDR', () => {
    expect(stack('qa-network').provider?.['aws']?.[0]).toMatchObject({ region: 'eu-central-1' });
    const subnets = resourcesOf(stack('qa-network'), 'aws_subnet').map(({ block }) => [block['tags']['tier'], block['cidr_block']]);
    expect(subnets.filter(([tier]) => tier === 'public').map(([, cidr]) => cidr)).toEqual(['10.20.0.0/20', '10.20.16.0/20', '10.20.32.0/20']);
    expect(subnets.filter(([tier]) => tier === 'private')).toEqual([]);
    expect(resourcesOf(stack('qa-worker'), 'aws_pipes_pipe')).toHaveLength(1);
    expect(resourcesOf(stack('qa-platform'), 'aws_apigatewayv2_api')).toHaveLength(1);
  });

  it('THEN perf routes through a NAT instance, serves HTTPS, and refuses any other account', () => {
    expect(stack('perf-network').provider?.['aws']?.[0]).toMatchObject({ allowed_account_ids: ['123456789012'] });
    expect(resourcesOf(stack('perf-network'), 'aws_nat_gateway')).toEqual([]);
    expect(onlyResource(stack('perf-network'), 'aws_instance')).toMatchObject({ source_dest_check: false });
    expect(resourcesOf(stack('perf-foundation'), 'aws_route53_zone')).toEqual([]);
    expect(onlyResource(stack('perf-platform'), 'aws_acm_certificate')['domain_name']).toBe('perf.docflow.acme-test.dev');
    const listeners = resourcesOf(stack('perf-platform'), 'aws_lb_listener').map(({ block }) => [block['port'], block['protocol']]);
    expect(listeners.sort()).toEqual([
      [443, 'HTTPS'],
      [80, 'HTTP'],
    ]);
  });
});
