import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { DocflowStack, Platform, resourceName } from '@docflow/infra';
import type { WorkloadStackProps } from '@docflow/stack-foundation';
import type { NetworkStack } from '@docflow/stack-network';

export interface PlatformStackProps extends WorkloadStackProps {
  readonly network: NetworkStack;
}

/**
 * `<env>-platform`: the ECS cluster, ECR repositories, log groups, the API keys secret and the edge
 * (ALB in standard, HTTP API + VPC link + Cloud Map in lean).
 */
export class PlatformStack extends DocflowStack {
  readonly platform: Platform;

  constructor(scope: Construct, props: PlatformStackProps) {
    super(scope, 'platform', props);
    const { env, network } = props;
    this.platform = new Platform(this, 'Platform', {
      namePrefix: resourceName(env),
      profile: env.profile,
      network: network.network,
      logRetentionDays: env.logRetentionDays,
      protectFromDeletion: env.database.deletionProtection,
      ...(env.certificateArn !== undefined ? { certificateArn: env.certificateArn } : {}),
    });
    new TerraformOutput(this, 'url', { value: this.platform.edge.url, description: 'Where ingest and api answer' });
    new TerraformOutput(this, 'api_keys_secret', {
      value: this.platform.apiKeys.secret.name,
      description: 'Set DOCFLOW_API_KEYS here (aws secretsmanager put-secret-value) before the services start',
    });
  }
}
