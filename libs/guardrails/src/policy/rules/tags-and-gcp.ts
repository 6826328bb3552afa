import { REQUIRED_TAGS } from '../thresholds.js';
import type { TerraformBlock } from '../../terraform-json.js';
import { evaluationOf, fail, pass, resourceRule, type Rule } from '../rule.js';
import { blocks, strings } from '../../values.js';

const tags: Rule = {
  id: 'DOCFLOW_TAGS',
  title: `The AWS provider tags every resource with ${REQUIRED_TAGS.join(', ')} (default_tags)`,
  evaluate: (context) => {
    const providers = (context.stack.json.provider?.['aws'] ?? []) as TerraformBlock[];
    const hasAwsResources = Object.keys(context.stack.json.resource ?? {}).some((type) => type.startsWith('aws_'));
    if (providers.length === 0) return hasAwsResources ? [{ address: 'provider.aws', ...fail('AWS resources but no aws provider with default tags') }] : [];
    return providers.map((provider) => {
      const address = provider['alias'] ? `provider.aws.${String(provider['alias'])}` : 'provider.aws';
      const present = blocks(provider['default_tags'])[0]?.['tags'] as Record<string, string> | undefined;
      const missing = REQUIRED_TAGS.filter((tag) => !present?.[tag]);
      return { address, ...(missing.length > 0 ? fail(`lacks default tags ${missing.join(', ')}`) : pass(`tags ${REQUIRED_TAGS.join(', ')}`)) };
    });
  },
};

/** Members that make a GCP resource public. */
const PUBLIC_MEMBERS = ['allUsers', 'allAuthenticatedUsers'];
/** Basic roles: each grants thousands of permissions across every service of the project. */
const PRIMITIVE_ROLES = ['roles/owner', 'roles/editor', 'roles/viewer'];

/** Every `google_*_iam_member|binding|policy` resource with the members and roles it grants. */
function gcpGrants(block: TerraformBlock, type: string): { role: string; members: string[] }[] {
  if (type.endsWith('_iam_member')) return [{ role: String(block['role']), members: strings(block['member']) }];
  if (type.endsWith('_iam_binding')) return [{ role: String(block['role']), members: strings(block['members']) }];
  // _iam_policy: policy_data is a JSON string from data.google_iam_policy
  try {
    const policy = JSON.parse(String(block['policy_data'])) as { bindings?: { role?: string; members?: string[] }[] };
    return (policy.bindings ?? []).map((binding) => ({ role: String(binding.role), members: binding.members ?? [] }));
  } catch {
    return [];
  }
}

function gcpIamRule(id: string, title: string, bad: (grant: { role: string; members: string[] }) => string | undefined): Rule {
  return {
    id,
    title,
    evaluate: (context) =>
      Object.keys(context.stack.json.resource ?? {})
        .filter((type) => type.startsWith('google_') && /_iam_(member|binding|policy)$/.test(type))
        .flatMap((type) => context.resources(type))
        .map((resource) => {
          const problems = gcpGrants(resource.block, resource.type).flatMap((grant) => bad(grant) ?? []);
          return evaluationOf(resource, problems.length > 0 ? fail(problems.join('; ')) : pass('grants a predefined role to named members'));
        }),
  };
}

export const tagAndGcpRules: readonly Rule[] = [
  tags,
  resourceRule({
    id: 'DOCFLOW_GCP_PUBLIC_BUCKET',
    title: 'GCS buckets enforce public access prevention and uniform bucket-level access',
    types: ['google_storage_bucket'],
    check: ({ block }) => {
      const problems = [
        ...(block['public_access_prevention'] === 'enforced' ? [] : ['public_access_prevention is not "enforced"']),
        ...(block['uniform_bucket_level_access'] === true ? [] : ['uniform_bucket_level_access is not true (object ACLs can make objects public)']),
      ];
      return problems.length > 0 ? fail(problems.join('; ')) : pass('public access prevented');
    },
  }),
  gcpIamRule('DOCFLOW_GCP_PRIMITIVE_ROLES', 'No GCP basic roles (owner, editor, viewer)', (grant) =>
    PRIMITIVE_ROLES.includes(grant.role) ? `grants the basic role ${grant.role} to ${grant.members.join(', ')}` : undefined,
  ),
  gcpIamRule('DOCFLOW_GCP_ALL_USERS', 'No GCP grant to allUsers or allAuthenticatedUsers', (grant) => {
    const open = grant.members.filter((member) => PUBLIC_MEMBERS.includes(member));
    return open.length > 0 ? `grants ${grant.role} to ${open.join(', ')}` : undefined;
  }),
];
