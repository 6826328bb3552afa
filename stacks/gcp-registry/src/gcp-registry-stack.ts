import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { resourceName } from '@docflow/infra';
import { DockerRepository, GcpStack, type GcpStackProps } from '@docflow/infra-gcp';
import type { GcpFoundationStack } from '@docflow/stack-gcp-foundation';

export interface GcpRegistryStackProps extends GcpStackProps {
  readonly foundation: GcpFoundationStack;
}

/** The image name of the exporter in the repository (`<registry>/exporter:<content hash>`). */
export const EXPORTER_IMAGE = 'exporter';

/**
 * `<env>-gcp-registry`: the Artifact Registry Docker repository `docflow-<env>` in the
 * environment's region, immutable tags, untagged versions cleaned up after a week.
 */
export class GcpRegistryStack extends GcpStack {
  readonly repository: DockerRepository;

  constructor(scope: Construct, props: GcpRegistryStackProps) {
    super(scope, 'gcp-registry', props);
    this.repository = new DockerRepository(this, 'Images', { repositoryId: resourceName(this.env), location: this.gcp.region });
    new TerraformOutput(this, 'exporter_image_repository', {
      value: this.repository.imageRepository(EXPORTER_IMAGE),
      description: 'Where the exporter image is pushed (DOCFLOW_IMAGE_REPOSITORY_EXPORTER for npx nx run exporter:image)',
    });
  }
}
