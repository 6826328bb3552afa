import { fail, pass, resourceRule, unknown, type Rule } from '../rule.js';
import { numberOf } from '../../values.js';
import { requireTrue } from '../values.js';

/** Log groups, KMS keys and secrets: retention and encryption at rest. */
export const encryptionAndLogRules: readonly Rule[] = [
  resourceRule({
    id: 'CKV_AWS_158',
    title: 'CloudWatch log groups are encrypted with KMS',
    types: ['aws_cloudwatch_log_group'],
    check: ({ block }) => (block['kms_key_id'] ? pass('encrypted with a KMS key') : fail('no kms_key_id: encrypted only with the service key')),
  }),
  resourceRule({
    id: 'CKV_AWS_66',
    title: 'CloudWatch log groups expire their events',
    types: ['aws_cloudwatch_log_group'],
    check: ({ block }) => (block['retention_in_days'] !== undefined ? pass(`retention ${String(block['retention_in_days'])} days`) : fail('keeps logs forever (set retention_in_days)')),
  }),
  resourceRule({
    id: 'CKV_AWS_338',
    title: 'CloudWatch log groups keep events at least a year',
    types: ['aws_cloudwatch_log_group'],
    check: ({ block }) => {
      const days = numberOf(block['retention_in_days']);
      if (days === undefined) return fail('retention_in_days is not set');
      if (Number.isNaN(days)) return unknown('retention_in_days is computed at apply time');
      return days === 0 || days >= 365 ? pass(`retention ${days === 0 ? 'forever' : `${days} days`}`) : fail(`retention ${days} days (< 365)`);
    },
  }),
  resourceRule({
    id: 'CKV_AWS_7',
    title: 'Customer-managed KMS keys rotate',
    types: ['aws_kms_key'],
    check: ({ block }) => {
      // only symmetric keys can rotate automatically
      if ((block['customer_master_key_spec'] ?? 'SYMMETRIC_DEFAULT') !== 'SYMMETRIC_DEFAULT') return undefined;
      return requireTrue(block, 'enable_key_rotation');
    },
  }),
  resourceRule({
    id: 'CKV_AWS_149',
    title: 'Secrets Manager secrets are encrypted with a customer-managed KMS key',
    types: ['aws_secretsmanager_secret'],
    check: ({ block }) => (block['kms_key_id'] ? pass('encrypted with a customer-managed key') : fail('no kms_key_id: encrypted with the AWS-managed key, whose use cannot be restricted by key policy')),
  }),
];
