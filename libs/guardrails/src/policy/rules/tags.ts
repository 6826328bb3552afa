import { REQUIRED_TAGS } from '../thresholds.js';
import type { TerraformBlock } from '../../terraform-json.js';
import { fail, pass, type Rule } from '../rule.js';
import { blocks } from '../../values.js';

/**
 * The provider of one cloud puts docflow's tags (AWS `default_tags`) or labels (Google
 * `default_labels`) on every resource of the stack: one verdict per provider block, and a failure
 * when the stack has that cloud's resources but no provider that does.
 */
export function providerDefaultsRule(spec: {
  readonly id: string;
  readonly title: string;
  /** `aws`, `google`: the provider's name, also the prefix of its resource types. */
  readonly provider: string;
  /** `AWS`, `Google`, for the message. */
  readonly cloud: string;
  /** `tags`, `labels`. */
  readonly noun: string;
  readonly read: (provider: TerraformBlock) => Record<string, string> | undefined;
}): Rule {
  return {
    id: spec.id,
    title: spec.title,
    evaluate: (context) => {
      const providers = (context.stack.json.provider?.[spec.provider] ?? []) as TerraformBlock[];
      const hasResources = Object.keys(context.stack.json.resource ?? {}).some((type) => type.startsWith(`${spec.provider}_`));
      if (providers.length === 0) {
        return hasResources ? [{ address: `provider.${spec.provider}`, ...fail(`${spec.cloud} resources but no ${spec.provider} provider with default ${spec.noun}`) }] : [];
      }
      return providers.map((provider) => {
        const address = provider['alias'] ? `provider.${spec.provider}.${String(provider['alias'])}` : `provider.${spec.provider}`;
        const present = spec.read(provider);
        const missing = REQUIRED_TAGS.filter((tag) => !present?.[tag]);
        return { address, ...(missing.length > 0 ? fail(`lacks default ${spec.noun} ${missing.join(', ')}`) : pass(`${spec.noun} ${REQUIRED_TAGS.join(', ')}`)) };
      });
    },
  };
}

const tags = providerDefaultsRule({
  id: 'DOCFLOW_TAGS',
  title: `The AWS provider tags every resource with ${REQUIRED_TAGS.join(', ')} (default_tags)`,
  provider: 'aws',
  cloud: 'AWS',
  noun: 'tags',
  read: (provider) => blocks(provider['default_tags'])[0]?.['tags'] as Record<string, string> | undefined,
});

export const tagRules: readonly Rule[] = [tags];
