import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy/index.js';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target/index.js';
import type { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import type { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository/index.js';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service/index.js';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import type { Vpc } from '@cdktf/provider-aws/lib/vpc/index.js';
import type { PolicyStatement } from '../core/iam.js';
import type { CapacityProvider } from '../environments/types.js';
import type { WorkloadPlacement } from '../network/network.js';
import type { Cluster } from '../platform/cluster.js';
import type { Edge, EdgeRoute } from '../platform/edge.js';
import { CONTAINER_PORT } from './container.js';
import { EdgeAttachment } from './edge-attachment.js';
import { FargateTask, type SecretReference } from './fargate-task.js';
import { serviceDeployment } from './service-deployment.js';

export interface FargateServiceProps {
  /** App name (api, ingest): the container name and the suffix of every resource name. */
  readonly serviceName: string;
  readonly namePrefix: string;
  readonly cluster: Cluster;
  readonly vpc: Vpc;
  readonly placement: WorkloadPlacement;
  readonly securityGroup: SecurityGroup;
  readonly repository: EcrRepository;
  readonly imageTag: string;
  readonly logGroup: CloudwatchLogGroup;
  readonly region: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  /** Tasks normally running, and the autoscaling floor. @default 1 */
  readonly desiredCount?: number;
  /** Autoscaling ceiling (CPU target tracking); equal to desiredCount means no autoscaling. @default - desiredCount */
  readonly maxCount?: number;
  /** CPU utilisation the autoscaling keeps. @default 60 */
  readonly cpuTargetPercent?: number;
  /** @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default {} */
  readonly secrets?: Readonly<Record<string, SecretReference>>;
  /** @default - the app may call nothing in AWS */
  readonly taskStatements?: readonly PolicyStatement[];
  /** @default 8080 */
  readonly port?: number;
  /**
   * Liveness: the container health check (and through it Cloud Map's health in lean). ECS replaces
   * a task that fails it, so it must depend on the process only. @default "/healthz"
   */
  readonly livenessPath?: string;
  /** Readiness: the load balancer target group's health check. @default "/readyz" */
  readonly readinessPath?: string;
  /** @default 30 */
  readonly stopTimeoutSeconds?: number;
  /** @default "FARGATE" */
  readonly capacityProvider?: CapacityProvider;
  /** Exposes the service; needs `route`. @default - not reachable from outside the VPC */
  readonly edge?: Edge;
  /** Which requests the edge sends here; needs `edge`. @default - none */
  readonly route?: EdgeRoute;
  /** What must be done before the service changes (the database setup a deploy runs first). @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * A long-running Fargate service for an HTTP app: task definition (see FargateTask), rolling
 * deployments guarded by the circuit breaker with rollback, a container health check on /healthz
 * (liveness: the process only, so a dependency outage never gets every task replaced), the target
 * group's on /readyz (readiness), optional CPU autoscaling, and the edge attachment that makes it
 * reachable.
 */
export class FargateService extends Construct {
  readonly task: FargateTask;
  readonly service: EcsService;
  readonly edgeAttachment?: EdgeAttachment;
  readonly serviceName: string;

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    const desiredCount = props.desiredCount ?? 1;
    const maxCount = props.maxCount ?? desiredCount;
    const cpuTargetPercent = props.cpuTargetPercent ?? 60;
    const port = props.port ?? CONTAINER_PORT;
    const livenessPath = props.livenessPath ?? '/healthz';
    const readinessPath = props.readinessPath ?? '/readyz';
    const stopTimeoutSeconds = props.stopTimeoutSeconds ?? 30;
    const capacityProvider = props.capacityProvider ?? 'FARGATE';

    if ((props.edge === undefined) !== (props.route === undefined)) {
      throw new Error(`FargateService "${props.serviceName}": edge and route go together; set both or neither`);
    }
    if (maxCount < desiredCount) {
      throw new Error(`FargateService "${props.serviceName}": maxCount (${maxCount}) is below desiredCount (${desiredCount})`);
    }
    this.serviceName = `${props.namePrefix}-${props.serviceName}`;

    this.task = new FargateTask(this, 'Task', {
      family: this.serviceName,
      containerName: props.serviceName,
      repository: props.repository,
      imageTag: props.imageTag,
      cpu: props.cpu,
      memoryMiB: props.memoryMiB,
      region: props.region,
      logGroup: props.logGroup,
      environment: { PORT: String(port), HOST: '0.0.0.0', ...props.environment },
      ...(props.secrets ? { secrets: props.secrets } : {}),
      ...(props.taskStatements ? { taskStatements: props.taskStatements } : {}),
      port,
      healthCheckPath: livenessPath,
      stopTimeoutSeconds,
    });

    if (props.edge && props.route) {
      this.edgeAttachment = new EdgeAttachment(this, 'Edge', {
        serviceName: props.serviceName,
        targetGroupName: this.serviceName,
        edge: props.edge,
        route: props.route,
        vpc: props.vpc,
        serviceSecurityGroup: props.securityGroup,
        port,
        readinessPath,
      });
    }
    const attachment = this.edgeAttachment;
    const autoscaled = maxCount > desiredCount;

    this.service = new EcsService(this, 'Service', {
      name: this.serviceName,
      ...serviceDeployment({ ...props, taskDefinitionArn: this.task.taskDefinition.arn, capacityProvider }),
      desiredCount,
      enableExecuteCommand: false,
      // a deploy fails (and the circuit breaker rolls back) instead of reporting success early
      waitForSteadyState: true,
      ...(attachment?.targetGroup
        ? {
            loadBalancer: [{ targetGroupArn: attachment.targetGroup.arn, containerName: props.serviceName, containerPort: port }],
            healthCheckGracePeriodSeconds: 60,
          }
        : {}),
      ...(attachment?.discoveryService
        ? { serviceRegistries: { registryArn: attachment.discoveryService.arn, containerName: props.serviceName, containerPort: port } }
        : {}),
      ...(attachment?.listenerRule || props.dependsOn?.length
        ? { dependsOn: [...(attachment?.listenerRule ? [attachment.listenerRule] : []), ...(props.dependsOn ?? [])] }
        : {}),
      ...(autoscaled ? { lifecycle: { ignoreChanges: ['desired_count'] } } : {}),
    });

    if (autoscaled) {
      const target = new AppautoscalingTarget(this, 'ScalingTarget', {
        serviceNamespace: 'ecs',
        scalableDimension: 'ecs:service:DesiredCount',
        resourceId: `service/${props.cluster.cluster.name}/${this.service.name}`,
        minCapacity: desiredCount,
        maxCapacity: maxCount,
      });
      new AppautoscalingPolicy(this, 'CpuTracking', {
        name: `${this.serviceName}-cpu`,
        policyType: 'TargetTrackingScaling',
        serviceNamespace: target.serviceNamespace,
        scalableDimension: target.scalableDimension,
        resourceId: target.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: cpuTargetPercent,
          predefinedMetricSpecification: { predefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          scaleInCooldown: 120,
          scaleOutCooldown: 60,
        },
      });
    }
  }
}
