import type { EnvironmentConfig } from './types.js';

/**
 * The Google Cloud side of an environment (the off-site archive): optional, and an environment
 * without it has no GCP stacks. Its rules are checked with the rest of the table, each problem
 * naming the environment and the field.
 */
export interface GcpSettings {
  /** The Google Cloud project (6-30 lower-case letters, digits and hyphens, starting with a letter). */
  readonly projectId: string;
  /** Region of the registry, the export job and its schedule, e.g. `europe-west1`. */
  readonly region: string;
  /** Where the archive bucket keeps its data: a region, or a dual- or multi-region (`EU`, `EUR4`). @default region */
  readonly archiveLocation?: string;
  /**
   * The subdomain delegated to Cloud DNS for the archive (`archive.docflow.acme.com`): a zone
   * signed with DNSSEC whose NS and DS records go into the parent zone.
   */
  readonly dnsName: string;
  /**
   * A Cloud DNS managed zone in the same project that holds the parent domain: the delegation's
   * NS and DS records are added there. @default - none: add them by hand from the gcp-dns outputs
   */
  readonly parentDnsZone?: string;
  /** The api the export job reads (https). @default - `https://<domain.name>`; required without a domain */
  readonly apiUrl?: string;
  readonly archive: {
    /** Days every archive object is kept before anyone can delete or replace it (the bucket's retention policy). */
    readonly retentionDays: number;
    /**
     * Lock the retention policy. IRREVERSIBLE: once applied, nobody (not a project owner, not CI)
     * can remove the policy or shorten the period, and the bucket can be deleted only when every
     * object in it is older than the period. Prod locks it (policy rule DOCFLOW_GCP_ARCHIVE_LOCKED);
     * dev and staging do not, so they can be torn down.
     */
    readonly lockRetention: boolean;
  };
  readonly exportJob: {
    /** CPUs of the task: 1, 2, 4, 6 or 8. */
    readonly cpu: number;
    /** Memory of the task, which holds the in-memory scratch volume too. */
    readonly memoryMiB: number;
    /** The in-memory scratch volume the archive is assembled in: about twice the compressed export plus its book. */
    readonly scratchMiB: number;
    /** How long one attempt may run (at most a day). */
    readonly timeoutMinutes: number;
    /** Attempts after a failed one (0-10); each continues from the stored progress. */
    readonly maxRetries: number;
    /** When Cloud Scheduler starts it: unix-cron, five fields (`0 2 * * *`). */
    readonly schedule: string;
    /** The schedule's time zone (IANA, e.g. `Etc/UTC`). */
    readonly timeZone: string;
  };
}

/** CPU counts Cloud Run accepts for a task. */
export const CLOUD_RUN_CPUS = [1, 2, 4, 6, 8] as const;
/** What one export task needs besides its scratch volume (Node, gzip, the EPUB writer). */
export const EXPORTER_HEAP_HEADROOM_MIB = 512;
/** The longest task attempt Cloud Run jobs allow in GA (24 hours). */
export const MAX_TASK_TIMEOUT_MINUTES = 1_440;
/** The most retries a Cloud Run job task may have. */
export const MAX_TASK_RETRIES = 10;

/**
 * Cloud Run's memory rules for a CPU count: at least 512 MiB (the second-generation environment
 * jobs run in), 4 CPUs need 2 GiB and 6 or more 4 GiB, and at most 4 GiB per CPU (up to 32 GiB).
 */
export function cloudRunSizeProblems(cpu: number, memoryMiB: number): string[] {
  if (!(CLOUD_RUN_CPUS as readonly number[]).includes(cpu)) return [`cpu: must be one of ${CLOUD_RUN_CPUS.join(', ')}, got ${cpu}`];
  const minimum = cpu >= 6 ? 4096 : cpu === 4 ? 2048 : 512;
  const maximum = Math.min(cpu * 4096, 32_768);
  if (!Number.isInteger(memoryMiB) || memoryMiB < minimum || memoryMiB > maximum) {
    return [`memoryMiB: must be a whole number from ${minimum} to ${maximum} with ${cpu} CPU, got ${memoryMiB}`];
  }
  return [];
}

const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const GCP_REGION = /^[a-z]+-[a-z]+\d+$/;
/** A region (europe-west1) or a multi- or dual-region code (EU, US, ASIA, EUR4, NAM4). */
const BUCKET_LOCATION = /^([a-z]+-[a-z]+\d+|[A-Z]{2,4}\d?)$/;
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ZONE_NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const CRON = /^(\S+\s+){4}\S+$/;
const TIME_ZONE = /^(UTC|[A-Z][A-Za-z_]+(\/[A-Za-z0-9_+-]+)+)$/;
/** GCS retention periods are under 2^31 seconds. */
const MAX_RETENTION_DAYS = Math.floor(2_147_483_647 / 86_400);

const wholeIn = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;

/** The api the export job reads: the gcp section's apiUrl, else the environment's domain. */
export function exportApiUrl(env: Pick<EnvironmentConfig, 'domain' | 'gcp'>): string | undefined {
  return env.gcp?.apiUrl ?? (env.domain !== undefined ? `https://${env.domain.name}` : undefined);
}

/** Every problem with an environment's gcp section, each starting with its field (`gcp.region: ...`). */
export function gcpProblems(env: Pick<EnvironmentConfig, 'domain'> & { readonly gcp: GcpSettings }): string[] {
  const { gcp } = env;
  const problems: string[] = [];
  const add = (field: string, problem: string) => problems.push(`gcp.${field}: ${problem}`);
  if (!PROJECT_ID.test(gcp.projectId) || gcp.projectId.includes('google')) {
    add('projectId', `"${gcp.projectId}" is not a project id (6-30 lower-case letters, digits and hyphens, starting with a letter)`);
  }
  if (!GCP_REGION.test(gcp.region)) add('region', `"${gcp.region}" is not a Google Cloud region (e.g. europe-west1)`);
  if (gcp.archiveLocation !== undefined && !BUCKET_LOCATION.test(gcp.archiveLocation)) {
    add('archiveLocation', `"${gcp.archiveLocation}" is not a bucket location (a region such as europe-west1, or EU, US, EUR4, ...)`);
  }
  if (!HOST_NAME.test(gcp.dnsName)) add('dnsName', `"${gcp.dnsName}" is not a lower-case DNS name of two or more labels (no trailing dot)`);
  if (gcp.parentDnsZone !== undefined && !ZONE_NAME.test(gcp.parentDnsZone)) add('parentDnsZone', `"${gcp.parentDnsZone}" is not a Cloud DNS managed zone name`);
  if (gcp.apiUrl === undefined) {
    if (env.domain === undefined) add('apiUrl', 'is required without a domain (the api the export job reads, e.g. the HTTP API\'s URL)');
  } else if (!URL.canParse(gcp.apiUrl) || new URL(gcp.apiUrl).protocol !== 'https:') {
    add('apiUrl', `"${gcp.apiUrl}" is not an https URL (the API key travels with every request)`);
  }
  if (!wholeIn(gcp.archive.retentionDays, 1, MAX_RETENTION_DAYS)) add('archive.retentionDays', `must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, got ${gcp.archive.retentionDays}`);
  const job = gcp.exportJob;
  problems.push(...cloudRunSizeProblems(job.cpu, job.memoryMiB).map((problem) => `gcp.exportJob.${problem}`));
  if (!wholeIn(job.scratchMiB, 64, job.memoryMiB - EXPORTER_HEAP_HEADROOM_MIB)) {
    add('exportJob.scratchMiB', `must be from 64 to memoryMiB - ${EXPORTER_HEAP_HEADROOM_MIB} (${job.memoryMiB - EXPORTER_HEAP_HEADROOM_MIB}): the volume lives in the task's memory, got ${job.scratchMiB}`);
  }
  if (!wholeIn(job.timeoutMinutes, 1, MAX_TASK_TIMEOUT_MINUTES)) add('exportJob.timeoutMinutes', `must be from 1 to ${MAX_TASK_TIMEOUT_MINUTES}, got ${job.timeoutMinutes}`);
  if (!wholeIn(job.maxRetries, 0, MAX_TASK_RETRIES)) add('exportJob.maxRetries', `must be from 0 to ${MAX_TASK_RETRIES}, got ${job.maxRetries}`);
  if (!CRON.test(job.schedule.trim())) add('exportJob.schedule', `"${job.schedule}" is not a unix-cron expression of five fields`);
  if (!TIME_ZONE.test(job.timeZone)) add('exportJob.timeZone', `"${job.timeZone}" is not an IANA time zone (Etc/UTC, Europe/Berlin)`);
  return problems;
}

/** A project id that is a placeholder of the shipped table (it has the word `example`): synth warns, deploy refuses. */
export function isPlaceholderProject(projectId: string): boolean {
  return /(^|-)example(-|$)/.test(projectId);
}
