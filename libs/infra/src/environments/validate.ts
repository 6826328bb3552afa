import { VISIBILITY_TIMEOUT_FACTOR } from '@docflow/guardrails';
import { parseCidr } from '../core/cidr.js';
import { gcpProblems } from './gcp.js';
import {
  CAPACITY_PROVIDERS,
  KEY_MODES,
  NAT_MODES,
  PROFILES,
  WORKER_MODES,
  type BackupSettings,
  type EnvironmentConfig,
  type TaskSize,
} from './types.js';

/** The retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** SQS's ceiling for a visibility timeout. */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

// DESIGN.md: the visibility timeout is at least six times the consumer's processing time; the policy checks the same factor
export { VISIBILITY_TIMEOUT_FACTOR };

/** Visibility timeout of the documents queue for a worker that may take `processingTimeoutSeconds` per message. */
export function visibilityTimeoutFor(processingTimeoutSeconds: number): number {
  return processingTimeoutSeconds * VISIBILITY_TIMEOUT_FACTOR;
}

/** Memory (MiB) Fargate accepts for each CPU size. */
const FARGATE_MEMORY_MIB: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16_384, 1024),
  4096: range(8192, 30_720, 1024),
  8192: range(16_384, 61_440, 4096),
  16_384: range(32_768, 122_880, 8192),
};

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}

/** Problems with a Fargate size, or none. Exported for the constructs that take sizes directly. */
export function fargateSizeProblem(what: string, size: TaskSize): string | undefined {
  const memories = FARGATE_MEMORY_MIB[size.cpu];
  if (!memories) {
    return `${what}: cpu ${size.cpu} is not a Fargate CPU size (one of ${Object.keys(FARGATE_MEMORY_MIB).join(', ')})`;
  }
  if (!memories.includes(size.memoryMiB)) {
    return `${what}: memoryMiB ${size.memoryMiB} does not fit cpu ${size.cpu} (Fargate allows ${memories[0]} to ${memories.at(-1)} MiB)`;
  }
  return undefined;
}

const NAME_PATTERN = /^[a-z][a-z0-9]{1,11}$/;
const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const ACCOUNT_PATTERN = /^\d{12}$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** A DNS host name: labels of letters, digits and inner hyphens, at least two of them. */
const HOST_NAME_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const HOSTED_ZONE_ID_PATTERN = /^Z[A-Z0-9]{1,31}$/;
/** WAF's lowest rate-based limit (requests per evaluation window per aggregation key). */
export const MIN_WAF_RATE_LIMIT = 10;
/** Secrets Manager rotates at most every 1000 days; RDS-managed secrets at least every 1 day. */
const MAX_ROTATION_DAYS = 1000;

/** Every problem with one environment entry (empty when it is consistent). */
export function environmentProblems(env: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const add = (problem: string | undefined) => {
    if (problem) problems.push(problem);
  };
  if (!NAME_PATTERN.test(env.name)) add('name: must be 2-12 lower-case letters or digits, starting with a letter');
  if (!PROFILES.includes(env.profile)) add(`profile: must be one of ${PROFILES.join(', ')}`);
  if (!REGION_PATTERN.test(env.region)) add(`region: "${env.region}" is not an AWS region name`);
  if (env.accountId !== undefined && !ACCOUNT_PATTERN.test(env.accountId)) add('accountId: must be 12 digits');

  const cidr = parseCidr(env.vpcCidr);
  if (!cidr || cidr.prefixLength < 16 || cidr.prefixLength > 20) {
    add(`vpcCidr: "${env.vpcCidr}" must be an IPv4 network with a prefix from /16 to /20`);
  }
  if (!Number.isInteger(env.azCount) || env.azCount < 2 || env.azCount > 4) {
    add(`azCount: must be 2, 3 or 4 (an RDS subnet group needs two AZs), got ${env.azCount}`);
  }
  if (!NAT_MODES.includes(env.natMode)) add(`natMode: must be one of ${NAT_MODES.join(', ')}`);
  if (env.profile === 'lean' && env.natMode !== 'none') {
    add(`natMode: the lean profile has no private subnets, so natMode must be "none" (got "${env.natMode}")`);
  }

  const db = env.database;
  if (!/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(db.instanceClass)) add(`database.instanceClass: "${db.instanceClass}" is not an RDS instance class`);
  if (db.allocatedStorageGiB < 20) add('database.allocatedStorageGiB: must be at least 20 (gp3)');
  if (db.maxAllocatedStorageGiB < db.allocatedStorageGiB) {
    add('database.maxAllocatedStorageGiB: must be at least allocatedStorageGiB');
  }
  if (!Number.isInteger(db.backupRetentionDays) || db.backupRetentionDays < 1 || db.backupRetentionDays > 35) {
    add('database.backupRetentionDays: must be 1 to 35');
  }
  if (db.connectionsAlarmThreshold < 1) add('database.connectionsAlarmThreshold: must be positive');
  for (const field of ['credentialRotationDays', 'masterPasswordRotationDays'] as const) {
    const days = db[field];
    if (!Number.isInteger(days) || days < 1 || days > MAX_ROTATION_DAYS) add(`database.${field}: must be 1 to ${MAX_ROTATION_DAYS} days, got ${days}`);
  }

  for (const service of ['api', 'ingest'] as const) {
    const settings = env[service];
    add(fargateSizeProblem(service, settings));
    if (!Number.isInteger(settings.desiredCount) || settings.desiredCount < 1) add(`${service}.desiredCount: must be at least 1`);
    if (settings.maxCount < settings.desiredCount) add(`${service}.maxCount: must be at least desiredCount`);
  }

  const worker = env.worker;
  add(fargateSizeProblem('worker', worker));
  if (!WORKER_MODES.includes(worker.mode)) add(`worker.mode: must be one of ${WORKER_MODES.join(', ')}`);
  if (!CAPACITY_PROVIDERS.includes(worker.capacityProvider)) {
    add(`worker.capacityProvider: must be one of ${CAPACITY_PROVIDERS.join(', ')}`);
  }
  if (
    !Number.isInteger(worker.processingTimeoutSeconds) ||
    worker.processingTimeoutSeconds < 1 ||
    visibilityTimeoutFor(worker.processingTimeoutSeconds) > MAX_VISIBILITY_TIMEOUT_SECONDS
  ) {
    add(
      `worker.processingTimeoutSeconds: must be 1 to ${MAX_VISIBILITY_TIMEOUT_SECONDS / VISIBILITY_TIMEOUT_FACTOR} ` +
        `(the queue's visibility timeout is ${VISIBILITY_TIMEOUT_FACTOR}x it, at most ${MAX_VISIBILITY_TIMEOUT_SECONDS} s)`,
    );
  }
  if (!Number.isInteger(worker.maxCount) || worker.maxCount < 1) add('worker.maxCount: must be at least 1');
  if (worker.backlogPerTask < 1) add('worker.backlogPerTask: must be at least 1');

  if (!EMAIL_PATTERN.test(env.alarmEmail)) add(`alarmEmail: "${env.alarmEmail}" is not an email address`);
  if (!(env.monthlyBudgetUsd > 0)) add('monthlyBudgetUsd: must be positive');
  if (env.activateCostAllocationTag !== undefined && typeof env.activateCostAllocationTag !== 'boolean') {
    add(`activateCostAllocationTag: must be true or false, got ${JSON.stringify(env.activateCostAllocationTag)}`);
  }
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(env.logRetentionDays)) {
    add(`logRetentionDays: ${env.logRetentionDays} is not a CloudWatch retention (${LOG_RETENTION_DAYS.join(', ')})`);
  }
  problems.push(...edgeProblems(env));
  if (!KEY_MODES.includes(env.keys)) add(`keys: must be one of ${KEY_MODES.join(', ')}`);
  const trailDays = env.audit.trailRetentionDays;
  if (!Number.isInteger(trailDays) || trailDays < 1) add(`audit.trailRetentionDays: must be a whole number of days, at least 1, got ${trailDays}`);
  if (env.gcp !== undefined) problems.push(...gcpProblems({ ...env, gcp: env.gcp }));
  if (env.backup !== undefined) problems.push(...backupProblems(env, env.backup));
  return problems;
}

/** AWS Backup's limits on a plan's lifecycle, and a copy region that is another region. */
function backupProblems(env: EnvironmentConfig, backup: BackupSettings): string[] {
  const problems: string[] = [];
  const days = (field: string, value: number | undefined) => {
    if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > MAX_BACKUP_RETENTION_DAYS)) {
      problems.push(`backup.${field}: must be a whole number of days, 1 to ${MAX_BACKUP_RETENTION_DAYS}, got ${value}`);
    }
  };
  days('dailyRetentionDays', backup.dailyRetentionDays);
  days('hourlyRetentionDays', backup.hourlyRetentionDays);
  if (backup.copyRegion !== undefined) {
    if (!REGION_PATTERN.test(backup.copyRegion)) problems.push(`backup.copyRegion: "${backup.copyRegion}" is not an AWS region name`);
    else if (backup.copyRegion === env.region) problems.push(`backup.copyRegion: must be another region than the environment's (${env.region}), or a copy survives nothing`);
  }
  if (backup.replicateDocuments === true && backup.copyRegion === undefined) problems.push('backup.replicateDocuments: needs backup.copyRegion (the region the documents are replicated to)');
  return problems;
}

/** The domain and firewall of an environment: the standard profile serves HTTPS only, behind WAF. */
function edgeProblems(env: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const standard = env.profile === 'standard';
  if (env.domain === undefined) {
    if (standard) problems.push('domain: is required in the standard profile (its load balancer serves HTTPS only): set domain.name and domain.hostedZone');
  } else {
    if (!HOST_NAME_PATTERN.test(env.domain.name)) {
      problems.push(`domain.name: "${env.domain.name}" is not a lower-case DNS host name (no wildcard, no trailing dot)`);
    }
    const zone = env.domain.hostedZone as { hostedZoneId?: unknown; createZone?: unknown };
    const hasId = zone.hostedZoneId !== undefined;
    const creates = zone.createZone === true;
    if (hasId === creates) {
      problems.push('domain.hostedZone: set exactly one of hostedZoneId (an existing Route 53 zone) and createZone: true');
    } else if (hasId && !HOSTED_ZONE_ID_PATTERN.test(String(zone.hostedZoneId))) {
      problems.push(`domain.hostedZone.hostedZoneId: "${String(zone.hostedZoneId)}" is not a Route 53 hosted zone id (Z followed by letters and digits)`);
    }
  }
  if (env.firewall === undefined) {
    if (standard) problems.push('firewall: is required in the standard profile (WAF protects its load balancer): set firewall.requestsPerIpPer5Minutes');
  } else if (!standard) {
    problems.push('firewall: the lean profile has no load balancer to protect (API Gateway HTTP APIs cannot take a WAF web ACL); remove it');
  } else if (!Number.isInteger(env.firewall.requestsPerIpPer5Minutes) || env.firewall.requestsPerIpPer5Minutes < MIN_WAF_RATE_LIMIT) {
    problems.push(`firewall.requestsPerIpPer5Minutes: must be a whole number, at least ${MIN_WAF_RATE_LIMIT} (WAF's lowest rate limit), got ${env.firewall.requestsPerIpPer5Minutes}`);
  }
  return problems;
}

/**
 * Account-level pieces (CloudTrail, GuardDuty, Access Analyzer) exist once per account: two environments that name
 * the same account cannot both turn one on. Environments without an accountId are not compared.
 */
function accountProblems(environments: readonly EnvironmentConfig[]): string[] {
  const problems: string[] = [];
  for (const feature of ['cloudTrail', 'guardDuty', 'accessAnalyzer'] as const) {
    const owners = new Map<string, string>();
    for (const env of environments) {
      if (env.accountId === undefined || !env.audit[feature]) continue;
      const owner = owners.get(env.accountId);
      if (owner !== undefined) {
        problems.push(`environment "${env.name}": audit.${feature}: account ${env.accountId} already has it from environment "${owner}" (one per account); turn it off here`);
      } else {
        owners.set(env.accountId, env.name);
      }
    }
  }
  return problems;
}

/** Thrown for an inconsistent environment table; the message lists every problem. */
export class EnvironmentConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid environment table:\n  - ${problems.join('\n  - ')}`);
    this.name = 'EnvironmentConfigError';
  }
}

/** Validates the table (each entry and unique names) and returns it unchanged. */
/** AWS Backup's longest lifecycle (days). */
export const MAX_BACKUP_RETENTION_DAYS = 36_500;
export function defineEnvironments<const T extends readonly EnvironmentConfig[]>(environments: T): T {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const env of environments) {
    if (seen.has(env.name)) problems.push(`environment "${env.name}": defined more than once`);
    seen.add(env.name);
    problems.push(...environmentProblems(env).map((problem) => `environment "${env.name}": ${problem}`));
  }
  problems.push(...accountProblems(environments));
  if (environments.length === 0) problems.push('no environment defined');
  if (problems.length > 0) throw new EnvironmentConfigError(problems);
  return environments;
}

/** The entry named `name`, or an error naming the known environments. */
export function findEnvironment(environments: readonly EnvironmentConfig[], name: string): EnvironmentConfig {
  const env = environments.find((candidate) => candidate.name === name);
  if (!env) {
    throw new Error(`Unknown environment "${name}" (known: ${environments.map((candidate) => candidate.name).join(', ')})`);
  }
  return env;
}
