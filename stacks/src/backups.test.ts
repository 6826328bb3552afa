import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, type EnvironmentConfig } from '@docflow/infra';
import { onlyResource, resourcesOf, synthApp, testApp } from '@docflow/infra/testing';
import { defineDocflow } from './app.js';
import { readSettings } from './settings.js';

/**
 * Backups and disaster recovery (issue 8, item 6) on every environment's synthesized stacks, with
 * the rules AWS enforces across fields: a copy goes to a vault in another region, a rule's
 * completion window is at least an hour past its start window, no cold storage for RDS recovery
 * points (and were there one, deletion at least 90 days after it), retention from the table.
 */
const app = testApp();
defineDocflow(app, readSettings(ENVIRONMENTS, {}));
const stacks = synthApp(app);

type Block = ReturnType<typeof resourcesOf>[number]['block'];
const blocksOf = (value: unknown): Block[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]) as Block[];

describe.each(ENVIRONMENTS.map((env): [string, EnvironmentConfig] => [env.name, env]))('the backups of %s', (name, env) => {
  const data = stacks[`${name}-data`] ?? {};
  const foundation = stacks[`${name}-foundation`] ?? {};
  const database = onlyResource(data, 'aws_db_instance');

  it('keep the point-in-time backups and take a final snapshot when the database is deleted (standard), as RDS would not', () => {
    const standard = env.profile === 'standard';
    expect(database['delete_automated_backups']).toBe(!standard);
    expect(database['skip_final_snapshot']).toBe(!standard);
    if (standard) expect(database['final_snapshot_identifier']).toBe(`docflow-${name}-postgres-final`);
    expect(database['backup_retention_period']).toBe(env.database.backupRetentionDays);
  });

  it('have an AWS Backup plan exactly when the table asks for one, with its retention and the foundation\'s vault and role', () => {
    const plans = resourcesOf(data, 'aws_backup_plan');
    if (env.backup === undefined) {
      expect(plans).toEqual([]);
      expect(resourcesOf(foundation, 'aws_backup_vault')).toEqual([]);
      return;
    }
    const plan = plans[0]?.block ?? {};
    expect(plans).toHaveLength(1);
    const rules = blocksOf(plan['rule']);
    const expected: [string, number][] = [['daily', env.backup.dailyRetentionDays], ...(env.backup.hourlyRetentionDays !== undefined ? [['hourly', env.backup.hourlyRetentionDays] as [string, number]] : [])];
    expect(rules.map((rule) => [rule['rule_name'], blocksOf(rule['lifecycle'])[0]?.['delete_after']])).toEqual(expected);
    for (const rule of rules) {
      expect(rule['start_window'], rule['rule_name']).toBeGreaterThanOrEqual(60);
      expect(rule['completion_window'] - rule['start_window'], rule['rule_name']).toBeGreaterThanOrEqual(60);
      for (const lifecycle of [...blocksOf(rule['lifecycle']), ...blocksOf(rule['copy_action']).flatMap((copy) => blocksOf(copy['lifecycle']))]) {
        // RDS recovery points cannot go cold; AWS would also refuse deletion sooner than 90 days after cold storage
        if (lifecycle['cold_storage_after'] !== undefined) expect(lifecycle['delete_after'] - lifecycle['cold_storage_after']).toBeGreaterThanOrEqual(90);
        expect(lifecycle['cold_storage_after']).toBeUndefined();
      }
      expect(rule['target_vault_name']).toMatch(/^\$\{data\.terraform_remote_state\.[^}]+\}$/);
    }
    const vault = onlyResourceNamed(foundation, 'aws_backup_vault', `docflow-${name}`);
    expect(vault['region']).toBeUndefined();
    const selection = onlyResource(data, 'aws_backup_selection');
    expect(selection['resources']).toEqual([`\${aws_db_instance.${resourcesOf(data, 'aws_db_instance')[0]?.name}.arn}`]);
    const role = resourcesOf(foundation, 'aws_iam_role').find(({ block }) => block['name'] === `docflow-${name}-backup`);
    expect(JSON.parse(role?.block['assume_role_policy']).Statement[0].Principal).toEqual({ Service: 'backup.amazonaws.com' });
    expect(resourcesOf(foundation, 'aws_iam_role_policy_attachment').filter(({ block }) => String(block['role']).includes(`aws_iam_role.${role?.name}.`)).map(({ block }) => block['policy_arn']).sort()).toEqual([
      'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
      'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores',
    ]);
  });

  it('replicate the point-in-time backups to the copy region (prod), with that region\'s key, as long as RDS keeps them here', () => {
    const replications = resourcesOf(data, 'aws_db_instance_automated_backups_replication');
    const copyRegion = env.backup?.copyRegion;
    if (copyRegion === undefined) {
      expect(replications).toEqual([]);
      return;
    }
    const replication = replications[0]?.block ?? {};
    expect(replications).toHaveLength(1);
    expect(replication['region']).toBe(copyRegion);
    expect(replication['retention_period']).toBe(env.database.backupRetentionDays);
    expect(replication['source_db_instance_arn']).toBe(`\${aws_db_instance.${resourcesOf(data, 'aws_db_instance')[0]?.name}.arn}`);
    expect(replication['kms_key_id']).toMatch(/^\$\{data\.terraform_remote_state\.[^}]+\}$/);
    expect(resourcesOf(foundation, 'aws_kms_key').filter(({ block }) => block['region'] === copyRegion)).toHaveLength(1);
  });

  it('copy every rule to a vault in another region when the table names one (prod), and nowhere else', () => {
    const rules = resourcesOf(data, 'aws_backup_plan').flatMap(({ block }) => blocksOf(block['rule']));
    const copies = rules.flatMap((rule) => blocksOf(rule['copy_action']));
    const copyRegion = env.backup?.copyRegion;
    if (copyRegion === undefined) {
      expect(copies).toEqual([]);
      return;
    }
    expect(copyRegion).not.toBe(env.region);
    expect(copies).toHaveLength(rules.length);
    const copyVault = onlyResourceNamed(foundation, 'aws_backup_vault', `docflow-${name}-dr`);
    expect(copyVault['region']).toBe(copyRegion);
    // the copy vault's key lives in the copy region too (a KMS key cannot leave its region)
    const key = resourcesOf(foundation, 'aws_kms_key').find(({ block }) => block['region'] === copyRegion);
    expect(copyVault['kms_key_arn']).toBe(`\${aws_kms_key.${key?.name}.arn}`);
    for (const [index, rule] of rules.entries()) {
      const copy = blocksOf(rule['copy_action'])[0] ?? {};
      expect(copy['destination_vault_arn']).toMatch(/^\$\{data\.terraform_remote_state\.[^}]+\}$/);
      expect(blocksOf(copy['lifecycle'])[0]?.['delete_after'], String(index)).toBe(blocksOf(rule['lifecycle'])[0]?.['delete_after']);
    }
  });
});

function onlyResourceNamed(json: Parameters<typeof resourcesOf>[0], type: string, name: string): Block {
  const found = resourcesOf(json, type).filter(({ block }) => block['name'] === name);
  expect(found, `${type} ${name}`).toHaveLength(1);
  return found[0]?.block ?? {};
}
