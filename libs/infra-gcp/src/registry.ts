import { Construct } from 'constructs';
import { ArtifactRegistryRepository } from '@cdktf/provider-google/lib/artifact-registry-repository/index.js';
import { gcpResourceName } from './naming.js';

export interface DockerRepositoryProps {
  /** The repository id (`docflow-<env>`). */
  readonly repositoryId: string;
  /** Its region (the Cloud Run job's, so pulls stay in the region). */
  readonly location: string;
  /**
   * Tags cannot be moved or deleted: a tag always names the same image, so a job revision is
   * reproducible and a new image always comes with a new tag. @default true
   */
  readonly immutableTags?: boolean;
  /** Days an untagged version (left by a re-push or a failed push) is kept before the cleanup policy deletes it. @default 7 */
  readonly untaggedExpiryDays?: number;
  /**
   * Delete tagged versions older than this many days. Only without immutable tags: Artifact
   * Registry cannot delete a tagged version while its tags may not be deleted.
   * @default - tagged versions are kept
   */
  readonly taggedExpiryDays?: number;
}

const SECONDS_PER_DAY = 86_400;

/**
 * A Docker repository in Artifact Registry with immutable tags and a cleanup policy that deletes
 * untagged versions (an active delete policy; dry run off). With immutable tags, tagged images
 * stay until deleted by hand: Artifact Registry refuses to delete a tag in such a repository, so
 * a cleanup policy on tagged versions would do nothing, and asking for one is an error here.
 */
export class DockerRepository extends Construct {
  readonly repository: ArtifactRegistryRepository;
  /** `<location>-docker.pkg.dev/<project>/<repository id>`: where images are pushed and pulled. */
  readonly registryUrl: string;

  constructor(scope: Construct, id: string, props: DockerRepositoryProps) {
    super(scope, id);
    const immutableTags = props.immutableTags ?? true;
    const untaggedExpiryDays = props.untaggedExpiryDays ?? 7;
    gcpResourceName(props.repositoryId, 'repository id');
    if (immutableTags && props.taggedExpiryDays !== undefined) {
      throw new Error('DockerRepository: taggedExpiryDays and immutableTags conflict (Artifact Registry cannot delete a tag of a repository with immutable tags)');
    }
    if (!Number.isInteger(untaggedExpiryDays) || untaggedExpiryDays < 1) {
      throw new Error(`DockerRepository: untaggedExpiryDays must be a whole number of days, at least 1, got ${untaggedExpiryDays}`);
    }

    this.repository = new ArtifactRegistryRepository(this, 'Repository', {
      repositoryId: props.repositoryId,
      location: props.location,
      format: 'DOCKER',
      description: 'docflow images (content-hash tags, immutable)',
      dockerConfig: { immutableTags },
      cleanupPolicyDryRun: false,
      cleanupPolicies: [
        {
          id: 'delete-untagged',
          action: 'DELETE',
          condition: { tagState: 'UNTAGGED', olderThan: `${untaggedExpiryDays * SECONDS_PER_DAY}s` },
        },
        ...(props.taggedExpiryDays !== undefined
          ? [{ id: 'delete-old-tagged', action: 'DELETE', condition: { tagState: 'TAGGED', olderThan: `${props.taggedExpiryDays * SECONDS_PER_DAY}s` } }]
          : []),
      ],
    });
    this.registryUrl = `${this.repository.location}-docker.pkg.dev/${this.repository.project}/${this.repository.repositoryId}`;
  }

  /** The repository path of an app's image (`<registry>/<image>`), without a tag. */
  imageRepository(image: string): string {
    return `${this.registryUrl}/${image}`;
  }
}
