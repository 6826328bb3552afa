import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { DocflowStack, isPlaceholderDomain, Platform, resourceName, warnPlaceholder } from '@docflow/infra';
import { domainZoneId, encryptionKeys, type WorkloadStackProps } from '@docflow/stack-foundation';
import type { NetworkStack } from '@docflow/stack-network';

export interface PlatformStackProps extends WorkloadStackProps {
  readonly network: NetworkStack;
}

/**
 * `<env>-platform`: the ECS cluster, ECR repositories, log groups, the API keys secret and the edge
 * (standard: an HTTPS-only ALB on the environment's domain behind WAF, with access logs; lean: an
 * HTTP API + VPC link + Cloud Map, on the domain when one is set). The domain's zone comes from the
 * foundation (a zone it created) or the table (an existing zone).
 */
export class PlatformStack extends DocflowStack {
  readonly platform: Platform;

  constructor(scope: Construct, props: PlatformStackProps) {
    super(scope, 'platform', props);
    const { env, network, foundation } = props;
    const zoneId = domainZoneId(foundation);
    const keys = encryptionKeys(foundation);
    const domain = env.domain !== undefined && zoneId !== undefined ? { name: env.domain.name, zoneId } : undefined;
    this.platform = new Platform(this, 'Platform', {
      namePrefix: resourceName(env),
      profile: env.profile,
      region: env.region,
      network: network.network,
      logRetentionDays: env.logRetentionDays,
      protectFromDeletion: env.database.deletionProtection,
      ...(domain !== undefined ? { domain } : {}),
      ...(env.firewall !== undefined ? { firewall: env.firewall } : {}),
      ...(keys ? { keys } : {}),
    });
    if (env.domain !== undefined && isPlaceholderDomain(env.domain.name)) {
      warnPlaceholder(this, `domain "${env.domain.name}" is a placeholder (a reserved example domain): no certificate can validate for it; set domain in the environment table`);
    }
    new TerraformOutput(this, 'url', { value: this.platform.edge.url, description: 'Where ingest and api answer' });
    new TerraformOutput(this, 'api_keys_secret', {
      value: this.platform.apiKeys.secret.name,
      description: 'Set DOCFLOW_API_KEYS here (aws secretsmanager put-secret-value) before the services start',
    });
  }
}
