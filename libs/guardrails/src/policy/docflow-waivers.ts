import type { Waiver } from './waivers.js';

/** Every profile: a waiver about code that all environments share. */
const ALL_PROFILES = ['lean', 'standard'];
/** Dated waivers are reviewed (renewed with a reason, or fixed) by then. */
const REVIEW_BY = '2027-05-31';

/**
 * docflow's waivers: every exception today's stacks need, each with its reason and its end. A waiver
 * ending with an issue goes in the change that fixes it (the policy reports a waiver that covers
 * nothing as stale, and `npm test` fails on a stale waiver); a dated one lapses on its date and the
 * rule fails again until someone fixes the stacks or renews the waiver with a reason.
 */
export const DOCFLOW_WAIVERS: readonly Waiver[] = [
  // ---- choices, reviewed by a date ----
  {
    rule: 'CKV_AWS_161',
    profiles: ALL_PROFILES,
    stacks: ['data'],
    reason: 'the services log in as their own roles with passwords in Secrets Manager, rotated by the db-admin task; IAM database authentication needs 300 to 1000 MiB more memory on the instance (db.t4g.micro has 1 GiB) and cannot be exercised on the local PostgreSQL (docs/decisions.md)',
    until: { date: REVIEW_BY },
  },
  {
    rule: 'CKV_AWS_145',
    profiles: ['standard'],
    stacks: ['platform', 'foundation'],
    reason: 'ELB access log delivery supports SSE-S3 only (the ALB log bucket); the Terraform state bucket stays SSE-S3 so that the plan role needs no key (state holds no secret values: stacks/src/ci-roles.test.ts)',
    until: { date: REVIEW_BY },
  },
  {
    rule: 'CKV_AWS_145',
    profiles: ['lean'],
    environments: ['staging'],
    reason: 'keys: aws-managed in the table: buckets use SSE-S3; a customer-managed key (about $1 a month each, docs/infrastructure.md "Keys") is prod\'s choice',
    until: { date: REVIEW_BY },
  },
  {
    rule: 'CKV_AWS_158',
    profiles: ['lean'],
    environments: ['staging'],
    reason: 'keys: aws-managed in the table: log groups use the CloudWatch Logs service key; prod encrypts them with its logs key',
    until: { date: REVIEW_BY },
  },
  {
    rule: 'CKV_AWS_149',
    profiles: ['lean'],
    environments: ['staging'],
    reason: 'keys: aws-managed in the table: secrets use the AWS-managed Secrets Manager key; prod encrypts them with its data key',
    until: { date: REVIEW_BY },
  },
  {
    rule: 'CKV_AWS_260',
    profiles: ['standard'],
    stacks: ['platform'],
    reason: 'the public ALB accepts port 80 only to answer with a permanent redirect to HTTPS (CKV2_AWS_20 checks the redirect)',
    until: { date: REVIEW_BY },
  },
  {
    rule: 'CKV_AWS_333',
    profiles: ['lean'],
    reason: 'lean has no NAT gateway: tasks reach ECR, SQS, S3, Secrets Manager and CloudWatch through a public IP; their security groups accept traffic only from the API Gateway VPC link',
    until: { date: REVIEW_BY },
  },
  {
    rule: 'CKV_AWS_129',
    profiles: ['lean'],
    stacks: ['data'],
    reason: 'lean keeps PostgreSQL logs in RDS only (no CloudWatch export) to stay inside its budget; standard exports them',
    until: { date: REVIEW_BY },
  },
  {
    rule: 'CKV_AWS_293',
    profiles: ['lean'],
    environments: ['staging'],
    stacks: ['data'],
    reason: 'non-production databases are rebuilt from code and removed by the destroy target; prod has deletion protection',
    until: { date: REVIEW_BY },
  },
  {
    rule: 'CKV_AWS_150',
    environments: ['staging'],
    stacks: ['platform'],
    reason: 'the staging ALB is removed by the destroy target; prod has deletion protection',
    until: { date: REVIEW_BY },
  },
  {
    rule: 'CKV_AWS_338',
    profiles: ALL_PROFILES,
    reason: 'log retention is 7 days (dev), 30 (staging) and 90 (prod) to keep CloudWatch storage cheap; the audit trail lives longer in the CloudTrail bucket (trailRetentionDays in the table)',
    until: { date: REVIEW_BY },
  },
];
