import { TerraformOutput } from 'cdktf';
import { CeCostAllocationTag } from '@cdktf/provider-aws/lib/ce-cost-allocation-tag/index.js';
import type { Construct } from 'constructs';
import {
  AccessAnalysis,
  AuditTrail,
  BackupVaults,
  COST_ALLOCATION_TAG,
  DocflowStack,
  DocumentReplicationRole,
  DomainZone,
  EnvironmentKeys,
  GithubDeployRoles,
  StateBucket,
  ThreatDetection,
  trailName,
  WorkloadBoundary,
  type DocflowStackProps,
  type EncryptionKeys,
  type Foundation,
} from '@docflow/infra';

export interface FoundationStackProps extends Omit<DocflowStackProps, 'workloadIam' | 'foundation'> {
  /**
   * `owner/name` of the GitHub repository that deploys this environment: with it, the stack also
   * holds the state bucket and the GitHub OIDC deploy and plan roles. @default - the boundary only
   * (docflow never guesses whom to trust)
   */
  readonly githubRepository?: string;
  /** The account's GitHub OIDC provider, when another environment in the account created it. @default - created here */
  readonly existingOidcProviderArn?: string;
}

/**
 * `<env>-foundation`: what every other stack of the environment needs before its first apply, so it
 * is applied first (every other stack depends on it, in the Nx graph and in cdktf's manifest):
 * - always, the workload permissions boundary that every workload role names (nothing else creates it);
 * - per the table: the domain's public zone, the KMS keys (keys: customer-managed), and the
 *   account-level audit pieces, a multi-region CloudTrail trail and GuardDuty (audit);
 * - with a GitHub repository configured, the state bucket every other stack's backend points at and
 *   the GitHub OIDC deploy and plan roles. Its own state starts local and moves into the bucket it
 *   created (docs/infrastructure.md, "Bootstrapping an account").
 */
export class FoundationStack extends DocflowStack implements Foundation {
  readonly workloadBoundary: WorkloadBoundary;
  readonly stateBucket?: StateBucket;
  readonly github?: GithubDeployRoles;
  /** The environment's public zone, when the table asks for a new one (domain.hostedZone.createZone). */
  readonly domainZone?: DomainZone;
  /** The environment's KMS keys (keys: customer-managed). */
  readonly keys?: EnvironmentKeys;
  /** The account's CloudTrail trail (audit.cloudTrail). */
  readonly auditTrail?: AuditTrail;
  /** The account's GuardDuty detector (audit.guardDuty). */
  readonly threatDetection?: ThreatDetection;
  /** The account's IAM Access Analyzer (audit.accessAnalyzer). */
  readonly accessAnalysis?: AccessAnalysis;
  /** The database's backup vaults and AWS Backup's role (backup in the table). */
  readonly backupVaults?: BackupVaults;
  /** The role S3 replicates the documents with (backup.replicateDocuments). */
  readonly documentReplicationRole?: DocumentReplicationRole;
  /** The `env` tag, activated for cost allocation (account-level; activateCostAllocationTag): the environment's budget filters on it. */
  readonly costAllocationTag?: CeCostAllocationTag;

  constructor(scope: Construct, props: FoundationStackProps) {
    super(scope, 'foundation', { ...props, workloadIam: false });
    const { env } = props;
    if (props.existingOidcProviderArn !== undefined && props.githubRepository === undefined) {
      throw new Error(`${this.node.id}: existingOidcProviderArn needs githubRepository (the OIDC roles are created only for a repository)`);
    }
    if (env.keys === 'customer-managed') {
      this.keys = new EnvironmentKeys(this, 'Keys', { envName: env.name, region: env.region, ...(env.audit.cloudTrail ? { trailName: trailName(env.name) } : {}) });
    }
    // the workloads use the data key only (the logs key is CloudWatch's, the trail's and the topic's)
    this.workloadBoundary = new WorkloadBoundary(this, 'WorkloadBoundary', { envName: env.name, region: env.region, ...(this.keys ? { keyArns: [this.keys.dataKey.arn] } : {}) });
    if (env.audit.cloudTrail) {
      this.auditTrail = new AuditTrail(this, 'AuditTrail', {
        envName: env.name,
        region: env.region,
        retentionDays: env.audit.trailRetentionDays,
        ...(this.keys ? { kmsKeyArn: this.keys.logsKey.arn } : {}),
      });
      new TerraformOutput(this, 'audit_trail', { value: this.auditTrail.trail.arn, description: 'The account\'s multi-region CloudTrail trail' });
    }
    if (env.audit.guardDuty) this.threatDetection = new ThreatDetection(this, 'ThreatDetection');
    if (env.audit.accessAnalyzer) {
      this.accessAnalysis = new AccessAnalysis(this, 'AccessAnalysis', { envName: env.name });
      new TerraformOutput(this, 'access_analyzer', { value: this.accessAnalysis.analyzer.arn, description: 'IAM Access Analyzer: findings for anything an outside principal may use (aws accessanalyzer list-findings --analyzer-arn ...)' });
    }
    if (env.backup !== undefined) {
      this.backupVaults = new BackupVaults(this, 'BackupVaults', {
        envName: env.name,
        settings: env.backup,
        ...(this.keys ? { kmsKeyArn: this.keys.dataKey.arn } : {}),
      });
    }
    const copyRegion = env.backup?.copyRegion;
    if (env.backup?.replicateDocuments === true && copyRegion !== undefined && this.backupVaults?.copyRegionKey) {
      this.documentReplicationRole = new DocumentReplicationRole(this, 'DocumentReplicationRole', {
        envName: env.name,
        region: env.region,
        copyRegion,
        ...(this.keys ? { sourceKmsKeyArn: this.keys.dataKey.arn } : {}),
        replicaKmsKeyArn: this.backupVaults.copyRegionKey.arn,
      });
    }
    // the budgets filter on the env tag (the provider's default tags put it on every resource); Billing counts a tag only once it is
    // active. Off unless the table says this account may activate it: a member account of an Organization may not (the payer does)
    if (env.activateCostAllocationTag === true) {
      this.costAllocationTag = new CeCostAllocationTag(this, 'CostAllocationTag', { tagKey: COST_ALLOCATION_TAG, status: 'Active' });
    }
    new TerraformOutput(this, 'workload_boundary_arn', { value: this.workloadBoundary.arn, description: 'Permissions boundary of every workload role' });
    if (env.domain !== undefined && 'createZone' in env.domain.hostedZone) {
      this.domainZone = new DomainZone(this, 'DomainZone', { domainName: env.domain.name });
      new TerraformOutput(this, 'domain_name_servers', {
        value: this.domainZone.nameServers,
        description: `Delegate ${env.domain.name} to these from its parent zone (an NS record) before the platform stack's certificate can validate`,
      });
    }
    if (props.githubRepository === undefined) return;

    this.stateBucket = new StateBucket(this, 'StateBucket', { envName: env.name });
    this.github = new GithubDeployRoles(this, 'Github', {
      envName: env.name,
      region: env.region,
      repository: props.githubRepository,
      ...(env.domain !== undefined ? { domainName: env.domain.name } : {}),
      profile: env.profile,
      natMode: env.natMode,
      ...(this.keys || this.backupVaults?.copyRegionKey
        ? { keyArns: [...(this.keys ? [this.keys.dataKey.arn, this.keys.logsKey.arn] : []), ...(this.backupVaults?.copyRegionKey ? [this.backupVaults.copyRegionKey.arn] : [])] }
        : {}),
      stateBucket: this.stateBucket.bucket,
      boundary: this.workloadBoundary.policy,
      ...(props.existingOidcProviderArn !== undefined ? { existingOidcProviderArn: props.existingOidcProviderArn } : {}),
    });
    new TerraformOutput(this, 'state_bucket', { value: this.stateBucket.bucket.bucket, description: `Set DOCFLOW_STATE_BUCKET_${env.name.toUpperCase()} to this` });
    new TerraformOutput(this, 'deploy_role_arn', { value: this.github.deployRole.arn, description: 'GitHub environment secret for deploy jobs' });
    new TerraformOutput(this, 'plan_role_arn', { value: this.github.planRole.arn, description: 'Role for pull-request plans' });
  }
}

/** The Route 53 zone id of the environment's domain: the one the foundation created, or the table's existing zone. */
export function domainZoneId(foundation: FoundationStack): string | undefined {
  const domain = foundation.env.domain;
  if (domain === undefined) return undefined;
  if ('hostedZoneId' in domain.hostedZone) return domain.hostedZone.hostedZoneId;
  return foundation.domainZone?.zoneId;
}

/** The environment's customer-managed keys as the other stacks' constructs take them, or none (keys: aws-managed). */
export function encryptionKeys(foundation: FoundationStack): EncryptionKeys | undefined {
  const keys = foundation.keys;
  return keys ? { dataKeyArn: keys.dataKey.arn, logsKeyArn: keys.logsKey.arn } : undefined;
}

/** Props of every stack of an environment other than the foundation: it names its foundation. */
export interface WorkloadStackProps extends Omit<DocflowStackProps, 'workloadIam' | 'foundation'> {
  /** The environment's foundation stack, applied before this one. */
  readonly foundation: FoundationStack;
}
