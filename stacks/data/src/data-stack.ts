import type { Construct } from 'constructs';
import { DataLayer, DatabaseBackup, DocflowStack, DocumentReplication, resourceName, taskStoppedRulePrefix, visibilityTimeoutFor } from '@docflow/infra';
import { encryptionKeys, type WorkloadStackProps } from '@docflow/stack-foundation';
import type { NetworkStack } from '@docflow/stack-network';

export interface DataStackProps extends WorkloadStackProps {
  readonly network: NetworkStack;
}

/**
 * `<env>-data`: PostgreSQL (only api and worker may connect; ingest never does), the documents
 * bucket, and the documents queue with its DLQ. The queue's visibility timeout is derived from the
 * worker's processing time in the environment table.
 */
export class DataStack extends DocflowStack {
  readonly data: DataLayer;
  /** The database's AWS Backup plan (backup in the table). */
  readonly backup?: DatabaseBackup;
  /** The documents bucket replicated to the copy region (backup.replicateDocuments). */
  readonly documentReplication?: DocumentReplication;

  constructor(scope: Construct, props: DataStackProps) {
    super(scope, 'data', props);
    const { env, network } = props;
    const db = env.database;
    const standard = env.profile === 'standard';
    const keys = encryptionKeys(props.foundation);
    this.data = new DataLayer(this, 'Data', {
      namePrefix: resourceName(env),
      network: network.network,
      databaseClients: [network.securityGroups.of('api'), network.securityGroups.of('worker')],
      database: {
        instanceClass: db.instanceClass,
        allocatedStorageGiB: db.allocatedStorageGiB,
        maxAllocatedStorageGiB: db.maxAllocatedStorageGiB,
        backupRetentionDays: db.backupRetentionDays,
        multiAz: db.multiAz,
        deletionProtection: db.deletionProtection,
        // standard environments keep a final snapshot and their point-in-time backups when the instance goes
        finalSnapshot: standard,
        keepAutomatedBackups: standard,
        masterPasswordRotationDays: db.masterPasswordRotationDays,
        secretRecoveryWindowDays: db.deletionProtection ? 30 : 7,
        enhancedMonitoring: standard,
        logRetentionDays: env.logRetentionDays,
      },
      queues: {
        visibilityTimeoutSeconds: visibilityTimeoutFor(env.worker.processingTimeoutSeconds),
        // in pipe mode the worker stack's task-stopped rules hand messages back to both queues
        ...(env.worker.mode === 'pipe' ? { acceptRulesNamed: taskStoppedRulePrefix(resourceName(env)) } : {}),
      },
      forceDestroyBucket: !db.deletionProtection && !standard,
      ...(keys ? { keys } : {}),
    });
    const vaults = props.foundation.backupVaults;
    if (env.backup !== undefined && vaults !== undefined) {
      this.backup = new DatabaseBackup(this, 'Backup', {
        namePrefix: resourceName(env),
        settings: env.backup,
        databaseArn: this.data.database.instance.arn,
        vaultName: vaults.vault.name,
        ...(vaults.copyVault && vaults.copyRegionKey ? { copyVaultArn: vaults.copyVault.arn, copyRegionKeyArn: vaults.copyRegionKey.arn } : {}),
        replicatedRetentionDays: db.backupRetentionDays,
        roleArn: vaults.role.arn,
      });
    }
    const replicationRole = props.foundation.documentReplicationRole;
    if (env.backup?.copyRegion !== undefined && vaults?.copyRegionKey && replicationRole) {
      this.documentReplication = new DocumentReplication(this, 'DocumentReplication', {
        namePrefix: resourceName(env),
        source: this.data.documents,
        copyRegion: env.backup.copyRegion,
        replicaKmsKeyArn: vaults.copyRegionKey.arn,
        roleArn: replicationRole.role.arn,
      });
    }
  }
}
