import { describe, expect, it } from 'vitest';
import { checkStack } from '@docflow/guardrails';
import { at, findResource, onlyResource, parsePolicy, resourcesOf, synthScope, testNetwork } from '../testing/index.js';
import { Database, databaseAdminConnection, databaseConnection, type DatabaseProps } from './database.js';
import { DocumentQueues, type DocumentQueuesProps } from './document-queues.js';
import { SecureBucket, type SecureBucketProps } from './secure-bucket.js';

function synthDatabase(props: Partial<DatabaseProps> = {}) {
  return synthScope((scope) => {
    const { network, securityGroups } = testNetwork(scope);
    new Database(scope, 'Database', {
      namePrefix: 'docflow-test',
      vpc: network.vpc,
      subnets: network.databaseSubnets,
      clients: [securityGroups.of('api'), securityGroups.of('worker')],
      ...props,
    });
  });
}

describe('Database', () => {
  it('GIVEN the defaults THEN PostgreSQL 17 is private, encrypted, password managed by RDS, deletion-protected with a final snapshot', () => {
    const instance = onlyResource(synthDatabase(), 'aws_db_instance');
    expect(instance).toMatchObject({
      engine: 'postgres',
      engine_version: '17',
      publicly_accessible: false,
      storage_encrypted: true,
      manage_master_user_password: true,
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: 'docflow-test-postgres-final',
    });
    expect(instance['password']).toBeUndefined();
    expect(checkStack(synthDatabase(), ['CKV_AWS_16', 'CKV_AWS_17']).problems).toEqual([]);
  });

  it('GIVEN any settings THEN the parameter group forces TLS', () => {
    const parameters = onlyResource(synthDatabase(), 'aws_db_parameter_group');
    expect(parameters['family']).toBe('postgres17');
    expect(parameters['parameter']).toContainEqual({ name: 'rds.force_ssl', value: '1' });
  });

  it('GIVEN two clients THEN 5432 is open only from their security groups, and each may reach the database', () => {
    const json = synthDatabase();
    const ingress = resourcesOf(json, 'aws_vpc_security_group_ingress_rule').filter(({ block }) => String(block['security_group_id']).includes('Database_SecurityGroup'));
    expect(ingress.map(({ block }) => [block['from_port'], block['cidr_ipv4'], String(block['referenced_security_group_id']).match(/Groups_(\w+?)_/)?.[1]]).sort()).toEqual([
      [5432, undefined, 'Api'],
      [5432, undefined, 'Worker'],
    ]);
    const egress = resourcesOf(json, 'aws_vpc_security_group_egress_rule').filter(({ block }) => block['from_port'] === 5432);
    expect(egress).toHaveLength(2);
  });

  it('GIVEN a lean database THEN no deletion protection, no final snapshot, backups as asked', () => {
    const instance = onlyResource(synthDatabase({ deletionProtection: false, backupRetentionDays: 1, instanceClass: 'db.t4g.micro' }), 'aws_db_instance');
    expect(instance).toMatchObject({ deletion_protection: false, skip_final_snapshot: true, backup_retention_period: 1, instance_class: 'db.t4g.micro' });
    expect(instance['final_snapshot_identifier']).toBeUndefined();
    expect(instance['performance_insights_enabled']).toBeUndefined();
  });

  it('GIVEN enhanced monitoring THEN logs are exported to log groups with retention, and Performance Insights is on', () => {
    const json = synthDatabase({ enhancedMonitoring: true, logRetentionDays: 30 });
    expect(onlyResource(json, 'aws_db_instance')).toMatchObject({
      enabled_cloudwatch_logs_exports: ['postgresql', 'upgrade'],
      performance_insights_enabled: true,
    });
    expect(resourcesOf(json, 'aws_cloudwatch_log_group').map(({ block }) => [block['name'], block['retention_in_days']]).sort()).toEqual([
      ['/aws/rds/instance/docflow-test-postgres/postgresql', 30],
      ['/aws/rds/instance/docflow-test-postgres/upgrade', 30],
      ['/docflow-test/vpc-flow-logs', 30],
    ]);
    expect(checkStack(json, ['CKV_AWS_66']).problems).toEqual([]);
  });

  it('GIVEN an old engine or no clients THEN it refuses', () => {
    expect(() => synthDatabase({ engineMajorVersion: 15 })).toThrow('Database: engineMajorVersion must be 16 or newer, got 15');
    expect(() => synthDatabase({ clients: [] })).toThrow('Database: clients is empty, so nothing could connect');
  });

  it('GIVEN one subnet, or a storage ceiling below the allocation THEN it refuses', () => {
    expect(() =>
      synthScope((scope) => {
        const { network, securityGroups } = testNetwork(scope);
        new Database(scope, 'Database', { namePrefix: 'd', vpc: network.vpc, subnets: network.databaseSubnets.slice(0, 1), clients: [securityGroups.of('api')] });
      }),
    ).toThrow('Database: needs subnets in at least two AZs, got 1');
    expect(() => synthDatabase({ allocatedStorageGiB: 100, maxAllocatedStorageGiB: 50 })).toThrow(
      'Database: maxAllocatedStorageGiB must be at least allocatedStorageGiB',
    );
  });

  it('gives each service its own role: plain DB_* settings with verify-full TLS, the role\'s login secret to fetch (never the master\'s), no migrations', () => {
    synthScope((scope) => {
      const { network, securityGroups } = testNetwork(scope);
      const database = new Database(scope, 'Database', { namePrefix: 'd', vpc: network.vpc, subnets: network.databaseSubnets, clients: [securityGroups.of('api')] });
      const api = databaseConnection(database, 'api');
      expect(api.environment).toEqual({
        DB_HOST: expect.stringContaining('TfToken'),
        DB_PORT: '5432',
        DB_NAME: 'docflow',
        DB_SSL: 'verify-full',
        DB_SSL_CA_FILE: '/app/rds-ca-bundle.pem',
        DB_USER: 'docflow_api',
        DB_LOGIN_ARN: expect.stringContaining('TfToken'),
        DB_MIGRATE: 'false',
        DB_POOL_MAX_LIFETIME_SECONDS: '900',
      });
      expect(api.taskStatements).toEqual([{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [expect.stringContaining('TfToken')] }]);
      expect(databaseConnection(database, 'worker').environment['DB_USER']).toBe('docflow_worker');
      const admin = databaseAdminConnection(database);
      expect(Object.keys(admin.environment)).toEqual(expect.arrayContaining(['DB_LOGIN_ARN', 'DB_API_LOGIN_ARN', 'DB_WORKER_LOGIN_ARN']));
      expect(admin.environment['DB_USER']).toBe('docflow');
    });
  });

  it('keeps a login secret per service role (no value in Terraform), and the master password\'s rotation schedule explicit', () => {
    const json = synthDatabase({ masterPasswordRotationDays: 14, keys: { dataKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/data', logsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/logs' } });
    expect(resourcesOf(json, 'aws_secretsmanager_secret').map(({ block }) => [block['name'], block['kms_key_id']])).toEqual([
      ['docflow-test/db/api', 'arn:aws:kms:eu-west-1:123456789012:key/data'],
      ['docflow-test/db/worker', 'arn:aws:kms:eu-west-1:123456789012:key/data'],
    ]);
    expect(resourcesOf(json, 'aws_secretsmanager_secret_version')).toEqual([]);
    expect(onlyResource(json, 'aws_secretsmanager_secret_rotation')).toMatchObject({
      secret_id: expect.stringContaining('master_user_secret[0].secret_arn'),
      rotation_rules: { automatically_after_days: 14 },
    });
    expect(onlyResource(json, 'aws_db_instance')['master_user_secret_kms_key_id']).toBe('arn:aws:kms:eu-west-1:123456789012:key/data');
  });
});

function synthBucket(props: SecureBucketProps) {
  return synthScope((scope) => {
    new SecureBucket(scope, 'Bucket', props);
  });
}

describe('SecureBucket', () => {
  const json = synthBucket({ bucketPrefix: 'docflow-test-documents-' });

  it('THEN it is encrypted, versioned, owner-enforced and blocks every kind of public access', () => {
    expect(onlyResource(json, 'aws_s3_bucket')).toMatchObject({ bucket_prefix: 'docflow-test-documents-', force_destroy: false });
    expect(onlyResource(json, 'aws_s3_bucket_server_side_encryption_configuration')['rule'][0]).toMatchObject({
      apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' },
    });
    expect(onlyResource(json, 'aws_s3_bucket_versioning')['versioning_configuration']).toEqual({ status: 'Enabled' });
    expect(onlyResource(json, 'aws_s3_bucket_public_access_block')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(onlyResource(json, 'aws_s3_bucket_ownership_controls')['rule']).toEqual({ object_ownership: 'BucketOwnerEnforced' });
  });

  it('THEN its policy denies every request that is not TLS', () => {
    const statement = at(parsePolicy(onlyResource(json, 'aws_s3_bucket_policy')['policy']).Statement, 0);
    expect(statement).toMatchObject({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    // a Deny with s3:* is the point of the statement, and not a wildcard grant
    expect(checkStack(json, ['DOCFLOW_IAM_WILDCARDS']).problems).toEqual([]);
  });

  it('THEN old versions and abandoned uploads expire', () => {
    const rules = onlyResource(json, 'aws_s3_bucket_lifecycle_configuration')['rule'];
    expect(rules[0]).toMatchObject({ status: 'Enabled', noncurrent_version_expiration: [{ noncurrent_days: 30 }] });
    expect(rules[1]).toMatchObject({ status: 'Enabled', abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] });
  });

  it('GIVEN a fixed name and preventDestroy THEN Terraform refuses to destroy it', () => {
    expect(onlyResource(synthBucket({ bucketName: 'docflow-dev-tfstate-1', preventDestroy: true }), 'aws_s3_bucket')).toMatchObject({
      bucket: 'docflow-dev-tfstate-1',
      lifecycle: { prevent_destroy: true },
    });
  });

  it('GIVEN both or neither naming prop, or destroy settings that contradict THEN it refuses', () => {
    expect(() => synthBucket({ bucketName: 'a-b-c', bucketPrefix: 'a-' })).toThrow('SecureBucket: set exactly one of bucketPrefix and bucketName');
    expect(() => synthBucket({})).toThrow('SecureBucket: set exactly one of bucketPrefix and bucketName');
    expect(() => synthBucket({ bucketName: 'a-b-c', forceDestroy: true, preventDestroy: true })).toThrow(
      'SecureBucket: forceDestroy and preventDestroy contradict each other',
    );
    expect(() => synthBucket({ bucketPrefix: 'docflow-a-very-long-environment-documents-' })).toThrow(
      'SecureBucket: bucketPrefix "docflow-a-very-long-environment-documents-" is longer than the 37 characters S3 allows',
    );
  });
});

function synthQueues(props: Partial<DocumentQueuesProps> = {}) {
  return synthScope((scope) => {
    new DocumentQueues(scope, 'Queues', { queueName: 'docflow-test-documents', visibilityTimeoutSeconds: 720, ...props });
  });
}

describe('DocumentQueues', () => {
  const json = synthQueues();
  const queue = findResource(json, 'aws_sqs_queue', ({ block }) => block['name'] === 'docflow-test-documents');
  const deadLetter = findResource(json, 'aws_sqs_queue', ({ block }) => block['name'] === 'docflow-test-documents-dlq');

  it('THEN the queue redrives to its DLQ after 5 receives, with SSE, 1 MiB messages and the given visibility timeout', () => {
    expect(queue.block).toMatchObject({
      visibility_timeout_seconds: 720,
      max_message_size: 1_048_576,
      sqs_managed_sse_enabled: true,
      message_retention_seconds: 345_600,
    });
    expect(JSON.parse(queue.block['redrive_policy'])).toEqual({ deadLetterTargetArn: `\${aws_sqs_queue.${deadLetter.name}.arn}`, maxReceiveCount: 5 });
    expect(checkStack(json, ['DOCFLOW_QUEUE_DLQ']).problems).toEqual([]);
  });

  it('THEN the DLQ keeps messages 14 days, longer than the queue, and accepts redrives from this queue only', () => {
    expect(deadLetter.block).toMatchObject({ message_retention_seconds: 1_209_600, sqs_managed_sse_enabled: true });
    expect(JSON.parse(onlyResource(json, 'aws_sqs_queue_redrive_allow_policy')['redrive_allow_policy'])).toEqual({
      redrivePermission: 'byQueue',
      sourceQueueArns: [`\${aws_sqs_queue.${queue.name}.arn}`],
    });
  });

  it('THEN both queues refuse requests without TLS', () => {
    expect(resourcesOf(json, 'aws_sqs_queue_policy')).toHaveLength(2);
  });

  it('GIVEN a DLQ retention not longer than the queue retention THEN it explains why that loses messages', () => {
    expect(() => synthQueues({ retentionSeconds: 1_209_600 })).toThrow(
      'DocumentQueues: deadLetterRetentionSeconds (1209600) must be longer than retentionSeconds (1209600), or a dead-lettered message expires before anyone can look at it',
    );
  });

  it('GIVEN an existing DLQ and a DLQ retention THEN it names the conflict', () => {
    expect(() =>
      synthScope((scope) => {
        const existing = new DocumentQueues(scope, 'Other', { queueName: 'other', visibilityTimeoutSeconds: 30 }).deadLetterQueue;
        new DocumentQueues(scope, 'Queues', { queueName: 'q', visibilityTimeoutSeconds: 30, deadLetterQueue: existing, deadLetterRetentionSeconds: 1_209_600 });
      }),
    ).toThrow('DocumentQueues: deadLetterRetentionSeconds applies only to the DLQ this construct creates; remove it or remove deadLetterQueue');
  });

  it('GIVEN too few receives or an impossible visibility timeout THEN it refuses', () => {
    expect(() => synthQueues({ maxReceiveCount: 3 })).toThrow('DocumentQueues: maxReceiveCount must be at least 5, got 3');
    expect(() => synthQueues({ visibilityTimeoutSeconds: 50_000 })).toThrow('DocumentQueues: visibilityTimeoutSeconds must be 1 to 43200, got 50000');
    expect(() => synthQueues({ maxMessageSizeBytes: 2_097_152 })).toThrow('DocumentQueues: maxMessageSizeBytes must be 1024 to 1048576, got 2097152');
  });
});
