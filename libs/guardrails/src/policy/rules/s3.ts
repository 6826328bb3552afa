import type { TerraformBlock } from '../../terraform-json.js';
import { fail, pass, resourceRule, type Resource, type Rule, type StackContext } from '../rule.js';
import { blocks } from '../../values.js';
import { requireTrue } from '../values.js';

/** The companion resources of a bucket (`aws_s3_bucket_<thing>` whose `bucket` refers to it), in any stack of the environment. */
function companions(context: StackContext, bucket: Resource, type: string): Resource[] {
  return context.environmentResources(type).filter((companion) => context.refersTo(companion.block['bucket'], bucket, companion));
}

/** The default encryption algorithm of a bucket: its own block (provider v3 style) or its encryption configuration resource. */
function sseAlgorithm(context: StackContext, bucket: Resource): string | undefined {
  const rulesOf = (block: TerraformBlock | undefined) => blocks(block?.['rule']);
  const candidates = [
    ...rulesOf(blocks(bucket.block['server_side_encryption_configuration'])[0]),
    ...companions(context, bucket, 'aws_s3_bucket_server_side_encryption_configuration').flatMap((configuration) => rulesOf(configuration.block)),
  ];
  const algorithm = candidates.map((rule) => blocks(rule['apply_server_side_encryption_by_default'])[0]?.['sse_algorithm']).find((value) => value !== undefined);
  return algorithm === undefined ? undefined : String(algorithm);
}

const publicAccessBlockRule = (id: string, attribute: string, what: string): Rule =>
  resourceRule({
    id,
    title: `S3 public access blocks ${what}`,
    types: ['aws_s3_bucket_public_access_block'],
    check: ({ block }) => requireTrue(block, attribute),
  });

export const s3Rules: readonly Rule[] = [
  resourceRule({
    id: 'CKV2_AWS_6',
    title: 'S3 buckets have a public access block',
    types: ['aws_s3_bucket'],
    check: (bucket, context) => {
      const block = companions(context, bucket, 'aws_s3_bucket_public_access_block')[0];
      if (!block) return fail('no public access block: a policy or ACL can make it public');
      const missing = ['block_public_acls', 'block_public_policy'].filter((attribute) => requireTrue(block.block, attribute).status !== 'pass');
      return missing.length === 0 ? pass(`public access blocked by ${block.address}`) : fail(`${block.address} does not set ${missing.join(', ')}`);
    },
  }),
  publicAccessBlockRule('CKV_AWS_53', 'block_public_acls', 'block public ACLs'),
  publicAccessBlockRule('CKV_AWS_54', 'block_public_policy', 'block public bucket policies'),
  publicAccessBlockRule('CKV_AWS_55', 'ignore_public_acls', 'ignore public ACLs'),
  publicAccessBlockRule('CKV_AWS_56', 'restrict_public_buckets', 'restrict public buckets'),
  resourceRule({
    id: 'CKV_AWS_19',
    title: 'S3 buckets are encrypted at rest',
    types: ['aws_s3_bucket'],
    check: (bucket, context) => {
      const algorithm = sseAlgorithm(context, bucket);
      return algorithm && ['AES256', 'aws:kms', 'aws:kms:dsse'].includes(algorithm) ? pass(`default encryption ${algorithm}`) : fail('no default encryption configuration');
    },
  }),
  resourceRule({
    id: 'CKV_AWS_145',
    title: 'S3 buckets are encrypted with KMS by default',
    types: ['aws_s3_bucket'],
    check: (bucket, context) => {
      const algorithm = sseAlgorithm(context, bucket);
      return algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse' ? pass(`default encryption ${algorithm}`) : fail(`default encryption is ${algorithm ?? 'not configured'}, not KMS`);
    },
  }),
  resourceRule({
    id: 'CKV_AWS_21',
    title: 'S3 buckets are versioned',
    types: ['aws_s3_bucket'],
    check: (bucket, context) => {
      const inline = blocks(bucket.block['versioning'])[0]?.['enabled'] === true;
      const configured = companions(context, bucket, 'aws_s3_bucket_versioning').some((versioning) => blocks(versioning.block['versioning_configuration'])[0]?.['status'] === 'Enabled');
      return inline || configured ? pass('versioning enabled') : fail('not versioned: an overwrite or delete loses the object');
    },
  }),
];
