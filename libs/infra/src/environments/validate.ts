import { VISIBILITY_TIMEOUT_FACTOR } from '@docflow/guardrails';
import { parseCidr } from '../core/cidr.js';
import {
  CAPACITY_PROVIDERS,
  NAT_MODES,
  PROFILES,
  WORKER_MODES,
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
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(env.logRetentionDays)) {
    add(`logRetentionDays: ${env.logRetentionDays} is not a CloudWatch retention (${LOG_RETENTION_DAYS.join(', ')})`);
  }
  if (env.certificateArn !== undefined && !env.certificateArn.startsWith('arn:aws:acm:')) {
    add('certificateArn: must be an ACM certificate ARN (arn:aws:acm:...)');
  }
  if (env.certificateArn !== undefined && env.profile === 'lean') {
    add('certificateArn: the lean profile has no ALB; its API Gateway endpoint is already HTTPS');
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
export function defineEnvironments<const T extends readonly EnvironmentConfig[]>(environments: T): T {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const env of environments) {
    if (seen.has(env.name)) problems.push(`environment "${env.name}": defined more than once`);
    seen.add(env.name);
    problems.push(...environmentProblems(env).map((problem) => `environment "${env.name}": ${problem}`));
  }
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
