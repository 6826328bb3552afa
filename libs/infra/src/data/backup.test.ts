import { TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { onlyResource, synthStack, testApp } from '../testing/index.js';
import { BackupVaults, DatabaseBackup } from './backup.js';

describe('BackupVaults and DatabaseBackup', () => {
  it('GIVEN a copy region THEN its vault (and key, when asked) are managed in that region through the per-resource region argument', () => {
    const stack = new TerraformStack(testApp(), 'vaults');
    const vaults = new BackupVaults(stack, 'Vaults', { envName: 'prod', settings: { dailyRetentionDays: 35, copyRegion: 'eu-central-1' } });
    new DatabaseBackup(stack, 'Backup', {
      namePrefix: 'docflow-prod',
      settings: { dailyRetentionDays: 35, copyRegion: 'eu-central-1' },
      databaseArn: 'arn:aws:rds:eu-west-1:123456789012:db:docflow-prod-postgres',
      vaultName: vaults.vault.name,
      copyVaultArn: vaults.copyVault?.arn ?? '',
      copyRegionKeyArn: vaults.copyRegionKey?.arn ?? '',
      roleArn: vaults.role.arn,
      replicatedRetentionDays: 30,
    });
    const json = synthStack(stack);
    expect(onlyResource(json, 'aws_kms_key')).toMatchObject({ region: 'eu-central-1', enable_key_rotation: true });
    // the point-in-time backups are replicated too, managed in the copy region with its key
    expect(onlyResource(json, 'aws_db_instance_automated_backups_replication')).toEqual({
      region: 'eu-central-1',
      source_db_instance_arn: 'arn:aws:rds:eu-west-1:123456789012:db:docflow-prod-postgres',
      kms_key_id: '${aws_kms_key.Vaults_CopyRegionKey_27E4354F.arn}',
      retention_period: 30,
    });
    const plan = onlyResource(json, 'aws_backup_plan');
    expect(plan['rule']).toEqual([
      expect.objectContaining({
        rule_name: 'daily',
        schedule: 'cron(0 3 * * ? *)',
        lifecycle: { delete_after: 35 },
        copy_action: [{ destination_vault_arn: '${aws_backup_vault.Vaults_CopyVault_97528DA4.arn}', lifecycle: { delete_after: 35 } }],
      }),
    ]);
  });

  it('GIVEN a copy region without a copy vault or key, or a replication RDS cannot keep THEN the plan refuses', () => {
    const stack = new TerraformStack(testApp(), 'plan');
    expect(
      () =>
        new DatabaseBackup(stack, 'Backup', { namePrefix: 'p', settings: { dailyRetentionDays: 7, copyRegion: 'eu-central-1' }, databaseArn: 'a', vaultName: 'v', roleArn: 'r' }),
    ).toThrow('DatabaseBackup: copyRegion in the settings, copyVaultArn and copyRegionKeyArn go together');
    expect(
      () =>
        new DatabaseBackup(stack, 'Backup2', { namePrefix: 'p', settings: { dailyRetentionDays: 7 }, databaseArn: 'a', vaultName: 'v', roleArn: 'r', replicatedRetentionDays: 36 }),
    ).toThrow('DatabaseBackup: replicatedRetentionDays must be 1 to 35 (RDS), got 36');
  });
});
