import { describe, expect, it } from 'vitest';
import { maskSecrets } from '@docflow/delivery/masking';
import { renderPlanComment } from '@docflow/delivery';
import { diffApps } from '../config-diff/diff.js';
import { estimateCost } from '../cost/estimate.js';
import { evaluatePolicy } from '../policy/engine.js';
import { appFromStacks } from '../synthesized.js';
import type { TerraformJson } from '../terraform-json.js';
import { configDiffHeadline, configDiffMarkdown } from './config-diff.js';
import { costHeadline, costMarkdown } from './cost.js';
import { policyHeadline, policyMarkdown } from './policy.js';

/**
 * The guardrails' sections in delivery's pull-request comment, the way pr-diff.yml puts them there
 * (`--section Policy=policy.md` and so on): each under its heading, secrets masked, all of it
 * within GitHub's limit.
 */
const PASSWORD = 'correct-horse-battery-staple';
const stack = (queue: Record<string, unknown>, environment: { name: string; value: string }[]): TerraformJson => ({
  provider: { aws: [{ region: 'eu-west-1', default_tags: [{ tags: { project: 'docflow', env: 'staging', stack: 'x', profile: 'standard' } }] }] },
  resource: {
    aws_sqs_queue: { Queue: { sqs_managed_sse_enabled: true, ...queue } },
    aws_nat_gateway: { Nat: {} },
    aws_ecs_task_definition: { Task: { cpu: '256', memory: '512', container_definitions: JSON.stringify([{ name: 'api', readonlyRootFilesystem: true, environment }]) } },
  },
});
const base = appFromStacks({ 'staging-x': stack({}, [{ name: 'LOG_LEVEL', value: 'info' }]) });
const head = appFromStacks({ 'staging-x': stack({ visibility_timeout_seconds: 60 }, [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'DB_PASSWORD', value: PASSWORD }]) });
const policy = evaluatePolicy(head, { waivers: [] });
const cost = estimateCost(head);
const diff = { base: { ref: 'origin/main', commit: 'c'.repeat(40) }, head: 'the working tree', ...diffApps(base, head, maskSecrets) };
const sections = [
  { title: 'Policy', markdown: `${policyMarkdown(policy)}\n`, headline: policyHeadline(policy) },
  { title: 'Cost', markdown: `${costMarkdown(cost)}\n`, headline: costHeadline(cost) },
  { title: 'Config diff', markdown: `${configDiffMarkdown(diff)}\n`, headline: configDiffHeadline(diff) },
];

describe("the guardrails' sections in delivery's comment", () => {
  it('GIVEN a change that adds a password to a container THEN the comment carries each section under its heading, headlines at the top, the password nowhere', () => {
    const comment = renderPlanComment([], { env: 'staging', sections });
    // the queue without a DLQ, and the password
    expect(comment).toContain('**Policy**: ❌ 2 blocking findings\n**Cost**: 💰 staging 35.52 USD a month\n**Config diff**: 🔀 1 stack: +0 ~2 -0');
    expect(comment).toContain('### Policy\n\n**❌ 2 blocking findings**');
    expect(comment).toContain('| fail | DOCFLOW_CONTAINER_SECRETS | staging | x | `aws_ecs_task_definition.Task` | container api: environment variable DB_PASSWORD looks like a secret (pass it in secrets) |');
    expect(comment).toContain('### Cost\n\n**💰 staging 35.52 USD a month**');
    expect(comment).toContain('### Config diff\n\n**🔀 1 stack: +0 ~2 -0**');
    expect(comment).toContain('+   container_definitions (JSON)[name=api].environment[name=DB_PASSWORD]: {"name":"DB_PASSWORD","value":"(masked)"}');
    expect(comment).not.toContain(PASSWORD);
  });

  it('GIVEN a small budget THEN the sections are cut from their end and the comment stays within it', () => {
    const comment = renderPlanComment([], { env: 'staging', sections, limit: 2_500 });
    expect(comment.length).toBeLessThanOrEqual(2_500);
    for (const title of ['Policy', 'Cost', 'Config diff']) expect(comment).toContain(`### ${title}\n\n**`);
  });
});
