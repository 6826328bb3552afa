import { describe, expect, it } from 'vitest';
import { environment, onlyResource, synthApp, testApp } from '@docflow/infra/testing';
import { GcpFoundationStack } from '@docflow/stack-gcp-foundation';
import { GcpRegistryStack } from './gcp-registry-stack.js';

describe('GcpRegistryStack', () => {
  const app = testApp();
  const env = environment('prod');
  const foundation = new GcpFoundationStack(app, { env });
  new GcpRegistryStack(app, { env, foundation });
  const json = synthApp(app)['prod-gcp-registry'] ?? {};

  it('GIVEN prod THEN the repository docflow-prod in the environment region, immutable tags, untagged versions cleaned up', () => {
    expect(onlyResource(json, 'google_artifact_registry_repository')).toMatchObject({
      repository_id: 'docflow-prod',
      location: env.gcp?.region,
      format: 'DOCKER',
      docker_config: { immutable_tags: true },
      cleanup_policies: [{ action: 'DELETE', condition: { tag_state: 'UNTAGGED' } }],
    });
  });

  it('THEN it says where the exporter image goes', () => {
    expect(json.output?.['exporter_image_repository']?.['value']).toMatch(/-docker\.pkg\.dev\/\$\{google_artifact_registry_repository\.[^.]+\.project\}\/\$\{google_artifact_registry_repository\.[^.]+\.repository_id\}\/exporter$/);
  });
});
