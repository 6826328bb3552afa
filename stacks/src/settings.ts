import type { EnvironmentConfig, StateBackendSettings } from '@docflow/infra';
import type { GcpStateBackendSettings } from '@docflow/infra-gcp';

/** What `stacks/main.ts` reads from the process environment (and nothing else does). */
export interface SynthSettings {
  /** Environments to synthesize, in table order. */
  readonly environments: readonly EnvironmentConfig[];
  /** Remote state per environment name (absent: local state). */
  readonly stateBackends: Readonly<Record<string, StateBackendSettings>>;
  /** Remote state of the GCP stacks per environment name, in GCS (absent: local state). */
  readonly gcpStateBackends: Readonly<Record<string, GcpStateBackendSettings>>;
  /** `owner/name` that the foundation stacks trust; without it they hold only the workload boundary. */
  readonly githubRepository?: string;
  /** The repository's numeric id (GitHub's `repository_id` claim), which the GCP federation also pins. */
  readonly githubRepositoryId?: string;
  /** Existing GitHub OIDC provider per environment name. */
  readonly oidcProviderArns: Readonly<Record<string, string>>;
}

export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid synth settings:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SettingsError';
  }
}

const BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const GCS_BUCKET_PATTERN = /^[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;
const REPOSITORY_PATTERN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const OIDC_ARN_PATTERN = /^arn:aws:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/;

/**
 * Reads and validates the synth settings:
 * - DOCFLOW_ENVIRONMENTS: comma-separated subset of the table (default: all);
 * - DOCFLOW_STATE_BUCKET / DOCFLOW_STATE_BUCKET_<ENV>: S3 state bucket for all / one environment
 *   (default: local state); DOCFLOW_STATE_REGION: its region (default: the environment's);
 * - DOCFLOW_GITHUB_REPOSITORY: `owner/name` trusted by the foundation stacks' OIDC roles (default:
 *   no state bucket and no OIDC roles, never a guessed repository);
 * - DOCFLOW_GITHUB_REPOSITORY_ID: that repository's numeric id, pinned beside the name by the GCP
 *   federation: a deleted repository's name can be taken again, its id cannot (needs the
 *   repository; default: GITHUB_REPOSITORY_ID, which GitHub's runners set, when GITHUB_REPOSITORY
 *   is that repository);
 * - DOCFLOW_GITHUB_OIDC_PROVIDER_ARN_<ENV>: the account's existing GitHub OIDC provider (needs the
 *   repository);
 * - DOCFLOW_GCP_STATE_BUCKET / DOCFLOW_GCP_STATE_BUCKET_<ENV>: GCS state bucket of the GCP stacks for
 *   all / one environment (default: local state; only environments with a gcp section).
 * Every problem is reported at once, each naming its variable.
 */
export function readSettings(table: readonly EnvironmentConfig[], vars: NodeJS.ProcessEnv): SynthSettings {
  const problems: string[] = [];
  const value = (name: string) => {
    const raw = vars[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };

  let environments: readonly EnvironmentConfig[] = table;
  const selected = value('DOCFLOW_ENVIRONMENTS');
  if (selected !== undefined) {
    const names = selected.split(',').map((name) => name.trim()).filter(Boolean);
    const unknown = names.filter((name) => !table.some((env) => env.name === name));
    if (unknown.length > 0) {
      problems.push(`DOCFLOW_ENVIRONMENTS: unknown environment ${unknown.join(', ')} (known: ${table.map((env) => env.name).join(', ')})`);
    } else {
      environments = table.filter((env) => names.includes(env.name));
    }
  }

  const stateRegion = value('DOCFLOW_STATE_REGION');
  if (stateRegion !== undefined && !REGION_PATTERN.test(stateRegion)) problems.push(`DOCFLOW_STATE_REGION: "${stateRegion}" is not an AWS region`);
  const stateBackends: Record<string, StateBackendSettings> = {};
  const gcpStateBackends: Record<string, GcpStateBackendSettings> = {};
  const oidcProviderArns: Record<string, string> = {};
  for (const env of environments) {
    const suffix = env.name.toUpperCase();
    const bucketVariable = value(`DOCFLOW_STATE_BUCKET_${suffix}`) !== undefined ? `DOCFLOW_STATE_BUCKET_${suffix}` : 'DOCFLOW_STATE_BUCKET';
    const bucket = value(bucketVariable);
    if (bucket !== undefined) {
      if (!BUCKET_PATTERN.test(bucket)) problems.push(`${bucketVariable}: "${bucket}" is not an S3 bucket name`);
      stateBackends[env.name] = { bucket, ...(stateRegion !== undefined ? { region: stateRegion } : {}) };
    }
    const gcpBucketVariable = value(`DOCFLOW_GCP_STATE_BUCKET_${suffix}`) !== undefined ? `DOCFLOW_GCP_STATE_BUCKET_${suffix}` : 'DOCFLOW_GCP_STATE_BUCKET';
    const gcpBucket = value(gcpBucketVariable);
    if (gcpBucket !== undefined && env.gcp !== undefined) {
      if (!GCS_BUCKET_PATTERN.test(gcpBucket)) problems.push(`${gcpBucketVariable}: "${gcpBucket}" is not a GCS bucket name`);
      gcpStateBackends[env.name] = { bucket: gcpBucket };
    } else if (gcpBucket !== undefined && gcpBucketVariable !== 'DOCFLOW_GCP_STATE_BUCKET') {
      problems.push(`${gcpBucketVariable}: environment ${env.name} has no gcp section, so no GCP stacks`);
    }
    const oidcVariable = `DOCFLOW_GITHUB_OIDC_PROVIDER_ARN_${suffix}`;
    const oidc = value(oidcVariable);
    if (oidc !== undefined) {
      if (!OIDC_ARN_PATTERN.test(oidc)) problems.push(`${oidcVariable}: "${oidc}" is not a GitHub OIDC provider ARN`);
      oidcProviderArns[env.name] = oidc;
    }
  }

  const githubRepository = value('DOCFLOW_GITHUB_REPOSITORY');
  if (githubRepository !== undefined && !REPOSITORY_PATTERN.test(githubRepository)) {
    problems.push(`DOCFLOW_GITHUB_REPOSITORY: "${githubRepository}" must be "owner/name"`);
  }

  // in GitHub Actions the runner sets GITHUB_REPOSITORY_ID for the repository it runs (GITHUB_REPOSITORY)
  const githubRepositoryId = value('DOCFLOW_GITHUB_REPOSITORY_ID') ?? (githubRepository !== undefined && value('GITHUB_REPOSITORY') === githubRepository ? value('GITHUB_REPOSITORY_ID') : undefined);
  if (githubRepositoryId !== undefined && !/^[1-9]\d{0,19}$/.test(githubRepositoryId)) {
    problems.push(`DOCFLOW_GITHUB_REPOSITORY_ID: "${githubRepositoryId}" is not a repository id (a number: gh api repos/<owner>/<repo> --jq .id)`);
  }
  if (githubRepository === undefined && githubRepositoryId !== undefined) problems.push('DOCFLOW_GITHUB_REPOSITORY_ID: needs DOCFLOW_GITHUB_REPOSITORY');

  if (githubRepository === undefined) {
    for (const name of Object.keys(oidcProviderArns)) {
      problems.push(`DOCFLOW_GITHUB_OIDC_PROVIDER_ARN_${name.toUpperCase()}: needs DOCFLOW_GITHUB_REPOSITORY (the OIDC roles are created only for a repository)`);
    }
  }

  // a shared variable (DOCFLOW_STATE_BUCKET) is checked once per environment: report it once
  if (problems.length > 0) throw new SettingsError([...new Set(problems)]);
  return {
    environments,
    stateBackends,
    gcpStateBackends,
    oidcProviderArns,
    ...(githubRepository !== undefined ? { githubRepository } : {}),
    ...(githubRepositoryId !== undefined ? { githubRepositoryId } : {}),
  };
}
