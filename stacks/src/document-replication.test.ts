import { describe, expect, it } from 'vitest';
import { DEPLOY_GRANTS, ENVIRONMENTS, REPLICATION_TIME_MINUTES, type EnvironmentConfig } from '@docflow/infra';
import { allowsRequest, parsePolicy, resourcesOf, synthApp, testApp, type TerraformJson } from '@docflow/infra/testing';
import { defineDocflow } from './app.js';
import { readSettings } from './settings.js';

/**
 * The documents bucket's cross-region replication (issue 8, item 6: a region loss costs at most
 * Replication Time Control's 15 minutes of documents in prod) on every environment's synthesized
 * stacks, with the rules S3 enforces across the fields of a replication configuration (the current,
 * filter-based schema): a filter needs a priority and a delete_marker_replication block; RTC needs
 * metrics with a 15-minute event threshold and only accepts 15 minutes; replicating SSE-KMS objects
 * needs a replica key; both buckets must be versioned before the configuration is put.
 */
const app = testApp();
defineDocflow(app, readSettings(ENVIRONMENTS, {}));
const stacks = synthApp(app);

type Block = ReturnType<typeof resourcesOf>[number]['block'];
const blocksOf = (value: unknown): Block[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]) as Block[];
const first = (value: unknown): Block => blocksOf(value)[0] ?? {};

/** What a `${data.terraform_remote_state...outputs.<name>}` reference stands for in the stack that exports it. */
function exported(reference: unknown, from: TerraformJson): unknown {
  const name = /^\$\{data\.terraform_remote_state\.[^.]+\.outputs\.([^}]+)\}$/.exec(String(reference))?.[1];
  expect(name, String(reference)).toBeDefined();
  return (from as { output?: Record<string, { value: unknown }> }).output?.[name ?? '']?.value;
}
const ref = (type: string, name: string | undefined, attribute: string) => `\${${type}.${name}.${attribute}}`;

describe.each(ENVIRONMENTS.map((env): [string, EnvironmentConfig] => [env.name, env]))('the documents of %s', (name, env) => {
  const data = stacks[`${name}-data`] ?? {};
  const foundation = stacks[`${name}-foundation`] ?? {};
  const observability = stacks[`${name}-observability`] ?? {};
  const copyRegion = env.backup?.copyRegion;
  const buckets = resourcesOf(data, 'aws_s3_bucket');
  const source = buckets.find(({ block }) => String(block['bucket_prefix']).startsWith(`docflow-${name}-documents-`));
  const replica = buckets.find(({ block }) => String(block['bucket_prefix']).startsWith(`docflow-${name}-dr-documents-`));
  const configurations = resourcesOf(data, 'aws_s3_bucket_replication_configuration');
  const companions = (type: string, bucketName: string | undefined) => resourcesOf(data, type).filter(({ block }) => block['bucket'] === ref('aws_s3_bucket', bucketName, 'id'));

  it('are replicated to the copy region exactly when the table asks for it (prod)', () => {
    expect(source).toBeDefined();
    if (env.backup?.replicateDocuments !== true) {
      expect(configurations).toEqual([]);
      expect(replica).toBeUndefined();
      expect(resourcesOf(foundation, 'aws_iam_role').filter(({ block }) => String(block['name']).endsWith('-document-replication'))).toEqual([]);
      return;
    }
    expect(copyRegion).toBeDefined();
    expect(copyRegion).not.toBe(env.region);
    expect(configurations).toHaveLength(1);
    expect(source?.block['region']).toBeUndefined();
    expect(replica?.block['region']).toBe(copyRegion);
  });

  if (env.backup?.replicateDocuments !== true) return;
  const configuration = configurations[0]?.block ?? {};
  const rules = blocksOf(configuration['rule']);

  it('put the configuration on the documents bucket only after both buckets are versioned (S3 refuses it otherwise)', () => {
    expect(configuration['bucket']).toBe(ref('aws_s3_bucket', source?.name, 'id'));
    const versionings = [source, replica].map((bucket) => {
      const [versioning, ...more] = companions('aws_s3_bucket_versioning', bucket?.name);
      expect(more).toEqual([]);
      expect(first(versioning?.block['versioning_configuration'])['status']).toBe('Enabled');
      return `aws_s3_bucket_versioning.${versioning?.name}`;
    });
    expect(configuration['depends_on']).toEqual(expect.arrayContaining(versionings));
  });

  it('follow the filter schema: an id, a unique priority, a filter and a stated delete marker choice (not replicated) per rule', () => {
    expect(rules).toHaveLength(1);
    const priorities = rules.map((rule) => rule['priority']);
    expect(new Set(priorities).size).toBe(rules.length);
    for (const rule of rules) {
      expect(String(rule['id']).length).toBeGreaterThan(0);
      expect(String(rule['id']).length).toBeLessThanOrEqual(255);
      expect(rule['status']).toBe('Enabled');
      // the deprecated rule-level prefix (first schema) cannot go with a filter
      expect(rule['prefix']).toBeUndefined();
      expect(rule['filter']).toBeDefined();
      expect(Number.isInteger(rule['priority'])).toBe(true);
      expect(first(rule['filter'])['prefix']).toBe('');
      // docflow never deletes a document: a delete in the source is a mistake or an attack, the replica keeps the object
      expect(first(rule['delete_marker_replication'])['status']).toBe('Disabled');
      // S3 does not replicate delete markers of tag-based rules
      expect(first(rule['filter'])['tag']).toBeUndefined();
    }
  });

  it('replicate within 15 minutes (Replication Time Control) with the metrics RTC requires, to the replica bucket', () => {
    for (const rule of rules) {
      const destination = first(rule['destination']);
      expect(destination['bucket']).toBe(ref('aws_s3_bucket', replica?.name, 'arn'));
      const replicationTime = first(destination['replication_time']);
      expect(replicationTime['status']).toBe('Enabled');
      // S3 accepts 15 minutes only
      expect(first(replicationTime['time'])['minutes']).toBe(15);
      const metrics = first(destination['metrics']);
      expect(metrics['status']).toBe('Enabled');
      expect(first(metrics['event_threshold'])['minutes']).toBe(15);
      expect(REPLICATION_TIME_MINUTES).toBe(15);
    }
  });

  it('replicate the objects encrypted with the documents key and encrypt the replicas with a key of the copy region', () => {
    const keyOf = (bucketName: string | undefined) =>
      first(first(companions('aws_s3_bucket_server_side_encryption_configuration', bucketName)[0]?.block['rule'])['apply_server_side_encryption_by_default']);
    const sourceEncryption = keyOf(source?.name);
    const replicaEncryption = keyOf(replica?.name);
    expect(replicaEncryption['sse_algorithm']).toBe('aws:kms');
    const copyKeys = resourcesOf(foundation, 'aws_kms_key').filter(({ block }) => block['region'] === copyRegion);
    expect(copyKeys).toHaveLength(1);
    const copyKeyArn = ref('aws_kms_key', copyKeys[0]?.name, 'arn');
    expect(exported(replicaEncryption['kms_master_key_id'], foundation)).toBe(copyKeyArn);
    for (const rule of rules) {
      const replicaKey = first(first(rule['destination'])['encryption_configuration'])['replica_kms_key_id'];
      const kmsObjects = first(first(rule['source_selection_criteria'])['sse_kms_encrypted_objects'])['status'];
      // S3: replicating SSE-KMS objects requires a replica key, and the source's objects are SSE-KMS when its default is
      if (sourceEncryption['sse_algorithm'] === 'aws:kms') expect(kmsObjects).toBe('Enabled');
      if (kmsObjects === 'Enabled') expect(replicaKey).toBeDefined();
      expect(exported(replicaKey, foundation)).toBe(copyKeyArn);
    }
  });

  it('keep the replica private, versioned, SSE-KMS and trimmed like the documents bucket, all in the copy region', () => {
    for (const type of ['aws_s3_bucket_public_access_block', 'aws_s3_bucket_versioning', 'aws_s3_bucket_server_side_encryption_configuration', 'aws_s3_bucket_lifecycle_configuration', 'aws_s3_bucket_ownership_controls', 'aws_s3_bucket_policy']) {
      const found = companions(type, replica?.name);
      expect(found, type).toHaveLength(1);
      expect(found[0]?.block['region'], type).toBe(copyRegion);
    }
    const publicAccess = companions('aws_s3_bucket_public_access_block', replica?.name)[0]?.block ?? {};
    for (const attribute of ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets']) expect(publicAccess[attribute], attribute).toBe(true);
    const lifecycle = blocksOf(companions('aws_s3_bucket_lifecycle_configuration', replica?.name)[0]?.block['rule']);
    expect(lifecycle.map((rule) => first(rule['noncurrent_version_expiration'])['noncurrent_days']).filter((days) => days !== undefined)).toEqual([30]);
    expect(replica?.block['force_destroy']).toBe(false);
  });

  it('replicate with the foundation\'s role: trusted by S3 only, reading the documents and their key, writing the replica with its key', () => {
    const role = resourcesOf(foundation, 'aws_iam_role').find(({ block }) => block['name'] === `docflow-${name}-document-replication`);
    expect(exported(configuration['role'], foundation)).toBe(ref('aws_iam_role', role?.name, 'arn'));
    expect(role?.block['path']).toBe('/docflow-foundation/');
    expect(parsePolicy(role?.block['assume_role_policy']).Statement.map((statement) => statement['Principal'])).toEqual([{ Service: 's3.amazonaws.com' }]);
    const policy = resourcesOf(foundation, 'aws_iam_role_policy').find(({ block }) => block['role'] === ref('aws_iam_role', role?.name, 'id'));
    const statements = parsePolicy(policy?.block['policy']).Statement as { Action: string[]; Resource: string[]; Condition?: Record<string, Record<string, string>> }[];
    const grantsOn = (action: string) => statements.filter((statement) => statement.Action.includes(action)).flatMap((statement) => statement.Resource);
    const allows = (action: string, resource: string) => allowsRequest(statements, { action, resource });
    const sourcePrefix = String(source?.block['bucket_prefix']);
    const replicaPrefix = String(replica?.block['bucket_prefix']);
    expect(allows('s3:GetReplicationConfiguration', `arn:aws:s3:::${sourcePrefix}x`)).toBe(true);
    expect(allows('s3:GetObjectVersionForReplication', `arn:aws:s3:::${sourcePrefix}x/raw/abc`)).toBe(true);
    expect(allows('s3:ReplicateObject', `arn:aws:s3:::${replicaPrefix}x/raw/abc`)).toBe(true);
    // the role can write to the replica only, never back into the documents bucket
    expect(allows('s3:ReplicateObject', `arn:aws:s3:::${sourcePrefix}x/raw/abc`)).toBe(false);
    const copyKey = resourcesOf(foundation, 'aws_kms_key').find(({ block }) => block['region'] === copyRegion);
    expect(grantsOn('kms:Encrypt')).toEqual([ref('aws_kms_key', copyKey?.name, 'arn')]);
    const sourceKey = first(first(companions('aws_s3_bucket_server_side_encryption_configuration', source?.name)[0]?.block['rule'])['apply_server_side_encryption_by_default'])['kms_master_key_id'];
    if (sourceKey !== undefined) expect(grantsOn('kms:Decrypt')).toEqual([exported(sourceKey, foundation)]);
    // both keys' policies leave the decision to IAM (AWS's default policy, or the account root statement), so the role's own policy admits it
    for (const keyArn of [ref('aws_kms_key', copyKey?.name, 'arn'), ...(sourceKey !== undefined ? [exported(sourceKey, foundation)] : [])]) {
      const key = resourcesOf(foundation, 'aws_kms_key').find(({ name: keyName }) => keyArn === ref('aws_kms_key', keyName, 'arn'));
      expect(key, String(keyArn)).toBeDefined();
      if (key?.block['policy'] === undefined) continue;
      const rootDecides = (parsePolicy(key.block['policy']).Statement as { Effect: string; Principal?: { AWS?: string }; Action: string }[]).some(
        (statement) => statement.Effect === 'Allow' && String(statement.Principal?.AWS).endsWith(':root') && statement.Action === 'kms:*',
      );
      expect(rootDecides, String(keyArn)).toBe(true);
    }
  });

  it('may be put by the deploy role, which may hand the replication role to S3 only', () => {
    const grants = DEPLOY_GRANTS.filter((grant) => grant.resourceTypes.includes('aws_s3_bucket_replication_configuration'));
    expect(grants.flatMap((grant) => grant.actions)).toEqual(expect.arrayContaining(['s3:PutReplicationConfiguration', 'iam:PassRole']));
    const scope = { envName: name, region: env.region, account: '123456789012' };
    const passRole = grants.find((grant) => grant.actions.includes('iam:PassRole'));
    expect(passRole?.resources(scope)).toEqual([`arn:aws:iam::123456789012:role/docflow-foundation/docflow-${name}-document-replication`]);
    expect(passRole?.condition?.(scope)).toEqual({ StringEquals: { 'iam:PassedToService': 's3.amazonaws.com' } });
  });

  it('alarm to the environment\'s topic when replication is late or fails, on the rule\'s metrics', () => {
    const alarms = resourcesOf(observability, 'aws_cloudwatch_metric_alarm').filter(({ block }) => block['namespace'] === 'AWS/S3');
    expect(alarms.map(({ block }) => [block['metric_name'], block['threshold']]).sort()).toEqual([
      ['OperationsFailedReplication', 0],
      ['ReplicationLatency', REPLICATION_TIME_MINUTES * 60],
    ]);
    const topic = resourcesOf(observability, 'aws_sns_topic')[0];
    for (const { block } of alarms) {
      expect(block['alarm_actions']).toEqual([ref('aws_sns_topic', topic?.name, 'arn')]);
      expect(block['ok_actions']).toEqual([ref('aws_sns_topic', topic?.name, 'arn')]);
      expect(block['dimensions']['RuleId']).toBe(rules[0]?.['id']);
      expect(Object.keys(block['dimensions']).sort()).toEqual(['DestinationBucket', 'RuleId', 'SourceBucket']);
    }
  });
});

