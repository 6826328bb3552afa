import { fail, pass, resourceRule, unknown, type Rule } from '../rule.js';
import { blocks, flag, numberOf } from '../../values.js';
import { requireTrue } from '../values.js';

/** The environments the production-only rules (CKV_AWS_157) apply to. */
export const PRODUCTION_ENVIRONMENTS: readonly string[] = ['prod'];

const INSTANCE = ['aws_db_instance'];

export const rdsRules: readonly Rule[] = [
  resourceRule({
    id: 'CKV_AWS_16',
    title: 'RDS storage is encrypted at rest',
    types: INSTANCE,
    check: ({ block }) => requireTrue(block, 'storage_encrypted'),
  }),
  resourceRule({
    id: 'CKV_AWS_17',
    title: 'RDS instances are not publicly accessible',
    types: [...INSTANCE, 'aws_rds_cluster_instance'],
    check: ({ block }) => {
      const value = flag(block['publicly_accessible']);
      if (value === 'expression') return unknown('publicly_accessible is computed at apply time');
      return value === 'true' ? fail('publicly_accessible is true: the database gets a public address') : pass('not publicly accessible');
    },
  }),
  resourceRule({
    id: 'CKV_AWS_133',
    title: 'RDS keeps automated backups (1 to 35 days)',
    types: [...INSTANCE, 'aws_rds_cluster'],
    check: ({ block }) => {
      const days = numberOf(block['backup_retention_period']);
      if (days === undefined) return pass('backup_retention_period left at its default (1 day)');
      if (Number.isNaN(days)) return unknown('backup_retention_period is computed at apply time');
      return days >= 1 && days <= 35 ? pass(`backups kept ${days} days`) : fail(`backup_retention_period is ${days} (backups off or out of range; 1 to 35)`);
    },
  }),
  resourceRule({
    id: 'CKV_AWS_293',
    title: 'RDS instances have deletion protection',
    types: INSTANCE,
    check: ({ block }) => requireTrue(block, 'deletion_protection'),
  }),
  resourceRule({
    id: 'CKV_AWS_157',
    title: 'RDS instances are Multi-AZ',
    types: INSTANCE,
    environments: PRODUCTION_ENVIRONMENTS,
    check: ({ block }) => requireTrue(block, 'multi_az'),
  }),
  resourceRule({
    id: 'CKV_AWS_161',
    title: 'RDS instances accept IAM database authentication',
    types: INSTANCE,
    check: ({ block }) => {
      // Checkov applies it to the engines that support IAM authentication
      if (!/^(postgres|mysql|mariadb)/.test(String(block['engine'] ?? ''))) return undefined;
      return requireTrue(block, 'iam_database_authentication_enabled');
    },
  }),
  resourceRule({
    id: 'CKV_AWS_129',
    title: 'RDS exports its logs to CloudWatch',
    types: INSTANCE,
    check: ({ block }) => {
      const exports = block['enabled_cloudwatch_logs_exports'];
      if (typeof exports === 'string' && exports.includes('${')) return unknown('enabled_cloudwatch_logs_exports is computed at apply time');
      const list = Array.isArray(exports) ? exports : [];
      return list.length > 0 ? pass(`exports ${list.join(', ')}`) : fail('enabled_cloudwatch_logs_exports is empty: no database log reaches CloudWatch');
    },
  }),
  resourceRule({
    id: 'CKV_AWS_226',
    title: 'RDS applies minor engine upgrades automatically',
    types: [...INSTANCE, 'aws_rds_cluster_instance'],
    check: ({ block }) => requireTrue(block, 'auto_minor_version_upgrade', true),
  }),
  resourceRule({
    id: 'CKV2_AWS_69',
    title: 'RDS requires TLS (rds.force_ssl / require_secure_transport)',
    types: INSTANCE,
    check: (resource, context) => {
      const engine = String(resource.block['engine'] ?? '');
      const setting = /^postgres/.test(engine) ? 'rds.force_ssl' : /^(mysql|mariadb)/.test(engine) ? 'require_secure_transport' : undefined;
      if (!setting) return undefined;
      const groupName = resource.block['parameter_group_name'];
      if (groupName === undefined) {
        // better than Checkov, which passes any instance without a parameter group: PostgreSQL 15 and
        // later default rds.force_ssl to 1, earlier versions and MySQL do not
        const major = Number.parseInt(String(resource.block['engine_version'] ?? ''), 10);
        if (setting === 'rds.force_ssl' && major >= 15) return pass('the default parameter group of PostgreSQL 15+ sets rds.force_ssl = 1');
        return fail(`no parameter group, so ${setting} keeps its default (0): clients may connect without TLS`);
      }
      const group = context.lookup(context.referenced(groupName, resource));
      if (!group || group.type !== 'aws_db_parameter_group') return unknown(`parameter group ${String(groupName)} is not in the synthesized stacks, so ${setting} cannot be read`);
      const parameter = blocks(group.block['parameter']).find((candidate) => candidate['name'] === setting);
      if (parameter === undefined) return fail(`parameter group ${group.address} does not set ${setting} (it must be 1)`);
      if (String(parameter['value']).includes('${')) return unknown(`${setting} is computed at apply time`);
      return String(parameter['value']) === '1' ? pass(`${setting} = 1 in ${group.address}`) : fail(`${setting} is ${String(parameter['value'])} in ${group.address} (it must be 1)`);
    },
  }),
];
