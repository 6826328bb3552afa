/**
 * The pinned price table: AWS public on-demand list prices in USD for the environments' region,
 * Europe (Ireland), eu-west-1, recorded on `TAKEN_ON`. Each price names the AWS pricing page it
 * belongs to; `check` says how it was checked when the table was written:
 *
 * - `cross-checked`: the same eu-west-1 figure appears in an independent published copy (named);
 * - `aws-page`: the figure as AWS's pricing page lists it for eu-west-1; the build machines cannot
 *   reach aws.amazon.com, so it was not re-read live on that date. Re-read these first when the
 *   table is renewed (change TAKEN_ON with them);
 * - `derived`: AWS publishes no fixed figure; the note says how it was derived.
 *
 * Free tiers are not applied (they are per account and partly time-limited), except where a price
 * says so. A resource type the model has no price for is reported as unpriced, never as $0.
 *
 * A charge is priced in the region it is billed in: a resource's own `region` argument (or its
 * provider alias's region) decides it, and a copy counts where it is kept (`OTHER_REGION_PRICES`).
 * A charge billed in a region the table does not price is unpriced, never priced at these figures.
 */
export const TAKEN_ON = '2026-11-30';
export const REGION = 'eu-west-1';
/** AWS bills a month as 730 hours. */
export const HOURS_PER_MONTH = 730;

export interface Price {
  readonly usd: number;
  /** What one `usd` buys: `hour`, `GB`, `GB-month`, `million requests`, ... */
  readonly per: string;
  readonly source: string;
  readonly check: 'cross-checked' | 'aws-page' | 'derived';
  readonly note?: string;
}

const VPC = 'https://aws.amazon.com/vpc/pricing/';
const PRIVATELINK = 'https://aws.amazon.com/privatelink/pricing/';
const ELB = 'https://aws.amazon.com/elasticloadbalancing/pricing/';
const APIGW = 'https://aws.amazon.com/api-gateway/pricing/';
const FARGATE = 'https://aws.amazon.com/fargate/pricing/';
const RDS = 'https://aws.amazon.com/rds/postgresql/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const TOMGREGORY = 'cross-checked with tomgregory.com/aws/aws-fargate-spot-vs-fargate-price-comparison (eu-west-1 figures)';

export const PRICES = {
  natGatewayHour: { usd: 0.048, per: 'hour', source: VPC, check: 'aws-page' },
  natGatewayGb: { usd: 0.048, per: 'GB processed', source: VPC, check: 'aws-page' },
  publicIpv4Hour: { usd: 0.005, per: 'hour', source: VPC, check: 'aws-page', note: 'every public IPv4 address, in use or idle (since February 2024)' },
  interfaceEndpointHour: { usd: 0.011, per: 'hour per AZ', source: PRIVATELINK, check: 'aws-page' },
  interfaceEndpointGb: { usd: 0.01, per: 'GB processed', source: PRIVATELINK, check: 'aws-page' },
  dataTransferOutGb: { usd: 0.09, per: 'GB to the internet', source: 'https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer', check: 'aws-page', note: 'first 10 TB tier; the first 100 GB a month are free per account (not applied)' },
  albHour: { usd: 0.0252, per: 'hour', source: ELB, check: 'aws-page' },
  albLcuHour: { usd: 0.008, per: 'LCU-hour', source: ELB, check: 'aws-page' },
  httpApiMillion: { usd: 1.11, per: 'million requests', source: APIGW, check: 'aws-page', note: 'HTTP APIs, first 300 million a month; each 512 KB of a request counts as one request' },
  fargateX86VcpuHour: { usd: 0.04048, per: 'vCPU-hour', source: FARGATE, check: 'cross-checked', note: TOMGREGORY },
  fargateX86GbHour: { usd: 0.004445, per: 'GB-hour', source: FARGATE, check: 'cross-checked', note: TOMGREGORY },
  fargateArmVcpuHour: { usd: 0.03238, per: 'vCPU-hour', source: FARGATE, check: 'aws-page' },
  fargateArmGbHour: { usd: 0.00356, per: 'GB-hour', source: FARGATE, check: 'aws-page' },
  fargateSpotX86VcpuHour: { usd: 0.01334053, per: 'vCPU-hour', source: FARGATE, check: 'cross-checked', note: `${TOMGREGORY}; Spot prices move with supply and demand` },
  fargateSpotX86GbHour: { usd: 0.00146489, per: 'GB-hour', source: FARGATE, check: 'cross-checked', note: `${TOMGREGORY}; Spot prices move with supply and demand` },
  fargateSpotArmVcpuHour: { usd: 0.010671, per: 'vCPU-hour', source: FARGATE, check: 'derived', note: 'the x86 Spot discount (67 %) applied to the ARM on-demand price' },
  fargateSpotArmGbHour: { usd: 0.001173, per: 'GB-hour', source: FARGATE, check: 'derived', note: 'the x86 Spot discount (67 %) applied to the ARM on-demand price' },
  rdsGp3GbMonth: { usd: 0.127, per: 'GB-month (Single-AZ; Multi-AZ pays it twice)', source: RDS, check: 'aws-page' },
  rdsGp2GbMonth: { usd: 0.127, per: 'GB-month (Single-AZ; Multi-AZ pays it twice)', source: RDS, check: 'aws-page' },
  rdsBackupGbMonth: { usd: 0.095, per: 'GB-month beyond the database\'s provisioned storage', source: RDS, check: 'aws-page' },
  cloudwatchMetricMonth: { usd: 0.3, per: 'metric-month', source: CLOUDWATCH, check: 'aws-page', note: 'first 10,000 metrics; Container Insights metrics are custom metrics' },
  cloudwatchAlarmMetricMonth: { usd: 0.1, per: 'standard-resolution metric in an alarm, month', source: CLOUDWATCH, check: 'aws-page' },
  cloudwatchDashboardMonth: { usd: 3, per: 'dashboard-month', source: CLOUDWATCH, check: 'aws-page', note: 'the first three per account are free (not applied)' },
  logsIngestGb: { usd: 0.57, per: 'GB ingested', source: CLOUDWATCH, check: 'aws-page' },
  logsVendedIngestGb: { usd: 0.57, per: 'GB ingested (vended logs: VPC flow logs), first 10 TB', source: CLOUDWATCH, check: 'aws-page' },
  logsStorageGbMonth: { usd: 0.03, per: 'GB-month stored', source: CLOUDWATCH, check: 'aws-page' },
  secretMonth: { usd: 0.4, per: 'secret-month', source: 'https://aws.amazon.com/secrets-manager/pricing/', check: 'aws-page' },
  sqsMillion: { usd: 0.4, per: 'million requests (standard queues)', source: 'https://aws.amazon.com/sqs/pricing/', check: 'aws-page', note: 'the first million a month are free per account (not applied)' },
  pipesMillion: { usd: 0.4, per: 'million requests', source: 'https://aws.amazon.com/eventbridge/pricing/', check: 'aws-page' },
  s3StandardGbMonth: { usd: 0.023, per: 'GB-month (S3 Standard, first 50 TB)', source: 'https://aws.amazon.com/s3/pricing/', check: 'aws-page' },
  s3PutThousand: { usd: 0.005, per: 'thousand PUT/COPY/POST/LIST', source: 'https://aws.amazon.com/s3/pricing/', check: 'aws-page' },
  s3GetThousand: { usd: 0.0004, per: 'thousand GET', source: 'https://aws.amazon.com/s3/pricing/', check: 'aws-page' },
  s3ReplicationTimeControlGb: { usd: 0.015, per: 'GB replicated with S3 Replication Time Control', source: 'https://aws.amazon.com/s3/pricing/', check: 'aws-page', note: 'on top of the inter-region transfer' },
  ecrGbMonth: { usd: 0.1, per: 'GB-month', source: 'https://aws.amazon.com/ecr/pricing/', check: 'aws-page' },
  wafWebAclMonth: { usd: 5, per: 'web ACL-month', source: 'https://aws.amazon.com/waf/pricing/', check: 'aws-page' },
  wafRuleMonth: { usd: 1, per: 'rule-month', source: 'https://aws.amazon.com/waf/pricing/', check: 'aws-page' },
  wafMillion: { usd: 0.6, per: 'million requests', source: 'https://aws.amazon.com/waf/pricing/', check: 'aws-page' },
  interRegionTransferGb: { usd: 0.02, per: 'GB sent to another AWS region', source: 'https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer', check: 'aws-page', note: 'eu-west-1 to another EU region' },
  backupGbMonth: { usd: 0.095, per: 'GB-month (AWS Backup, RDS snapshots, warm)', source: 'https://aws.amazon.com/backup/pricing/', check: 'aws-page' },
  kmsKeyMonth: { usd: 1, per: 'key-month', source: 'https://aws.amazon.com/kms/pricing/', check: 'aws-page', note: 'each yearly rotation adds $1 a month for the first two rotations, so $1 the first year, $2 the second, $3 from then on (not applied)' },
  guardDutyEventsMillion: { usd: 4, per: 'million CloudTrail management events analysed', source: 'https://aws.amazon.com/guardduty/pricing/', check: 'derived', note: 'first-tier list price as published for us-east-1 (factualminds.com GuardDuty pricing, 2026-06); eu-west-1 not re-read' },
  guardDutyLogsGb: { usd: 1, per: 'GB of VPC flow and DNS logs analysed', source: 'https://aws.amazon.com/guardduty/pricing/', check: 'derived', note: 'first-tier list price as published for us-east-1; eu-west-1 not re-read' },
  guardDutyS3EventsMillion: { usd: 0.8, per: 'million S3 data events analysed', source: 'https://aws.amazon.com/guardduty/pricing/', check: 'derived', note: 'first-tier list price as published for us-east-1; eu-west-1 not re-read' },
  route53HostedZoneMonth: { usd: 0.5, per: 'hosted zone-month (public, or private as a Cloud Map DNS namespace)', source: 'https://aws.amazon.com/route53/pricing/', check: 'aws-page' },
  cloudMapInstanceMonth: { usd: 0.1, per: 'registered instance-month', source: 'https://aws.amazon.com/cloud-map/pricing/', check: 'aws-page' },
} as const satisfies Record<string, Price>;

export type PriceKey = keyof typeof PRICES;

/** RDS for PostgreSQL, Single-AZ on-demand, per instance-hour (Multi-AZ pays two instances); another class is unpriced until it is added here. */
export const RDS_POSTGRES_INSTANCE_HOUR: Readonly<Record<string, Price>> = {
  'db.t4g.micro': { usd: 0.017, per: 'instance-hour', source: RDS, check: 'aws-page' },
  'db.t3.micro': { usd: 0.019, per: 'instance-hour', source: RDS, check: 'aws-page' },
  'db.t3.small': { usd: 0.038, per: 'instance-hour', source: RDS, check: 'aws-page' },
  'db.t3.medium': { usd: 0.076, per: 'instance-hour', source: RDS, check: 'aws-page' },
};

/**
 * Regions beside `REGION` where docflow keeps something (prod's copy region, eu-central-1: the
 * replica of the documents bucket, the AWS Backup copy vault and its key, the replicated
 * point-in-time backups), with the prices of exactly the charges billed there. A charge billed in
 * one of these regions whose price is not listed here is unpriced.
 */
const FRANKFURT = 'AWS page, Europe (Frankfurt); not re-read live on TAKEN_ON (aws.amazon.com is out of reach here)';
const FRANKFURT_STAND_IN =
  'stand-in: the eu-west-1 figure. AWS lists this price per region, and no copy of the Europe (Frankfurt) figure was found with the search tool; re-read it first when the table is renewed';
export const OTHER_REGION_PRICES: Readonly<Record<string, Readonly<Partial<Record<PriceKey, Price>>>>> = {
  'eu-central-1': {
    s3StandardGbMonth: {
      usd: 0.0245,
      per: 'GB-month (S3 Standard, first 50 TB)',
      source: 'https://aws.amazon.com/s3/pricing/',
      check: 'aws-page',
      note: `${FRANKFURT}; the same figure is the EUC1-TimedStorage-ByteHrs price in a public test of an AWS Price List client`,
    },
    s3PutThousand: { usd: 0.0054, per: 'thousand PUT/COPY/POST/LIST', source: 'https://aws.amazon.com/s3/pricing/', check: 'aws-page', note: FRANKFURT },
    kmsKeyMonth: { usd: 1, per: 'key-month', source: 'https://aws.amazon.com/kms/pricing/', check: 'aws-page', note: 'the KMS page gives one key price, not a price per region' },
    rdsBackupGbMonth: { usd: 0.095, per: 'GB-month of replicated automated backups (no free allowance in the copy region)', source: RDS, check: 'derived', note: FRANKFURT_STAND_IN },
    backupGbMonth: { usd: 0.095, per: 'GB-month (AWS Backup, RDS snapshot copies, warm)', source: 'https://aws.amazon.com/backup/pricing/', check: 'derived', note: FRANKFURT_STAND_IN },
  },
};

/** The price of `key` for a charge billed in `region`, or undefined when the table does not price it there. */
export function priceIn(key: PriceKey, region: string): Price | undefined {
  return region === REGION ? PRICES[key] : OTHER_REGION_PRICES[region]?.[key];
}
