import { describe, expect, it } from 'vitest';
import { appFromStacks } from '../synthesized.js';
import type { TerraformJson } from '../terraform-json.js';
import { costHeadline, costMarkdown, costText } from '../report/cost.js';
import { compareCosts } from './compare.js';
import { estimateCost, GCP_NOT_PRICED, monthlyTotal, type EnvironmentCost } from './estimate.js';
import { HOURS_PER_MONTH, OTHER_REGION_PRICES, PRICES } from './prices.js';
import { USAGE, usageFor } from './usage.js';

/**
 * The cost model on hand-made stacks: GIVEN resources WHEN estimated THEN each charge is the
 * configured quantity (or the usage assumption) times the pinned price, and what the model cannot
 * price is listed, never counted as $0.
 */
const DAYS = HOURS_PER_MONTH / 24;
const usage = usageFor('dev');

function stack(env: string, name: string, resource: TerraformJson['resource'], region = 'eu-west-1'): TerraformJson {
  return { provider: { aws: [{ region, default_tags: [{ tags: { project: 'docflow', env, stack: name, profile: 'standard' } }] }] }, resource };
}
const estimateOf = (stacks: Record<string, TerraformJson>) => estimateCost(appFromStacks(stacks));
/** The line items of one environment, as `item: monthly USD`. */
function lines(env: EnvironmentCost): Record<string, number> {
  return Object.fromEntries(env.stacks.flatMap((s) => s.resources.flatMap((resource) => resource.lines.map((line) => [line.item, line.monthlyUsd]))));
}
const only = (stacks: Record<string, TerraformJson>) => {
  const [env] = estimateOf(stacks).environments;
  if (!env) throw new Error('no environment');
  return env;
};
const cents = (usd: number) => Math.round(usd * 100) / 100;

const task = (cpu: string, memory: string, arm = false) => ({
  cpu,
  memory,
  runtime_platform: { cpu_architecture: arm ? 'ARM64' : 'X86_64', operating_system_family: 'LINUX' },
  container_definitions: JSON.stringify([{ name: 'app', logConfiguration: { options: { 'awslogs-group': '${aws_cloudwatch_log_group.Logs.name}' } } }]),
});

describe('estimateCost', () => {
  it('GIVEN two NAT gateways with their addresses THEN hours, shared data processing and public IPv4 at the pinned prices', () => {
    const env = only({ 'prod-network': stack('prod', 'network', { aws_nat_gateway: { A: {}, B: {} }, aws_eip: { A: {}, B: {} } }) });
    const prod = usageFor('prod');
    expect(env.monthlyUsd).toBe(cents(2 * HOURS_PER_MONTH * PRICES.natGatewayHour.usd + prod.natGbPerMonth * PRICES.natGatewayGb.usd + 2 * HOURS_PER_MONTH * PRICES.publicIpv4Hour.usd));
    expect(env.stacks[0]?.resources.map((resource) => resource.address)).toEqual(['aws_nat_gateway.A', 'aws_nat_gateway.B', 'aws_eip.A', 'aws_eip.B']);
  });

  it('GIVEN ECS services on Fargate, Fargate Spot and ARM, with and without public IPs, and one scaled from zero THEN each is priced on its own terms', () => {
    const env = only({
      'dev-apps': stack('dev', 'apps', {
        aws_ecs_task_definition: { Small: task('256', '512'), Arm: task('1024', '2048', true) },
        aws_ecs_service: {
          Api: { name: 'api', desired_count: 2, task_definition: '${aws_ecs_task_definition.Small.arn}', capacity_provider_strategy: [{ capacity_provider: 'FARGATE', weight: 1 }] },
          Public: { name: 'public', desired_count: 1, task_definition: '${aws_ecs_task_definition.Small.arn}', launch_type: 'FARGATE', network_configuration: { assign_public_ip: true } },
          Worker: { name: 'worker', desired_count: 0, task_definition: '${aws_ecs_task_definition.Arm.arn}', capacity_provider_strategy: [{ capacity_provider: 'FARGATE_SPOT', weight: 1 }] },
        },
      }),
    });
    const got = lines(env);
    expect(got['api tasks: Fargate x86 vCPU']).toBe(cents(2 * HOURS_PER_MONTH * 0.25 * PRICES.fargateX86VcpuHour.usd));
    expect(got['api tasks: Fargate x86 memory']).toBe(cents(2 * HOURS_PER_MONTH * 0.5 * PRICES.fargateX86GbHour.usd));
    expect(got['public tasks: public IPv4 address per task']).toBe(cents(HOURS_PER_MONTH * PRICES.publicIpv4Hour.usd));
    expect(got['api tasks: public IPv4 address per task']).toBeUndefined();
    const workerHours = usage.scaledFromZeroHoursPerDay * DAYS;
    expect(got['worker tasks: Fargate Spot ARM vCPU']).toBe(cents(workerHours * PRICES.fargateSpotArmVcpuHour.usd));
    expect(got['worker tasks: Fargate Spot ARM memory']).toBe(cents(workerHours * 2 * PRICES.fargateSpotArmGbHour.usd));
    expect(env.stacks[0]?.resources.find((resource) => resource.address === 'aws_ecs_service.Worker')?.lines.every((line) => line.basis === 'usage')).toBe(true);
  });

  it('GIVEN a pipe from a queue to Spot tasks THEN one billed minute per message (at least), the pipe requests, and the queue requests of a pipe polling all month', () => {
    const env = only({
      'dev-worker': stack('dev', 'worker', {
        aws_sqs_queue: { Queue: {} },
        aws_ecs_task_definition: { Task: task('1024', '2048') },
        aws_pipes_pipe: {
          Pipe: {
            source: '${aws_sqs_queue.Queue.arn}',
            target_parameters: {
              ecs_task_parameters: {
                task_definition_arn: '${aws_ecs_task_definition.Task.arn}',
                capacity_provider_strategy: [{ capacity_provider: 'FARGATE_SPOT', weight: 1 }],
                network_configuration: { aws_vpc_configuration: { assign_public_ip: 'ENABLED' } },
              },
            },
          },
        },
      }),
    });
    const messages = usage.documentsPerDay * DAYS;
    const taskHours = (messages * Math.max(60, usage.pipeTaskSeconds)) / 3600;
    const got = lines(env);
    expect(got['one task per message: Fargate Spot x86 vCPU']).toBe(cents(taskHours * PRICES.fargateSpotX86VcpuHour.usd));
    expect(got['one task per message: public IPv4 address per task']).toBe(cents(taskHours * PRICES.publicIpv4Hour.usd));
    expect(got['EventBridge Pipes requests']).toBe(cents((messages / 1e6) * PRICES.pipesMillion.usd));
    const sqsRequests = messages * usage.sqsRequestsPerMessage + HOURS_PER_MONTH * 60 * usage.idleReceivesPerPollerMinute;
    expect(got['SQS requests']).toBe(cents((sqsRequests / 1e6) * PRICES.sqsMillion.usd));
  });

  it('GIVEN a Multi-AZ PostgreSQL with 30 days of backups and an RDS-managed password THEN two instances, both storage copies, backups beyond the free size, and its secret', () => {
    const prod = usageFor('prod');
    const env = only({
      'prod-data': stack('prod', 'data', {
        aws_db_instance: {
          Db: { engine: 'postgres', instance_class: 'db.t3.medium', multi_az: true, allocated_storage: 5, storage_type: 'gp3', backup_retention_period: 30, manage_master_user_password: true },
        },
      }),
    });
    const backupGb = prod.databaseGb * (1 + prod.databaseDailyChange * 30) - 5;
    expect(lines(env)).toEqual({
      'db.t3.medium Multi-AZ (2 instances)': cents(2 * HOURS_PER_MONTH * 0.076),
      'gp3 storage (both copies)': cents(2 * 5 * PRICES.rdsGp3GbMonth.usd),
      'backups beyond the free 5 GB (30 days kept)': cents(backupGb * PRICES.rdsBackupGbMonth.usd),
      'the RDS-managed master password secret': PRICES.secretMonth.usd,
    });
  });

  it('GIVEN a documents bucket replicated with Replication Time Control to a bucket in eu-central-1 THEN the replica storage and its PUTs at eu-central-1 prices, the transfer, RTC and the replication metrics at the source\'s', () => {
    const prod = usageFor('prod');
    const env = only({
      'prod-data': stack('prod', 'data', {
        aws_s3_bucket: { Replica: { bucket_prefix: 'docflow-prod-dr-documents-', region: 'eu-central-1' } },
        aws_s3_bucket_replication_configuration: {
          Replication: {
            bucket: 'docflow-prod-documents-x',
            role: 'arn:aws:iam::123456789012:role/replication',
            rule: [
              {
                id: 'documents',
                status: 'Enabled',
                destination: { bucket: '${aws_s3_bucket.Replica.arn}', replication_time: { status: 'Enabled', time: { minutes: 15 } }, metrics: { status: 'Enabled', event_threshold: { minutes: 15 } } },
              },
            ],
          },
        },
      }),
    });
    const documents = prod.documentsPerDay * DAYS;
    const gb = (documents * prod.documentKiB) / (1024 * 1024);
    const frankfurt = OTHER_REGION_PRICES['eu-central-1'];
    expect(frankfurt?.s3StandardGbMonth?.usd).not.toBe(PRICES.s3StandardGbMonth.usd);
    expect(lines(env)).toEqual({
      [`replicas of the document bodies (${prod.documentMonthsStored} months kept) [eu-central-1]`]: cents(gb * prod.documentMonthsStored * (frankfurt?.s3StandardGbMonth?.usd ?? Number.NaN)),
      'replication PUT requests (one per document) [eu-central-1]': cents((documents / 1000) * (frankfurt?.s3PutThousand?.usd ?? Number.NaN)),
      'document bodies sent to the replica region': cents(gb * PRICES.interRegionTransferGb.usd),
      'Replication Time Control': cents(gb * PRICES.s3ReplicationTimeControlGb.usd),
      'replication metrics': cents(4 * PRICES.cloudwatchMetricMonth.usd),
    });
  });

  it('GIVEN backups copied to a vault in eu-central-1 and point-in-time backups replicated there THEN what is kept there at eu-central-1 prices, what is sent at the source region\'s', () => {
    const prod = usageFor('prod');
    const env = only({
      'prod-data': stack('prod', 'data', {
        aws_backup_vault: { Copy: { name: 'copy', region: 'eu-central-1' } },
        aws_backup_plan: {
          Plan: { rule: [{ rule_name: 'daily', lifecycle: { delete_after: 35 }, copy_action: [{ destination_vault_arn: '${aws_backup_vault.Copy.arn}', lifecycle: { delete_after: 35 } }] }] },
        },
        aws_db_instance_automated_backups_replication: { Replication: { region: 'eu-central-1', retention_period: 30, source_db_instance_arn: 'arn:aws:rds:eu-west-1:123456789012:db:x' } },
      }),
    });
    const frankfurt = OTHER_REGION_PRICES['eu-central-1'];
    const changesGb = prod.databaseGb * prod.databaseDailyChange * DAYS;
    expect(lines(env)).toEqual({
      'backups of rule daily (35 days kept; assumes it backs up the database)': cents(prod.databaseGb * (1 + prod.databaseDailyChange * 35) * PRICES.backupGbMonth.usd),
      'copies of rule daily in the copy region (35 days kept) [eu-central-1]': cents(prod.databaseGb * (1 + prod.databaseDailyChange * 35) * (frankfurt?.backupGbMonth?.usd ?? Number.NaN)),
      'copies of rule daily: changes sent to the copy region': cents(changesGb * PRICES.interRegionTransferGb.usd),
      'point-in-time backups replicated to the copy region (30 days) [eu-central-1]': cents(prod.databaseGb * (1 + prod.databaseDailyChange * 30) * (frankfurt?.rdsBackupGbMonth?.usd ?? Number.NaN)),
      'database changes sent to the copy region': cents(changesGb * PRICES.interRegionTransferGb.usd),
    });
    const regions = Object.fromEntries(env.stacks.flatMap((s) => s.resources.flatMap((resource) => resource.lines.map((line) => [line.item, line.region]))));
    expect(regions['copies of rule daily in the copy region (35 days kept) [eu-central-1]']).toBe('eu-central-1');
    expect(regions['database changes sent to the copy region']).toBe('eu-west-1');
  });

  it('GIVEN a resource on a provider alias in eu-central-1 THEN it is priced at that region\'s price, named with it', () => {
    const json = stack('prod', 'foundation', { aws_kms_key: { Here: {}, There: { provider: 'aws.copy' } } });
    json.provider?.['aws']?.push({ alias: 'copy', region: 'eu-central-1' });
    const env = only({ 'prod-foundation': json });
    expect(env.stacks[0]?.resources.map((resource) => `${resource.address} ${resource.lines.map((line) => `${line.item} ${line.region} ${line.unitUsd}`).join()}`)).toEqual([
      `aws_kms_key.Here customer-managed KMS key eu-west-1 ${PRICES.kmsKeyMonth.usd}`,
      `aws_kms_key.There customer-managed KMS key [eu-central-1] eu-central-1 ${OTHER_REGION_PRICES['eu-central-1']?.kmsKeyMonth?.usd}`,
    ]);
  });

  it('GIVEN a charge billed in a region the table does not price THEN it is left out and the resource listed as unpriced with it; its other charges count', () => {
    const prod = usageFor('prod');
    const env = only({
      'prod-data': stack('prod', 'data', {
        aws_db_instance_automated_backups_replication: { Replication: { region: 'ap-south-1', retention_period: 7 } },
        aws_s3_bucket: { Mumbai: { region: 'ap-south-1' } },
      }),
    });
    expect(lines(env)).toEqual({ 'database changes sent to the copy region': cents(prod.databaseGb * prod.databaseDailyChange * DAYS * PRICES.interRegionTransferGb.usd) });
    expect(env.unpriced).toBe(2);
    expect(env.stacks[0]?.unpriced.map(({ address, reason }) => `${address}: ${reason}`)).toEqual([
      'aws_db_instance_automated_backups_replication.Replication: the price table (eu-west-1, eu-central-1) has no price for point-in-time backups replicated to the copy region (7 days) (billed in ap-south-1)',
      'aws_s3_bucket.Mumbai: the price table (eu-west-1, eu-central-1) has no price for objects (state files, small) (billed in ap-south-1)',
    ]);
  });

  it('GIVEN interface endpoints, an ALB, an HTTP API, alarms, a dashboard, a secret, a KMS key and a WAF web ACL THEN each is in the estimate', () => {
    const env = only({
      'prod-edge': stack('prod', 'edge', {
        aws_vpc_endpoint: {
          Sqs: { vpc_endpoint_type: 'Interface', service_name: 'com.amazonaws.eu-west-1.sqs', subnet_ids: ['a', 'b'] },
          S3: { vpc_endpoint_type: 'Gateway', service_name: 'com.amazonaws.eu-west-1.s3' },
        },
        aws_lb: { Alb: { load_balancer_type: 'application' } },
        aws_apigatewayv2_api: { Api: { protocol_type: 'HTTP' } },
        aws_cloudwatch_metric_alarm: { One: {}, Math: { metric_query: [{ metric: {} }, { metric: {} }, { expression: 'a+b' }] } },
        aws_cloudwatch_dashboard: { Board: {} },
        aws_secretsmanager_secret: { Keys: {} },
        aws_kms_key: { Key: {} },
        aws_wafv2_web_acl: { Acl: { rule: [{}, {}, {}] } },
      }),
    });
    const got = lines(env);
    expect(got['interface endpoint sqs (2 AZs)']).toBe(cents(2 * HOURS_PER_MONTH * PRICES.interfaceEndpointHour.usd));
    expect(got['application load balancer']).toBe(cents(HOURS_PER_MONTH * PRICES.albHour.usd));
    expect(got['alarm (2 metrics)']).toBe(cents(2 * PRICES.cloudwatchAlarmMetricMonth.usd));
    expect(got['dashboard']).toBe(PRICES.cloudwatchDashboardMonth.usd);
    expect(got['WAF rules']).toBe(3 * PRICES.wafRuleMonth.usd);
    expect(got['customer-managed KMS key']).toBe(PRICES.kmsKeyMonth.usd);
    expect(Object.keys(got).filter((item) => item.startsWith('interface endpoint s3'))).toEqual([]);
    expect(got['HTTP API requests']).toBeGreaterThan(0);
  });

  it('GIVEN a cluster with Container Insights, its services and their log group THEN the metrics per cluster, service and task family, and the logs of the task-hours', () => {
    const env = only({
      'dev-platform': stack('dev', 'platform', {
        aws_ecs_cluster: { Cluster: { setting: [{ name: 'containerInsights', value: 'enabled' }] } },
        aws_cloudwatch_log_group: { Logs: { retention_in_days: 7 } },
        aws_ecs_task_definition: { Task: task('256', '512') },
        aws_ecs_service: {
          A: { cluster: '${aws_ecs_cluster.Cluster.arn}', desired_count: 1, task_definition: '${aws_ecs_task_definition.Task.arn}' },
          B: { cluster: '${aws_ecs_cluster.Cluster.arn}', desired_count: 1, task_definition: '${aws_ecs_task_definition.Task.arn}' },
        },
      }),
    });
    const { cluster, service, taskFamily } = usage.containerInsightsMetrics;
    const got = lines(env);
    expect(got['Container Insights metrics (1 cluster, 2 services, 1 task families)']).toBe(cents((cluster + 2 * service + taskFamily) * PRICES.cloudwatchMetricMonth.usd));
    const gb = (usage.logGbPerTaskDay * 2 * HOURS_PER_MONTH) / HOURS_PER_MONTH;
    expect(got['log ingestion — app logs of 1460 task-hours a month']).toBe(cents(gb * DAYS * PRICES.logsIngestGb.usd));
  });

  it('GIVEN a resource the model has no price for, a repository without a lifecycle, or another region THEN unpriced with the reason, and nothing counted', () => {
    const env = only({
      'dev-x': stack('dev', 'x', { aws_instance: { Nat: {} }, aws_ecr_repository: { Repo: {} }, aws_vpc: { Vpc: {} } }),
    });
    expect(env.monthlyUsd).toBe(0);
    expect(env.stacks[0]?.unpriced.map(({ address, reason }) => `${address}: ${reason}`)).toEqual([
      'aws_instance.Nat: no price for aws_instance in the cost model',
      'aws_ecr_repository.Repo: no lifecycle policy that caps the image count: storage grows without bound',
    ]);
    const frankfurt = only({ 'qa-x': stack('qa', 'x', { aws_nat_gateway: { A: {} } }, 'eu-central-1') });
    expect(frankfurt).toMatchObject({ region: 'eu-central-1', monthlyUsd: 0, unpriced: 1 });
    expect(frankfurt.stacks[0]?.unpriced[0]?.reason).toBe('the price table (eu-west-1, eu-central-1) has no price for NAT gateway (billed in eu-central-1); NAT gateway data processed (billed in eu-central-1)');
  });

  it('GIVEN a Google Cloud stack THEN it is left out as not priced, said so in the estimate and every report, and not counted as unpriced', () => {
    const gcp = { provider: { google: [{ project: 'p', region: 'europe-west1' }] }, resource: { google_storage_bucket: { Archive: {} }, google_cloud_run_v2_job: { Job: {} } } };
    const estimate = estimateOf({ 'dev-network': stack('dev', 'network', { aws_nat_gateway: { Nat: {} } }), 'dev-gcp-archive': gcp });
    const [env] = estimate.environments;
    expect(env).toMatchObject({ unpriced: 0, notPricedResources: 2 });
    expect(env?.stacks.find((item) => item.stack === 'gcp-archive')).toMatchObject({ monthlyUsd: 0, resources: [], unpriced: [], notPriced: GCP_NOT_PRICED });
    expect(env?.monthlyUsd).toBe(env?.stacks.find((item) => item.stack === 'network')?.monthlyUsd);
    expect(costHeadline(estimate)).toMatch(/USD a month \(AWS; GCP not priced\)$/);
    expect(costText(estimate, { color: false })).toContain(`not priced: gcp-archive (2 resources): ${GCP_NOT_PRICED}`);
    expect(costMarkdown(estimate)).toContain('Google Cloud stacks are not priced (not in the totals)');
  });

  it('GIVEN other usage assumptions THEN the usage-based charges follow them and the fixed ones do not move', () => {
    const stacks = { 'dev-api': stack('dev', 'api', { aws_apigatewayv2_api: { Api: { protocol_type: 'HTTP' } }, aws_nat_gateway: { A: {} } }) };
    const busier = { ...USAGE, environments: { dev: { apiRequestsPerDay: 2_000_000 } } };
    const [quiet, busy] = [estimateCost(appFromStacks(stacks)), estimateCost(appFromStacks(stacks), { usage: busier })].map((estimate) => lines(estimate.environments[0] as EnvironmentCost));
    expect(busy?.['NAT gateway']).toBe(quiet?.['NAT gateway']);
    expect(busy?.['HTTP API requests']).toBe(cents(((usage.documentsPerDay + 2_000_000) * DAYS * PRICES.httpApiMillion.usd) / 1e6));
  });
});

describe('monthlyTotal and compareCosts', () => {
  const base = estimateOf({ 'prod-network': stack('prod', 'network', { aws_nat_gateway: { A: {} } }) });
  const head = estimateOf({ 'prod-network': stack('prod', 'network', { aws_nat_gateway: { A: {}, B: {} } }) });

  it('GIVEN an estimate THEN the total of one environment is callable from code, and an unknown environment is an error naming the known ones', () => {
    expect(monthlyTotal(head, 'prod')).toBe(head.environments[0]?.monthlyUsd);
    expect(() => monthlyTotal(head, 'dev')).toThrow('monthlyTotal: no environment dev in the estimate (it has prod)');
  });

  it('GIVEN a second NAT gateway THEN the comparison shows the environment, stack and line items that moved', () => {
    const comparison = compareCosts(base, head);
    const prod = comparison.environments[0];
    expect(prod?.deltaUsd).toBe(cents(HOURS_PER_MONTH * PRICES.natGatewayHour.usd));
    expect(prod?.stacks).toEqual([{ stack: 'network', baseUsd: monthlyTotal(base, 'prod'), headUsd: monthlyTotal(head, 'prod'), deltaUsd: prod?.deltaUsd }]);
    // largest change first; the data processed is now shared by two gateways
    expect(prod?.items.map((item) => [item.item, item.deltaUsd > 0])).toEqual([
      ['aws_nat_gateway.B: NAT gateway', true],
      ['aws_nat_gateway.A: NAT gateway data processed', false],
      ['aws_nat_gateway.B: NAT gateway data processed', true],
    ]);
  });
});
