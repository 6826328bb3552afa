import { describe, expect, it } from 'vitest';
import { environment, findResource, onlyResource, resourcesOf, synthApp, testApp } from '@docflow/infra/testing';
import { FoundationStack } from '@docflow/stack-foundation';
import { NetworkStack } from '@docflow/stack-network';
import { DataStack } from './data-stack.js';

const synthFor = (name: 'dev' | 'prod') => {
  const app = testApp();
  const env = environment(name);
  const foundation = new FoundationStack(app, { env });
  const network = new NetworkStack(app, { env, foundation });
  new DataStack(app, { env, foundation, network });
  return synthApp(app)[`${name}-data`] ?? {};
};

describe('DataStack', () => {
  const prod = synthFor('prod');

  it('GIVEN prod THEN the database is multi-AZ, deletion-protected with a final snapshot, 30-day backups, logs exported', () => {
    expect(onlyResource(prod, 'aws_db_instance')).toMatchObject({
      identifier: 'docflow-prod-postgres',
      instance_class: 'db.t3.medium',
      allocated_storage: 100,
      multi_az: true,
      deletion_protection: true,
      skip_final_snapshot: false,
      backup_retention_period: 30,
      performance_insights_enabled: true,
    });
  });

  it('GIVEN any env THEN only the api and worker security groups may connect, never ingest', () => {
    const sources = resourcesOf(prod, 'aws_vpc_security_group_ingress_rule').map(({ block }) => String(block['referenced_security_group_id']));
    expect(sources).toHaveLength(2);
    expect(sources.some((source) => source.includes('WorkloadSecurityGroups_Api'))).toBe(true);
    expect(sources.some((source) => source.includes('WorkloadSecurityGroups_Worker'))).toBe(true);
    expect(sources.some((source) => source.includes('Ingest'))).toBe(false);
    // the references cross into the network stack's state
    expect(sources.every((source) => source.includes('terraform_remote_state.cross-stack-reference-input-prod-network'))).toBe(true);
  });

  it("GIVEN the worker's 120 s processing time THEN the queue's visibility timeout is 720 s", () => {
    const queue = findResource(prod, 'aws_sqs_queue', ({ block }) => block['name'] === 'docflow-prod-documents');
    expect(queue.block['visibility_timeout_seconds']).toBe(6 * environment('prod').worker.processingTimeoutSeconds);
  });

  it('GIVEN dev THEN a micro database without protection, and a bucket that a teardown may empty', () => {
    const dev = synthFor('dev');
    expect(onlyResource(dev, 'aws_db_instance')).toMatchObject({ instance_class: 'db.t4g.micro', allocated_storage: 20, backup_retention_period: 1, deletion_protection: false });
    expect(onlyResource(dev, 'aws_s3_bucket')['force_destroy']).toBe(true);
    // prod also has the documents' replica in the copy region; neither may be emptied by a teardown
    expect(resourcesOf(prod, 'aws_s3_bucket').map(({ block }) => [block['bucket_prefix'], block['force_destroy']])).toEqual([
      ['docflow-prod-documents-', false],
      ['docflow-prod-dr-documents-', false],
    ]);
  });
});
