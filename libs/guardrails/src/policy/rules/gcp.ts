import type { TerraformBlock } from '../../terraform-json.js';
import { hasReference } from '../../references.js';
import { evaluationOf, fail, pass, resourceRule, unknown, type Resource, type Rule, type StackContext, type Verdict } from '../rule.js';
import { REQUIRED_TAGS } from '../thresholds.js';
import { PRODUCTION_ENVIRONMENTS } from './rds.js';
import { providerDefaultsRule } from './tags.js';
import { blocks, flag, numberOf, strings } from '../../values.js';

/** Members that make a GCP resource public. */
const PUBLIC_MEMBERS = ['allUsers', 'allAuthenticatedUsers'];
/** Basic roles: each grants thousands of permissions across every service of the project. */
const PRIMITIVE_ROLES = ['roles/owner', 'roles/editor', 'roles/viewer'];
/** GitHub Actions' OIDC issuer, shared by every repository on github.com. */
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const WORKLOAD_IDENTITY_USER = 'roles/iam.workloadIdentityUser';
const SECONDS_PER_DAY = 86_400;

const IAM_TYPE = /^google_.+_iam_(member|binding|policy)$/;
const iamTypes = (context: StackContext) => Object.keys(context.stack.json.resource ?? {}).filter((type) => IAM_TYPE.test(type));

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
      iamTypes(context)
        .flatMap((type) => context.resources(type))
        .map((resource) => {
          const problems = gcpGrants(resource.block, resource.type).flatMap((grant) => bad(grant) ?? []);
          return evaluationOf(resource, problems.length > 0 ? fail(problems.join('; ')) : pass('grants a predefined role to named members'));
        }),
  };
}

/** The google provider labels every resource that takes labels (default_labels), as the AWS provider tags. */
const labels = providerDefaultsRule({
  id: 'DOCFLOW_GCP_LABELS',
  title: `The google provider labels every resource with ${REQUIRED_TAGS.join(', ')} (default_labels)`,
  provider: 'google',
  cloud: 'Google',
  noun: 'labels',
  read: (provider) => provider['default_labels'] as Record<string, string> | undefined,
});

/** `attribute.<name>` references in a CEL expression. */
const attributesIn = (expression: string) => [...expression.matchAll(/\battribute\.([a-z0-9_]+)/g)].map((match) => match[1] as string);

/**
 * An OIDC provider accepts any token its issuer signs unless its attribute condition says
 * otherwise; GitHub's issuer signs for every repository on github.com.
 */
function federationVerdict({ block }: Resource): Verdict | undefined {
  const issuer = blocks(block['oidc'])[0]?.['issuer_uri'];
  if (issuer === undefined) return undefined;
  const condition = block['attribute_condition'];
  const mapping = (block['attribute_mapping'] ?? {}) as Record<string, unknown>;
  if (condition === undefined || String(condition).trim() === '') return fail(`no attribute_condition: every workload whose tokens ${String(issuer)} signs may federate`);
  if (hasReference(condition)) return unknown('attribute_condition is an expression known only at apply time');
  const text = String(condition);
  const problems: string[] = [];
  const unmapped = attributesIn(text).filter((name) => mapping[`attribute.${name}`] === undefined);
  if (unmapped.length > 0) problems.push(`the condition reads ${unmapped.map((name) => `attribute.${name}`).join(', ')}, which attribute_mapping does not map (GCP rejects it)`);
  if (mapping['google.subject'] === undefined) problems.push('attribute_mapping has no google.subject (required for OIDC providers)');
  if (issuer === GITHUB_ISSUER) {
    const repositoryMapped = Object.entries(mapping).filter(([, source]) => /assertion\.repository(_id)?\b/.test(String(source))).map(([key]) => key.replace(/^attribute\./, ''));
    const pinsRepository = /\bassertion\.repository(_id)?\s*==\s*['"][^'"]+['"]/.test(text) || repositoryMapped.some((name) => new RegExp(`\\battribute\\.${name}\\s*==\\s*['"][^'"]+['"]`).test(text));
    if (!pinsRepository) problems.push("the condition does not pin the repository (GitHub's issuer is shared by every repository on github.com)");
  }
  return problems.length > 0 ? fail(problems.join('; ')) : pass(`accepts only what "${text}" admits`);
}

/** What runs as a service account: a Cloud Run job, a scheduler job (its token), or federated principals. */
interface Identity {
  readonly workload: Resource;
  readonly kind: 'job' | 'schedule' | 'federation';
  readonly says: string;
}

function identitiesOf(context: StackContext, account: Resource): Identity[] {
  const refersTo = (value: unknown, from: Resource) => context.refersTo(value, account, from);
  const jobs = context
    .environmentResources('google_cloud_run_v2_job')
    .filter((job) => refersTo(blocks(job.block['template'])[0]?.['template']?.['service_account'], job))
    .map((job): Identity => ({ workload: job, kind: 'job', says: `${job.address} runs as it` }));
  const schedules = context
    .environmentResources('google_cloud_scheduler_job')
    .filter((schedule) => {
      const target = blocks(schedule.block['http_target'])[0];
      return refersTo(blocks(target?.['oauth_token'])[0]?.['service_account_email'], schedule) || refersTo(blocks(target?.['oidc_token'])[0]?.['service_account_email'], schedule);
    })
    .map((schedule): Identity => ({ workload: schedule, kind: 'schedule', says: `${schedule.address} calls with its token` }));
  const federated = context
    .environmentResources('google_service_account_iam_member')
    .filter((binding) => binding.block['role'] === WORKLOAD_IDENTITY_USER && refersTo(binding.block['service_account_id'], binding))
    .map((binding): Identity => ({ workload: binding, kind: 'federation', says: `${String(binding.block['member']).replace(/\$\{[^}]+\}/, '<pool>')} may impersonate it` }));
  return [...jobs, ...schedules, ...federated];
}

/** Grants to a service account on single resources: the grant and what it is on. */
const GRANT_TARGET: Readonly<Record<string, string>> = {
  google_storage_bucket_iam_member: 'bucket',
  google_secret_manager_secret_iam_member: 'secret_id',
  google_cloud_run_v2_job_iam_member: 'name',
};

/** Whether `workload` refers to `target` anywhere in its configuration (across stacks). */
function uses(context: StackContext, workload: Resource, target: Resource): boolean {
  return context.mentioned(JSON.stringify(workload.block), workload).some((ref) => ref.stackId === target.stack.id && ref.type === target.type && ref.name === target.name);
}

/** One service account: one workload runs as it, and it holds no grant that workload does not use. */
function serviceAccountVerdict(context: StackContext, account: Resource): Verdict {
  const identities = identitiesOf(context, account);
  if (identities.length === 0) return fail('nothing runs as it (no Cloud Run job, schedule or federated identity): remove it');
  const workloads = new Set(identities.map((identity) => (identity.kind === 'federation' ? 'federation' : identity.workload.address)));
  if (workloads.size > 1) return fail(`shared: ${identities.map((identity) => identity.says).join('; ')} (give each workload its own)`);
  const [first] = identities as [Identity, ...Identity[]];
  if (first.kind === 'federation') return pass(identities.map((identity) => identity.says).join('; '));
  const problems: string[] = [];
  const projectRoles = context.environmentResources('google_project_iam_member').filter((grant) => context.refersTo(grant.block['member'], account, grant, true));
  if (projectRoles.length > 0) problems.push(`project-wide ${projectRoles.map((grant) => String(grant.block['role'])).join(', ')} (grant it on the resources ${first.workload.address} uses)`);
  for (const [type, field] of Object.entries(GRANT_TARGET)) {
    for (const grant of context.environmentResources(type).filter((candidate) => context.refersTo(candidate.block['member'], account, candidate, true))) {
      const target = context.lookup(context.referenced(grant.block[field], grant));
      if (target === undefined) problems.push(`${grant.address}: cannot follow what it is granted on`);
      else if (!uses(context, first.workload, target)) problems.push(`${grant.address} grants ${String(grant.block['role'])} on ${target.address}, which ${first.workload.address} does not use`);
    }
  }
  if (problems.some((problem) => problem.includes('cannot follow'))) return unknown(problems.join('; '));
  return problems.length > 0 ? fail(problems.join('; ')) : pass(`${first.says}; granted only on what it uses`);
}

/**
 * Every service account is used by exactly what needs it: one workload runs as it (a Cloud Run
 * job, a scheduler job, or federated GitHub jobs impersonate it; never two, never none); a
 * workload's account gets no project-wide role and no grant on anything the workload does not
 * refer to; no service account keys; no job on the default compute service account.
 */
const serviceAccounts: Rule = {
  id: 'DOCFLOW_GCP_SERVICE_ACCOUNTS',
  title: 'Every service account is the identity of exactly one workload, granted only on what that workload uses',
  evaluate: (context) => [
    ...context.resources('google_service_account').map((account) => evaluationOf(account, serviceAccountVerdict(context, account))),
    ...context.resources('google_service_account_key').map((key) => evaluationOf(key, fail('a service account key is a long-lived secret: use workload identity federation or the runtime identity'))),
    ...context
      .resources('google_cloud_run_v2_job')
      .filter((job) => blocks(job.block['template'])[0]?.['template']?.['service_account'] === undefined)
      .map((job) => evaluationOf(job, fail('no service_account: it runs as the default compute service account (Editor on the project)'))),
  ],
};

/** The bucket settings GCS refuses together, or that cannot take effect. */
function retentionVerdict({ block }: Resource): Verdict {
  const retention = blocks(block['retention_policy'])[0];
  if (retention === undefined) return pass('no retention policy');
  const seconds = numberOf(retention['retention_period']);
  if (seconds === undefined || Number.isNaN(seconds)) return unknown('retention_period is not a number');
  const problems: string[] = [];
  if (flag(blocks(block['versioning'])[0]?.['enabled']) === 'true') problems.push('versioning is enabled beside a retention policy (GCS refuses the combination)');
  for (const rule of blocks(block['lifecycle_rule'])) {
    const age = numberOf(blocks(rule['condition'])[0]?.['age']);
    if (blocks(rule['action'])[0]?.['type'] === 'Delete' && age !== undefined && age * SECONDS_PER_DAY < seconds) {
      problems.push(`a lifecycle rule deletes at ${age} days, inside the ${seconds / SECONDS_PER_DAY}-day retention (its deletes are refused)`);
    }
  }
  return problems.length > 0 ? fail(problems.join('; ')) : pass(`objects kept ${seconds / SECONDS_PER_DAY} days, no versioning`);
}

export const gcpRules: readonly Rule[] = [
  labels,
  resourceRule({
    id: 'DOCFLOW_GCP_PUBLIC_BUCKET',
    title: 'GCS buckets enforce public access prevention',
    types: ['google_storage_bucket'],
    check: ({ block }) => (block['public_access_prevention'] === 'enforced' ? pass('public access prevented') : fail('public_access_prevention is not "enforced"')),
  }),
  resourceRule({
    id: 'DOCFLOW_GCP_UNIFORM_ACCESS',
    title: 'GCS buckets use uniform bucket-level access (no object ACLs)',
    types: ['google_storage_bucket'],
    check: ({ block }) =>
      flag(block['uniform_bucket_level_access']) === 'true' ? pass('uniform bucket-level access') : fail('uniform_bucket_level_access is not true (object ACLs can make objects public)'),
  }),
  resourceRule({
    id: 'DOCFLOW_GCP_RETENTION',
    title: 'A GCS retention policy comes without versioning and without lifecycle deletes inside it',
    types: ['google_storage_bucket'],
    check: retentionVerdict,
  }),
  resourceRule({
    id: 'DOCFLOW_GCP_ARCHIVE_LOCKED',
    title: 'In production, a GCS retention policy is locked (an unlocked one can be removed by anyone with storage.buckets.update, and every archive deleted after it)',
    types: ['google_storage_bucket'],
    environments: PRODUCTION_ENVIRONMENTS,
    check: ({ block }) => {
      const retention = blocks(block['retention_policy'])[0];
      if (retention === undefined) return undefined;
      const locked = flag(retention['is_locked']);
      if (locked === 'expression') return unknown('is_locked is computed at apply time');
      return locked === 'true' ? pass('the retention policy is locked') : fail('the retention policy is not locked (is_locked is not true): whoever may update the bucket may remove it, then delete every object');
    },
  }),
  gcpIamRule('DOCFLOW_GCP_PRIMITIVE_ROLES', 'No GCP basic roles (owner, editor, viewer)', (grant) =>
    PRIMITIVE_ROLES.includes(grant.role) ? `grants the basic role ${grant.role} to ${grant.members.join(', ')}` : undefined,
  ),
  gcpIamRule('DOCFLOW_GCP_ALL_USERS', 'No GCP grant to allUsers or allAuthenticatedUsers', (grant) => {
    const open = grant.members.filter((member) => PUBLIC_MEMBERS.includes(member));
    return open.length > 0 ? `grants ${grant.role} to ${open.join(', ')}` : undefined;
  }),
  resourceRule({
    id: 'DOCFLOW_GCP_WIF_CONDITION',
    title: 'A workload identity OIDC provider has an attribute condition over mapped attributes (for GitHub: pinning the repository)',
    types: ['google_iam_workload_identity_pool_provider'],
    check: federationVerdict,
  }),
  serviceAccounts,
  resourceRule({
    id: 'DOCFLOW_GCP_DNSSEC',
    title: 'Public Cloud DNS zones are signed with DNSSEC',
    types: ['google_dns_managed_zone'],
    check: ({ block }) => {
      if ((block['visibility'] ?? 'public') !== 'public') return undefined;
      const state = blocks(block['dnssec_config'])[0]?.['state'];
      return state === 'on' ? pass('DNSSEC on') : fail(`dnssec_config.state is ${state === undefined ? 'not set' : `"${String(state)}"`}, not "on"`);
    },
  }),
  resourceRule({
    id: 'DOCFLOW_GCP_IMMUTABLE_TAGS',
    title: 'Artifact Registry Docker repositories have immutable tags and an active cleanup policy that can act',
    types: ['google_artifact_registry_repository'],
    check: ({ block }) => {
      if (block['format'] !== 'DOCKER') return undefined;
      const immutable = flag(blocks(block['docker_config'])[0]?.['immutable_tags']) === 'true';
      const policies = blocks(block['cleanup_policies']);
      const problems = [
        ...(immutable ? [] : ['docker_config.immutable_tags is not true (a tag could name another image tomorrow)']),
        ...(policies.some((policy) => policy['action'] === 'DELETE') ? [] : ['no DELETE cleanup policy (storage grows without bound; a KEEP policy alone deletes nothing)']),
        ...(flag(block['cleanup_policy_dry_run']) === 'true' ? ['cleanup_policy_dry_run is true (the policies delete nothing)'] : []),
        ...(immutable && policies.some((policy) => policy['action'] === 'DELETE' && ['TAGGED', 'ANY', undefined].includes(blocks(policy['condition'])[0]?.['tag_state'] as string | undefined))
          ? ['a DELETE policy matches tagged versions, which immutable tags keep from being deleted']
          : []),
      ];
      return problems.length > 0 ? fail(problems.join('; ')) : pass('immutable tags, untagged versions cleaned up');
    },
  }),
];
