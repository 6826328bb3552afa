import { describe, expect, it } from 'vitest';
import { environment, resourcesOf, synthStack, testApp } from '@docflow/infra/testing';
import { BootstrapStack } from './bootstrap-stack.js';

describe('BootstrapStack', () => {
  const stack = new BootstrapStack(testApp(), { env: environment('staging'), githubRepository: 'acme/docflow' });
  const json = synthStack(stack);

  it('THEN it outputs what operators and the pipeline need: state bucket, deploy and plan role ARNs', () => {
    expect(stack.node.id).toBe('staging-bootstrap');
    expect(Object.keys(json.output ?? {}).sort()).toEqual(['deploy_role_arn', 'plan_role_arn', 'state_bucket']);
  });

  it('THEN its own roles (the deployers) are outside the workload path and boundary they enforce', () => {
    for (const { block } of resourcesOf(json, 'aws_iam_role')) {
      expect(block['path']).toBe('/docflow-bootstrap/');
      expect(block['permissions_boundary']).toBeUndefined();
    }
  });
});
