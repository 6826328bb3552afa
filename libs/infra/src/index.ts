// environments
export * from './environments/types.js';
export {
  defineEnvironments,
  environmentProblems,
  EnvironmentConfigError,
  fargateSizeProblem,
  findEnvironment,
  LOG_RETENTION_DAYS,
  MAX_VISIBILITY_TIMEOUT_SECONDS,
  MIN_WAF_RATE_LIMIT,
  VISIBILITY_TIMEOUT_FACTOR,
  visibilityTimeoutFor,
} from './environments/validate.js';
export {
  CLOUD_RUN_CPUS,
  cloudRunSizeProblems,
  EXPORTER_HEAP_HEADROOM_MIB,
  exportApiUrl,
  gcpProblems,
  isPlaceholderProject,
  MAX_TASK_RETRIES,
  MAX_TASK_TIMEOUT_MINUTES,
  type GcpSettings,
} from './environments/gcp.js';
export { ENVIRONMENTS } from './environments/table.js';

// core
export { accountIdOf } from './core/account.js';
export { configureBackend, localStatePath, stateKey, type StateBackendSettings } from './core/backend.js';
export { cidrSubnet, formatCidr, parseCidr } from './core/cidr.js';
export { DocflowStack, REQUIRED_TERRAFORM_VERSION, type DocflowStackProps, type Foundation } from './core/docflow-stack.js';
export * from './core/iam.js';
export type { EncryptionKeys } from './core/keys.js';
export { logGroupWithRetention } from './core/log-group.js';
export { isPlaceholderDomain, warnPlaceholder } from './core/placeholders.js';
export { pascalCase, PROJECT, resourceName, stackIdFor, tagsFor, type DocflowTags } from './core/naming.js';
export { allowEgress, allowIngress, emptySecurityGroup, type Peer, type PortRule } from './core/security-group.js';

// network
export { INTERFACE_ENDPOINT_SERVICES, VpcEndpoints, type InterfaceEndpointService, type VpcEndpointsProps } from './network/endpoints.js';
export { FlowLog, type FlowLogProps, type FlowLogTrafficType } from './network/flow-log.js';
export { NatEgress, type NatEgressProps } from './network/nat.js';
export { Network, type NetworkProps, type WorkloadPlacement } from './network/network.js';
export { WorkloadSecurityGroups, type WorkloadEgress, type WorkloadSecurityGroupsProps } from './network/workload-security-groups.js';

// data
export { BACKUP_SERVICE_POLICIES, BackupVaults, backupRoleName, DatabaseBackup, type BackupVaultsProps, type DatabaseBackupProps } from './data/backup.js';
export {
  DocumentReplication,
  DocumentReplicationRole,
  documentReplicationRoleName,
  REPLICATION_TIME_MINUTES,
  type DocumentReplicationProps,
  type DocumentReplicationRoleProps,
} from './data/document-replication.js';
export { DataLayer, type DataLayerProps } from './data/data-layer.js';
export {
  Database,
  databaseAdminConnection,
  databaseConnection,
  DATABASE_LOGIN_ROLES,
  POSTGRES_PORT,
  RDS_CA_BUNDLE_PATH,
  type DatabaseConnection,
  type DatabaseLoginRole,
  type DatabaseProps,
} from './data/database.js';
export { DocumentQueues, MAX_MESSAGE_SIZE_BYTES, type DocumentQueuesProps } from './data/document-queues.js';
export { RAW_PREFIX, SecureBucket, type SecureBucketProps } from './data/secure-bucket.js';

// platform
export { ApiKeysSecret, type ApiKeysSecretProps } from './platform/api-keys-secret.js';
export { AppLogGroups, type AppLogGroupsProps } from './platform/app-log-groups.js';
export { Cluster, type ClusterProps } from './platform/cluster.js';
export { DnsCertificate, type DnsCertificateProps } from './platform/dns-certificate.js';
export type { Edge, EdgeRoute } from './platform/edge.js';
export {
  API_KEY_HEADER,
  API_SEARCH_ROUTE,
  DOCUMENT_BODY_RULES,
  DOCUMENT_ROUTES_EXCEPTION,
  EdgeFirewall,
  INGEST_DOCUMENT_ROUTES,
  MANAGED_RULE_GROUPS,
  SEARCH_QUERY_RULES,
  SEARCH_ROUTE_EXCEPTION,
  WAF_LOG_GROUP_PREFIX,
  type EdgeFirewallProps,
  type ExceptedRoute,
  type ManagedRule,
  type RuleException,
} from './platform/edge-firewall.js';
export { HttpApiEdge, type HttpApiEdgeProps } from './platform/http-api-edge.js';
export { LoadBalancerEdge, TLS_POLICY, type LoadBalancerEdgeProps } from './platform/load-balancer-edge.js';
export { ACCESS_LOG_PREFIX, ELB_LOG_DELIVERY_ACCOUNTS, ELB_LOG_DELIVERY_SERVICE, LoadBalancerLogs, type LoadBalancerLogsProps } from './platform/load-balancer-logs.js';
export { APPS, Platform, type App, type LoadBalancerProtection, type PlatformProps, type PublicDomain } from './platform/platform.js';
export { Repositories, type RepositoriesProps } from './platform/repositories.js';

// services
export { appEnvironment } from './services/app-environment.js';
export { CONTAINER_PORT, containerDefinition, MAX_STOP_TIMEOUT_SECONDS, NON_ROOT_USER, TMP_VOLUME, type ContainerProps } from './services/container.js';
export { DatabaseAdmin, DB_ADMIN_CONTAINER, SETUP_SCRIPT, type DatabaseAdminProps } from './services/database-admin.js';
export { EdgeAttachment, type EdgeAttachmentProps } from './services/edge-attachment.js';
export { FargateService, type FargateServiceProps } from './services/fargate-service.js';
export { FargateTask, type FargateTaskProps, type SecretReference } from './services/fargate-task.js';
export { IMAGE_TAG_VARIABLE, imageTagVariable } from './services/image-tag.js';

// worker
export { BacklogScaling, type BacklogScalingProps } from './worker/backlog-scaling.js';
export { Worker, type WorkerProps } from './worker/worker.js';
export { PIPE_BODY_VARIABLE, WorkerPipe, type WorkerPipeProps } from './worker/worker-pipe.js';
export { TaskStoppedHandBack, taskStoppedRulePrefix, type TaskStoppedHandBackProps } from './worker/task-stopped-hand-back.js';

// observability
export { Alerts, type AlarmMetric, type AlertsProps, type MathAlarmSpec, type MetricAlarmSpec, type MissingData } from './observability/alerts.js';
export { burstableClass, type BurstableClass } from './observability/burstable-classes.js';
export { EVENTS_LOG_GROUP_PREFIX, SERVICE_TASK_FAILURE_STOP_CODES, ServiceTaskFailures, type ServiceTaskFailuresProps } from './observability/service-task-failures.js';
export { COST_ALLOCATION_TAG, MonthlyBudget, tagKeyValue, type MonthlyBudgetProps } from './observability/budget.js';
export { Observability, type ObservabilityProps } from './observability/observability.js';

// foundation
export { DomainZone, type DomainZoneProps } from './foundation/domain-zone.js';
export {
  AccessAnalysis,
  AuditTrail,
  GUARDDUTY_FEATURES,
  ThreatDetection,
  TRAIL_PREFIX,
  trailName,
  type AccessAnalysisProps,
  type AuditTrailProps,
  type ThreatDetectionProps,
} from './foundation/audit.js';
export { DEPLOY_GRANTS, type DeployGrant, type DeployScope } from './foundation/deploy-permissions.js';
export { CLOUDTRAIL_ENCRYPTION_CONTEXT, EnvironmentKeys, LOGS_ENCRYPTION_CONTEXT, type EnvironmentKeysProps } from './foundation/environment-keys.js';
export {
  dataReadDenies,
  deployStatements,
  GithubDeployRoles,
  MANAGED_POLICY_MAX_CHARS,
  READ_ONLY_ACCESS,
  type GithubDeployRolesProps,
} from './foundation/github-deploy-roles.js';
export { StateBucket, stateBucketName, type StateBucketProps } from './foundation/state-bucket.js';
export { WorkloadBoundary, type WorkloadBoundaryProps } from './foundation/workload-boundary.js';
