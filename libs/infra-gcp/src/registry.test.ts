import { describe, expect, it } from 'vitest';
import { onlyResource, synthScope } from '@docflow/infra/testing';
import { DockerRepository } from './registry.js';

describe('DockerRepository', () => {
  const repository = onlyResource(synthScope((scope) => new DockerRepository(scope, 'Images', { repositoryId: 'docflow-dev', location: 'europe-west1' })), 'google_artifact_registry_repository');

  it('GIVEN defaults THEN a Docker repository with immutable tags and an active cleanup policy for untagged versions', () => {
    expect(repository).toMatchObject({ repository_id: 'docflow-dev', location: 'europe-west1', format: 'DOCKER', docker_config: { immutable_tags: true }, cleanup_policy_dry_run: false });
    expect(repository['cleanup_policies']).toEqual([{ id: 'delete-untagged', action: 'DELETE', condition: { tag_state: 'UNTAGGED', older_than: '604800s' } }]);
  });

  it('refuses a cleanup of tagged versions beside immutable tags (Artifact Registry cannot delete such a tag)', () => {
    expect(() => synthScope((scope) => new DockerRepository(scope, 'Images', { repositoryId: 'docflow-dev', location: 'europe-west1', taggedExpiryDays: 90 }))).toThrow(
      'DockerRepository: taggedExpiryDays and immutableTags conflict (Artifact Registry cannot delete a tag of a repository with immutable tags)',
    );
    const mutable = onlyResource(
      synthScope((scope) => new DockerRepository(scope, 'Images', { repositoryId: 'docflow-dev', location: 'europe-west1', immutableTags: false, taggedExpiryDays: 90 })),
      'google_artifact_registry_repository',
    );
    expect(mutable['cleanup_policies']).toContainEqual({ id: 'delete-old-tagged', action: 'DELETE', condition: { tag_state: 'TAGGED', older_than: '7776000s' } });
  });

  it('names an image repository as <location>-docker.pkg.dev/<project>/<repository>/<image>', () => {
    synthScope((scope) => {
      const images = new DockerRepository(scope, 'Images', { repositoryId: 'docflow-dev', location: 'europe-west1' });
      expect(images.imageRepository('exporter')).toMatch(/^\$\{TfToken\[TOKEN\.\d+\]\}-docker\.pkg\.dev\/\$\{TfToken\[TOKEN\.\d+\]\}\/\$\{TfToken\[TOKEN\.\d+\]\}\/exporter$/);
    });
  });
});
