import { Construct } from 'constructs';
import { BackupPlan, type BackupPlanRule } from '@cdktf/provider-aws/lib/backup-plan/index.js';
import { BackupSelection } from '@cdktf/provider-aws/lib/backup-selection/index.js';
import { BackupVault } from '@cdktf/provider-aws/lib/backup-vault/index.js';
import { DbInstanceAutomatedBackupsReplication } from '@cdktf/provider-aws/lib/db-instance-automated-backups-replication/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment/index.js';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key/index.js';
import { FOUNDATION_ROLE_PATH, policyDocument } from '../core/iam.js';
import type { BackupSettings } from '../environments/types.js';

/** The AWS managed policies of a backup service role: taking backups, and restoring them. */
export const BACKUP_SERVICE_POLICIES = [
  'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
  'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores',
] as const;

/** Name of the environment's backup service role (the data stack's plan passes it to AWS Backup). */
export function backupRoleName(envName: string): string {
  return `docflow-${envName}-backup`;
}

export interface BackupVaultsProps {
  readonly envName: string;
  readonly settings: BackupSettings;
  /** Encrypts the environment's vault. @default - the AWS Backup service key */
  readonly kmsKeyArn?: string;
}

/**
 * Where the database's backups are kept (foundation: applied by an administrator before the
 * workloads, so that no workload role needs AWS Backup's own permissions): the backup service role
 * with AWS's managed backup and restore policies, the environment's vault `docflow-<env>`, and with
 * `copyRegion` a KMS key and a vault `docflow-<env>-dr` in that region (the provider's per-resource
 * `region`): an encrypted RDS backup copied to another region must be encrypted there with a key of
 * that region (a KMS key cannot leave its own).
 */
export class BackupVaults extends Construct {
  readonly role: IamRole;
  readonly vault: BackupVault;
  readonly copyVault?: BackupVault;
  /** Encrypts the copies, the replicated point-in-time backups and the documents' replica (replicateDocuments) in the copy region. */
  readonly copyRegionKey?: KmsKey;

  constructor(scope: Construct, id: string, props: BackupVaultsProps) {
    super(scope, id);
    this.role = new IamRole(this, 'Role', {
      name: backupRoleName(props.envName),
      path: FOUNDATION_ROLE_PATH,
      description: `AWS Backup: backs up and restores docflow ${props.envName}'s database`,
      assumeRolePolicy: policyDocument([{ Effect: 'Allow', Principal: { Service: 'backup.amazonaws.com' }, Action: 'sts:AssumeRole' }]),
    });
    BACKUP_SERVICE_POLICIES.forEach((policyArn, index) => new IamRolePolicyAttachment(this, `Policy${index + 1}`, { role: this.role.name, policyArn }));
    this.vault = new BackupVault(this, 'Vault', { name: `docflow-${props.envName}`, ...(props.kmsKeyArn !== undefined ? { kmsKeyArn: props.kmsKeyArn } : {}) });
    const copyRegion = props.settings.copyRegion;
    if (copyRegion === undefined) return;
    this.copyRegionKey = new KmsKey(this, 'CopyRegionKey', {
      region: copyRegion,
      description: `docflow ${props.envName}: database backups${props.settings.replicateDocuments === true ? ' and documents' : ''} copied and replicated to ${copyRegion}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    this.copyVault = new BackupVault(this, 'CopyVault', { region: copyRegion, name: `docflow-${props.envName}-dr`, kmsKeyArn: this.copyRegionKey.arn });
  }
}

export interface DatabaseBackupProps {
  readonly namePrefix: string;
  readonly settings: BackupSettings;
  /** ARN of the database instance to back up. */
  readonly databaseArn: string;
  readonly vaultName: string;
  /** The copy region's vault (BackupVaults.copyVault). @default - no copy */
  readonly copyVaultArn?: string;
  /** The copy region's key (BackupVaults.copyRegionKey): the point-in-time backups are replicated there with it. Goes with copyVaultArn. */
  readonly copyRegionKeyArn?: string;
  /** Days the replicated point-in-time backups cover (RDS: 1 to 35). @default 7 */
  readonly replicatedRetentionDays?: number;
  readonly roleArn: string;
}

/**
 * The AWS Backup plan of the database (data stack): daily snapshots at 03:00 UTC (after RDS's
 * 02:00-03:00 backup window) kept `dailyRetentionDays`, with `hourlyRetentionDays` hourly snapshots
 * too, each copied to the copy region's vault and kept as long there. RDS recovery points cannot
 * move to cold storage, so no rule sets it. With a copy region the instance's point-in-time backups
 * are also replicated there (`aws_db_instance_automated_backups_replication`, managed in that region).
 */
export class DatabaseBackup extends Construct {
  readonly plan: BackupPlan;
  readonly selection: BackupSelection;
  /** The point-in-time backups replicated to the copy region (copyRegion). */
  readonly replication?: DbInstanceAutomatedBackupsReplication;

  constructor(scope: Construct, id: string, props: DatabaseBackupProps) {
    super(scope, id);
    const { settings } = props;
    const replicatedRetentionDays = props.replicatedRetentionDays ?? 7;
    if ((settings.copyRegion === undefined) !== (props.copyVaultArn === undefined) || (props.copyVaultArn === undefined) !== (props.copyRegionKeyArn === undefined)) {
      throw new Error('DatabaseBackup: copyRegion in the settings, copyVaultArn and copyRegionKeyArn go together');
    }
    if (!Number.isInteger(replicatedRetentionDays) || replicatedRetentionDays < 1 || replicatedRetentionDays > 35) {
      throw new Error(`DatabaseBackup: replicatedRetentionDays must be 1 to 35 (RDS), got ${replicatedRetentionDays}`);
    }
    const rule = (ruleName: string, schedule: string, deleteAfter: number, startWindow: number, completionWindow: number): BackupPlanRule => ({
      ruleName,
      targetVaultName: props.vaultName,
      schedule,
      scheduleExpressionTimezone: 'Etc/UTC',
      startWindow,
      completionWindow,
      lifecycle: { deleteAfter },
      ...(props.copyVaultArn !== undefined ? { copyAction: [{ destinationVaultArn: props.copyVaultArn, lifecycle: { deleteAfter } }] } : {}),
    });
    this.plan = new BackupPlan(this, 'Plan', {
      name: `${props.namePrefix}-database`,
      rule: [
        rule('daily', 'cron(0 3 * * ? *)', settings.dailyRetentionDays, 60, 360),
        // an hourly snapshot must start within its hour and finish before the next one starts
        ...(settings.hourlyRetentionDays !== undefined ? [rule('hourly', 'cron(0 * * * ? *)', settings.hourlyRetentionDays, 60, 120)] : []),
      ],
    });
    this.selection = new BackupSelection(this, 'Selection', {
      name: `${props.namePrefix}-database`,
      planId: this.plan.id,
      iamRoleArn: props.roleArn,
      resources: [props.databaseArn],
    });
    if (settings.copyRegion !== undefined && props.copyRegionKeyArn !== undefined) {
      // RDS ships the transaction logs to the copy region as they are written: a restore there loses minutes, not the hour since the last snapshot copy
      this.replication = new DbInstanceAutomatedBackupsReplication(this, 'Replication', {
        region: settings.copyRegion,
        sourceDbInstanceArn: props.databaseArn,
        kmsKeyId: props.copyRegionKeyArn,
        retentionPeriod: replicatedRetentionDays,
      });
    }
  }
}
