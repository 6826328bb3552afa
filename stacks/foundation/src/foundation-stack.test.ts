import { describe, expect, it } from 'vitest';
import { environment, environmentWith, onlyResource, resourcesOf, synthStack, testApp } from '@docflow/infra/testing';
import { FoundationStack } from './foundation-stack.js';

describe('FoundationStack', () => {
  describe('GIVEN no GitHub repository', () => {
    const stack = new FoundationStack(testApp(), { env: environment('dev') });
    const json = synthStack(stack);

    it('THEN it holds the workload permissions boundary and nothing that trusts anyone', () => {
      expect(stack.node.id).toBe('dev-foundation');
      expect(onlyResource(json, 'aws_iam_policy')['name']).toBe('docflow-dev-workload-boundary');
      expect(resourcesOf(json, 'aws_iam_role')).toEqual([]);
      expect(resourcesOf(json, 'aws_s3_bucket')).toEqual([]);
      expect(Object.keys(json.output ?? {}).sort()).toEqual(['access_analyzer', 'workload_boundary_arn']);
      expect(json.terraform?.['required_version']).toBe('>= 1.10');
    });
  });

  describe('GIVEN a GitHub repository', () => {
    const stack = new FoundationStack(testApp(), { env: environment('staging'), githubRepository: 'acme/docflow' });
    const json = synthStack(stack);

    it('THEN it outputs what operators and the pipeline need: boundary, state bucket, deploy and plan role ARNs, the zone\'s name servers, the audit trail', () => {
      expect(stack.node.id).toBe('staging-foundation');
      expect(Object.keys(json.output ?? {}).sort()).toEqual(['access_analyzer', 'audit_trail', 'deploy_role_arn', 'domain_name_servers', 'plan_role_arn', 'state_bucket', 'workload_boundary_arn']);
    });

    it('THEN it creates the public zone of the domain the table asks it to create', () => {
      expect(onlyResource(json, 'aws_route53_zone')).toMatchObject({ name: 'staging.docflow.example.com', force_destroy: false });
      expect(json.output?.['domain_name_servers']?.['value']).toMatch(/^\$\{aws_route53_zone\.DomainZone_\w+\.name_servers\}$/);
    });

    it('THEN its own roles (the deployers) are outside the workload path and boundary they enforce', () => {
      for (const { block } of resourcesOf(json, 'aws_iam_role')) {
        expect(block['path']).toBe('/docflow-foundation/');
        expect(block['permissions_boundary']).toBeUndefined();
      }
    });
  });

  it('GIVEN audit.accessAnalyzer THEN an external-access analyzer of the account watches for anything an outside principal may use; without it, none', () => {
    const json = synthStack(new FoundationStack(testApp(), { env: environment('prod') }));
    expect(onlyResource(json, 'aws_accessanalyzer_analyzer')).toMatchObject({ analyzer_name: 'docflow-prod-external-access', type: 'ACCOUNT' });
    const without = synthStack(new FoundationStack(testApp(), { env: environmentWith('prod', { audit: { ...environment('prod').audit, accessAnalyzer: false } }) }));
    expect(resourcesOf(without, 'aws_accessanalyzer_analyzer')).toEqual([]);
  });

  it('GIVEN the shipped table THEN the foundation activates no cost-allocation tag (AWS refuses it in an Organization\'s member account); GIVEN activateCostAllocationTag THEN it activates env', () => {
    for (const name of ['dev', 'staging', 'prod'] as const) {
      expect(resourcesOf(synthStack(new FoundationStack(testApp(), { env: environment(name) })), 'aws_ce_cost_allocation_tag'), name).toEqual([]);
    }
    const standalone = synthStack(new FoundationStack(testApp(), { env: environmentWith('prod', { activateCostAllocationTag: true }) }));
    expect(onlyResource(standalone, 'aws_ce_cost_allocation_tag')).toMatchObject({ tag_key: 'env', status: 'Active' });
  });

  it('GIVEN an existing OIDC provider but no repository THEN it refuses, naming both', () => {
    expect(
      () => new FoundationStack(testApp(), { env: environment('prod'), existingOidcProviderArn: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' }),
    ).toThrow('prod-foundation: existingOidcProviderArn needs githubRepository (the OIDC roles are created only for a repository)');
  });
});
