import { describe, expect, it } from 'vitest';
import { appFromStacks } from '../synthesized.js';
import type { TerraformJson } from '../terraform-json.js';
import { diffApps, type Mask } from './diff.js';

/** Attribute-by-attribute comparison of two synthesized apps (masking is tested with the real masking in the CLI tests). */
const keep: Mask = (value) => value;
const provider = (env: string, stack: string) => ({ aws: [{ region: 'eu-west-1', default_tags: [{ tags: { env, stack } }] }] });
const containers = (environment: { name: string; value: string }[], image = 'api:1') =>
  JSON.stringify([{ name: 'api', image, environment, logConfiguration: { logDriver: 'awslogs' } }]);
function dataStack(queue: Record<string, unknown>, extra: TerraformJson['resource'] = {}): TerraformJson {
  return {
    provider: provider('dev', 'data'),
    resource: { aws_sqs_queue: { Queue: { '//': { metadata: { path: 'dev-data/Data/Queue' } }, name: 'docflow-dev-documents', ...queue } }, ...extra },
  };
}
const apiStack = (environment: { name: string; value: string }[], image?: string): TerraformJson => ({
  provider: provider('dev', 'api'),
  resource: { aws_ecs_task_definition: { Task: { family: 'api', container_definitions: containers(environment, image) } } },
});
const diff = (base: Record<string, TerraformJson>, head: Record<string, TerraformJson>, mask: Mask = keep) => diffApps(appFromStacks(base), appFromStacks(head), mask);

describe('diffApps', () => {
  it('GIVEN the same stacks (cdktf metadata aside) THEN nothing changes', () => {
    const other: TerraformJson = { ...dataStack({}), resource: { aws_sqs_queue: { Queue: { '//': { metadata: { path: 'elsewhere' } }, name: 'docflow-dev-documents' } } } };
    expect(diff({ 'dev-data': dataStack({}) }, { 'dev-data': other })).toEqual({ stacks: [], summary: { stacks: 0, create: 0, update: 0, delete: 0 } });
  });

  it('GIVEN a changed, an added and a removed attribute THEN one change each, with the construct path of the block', () => {
    const result = diff({ 'dev-data': dataStack({ visibility_timeout_seconds: 720, delay_seconds: 0 }) }, { 'dev-data': dataStack({ visibility_timeout_seconds: 900, tags: { team: 'docs' } }) });
    expect(result.stacks).toEqual([
      {
        stackId: 'dev-data',
        env: 'dev',
        stack: 'data',
        action: 'update',
        blocks: [
          {
            address: 'aws_sqs_queue.Queue',
            constructPath: 'dev-data/Data/Queue',
            action: 'update',
            changes: [{ path: 'delay_seconds', before: 0 }, { path: 'tags', after: { team: 'docs' } }, { path: 'visibility_timeout_seconds', before: 720, after: 900 }],
          },
        ],
      },
    ]);
  });

  it('GIVEN a container definition whose one variable changed THEN the JSON string is compared as JSON, entries by name', () => {
    const result = diff(
      { 'dev-api': apiStack([{ name: 'LOG_LEVEL', value: 'info' }, { name: 'DB_HOST', value: 'db' }]) },
      { 'dev-api': apiStack([{ name: 'DB_HOST', value: 'db' }, { name: 'LOG_LEVEL', value: 'debug' }, { name: 'DB_PORT', value: '5432' }], 'api:2') },
    );
    expect(result.stacks[0]?.blocks[0]?.changes).toEqual([
      { path: 'container_definitions (JSON)[name=api].environment[name=LOG_LEVEL].value', before: 'info', after: 'debug' },
      { path: 'container_definitions (JSON)[name=api].environment[name=DB_PORT]', after: { name: 'DB_PORT', value: '5432' } },
      { path: 'container_definitions (JSON)[name=api].image', before: 'api:1', after: 'api:2' },
    ]);
  });

  it('GIVEN resources and stacks added and removed, and provider, output, variable and terraform blocks THEN each is addressed and counted', () => {
    const base = { 'dev-data': dataStack({}, { aws_sqs_queue_policy: { Tls: { policy: '{}' } } }), 'dev-old': { provider: provider('dev', 'old'), resource: { aws_s3_bucket: { B: {} } } } };
    const head = {
      'dev-data': {
        // the queue is replaced by a DLQ of another name
        ...dataStack({}, { aws_sqs_queue: { Dlq: { name: 'dlq' } } }),
        provider: provider('dev', 'data-renamed'),
        output: { url: { value: '${aws_sqs_queue.Queue.url}' } },
        variable: { image_tag: { type: 'string' } },
        terraform: { required_version: '>= 1.10' },
      },
      'dev-new': { provider: provider('dev', 'new'), resource: { aws_sns_topic: { T: {} } } },
    };
    const result = diff(base, head);
    expect(result.stacks.map((stack) => [stack.stackId, stack.action, stack.blocks.map((block) => `${block.action} ${block.address}`)])).toEqual([
      ['dev-data', 'update', ['create aws_sqs_queue.Dlq', 'delete aws_sqs_queue.Queue', 'delete aws_sqs_queue_policy.Tls', 'create output.url', 'update provider.aws', 'create terraform', 'create variable.image_tag']],
      ['dev-new', 'create', ['create aws_sns_topic.T', 'create provider.aws']],
      ['dev-old', 'delete', ['delete aws_s3_bucket.B', 'delete provider.aws']],
    ]);
    expect(result.summary).toEqual({ stacks: 3, create: 6, update: 1, delete: 4 });
    expect(result.stacks[0]?.blocks.find((block) => block.address === 'provider.aws')?.changes).toEqual([{ path: 'default_tags[0].tags.stack', before: 'data', after: 'data-renamed' }]);
  });

  it('GIVEN lists without names THEN entries by position, and a list that changes length as a whole', () => {
    const result = diff({ 'dev-data': dataStack({ subnets: ['a', 'b'], zones: ['x'] }) }, { 'dev-data': dataStack({ subnets: ['a', 'c'], zones: ['x', 'y'] }) });
    expect(result.stacks[0]?.blocks[0]?.changes).toEqual([
      { path: 'subnets[1]', before: 'b', after: 'c' },
      { path: 'zones', before: ['x'], after: ['x', 'y'] },
    ]);
  });

  it('GIVEN a changed variable of a container THEN every value goes through the mask, under the variable\'s name', () => {
    const seen: [unknown, string | undefined][] = [];
    const mask: Mask = (value, key) => {
      seen.push([value, key]);
      return key === 'DB_PASSWORD' ? '(masked)' : value;
    };
    const result = diff({ 'dev-api': apiStack([{ name: 'DB_PASSWORD', value: 'old-secret' }]) }, { 'dev-api': apiStack([{ name: 'DB_PASSWORD', value: 'new-secret' }]) }, mask);
    expect(result.stacks[0]?.blocks[0]?.changes).toEqual([{ path: 'container_definitions (JSON)[name=api].environment[name=DB_PASSWORD].value', before: '(masked)', after: '(masked)' }]);
    expect(seen).toEqual([
      ['old-secret', 'DB_PASSWORD'],
      ['new-secret', 'DB_PASSWORD'],
    ]);
  });
});
