import type { Resource, StackContext } from '../context.js';
import { permissionsOf } from '../iam/roles.js';
import { actionCovers } from '../iam/statements.js';
import type { TerraformBlock } from '../terraform-json.js';
import { blocks, numberOf, strings } from '../values.js';
import { consumersOf } from '../workloads.js';
import { HOURS_PER_MONTH, PRICES, priceIn, RDS_POSTGRES_INSTANCE_HOUR, REGION, type Price, type PriceKey } from './prices.js';
import type { UsageAssumptions } from './usage.js';

/**
 * What each resource type costs a month: fixed charges from the synthesized configuration, charges
 * that depend on use from the usage assumptions. A type the model does not know is unpriced (and
 * reported), never $0; the types that cost nothing by themselves are listed in FREE_TYPES.
 */
export interface CostLine {
  /** What is charged (`NAT gateway hours`). */
  readonly item: string;
  readonly quantity: number;
  /** The unit of `quantity` (`hours`, `GB-months`, `million requests`). */
  readonly unit: string;
  readonly unitUsd: number;
  readonly monthlyUsd: number;
  /** Whether the quantity comes from the synthesized configuration or from a usage assumption. */
  readonly basis: 'config' | 'usage';
  /** The region the charge is billed in, whose price it is (a copy is billed where it is kept). */
  readonly region: string;
}

/** A line as a model writes it: its price's key, and its region when not the resource's own. */
type ModelLine = Omit<CostLine, 'region'> & { readonly key?: PriceKey; readonly region?: string };
type Priced = { readonly lines: readonly ModelLine[] } | { readonly unpriced: string };

/** What a resource costs: its lines, and the charges left out because the table has no price where they are billed. */
export type PricedResource = { readonly lines: readonly CostLine[]; readonly notPricedThere: readonly string[] } | { readonly unpriced: string } | { readonly free: string };

/** Types that cost nothing by themselves (or are priced through another resource, as noted). */
export const FREE_TYPES: Readonly<Record<string, string>> = {
  aws_vpc: 'free',
  aws_subnet: 'free',
  aws_internet_gateway: 'free',
  aws_route: 'free',
  aws_route_table: 'free',
  aws_route_table_association: 'free',
  aws_security_group: 'free',
  aws_default_security_group: 'free',
  aws_vpc_security_group_ingress_rule: 'free',
  aws_vpc_security_group_egress_rule: 'free',
  aws_security_group_rule: 'free',
  aws_flow_log: 'priced through its log group (ingestion)',
  aws_iam_role: 'free',
  aws_iam_role_policy: 'free',
  aws_iam_policy: 'free',
  aws_iam_role_policy_attachment: 'free',
  aws_iam_openid_connect_provider: 'free',
  aws_db_subnet_group: 'free',
  aws_db_parameter_group: 'free',
  aws_s3_bucket_lifecycle_configuration: 'free',
  aws_s3_bucket_ownership_controls: 'free',
  aws_s3_bucket_policy: 'free',
  aws_s3_bucket_public_access_block: 'free',
  aws_s3_bucket_server_side_encryption_configuration: 'free',
  aws_s3_bucket_versioning: 'free',
  aws_sqs_queue_policy: 'free',
  aws_sqs_queue_redrive_allow_policy: 'free',
  aws_sqs_queue_redrive_policy: 'free',
  aws_ecs_task_definition: 'priced through the services and pipes that run it',
  aws_ecs_cluster_capacity_providers: 'free',
  aws_ecr_lifecycle_policy: 'free',
  aws_apigatewayv2_stage: 'priced through the API (requests)',
  aws_apigatewayv2_integration: 'free',
  aws_apigatewayv2_route: 'free',
  aws_apigatewayv2_vpc_link: 'free',
  aws_lb_listener: 'priced through the load balancer (LCUs)',
  aws_lb_listener_rule: 'priced through the load balancer (LCUs)',
  aws_lb_target_group: 'free',
  aws_appautoscaling_target: 'free',
  aws_appautoscaling_policy: 'free',
  aws_cloudwatch_event_rule: 'free (events from AWS services on the default bus cost nothing)',
  aws_cloudwatch_event_target: 'free (delivery of AWS service events; SQS charges the sends)',
  aws_sns_topic: 'free tier (1 million publishes, 1,000 e-mails a month)',
  aws_sns_topic_subscription: 'free',
  aws_budgets_budget: 'free (the first two budgets of an account)',
  aws_kms_alias: 'free',
  aws_wafv2_web_acl_association: 'free',
  aws_wafv2_web_acl_logging_configuration: 'priced through its log group',
  aws_cloudwatch_log_resource_policy: 'free',
  aws_acm_certificate: 'free (public ACM certificates)',
  aws_acm_certificate_validation: 'free (it only waits for ACM)',
  aws_route53_record: 'free (alias queries to AWS resources are free; validation records are read by ACM only)',
  aws_cloudtrail: 'free (the first copy of management events in an account; its files are priced through its bucket)',
  aws_guardduty_detector_feature: 'priced through the detector',
  aws_scheduler_schedule: 'free tier (14 million invocations a month; the rotation runs monthly)',
  aws_secretsmanager_secret_rotation: 'free (RDS rotates its own secret; the rotation is an API call)',
  aws_backup_selection: 'priced through its plan',
  aws_ce_cost_allocation_tag: 'free (activating a tag for cost allocation)',
  aws_accessanalyzer_analyzer: 'free (external access findings; unused-access analysis, not used, is priced)',
  aws_backup_vault: 'priced through its plan (storage)',
  terraform_data: 'free',
};

/** The prices and assumptions one environment is priced with. */
export interface PricingInputs {
  readonly context: StackContext;
  readonly usage: UsageAssumptions;
  /** The resource's region: its own `region` argument, else its provider's (regionOf). */
  readonly region: string;
  /** The region of the stack's default provider (the environment's), where a replication's source is. */
  readonly homeRegion: string;
}

/**
 * The region a resource lives in: its own `region` argument (the AWS provider's per-resource
 * region), else the region of the provider it names (`provider = "aws.<alias>"`), else the stack's
 * default provider's; a provider without one means the table's region.
 */
export function regionOf(resource: Resource): string {
  const own = resource.block['region'];
  if (typeof own === 'string') return own;
  const alias = /^aws\.(.+)$/.exec(String(resource.block['provider'] ?? ''))?.[1];
  const provider = blocks(resource.stack.json.provider?.['aws']).find((candidate) => (alias === undefined ? candidate['alias'] === undefined : candidate['alias'] === alias));
  return typeof provider?.['region'] === 'string' ? provider['region'] : REGION;
}

const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
const REPLICATION_METRICS_PER_RULE = 4;

/** The destination bucket of every replication rule of the environment, with the configuration that names it. */
function replicationDestinations(context: StackContext): { readonly value: unknown; readonly from: Resource }[] {
  return context
    .environmentResources('aws_s3_bucket_replication_configuration')
    .flatMap((configuration) => blocks(configuration.block['rule']).map((rule) => ({ value: blocks(rule['destination'])[0]?.['bucket'], from: configuration })));
}
const GIB_PER_KIB = 1 / (1024 * 1024);

/** One charge at the table's (eu-west-1) price; priceResource re-prices it where it is billed (`region`, else the resource's). */
function line(item: string, quantity: number, unit: string, price: Price | PriceKey, basis: CostLine['basis'], region?: string): ModelLine {
  const unitUsd = typeof price === 'string' ? PRICES[price].usd : price.usd;
  return { item, quantity, unit, unitUsd, monthlyUsd: quantity * unitUsd, basis, ...(typeof price === 'string' ? { key: price } : {}), ...(region !== undefined ? { region } : {}) };
}

const documentsPerMonth = (usage: UsageAssumptions) => usage.documentsPerDay * DAYS_PER_MONTH;
const requestsPerMonth = (usage: UsageAssumptions) => (usage.documentsPerDay + usage.apiRequestsPerDay) * DAYS_PER_MONTH;
/** Data the edge sends to the internet a month, GB: api responses (ingest answers are tiny). */
const egressGbPerMonth = (usage: UsageAssumptions) => usage.apiRequestsPerDay * DAYS_PER_MONTH * usage.responseKiB * GIB_PER_KIB;

/** Size and placement of a task definition, or why it cannot be priced. */
interface TaskSize {
  readonly vcpu: number;
  readonly memoryGb: number;
  readonly arm: boolean;
}
function taskSizeOf(task: Resource | undefined): TaskSize | string {
  if (task?.type !== 'aws_ecs_task_definition') return 'its task definition is not in the synthesized stacks';
  const cpu = numberOf(task.block['cpu']);
  const memory = numberOf(task.block['memory']);
  if (cpu === undefined || memory === undefined || Number.isNaN(cpu) || Number.isNaN(memory)) return `${task.address} has no task-level cpu and memory`;
  return { vcpu: cpu / 1024, memoryGb: memory / 1024, arm: blocks(task.block['runtime_platform'])[0]?.['cpu_architecture'] === 'ARM64' };
}

/** The share of tasks a capacity provider strategy places on Fargate Spot (by weight). */
function spotShare(strategy: unknown, launchType: unknown): number {
  const items = blocks(strategy);
  if (items.length === 0) return launchType === 'FARGATE' || launchType === undefined ? 0 : Number.NaN;
  const weight = (item: TerraformBlock) => numberOf(item['weight']) ?? 0;
  const total = items.reduce((sum, item) => sum + weight(item), 0);
  const spot = items.filter((item) => item['capacity_provider'] === 'FARGATE_SPOT').reduce((sum, item) => sum + weight(item), 0);
  return total > 0 ? spot / total : items.some((item) => item['capacity_provider'] === 'FARGATE_SPOT') ? 1 : 0;
}

const FARGATE_X86 = { vcpu: 'fargateX86VcpuHour', gb: 'fargateX86GbHour', spotVcpu: 'fargateSpotX86VcpuHour', spotGb: 'fargateSpotX86GbHour' } as const satisfies Record<string, PriceKey>;
const FARGATE_ARM = { vcpu: 'fargateArmVcpuHour', gb: 'fargateArmGbHour', spotVcpu: 'fargateSpotArmVcpuHour', spotGb: 'fargateSpotArmGbHour' } as const satisfies Record<string, PriceKey>;

/** Fargate vCPU and GB hours (on-demand and Spot, ARM or x86) and public IPv4 hours for `taskHours`. */
function fargateLines(what: string, taskHours: number, size: TaskSize, spot: number, publicIp: boolean, basis: CostLine['basis']): ModelLine[] {
  const { vcpu, gb, spotVcpu, spotGb } = size.arm ? FARGATE_ARM : FARGATE_X86;
  const architecture = size.arm ? 'ARM' : 'x86';
  const lines: ModelLine[] = [];
  if (spot < 1) {
    lines.push(line(`${what}: Fargate ${architecture} vCPU`, taskHours * (1 - spot) * size.vcpu, 'vCPU-hours', vcpu, basis));
    lines.push(line(`${what}: Fargate ${architecture} memory`, taskHours * (1 - spot) * size.memoryGb, 'GB-hours', gb, basis));
  }
  if (spot > 0) {
    lines.push(line(`${what}: Fargate Spot ${architecture} vCPU`, taskHours * spot * size.vcpu, 'vCPU-hours', spotVcpu, basis));
    lines.push(line(`${what}: Fargate Spot ${architecture} memory`, taskHours * spot * size.memoryGb, 'GB-hours', spotGb, basis));
  }
  if (publicIp) lines.push(line(`${what}: public IPv4 address per task`, taskHours, 'hours', 'publicIpv4Hour', basis));
  return lines;
}

/** Task-hours a month an ECS service runs: its desired count all month, or, scaled from zero, the assumed hours. */
function serviceTaskHours(service: Resource, usage: UsageAssumptions): { hours: number; basis: CostLine['basis'] } {
  const desired = numberOf(service.block['desired_count']) ?? 1;
  return desired > 0 ? { hours: desired * HOURS_PER_MONTH, basis: 'config' } : { hours: usage.scaledFromZeroHoursPerDay * DAYS_PER_MONTH, basis: 'usage' };
}

/** Tasks a pipe starts a month (one per message) and the billed hours of each (at least a minute). */
function pipeTaskHours(usage: UsageAssumptions): number {
  return (documentsPerMonth(usage) * Math.max(60, usage.pipeTaskSeconds)) / 3600;
}

const ecsParameters = (pipe: Resource): TerraformBlock | undefined => pipe.block['target_parameters']?.['ecs_task_parameters'];

/** Task-hours a month of every service and pipe in the environment that runs `task`. */
function taskHoursOf(inputs: PricingInputs, task: Resource): number {
  const { context, usage } = inputs;
  const services = context.environmentResources('aws_ecs_service').filter((service) => context.refersTo(service.block['task_definition'], task, service));
  const pipes = context.environmentResources('aws_pipes_pipe').filter((pipe) => context.refersTo(ecsParameters(pipe)?.['task_definition_arn'], task, pipe));
  return services.reduce((sum, service) => sum + serviceTaskHours(service, usage).hours, 0) + pipes.length * pipeTaskHours(usage);
}

type Model = (resource: Resource, inputs: PricingInputs) => Priced;

const MODELS: Readonly<Record<string, Model>> = {
  aws_nat_gateway: (_nat, { context, usage }) => {
    const gateways = context.environmentResources('aws_nat_gateway').length;
    return {
      lines: [
        line('NAT gateway', HOURS_PER_MONTH, 'hours', 'natGatewayHour', 'config'),
        line('NAT gateway data processed', usage.natGbPerMonth / gateways, 'GB', 'natGatewayGb', 'usage'),
      ],
    };
  },
  aws_eip: () => ({ lines: [line('public IPv4 address (Elastic IP)', HOURS_PER_MONTH, 'hours', 'publicIpv4Hour', 'config')] }),
  aws_vpc_endpoint: (endpoint, { context, usage }) => {
    if ((endpoint.block['vpc_endpoint_type'] ?? 'Gateway') !== 'Interface') return { lines: [] };
    const zones = strings(endpoint.block['subnet_ids']).length || 1;
    const interfaces = context.environmentResources('aws_vpc_endpoint').filter((candidate) => candidate.block['vpc_endpoint_type'] === 'Interface').length;
    const service = String(endpoint.block['service_name'] ?? '').split('.').pop();
    return {
      lines: [
        line(`interface endpoint ${service} (${zones} AZs)`, zones * HOURS_PER_MONTH, 'AZ-hours', 'interfaceEndpointHour', 'config'),
        line(`interface endpoint ${service} data processed`, usage.endpointGbPerMonth / interfaces, 'GB', 'interfaceEndpointGb', 'usage'),
      ],
    };
  },
  aws_lb: (loadBalancer, { usage, context }) => {
    if ((loadBalancer.block['load_balancer_type'] ?? 'application') !== 'application') return { unpriced: 'only application load balancers are in the price table' };
    const requestsPerSecond = requestsPerMonth(usage) / (HOURS_PER_MONTH * 3600);
    const gbPerHour = ((usage.documentsPerDay * usage.documentKiB + usage.apiRequestsPerDay * usage.responseKiB) * GIB_PER_KIB) / 24;
    const rules = context.environmentResources('aws_lb_listener_rule').length;
    // an LCU is the largest of: 25 new connections/s, 3,000 active connections, 1 GB/hour processed, 1,000 rule evaluations/s
    const lcus = Math.max(requestsPerSecond / 25, gbPerHour, (requestsPerSecond * Math.max(rules - 10, 0)) / 1000);
    return {
      lines: [
        line('application load balancer', HOURS_PER_MONTH, 'hours', 'albHour', 'config'),
        line('load balancer capacity units', lcus * HOURS_PER_MONTH, 'LCU-hours', 'albLcuHour', 'usage'),
        line('data out to the internet', egressGbPerMonth(usage), 'GB', 'dataTransferOutGb', 'usage'),
      ],
    };
  },
  aws_apigatewayv2_api: (api, { usage }) => {
    if (api.block['protocol_type'] !== 'HTTP') return { unpriced: 'only HTTP APIs are in the price table' };
    const requests = (usage.documentsPerDay * Math.ceil(usage.documentKiB / 512) + usage.apiRequestsPerDay) * DAYS_PER_MONTH;
    return {
      lines: [
        line('HTTP API requests', requests / 1e6, 'million requests', 'httpApiMillion', 'usage'),
        line('data out to the internet', egressGbPerMonth(usage), 'GB', 'dataTransferOutGb', 'usage'),
      ],
    };
  },
  aws_service_discovery_private_dns_namespace: () => ({ lines: [line('private DNS namespace (Route 53 hosted zone)', 1, 'zones', 'route53HostedZoneMonth', 'config')] }),
  aws_route53_zone: () => ({ lines: [line('public hosted zone (the environment\'s domain)', 1, 'zones', 'route53HostedZoneMonth', 'config')] }),
  aws_service_discovery_service: (discovery, { context }) => {
    const registered = context
      .environmentResources('aws_ecs_service')
      .filter((service) => blocks(service.block['service_registries']).some((registry) => context.refersTo(registry['registry_arn'], discovery, service)))
      .reduce((sum, service) => sum + (numberOf(service.block['desired_count']) ?? 1), 0);
    return { lines: [line('Cloud Map registered instances', registered, 'instances', 'cloudMapInstanceMonth', 'config')] };
  },
  aws_ecs_service: (service, inputs) => {
    const task = inputs.context.lookup(inputs.context.referenced(service.block['task_definition'], service));
    const size = taskSizeOf(task);
    if (typeof size === 'string') return { unpriced: size };
    const spot = spotShare(service.block['capacity_provider_strategy'], service.block['launch_type']);
    if (Number.isNaN(spot)) return { unpriced: `launch type ${String(service.block['launch_type'])} is not Fargate` };
    const { hours, basis } = serviceTaskHours(service, inputs.usage);
    const publicIp = blocks(service.block['network_configuration'])[0]?.['assign_public_ip'] === true;
    const name = String(service.block['name'] ?? service.name);
    return { lines: fargateLines(`${name} tasks`, hours, size, spot, publicIp, basis) };
  },
  aws_pipes_pipe: (pipe, inputs) => {
    const requests = line('EventBridge Pipes requests', documentsPerMonth(inputs.usage) / 1e6, 'million requests', 'pipesMillion', 'usage');
    const ecs = ecsParameters(pipe);
    if (!ecs) return { lines: [requests] };
    const size = taskSizeOf(inputs.context.lookup(inputs.context.referenced(ecs['task_definition_arn'], pipe)));
    if (typeof size === 'string') return { unpriced: size };
    const spot = spotShare(ecs['capacity_provider_strategy'], ecs['launch_type']);
    if (Number.isNaN(spot)) return { unpriced: `launch type ${String(ecs['launch_type'])} is not Fargate` };
    const publicIp = ecs['network_configuration']?.['aws_vpc_configuration']?.['assign_public_ip'] === 'ENABLED';
    return { lines: [requests, ...fargateLines('one task per message', pipeTaskHours(inputs.usage), size, spot, publicIp, 'usage')] };
  },
  aws_ecs_cluster: (cluster, { context, usage }) => {
    const insights = blocks(cluster.block['setting']).some((setting) => setting['name'] === 'containerInsights' && ['enabled', 'enhanced'].includes(String(setting['value'])));
    if (!insights) return { lines: [] };
    const onCluster = (value: unknown, from: Resource) => context.refersTo(value, cluster, from);
    const services = context.environmentResources('aws_ecs_service').filter((service) => onCluster(service.block['cluster'], service));
    const pipes = context.environmentResources('aws_pipes_pipe').filter((pipe) => onCluster(pipe.block['target'], pipe));
    // a family is a task definition, wherever it is declared (every service stack names its own the same way)
    const families = new Set(
      [...services.map((service) => context.referenced(service.block['task_definition'], service)), ...pipes.map((pipe) => context.referenced(ecsParameters(pipe)?.['task_definition_arn'], pipe))].map(
        (ref) => (ref ? `${ref.stackId} ${ref.type}.${ref.name}` : 'unresolved'),
      ),
    );
    const { cluster: perCluster, service: perService, taskFamily } = usage.containerInsightsMetrics;
    const metrics = perCluster + services.length * perService + families.size * taskFamily;
    return { lines: [line(`Container Insights metrics (1 cluster, ${services.length} services, ${families.size} task families)`, metrics, 'metrics', 'cloudwatchMetricMonth', 'usage')] };
  },
  aws_db_instance: (database, { usage }) => {
    const { block } = database;
    if (!/^postgres/.test(String(block['engine'] ?? ''))) return { unpriced: `engine ${String(block['engine'])} is not in the price table` };
    const instanceClass = String(block['instance_class']);
    const price = RDS_POSTGRES_INSTANCE_HOUR[instanceClass];
    if (!price) return { unpriced: `instance class ${instanceClass} is not in the price table` };
    const storageType = String(block['storage_type'] ?? 'gp2');
    if (storageType !== 'gp3' && storageType !== 'gp2') return { unpriced: `storage type ${storageType} is not in the price table` };
    const copies = block['multi_az'] === true ? 2 : 1;
    const allocated = numberOf(block['allocated_storage']) ?? 20;
    const retentionDays = numberOf(block['backup_retention_period']) ?? 1;
    const backupGb = usage.databaseGb * (1 + usage.databaseDailyChange * retentionDays);
    return {
      lines: [
        line(`${instanceClass}${copies === 2 ? ' Multi-AZ (2 instances)' : ''}`, copies * HOURS_PER_MONTH, 'instance-hours', price, 'config'),
        line(`${storageType} storage${copies === 2 ? ' (both copies)' : ''}`, copies * allocated, 'GB-months', storageType === 'gp3' ? 'rdsGp3GbMonth' : 'rdsGp2GbMonth', 'config'),
        line(`backups beyond the free ${allocated} GB (${retentionDays} days kept)`, Math.max(0, backupGb - allocated), 'GB-months', 'rdsBackupGbMonth', 'usage'),
        ...(block['manage_master_user_password'] === true ? [line('the RDS-managed master password secret', 1, 'secrets', 'secretMonth', 'config')] : []),
      ],
    };
  },
  aws_sqs_queue: (queue, inputs) => {
    const { context, usage } = inputs;
    const consumers = consumersOf(context, queue);
    if (consumers.length === 0) return { lines: [] };
    const pollingHours = consumers.reduce((sum, task) => sum + taskHoursOf(inputs, task), 0);
    const pipes = context.environmentResources('aws_pipes_pipe').filter((pipe) => context.refersTo(pipe.block['source'], queue, pipe));
    // a pipe polls all month; poll-mode tasks poll while they run (pipe-started tasks do not poll)
    const pollerHours = pipes.length * HOURS_PER_MONTH + (pipes.length > 0 ? 0 : pollingHours);
    const requests = documentsPerMonth(usage) * usage.sqsRequestsPerMessage + pollerHours * 60 * usage.idleReceivesPerPollerMinute;
    return { lines: [line('SQS requests', requests / 1e6, 'million requests', 'sqsMillion', 'usage')] };
  },
  aws_s3_bucket: (bucket, { context, usage }) => {
    const written = context
      .environmentResources('aws_iam_role')
      .some((role) =>
        permissionsOf(context, role).statements.some(
          (statement) => statement.effect === 'Allow' && statement.actions.some((action) => actionCovers(action, 's3:PutObject')) && statement.resources.some((arn) => context.refersTo(arn, bucket, role, true)),
        ),
      );
    const documents = documentsPerMonth(usage);
    if (replicationDestinations(context).some((destination) => context.refersTo(destination.value, bucket, destination.from))) {
      return {
        lines: [
          line(`replicas of the document bodies (${usage.documentMonthsStored} months kept)`, documents * usage.documentMonthsStored * usage.documentKiB * GIB_PER_KIB, 'GB-months', 's3StandardGbMonth', 'usage'),
          line('replication PUT requests (one per document)', documents / 1000, 'thousand requests', 's3PutThousand', 'usage'),
        ],
      };
    }
    if (!written) return { lines: [line('objects (state files, small)', 0.1, 'GB-months', 's3StandardGbMonth', 'usage')] };
    return {
      lines: [
        line(`document bodies (${usage.documentMonthsStored} months kept)`, documents * usage.documentMonthsStored * usage.documentKiB * GIB_PER_KIB, 'GB-months', 's3StandardGbMonth', 'usage'),
        line('PUT requests (one per document)', documents / 1000, 'thousand requests', 's3PutThousand', 'usage'),
        line('GET requests (the worker reads each body)', documents / 1000, 'thousand requests', 's3GetThousand', 'usage'),
      ],
    };
  },
  aws_ecr_repository: (repository, { context, usage }) => {
    const lifecycle = context.environmentResources('aws_ecr_lifecycle_policy').find((policy) => context.refersTo(policy.block['repository'], repository, policy));
    let kept: number | undefined;
    try {
      const rules = (JSON.parse(String(lifecycle?.block['policy'])) as { rules?: { selection?: { countType?: string; countNumber?: number } }[] }).rules ?? [];
      kept = Math.max(...rules.filter((rule) => rule.selection?.countType === 'imageCountMoreThan').map((rule) => Number(rule.selection?.countNumber)));
    } catch {
      kept = undefined;
    }
    if (kept === undefined || !Number.isFinite(kept)) return { unpriced: 'no lifecycle policy that caps the image count: storage grows without bound' };
    return { lines: [line(`images (${kept} kept by the lifecycle policy)`, kept * usage.imageGb, 'GB-months', 'ecrGbMonth', 'usage')] };
  },
  aws_cloudwatch_log_group: (group, inputs) => {
    const gbPerDay = logGbPerDay(group, inputs);
    const retention = numberOf(group.block['retention_in_days']) || 3653;
    const vended = gbPerDay.vended;
    return {
      lines: [
        line(`log ingestion${vended ? ' (vended: flow logs)' : ''} — ${gbPerDay.why}`, gbPerDay.gb * DAYS_PER_MONTH, 'GB', vended ? 'logsVendedIngestGb' : 'logsIngestGb', 'usage'),
        line(`log storage (${retention} days kept)`, gbPerDay.gb * Math.min(retention, 3653), 'GB-months', 'logsStorageGbMonth', 'usage'),
      ].filter((item) => item.quantity > 0),
    };
  },
  aws_cloudwatch_metric_alarm: (alarm) => {
    const metrics = blocks(alarm.block['metric_query']).filter((query) => query['metric'] !== undefined).length || 1;
    return { lines: [line(`alarm (${metrics} metric${metrics === 1 ? '' : 's'})`, metrics, 'alarm metrics', 'cloudwatchAlarmMetricMonth', 'config')] };
  },
  aws_cloudwatch_dashboard: () => ({ lines: [line('dashboard', 1, 'dashboards', 'cloudwatchDashboardMonth', 'config')] }),
  aws_secretsmanager_secret: () => ({ lines: [line('secret', 1, 'secrets', 'secretMonth', 'config')] }),
  aws_kms_key: () => ({ lines: [line('customer-managed KMS key', 1, 'keys', 'kmsKeyMonth', 'config')] }),
  aws_guardduty_detector: (_detector, { context, usage }) => {
    const flowGb = context.environmentResources('aws_flow_log').reduce((sum, log) => {
      const traffic = String(log.block['traffic_type'] ?? 'ALL') as keyof UsageAssumptions['flowLogGbPerDay'];
      return sum + (usage.flowLogGbPerDay[traffic] ?? usage.flowLogGbPerDay.ALL) * DAYS_PER_MONTH;
    }, 0);
    return {
      lines: [
        line('GuardDuty: CloudTrail management events', usage.managementEventsPerMonth / 1e6, 'million events', 'guardDutyEventsMillion', 'usage'),
        line('GuardDuty: VPC flow and DNS logs', flowGb, 'GB', 'guardDutyLogsGb', 'usage'),
        line('GuardDuty: S3 data events (a put and a get per document)', (documentsPerMonth(usage) * 2) / 1e6, 'million events', 'guardDutyS3EventsMillion', 'usage'),
      ],
    };
  },
  aws_wafv2_web_acl: (acl, { usage }) => ({
    lines: [
      line('WAF web ACL', 1, 'web ACLs', 'wafWebAclMonth', 'config'),
      line('WAF rules', blocks(acl.block['rule']).length, 'rules', 'wafRuleMonth', 'config'),
      line('WAF requests', requestsPerMonth(usage) / 1e6, 'million requests', 'wafMillion', 'usage'),
    ],
  }),
  aws_s3_bucket_replication_configuration: (configuration, { usage }) => {
    const replicatedGb = documentsPerMonth(usage) * usage.documentKiB * GIB_PER_KIB;
    const rules = blocks(configuration.block['rule']).map((rule) => blocks(rule['destination'])[0] ?? {});
    return {
      lines: rules.flatMap((destination) => [
        line('document bodies sent to the replica region', replicatedGb, 'GB', 'interRegionTransferGb', 'usage'),
        ...(blocks(destination['replication_time'])[0]?.['status'] === 'Enabled' ? [line('Replication Time Control', replicatedGb, 'GB', 's3ReplicationTimeControlGb', 'usage')] : []),
        // S3 publishes four replication metrics per rule (latency, bytes and operations pending, failed operations)
        ...(blocks(destination['metrics'])[0]?.['status'] === 'Enabled' ? [line('replication metrics', REPLICATION_METRICS_PER_RULE, 'metric-months', 'cloudwatchMetricMonth', 'config')] : []),
      ]),
    };
  },
  aws_db_instance_automated_backups_replication: (replication, { usage, homeRegion }) => {
    const days = numberOf(replication.block['retention_period']) ?? 7;
    const storedGb = usage.databaseGb * (1 + usage.databaseDailyChange * days);
    return {
      lines: [
        // kept (and billed) in the replication's region, with no free allowance there: every replicated GB is billed
        line(`point-in-time backups replicated to the copy region (${days} days)`, storedGb, 'GB-months', 'rdsBackupGbMonth', 'usage'),
        // the transfer is billed where the database is
        line('database changes sent to the copy region', usage.databaseGb * usage.databaseDailyChange * DAYS_PER_MONTH, 'GB', 'interRegionTransferGb', 'usage', homeRegion),
      ],
    };
  },
  aws_backup_plan: (plan, { usage, context }) => ({
    lines: blocks(plan.block['rule']).flatMap((rule) => {
      const name = String(rule['rule_name'] ?? '');
      const days = numberOf(blocks(rule['lifecycle'])[0]?.['delete_after']) ?? 35;
      const storedGb = usage.databaseGb * (1 + usage.databaseDailyChange * days);
      // each copy holds as much again in the other region, and every change crosses regions once (incremental copies)
      const copies = blocks(rule['copy_action']).flatMap((copy) => {
        const copyDays = numberOf(blocks(copy['lifecycle'])[0]?.['delete_after']) ?? days;
        // a copy is billed where its vault is
        const vault = context.lookup(context.referenced(copy['destination_vault_arn'], plan));
        const copyRegion = vault ? regionOf(vault) : 'the region of a vault outside the synthesized stacks';
        return [
          line(`copies of rule ${name} in the copy region (${copyDays} days kept)`, usage.databaseGb * (1 + usage.databaseDailyChange * copyDays), 'GB-months', 'backupGbMonth', 'usage', copyRegion),
          line(`copies of rule ${name}: changes sent to the copy region`, usage.databaseGb * usage.databaseDailyChange * DAYS_PER_MONTH, 'GB', 'interRegionTransferGb', 'usage'),
        ];
      });
      return [line(`backups of rule ${name} (${days} days kept; assumes it backs up the database)`, storedGb, 'GB-months', 'backupGbMonth', 'usage'), ...copies];
    }),
  }),
};

/** What writes into a log group, and how much a day. */
function logGbPerDay(group: Resource, inputs: PricingInputs): { gb: number; why: string; vended?: boolean } {
  const { context, usage } = inputs;
  const flowLog = context.environmentResources('aws_flow_log').find((log) => context.refersTo(log.block['log_destination'], group, log, true));
  if (flowLog) {
    const traffic = String(flowLog.block['traffic_type'] ?? 'ALL') as keyof UsageAssumptions['flowLogGbPerDay'];
    return { gb: usage.flowLogGbPerDay[traffic] ?? usage.flowLogGbPerDay.ALL, why: `VPC flow log, ${traffic}`, vended: true };
  }
  const tasks = context.environmentResources('aws_ecs_task_definition').filter((task) => context.mentioned(task.block['container_definitions'], task).some((ref) => ref.stackId === group.stack.id && ref.name === group.name));
  if (tasks.length > 0) {
    const taskHours = tasks.reduce((sum, task) => sum + taskHoursOf(inputs, task), 0);
    return { gb: (usage.logGbPerTaskDay * taskHours) / HOURS_PER_MONTH, why: `app logs of ${Math.round(taskHours)} task-hours a month` };
  }
  const stage = context.environmentResources('aws_apigatewayv2_stage').find((candidate) => context.refersTo(blocks(candidate.block['access_log_settings'])[0]?.['destination_arn'], group, candidate, true));
  if (stage) return { gb: ((usage.documentsPerDay + usage.apiRequestsPerDay) * 0.5) / (1024 * 1024), why: 'API access logs, 0.5 KiB a request' };
  const waf = context.environmentResources('aws_wafv2_web_acl_logging_configuration').find((logging) => strings(logging.block['log_destination_configs']).some((arn) => context.refersTo(arn, group, logging)));
  if (waf) return { gb: ((usage.documentsPerDay + usage.apiRequestsPerDay) * 1.5) / (1024 * 1024), why: 'WAF logs, 1.5 KiB a request' };
  if (/\/postgresql$/.test(String(group.block['name']))) return { gb: usage.databaseLogGbPerDay, why: 'PostgreSQL log export' };
  return { gb: 0, why: 'nothing steady writes here (errors only)' };
}

/**
 * The monthly lines of one resource, the reason it is free, or why it cannot be priced. Each line
 * is priced in the region it is billed in; one billed where the table has no price for it is left
 * out and named in `notPricedThere`. A line billed outside the environment's region says where.
 */
export function priceResource(resource: Resource, inputs: PricingInputs): PricedResource {
  const model = MODELS[resource.type];
  if (!model) {
    const free = FREE_TYPES[resource.type];
    return free ? { free } : { unpriced: `no price for ${resource.type} in the cost model` };
  }
  const priced = model(resource, inputs);
  if ('unpriced' in priced) return priced;
  const lines: CostLine[] = [];
  const notPricedThere: string[] = [];
  for (const { key, region = inputs.region, ...charge } of priced.lines) {
    const item = region === inputs.homeRegion ? charge.item : `${charge.item} [${region}]`;
    if (region === REGION) {
      lines.push({ ...charge, item, region });
      continue;
    }
    const price = key !== undefined ? priceIn(key, region) : undefined;
    if (price === undefined) notPricedThere.push(`${charge.item} (billed in ${region})`);
    else lines.push({ ...charge, item, unitUsd: price.usd, monthlyUsd: charge.quantity * price.usd, region });
  }
  return { lines, notPricedThere };
}
