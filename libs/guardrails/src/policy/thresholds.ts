/**
 * The numbers docflow's own rules hold the stacks to. The constructs in libs/infra import them too,
 * so a construct refuses up front what the policy would flag after synthesis.
 */

/** The fewest receives before a queue dead-letters a message: a passing outage must not dead-letter the backlog. */
export const MIN_MAX_RECEIVE_COUNT = 5;

/** A queue's visibility timeout is at least this many times its consumers' processing timeout (AWS's rule of thumb). */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/**
 * The tag on a worker's task definition that declares its processing timeout in seconds: the
 * synthesized JSON has no other place that says how long one message may take.
 */
export const PROCESSING_TIMEOUT_TAG = 'docflow:processing-timeout-seconds';

/** The variable names every docflow stack's provider sets as default tags. */
export const REQUIRED_TAGS = ['project', 'env', 'stack'] as const;
