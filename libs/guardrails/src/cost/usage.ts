/**
 * The usage the cost estimate assumes: the one file to change when traffic or behaviour changes.
 * Fixed charges (hours of NAT, ALB, endpoints, tasks, databases) come from the synthesized stacks;
 * everything that depends on use comes from here, per environment.
 */
export interface UsageAssumptions {
  /** Documents ingested a day. */
  readonly documentsPerDay: number;
  /** Average document body, KiB (stored in S3; the queue carries only a small claim check). */
  readonly documentKiB: number;
  /** Reads the api answers a day (search, list, get). */
  readonly apiRequestsPerDay: number;
  /** Average api response, KiB (data out to the internet). */
  readonly responseKiB: number;
  /**
   * A pipe-mode worker task from start to exit, seconds: image pull, start-up, one message.
   * Fargate bills at least one minute per task.
   */
  readonly pipeTaskSeconds: number;
  /**
   * Hours a day a service that scales from zero (the poll worker) runs. It stays up while messages
   * arrive less than its scale-in window (about 15 minutes) apart: at hundreds of documents a day
   * spread over the day, that is all day.
   */
  readonly scaledFromZeroHoursPerDay: number;
  /** Months document bodies stay in S3. */
  readonly documentMonthsStored: number;
  /** PostgreSQL data, GB. */
  readonly databaseGb: number;
  /** Share of the database that changes a day (what each daily snapshot adds). */
  readonly databaseDailyChange: number;
  /** Application logs per running task, GB a day. */
  readonly logGbPerTaskDay: number;
  /** PostgreSQL log exports (slow statements, errors), GB a day. */
  readonly databaseLogGbPerDay: number;
  /** VPC flow log records, GB a day, by the flow log's traffic type. */
  readonly flowLogGbPerDay: { readonly ALL: number; readonly ACCEPT: number; readonly REJECT: number };
  /** Data through the NAT gateways, GB a month (all of them together). */
  readonly natGbPerMonth: number;
  /** Data through the interface endpoints (SQS, Secrets Manager, Logs, ECR API), GB a month (all together). */
  readonly endpointGbPerMonth: number;
  /** Compressed size of one image in ECR, GB. */
  readonly imageGb: number;
  /** SQS requests per message: send, receive, delete, a visibility change. */
  readonly sqsRequestsPerMessage: number;
  /** Empty long-poll receives per polling consumer a minute (20-second waits). */
  readonly idleReceivesPerPollerMinute: number;
  /**
   * Container Insights publishes this many metrics per cluster, per service and per task family on
   * Fargate (the Container Insights metrics for Amazon ECS in the CloudWatch documentation: 11 with
   * the ClusterName dimension, 13 with ServiceName, 8 with TaskDefinitionFamily).
   */
  readonly containerInsightsMetrics: { readonly cluster: number; readonly service: number; readonly taskFamily: number };
  /** CloudTrail management events in the account a month (deploys, the services' own API calls to KMS, Secrets Manager, ECS). */
  readonly managementEventsPerMonth: number;
}

const BASE: UsageAssumptions = {
  documentsPerDay: 200,
  documentKiB: 100,
  apiRequestsPerDay: 2_000,
  responseKiB: 8,
  pipeTaskSeconds: 60,
  scaledFromZeroHoursPerDay: 24,
  documentMonthsStored: 6,
  databaseGb: 1,
  databaseDailyChange: 0.05,
  logGbPerTaskDay: 0.02,
  databaseLogGbPerDay: 0.02,
  flowLogGbPerDay: { ALL: 0.3, ACCEPT: 0.25, REJECT: 0.05 },
  natGbPerMonth: 5,
  endpointGbPerMonth: 5,
  imageGb: 0.08,
  sqsRequestsPerMessage: 4,
  idleReceivesPerPollerMinute: 3,
  containerInsightsMetrics: { cluster: 11, service: 13, taskFamily: 8 },
  managementEventsPerMonth: 200_000,
};

/** Per environment; an environment not listed uses the base (dev-sized) assumptions. */
export const USAGE: { readonly base: UsageAssumptions; readonly environments: Readonly<Record<string, Partial<UsageAssumptions>>> } = {
  base: BASE,
  environments: {
    dev: {},
    staging: { documentsPerDay: 1_000, apiRequestsPerDay: 10_000, databaseGb: 2, natGbPerMonth: 10, endpointGbPerMonth: 10 },
    prod: { documentsPerDay: 5_000, apiRequestsPerDay: 50_000, databaseGb: 10, natGbPerMonth: 30, endpointGbPerMonth: 30, flowLogGbPerDay: { ALL: 1, ACCEPT: 0.8, REJECT: 0.2 } },
  },
};

/** The assumptions for one environment: the base with its overrides. */
export function usageFor(env: string, usage: typeof USAGE = USAGE): UsageAssumptions {
  return { ...usage.base, ...usage.environments[env] };
}
