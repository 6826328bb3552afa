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
  /** poll: autoscaling ceiling (the floor is 0). pipe: not used (one task per message). */
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
  readonly logRetentionDays: number;
  /** ACM certificate for the ALB's HTTPS listener (standard profile). Without it the ALB serves HTTP only. */
  readonly certificateArn?: string;
}
