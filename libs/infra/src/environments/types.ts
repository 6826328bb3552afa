import type { GcpSettings } from './gcp.js';

/**
 * The shape of one deployment environment. Every number carries its unit; every choice that differs
 * between environments lives here, so adding an environment is one entry in `table.ts`.
 */

/** `lean`: cheapest safe shape (public + isolated subnets, no NAT, no ALB, API Gateway edge). `standard`: HA. */
export const PROFILES = ['lean', 'standard'] as const;
export type Profile = (typeof PROFILES)[number];

/**
 * How private subnets reach the internet. `none` leaves them isolated: with the VPC endpoints of the
 * standard profile the services still reach every AWS API they call.
 */
export const NAT_MODES = ['gateway-per-az', 'single-gateway', 'instance', 'none'] as const;
export type NatMode = (typeof NAT_MODES)[number];

/** `poll`: long-running autoscaled ECS service. `pipe`: EventBridge Pipe runs one Fargate Spot task per message. */
export const WORKER_MODES = ['poll', 'pipe'] as const;
export type WorkerMode = (typeof WORKER_MODES)[number];

export const CAPACITY_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'] as const;
export type CapacityProvider = (typeof CAPACITY_PROVIDERS)[number];

/** A Fargate task size. */
export interface TaskSize {
  /** CPU units (1024 = 1 vCPU). */
  readonly cpu: number;
  readonly memoryMiB: number;
}

/** An HTTP service (api, ingest). */
export interface HttpServiceSettings extends TaskSize {
  /** Tasks running normally (and the autoscaling floor). */
  readonly desiredCount: number;
  /** Autoscaling ceiling on CPU; equal to desiredCount turns autoscaling off. */
  readonly maxCount: number;
}

export interface WorkerSettings extends TaskSize {
  readonly mode: WorkerMode;
  /** Longest time one document may take; the queue's visibility timeout is derived from it (6x). */
  readonly processingTimeoutSeconds: number;
  /** poll: autoscaling ceiling (the floor is 0). pipe: tasks that may process at once (the worker's WORKER_PIPE_MAX_TASKS gate). */
  readonly maxCount: number;
  /** poll: target of the backlog-per-task tracking policy (messages waiting or in flight per task). */
  readonly backlogPerTask: number;
  /** Where poll-mode tasks run; pipe mode always runs on FARGATE_SPOT. */
  readonly capacityProvider: CapacityProvider;
}

export interface DatabaseSettings {
  readonly instanceClass: string;
  readonly allocatedStorageGiB: number;
  /** Storage autoscaling ceiling. */
  readonly maxAllocatedStorageGiB: number;
  readonly backupRetentionDays: number;
  readonly multiAz: boolean;
  /** Also keeps a final snapshot on deletion. */
  readonly deletionProtection: boolean;
  /** Alarm when connections exceed this (about 80 % of the class's max_connections). */
  readonly connectionsAlarmThreshold: number;
  /** Days between new passwords for the api and worker database roles (docflow's rotation task). */
  readonly credentialRotationDays: number;
  /** Days between new passwords for the RDS-managed master user (only migrations log in with it). */
  readonly masterPasswordRotationDays: number;
}

/**
 * The environment's public host. api and ingest answer on the same name (the edge routes ingest's
 * POSTs to ingest, everything else to api), with a DNS-validated ACM certificate.
 */
export interface DomainSettings {
  /** The host name clients use, e.g. `api.docflow.acme.com` (no wildcard, no trailing dot). */
  readonly name: string;
  /**
   * The Route 53 hosted zone of `name`: an existing zone that holds it (`hostedZoneId`, records are
   * added to it), or a new zone for exactly `name` that the foundation stack creates
   * (`createZone`; delegate it once from the parent zone with the name servers it outputs).
   */
  readonly hostedZone: { readonly hostedZoneId: string } | { readonly createZone: true };
}

/** The web application firewall in front of the standard profile's load balancer. */
export interface FirewallSettings {
  /** Requests one client IP may send in any 5 minutes before WAF blocks it (10 or more). */
  readonly requestsPerIpPer5Minutes: number;
}

/**
 * Who holds the keys that encrypt data at rest: `aws-managed` (AWS-owned and AWS-managed keys, no
 * cost) or `customer-managed` (KMS keys of the environment, rotated yearly, with key policies that
 * name who may use them; about $1 per key and month, see docs/infrastructure.md).
 */
export const KEY_MODES = ['aws-managed', 'customer-managed'] as const;
export type KeyMode = (typeof KEY_MODES)[number];

/** The account-level audit pieces the foundation stack owns (one of each per account and region). */
export interface AuditSettings {
  /** A multi-region CloudTrail trail with log file validation, to an encrypted bucket. */
  readonly cloudTrail: boolean;
  /** GuardDuty threat detection (with S3 data events and RDS login events). */
  readonly guardDuty: boolean;
  /** IAM Access Analyzer (external access, free): findings for anything of the account an outside principal may use. */
  readonly accessAnalyzer: boolean;
  /** Days the trail's log files are kept before they expire. */
  readonly trailRetentionDays: number;
}

/**
 * AWS Backup of the database, beside RDS's own point-in-time backups (database.backupRetentionDays):
 * snapshots that outlive the instance, and with `copyRegion` copies that outlive the region.
 */
export interface BackupSettings {
  /** Daily snapshots (03:00 UTC) kept this many days (1 to 35 000). */
  readonly dailyRetentionDays: number;
  /** Hourly snapshots kept this many days. @default - none */
  readonly hourlyRetentionDays?: number;
  /**
   * A second region every snapshot is copied to (kept as long), and the database's point-in-time
   * backups replicated to (database.backupRetentionDays, at most 35), for the loss of the
   * environment's region. @default - none
   */
  readonly copyRegion?: string;
  /**
   * Replicate the documents bucket to `copyRegion` (S3 Cross-Region Replication with Replication
   * Time Control: 99.99 % of objects within 15 minutes), for a region loss that must not cost the
   * documents since the GCP archive's last nightly export. Needs copyRegion. @default false
   */
  readonly replicateDocuments?: boolean;
}

export interface EnvironmentConfig {
  /** Lower-case name; stack ids are `<name>-<stack>`. */
  readonly name: string;
  readonly profile: Profile;
  readonly region: string;
  /** When set, the AWS provider refuses to run against any other account. */
  readonly accountId?: string;
  readonly vpcCidr: string;
  readonly azCount: number;
  readonly natMode: NatMode;
  readonly database: DatabaseSettings;
  readonly api: HttpServiceSettings;
  readonly ingest: HttpServiceSettings;
  readonly worker: WorkerSettings;
  /** Receives alarms (SNS email subscription) and budget notifications. */
  readonly alarmEmail: string;
  readonly monthlyBudgetUsd: number;
  /**
   * Activate the `env` tag for cost allocation from this account (the foundation's
   * `aws_ce_cost_allocation_tag`), which the budget filters on. Only a standalone account or an
   * Organization's management account may: AWS refuses it in a member account, where the payer
   * account activates the tag for every account it pays for. @default false
   */
  readonly activateCostAllocationTag?: boolean;
  readonly logRetentionDays: number;
  /** Public host name and zone: required in the standard profile (HTTPS only), optional in lean. */
  readonly domain?: DomainSettings;
  /** WAF on the load balancer: required in the standard profile, which has one; lean has none. */
  readonly firewall?: FirewallSettings;
  readonly keys: KeyMode;
  readonly audit: AuditSettings;
  /** AWS Backup plan of the database (staging, prod). @default - RDS point-in-time backups only */
  readonly backup?: BackupSettings;
  /** The off-site archive in Google Cloud; without it the environment has no GCP stacks. */
  readonly gcp?: GcpSettings;
}
