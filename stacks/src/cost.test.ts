import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '@docflow/infra';
import { appFromStacks, estimateCost, GCP_NOT_PRICED, monthlyTotal } from '@docflow/guardrails';
import { synthApp, testApp } from '@docflow/infra/testing';
import { defineDocflow } from './app.js';
import { readSettings } from './settings.js';

/**
 * The cost estimate of every shipped environment, from the stacks as `npm run cost` synthesizes
 * them: every resource is priced (a resource the model cannot price would be missing from the
 * total that issue 8's budgets are compared with), and the totals add up.
 */
const app = testApp();
defineDocflow(app, readSettings(ENVIRONMENTS, {}));
const estimate = estimateCost(appFromStacks(synthApp(app)));

describe('the cost estimate of the shipped environments', () => {
  it('covers every environment of the table', () => {
    expect(estimate.environments.map((env) => env.env).sort()).toEqual(ENVIRONMENTS.map((env) => env.name).sort());
  });

  it.each(ENVIRONMENTS.map((env) => [env.name]))('prices every resource of %s (add a price or a free entry in libs/guardrails/src/cost for a new resource type)', (name) => {
    const env = estimate.environments.find((candidate) => candidate.env === name);
    expect(env?.stacks.flatMap((stack) => stack.unpriced.map((item) => `${stack.stackId} ${item.address}: ${item.reason}`))).toEqual([]);
    expect(monthlyTotal(estimate, name)).toBeCloseTo(env?.stacks.reduce((sum, stack) => sum + stack.monthlyUsd, 0) ?? Number.NaN, 2);
    for (const stack of env?.stacks ?? []) {
      const items = stack.resources.flatMap((resource) => resource.lines.map((line) => line.item));
      // without a repository the foundation holds IAM (free) and, per the table, the domain's zone
      if (stack.stack === 'foundation' && name === 'dev') expect(stack.monthlyUsd, stack.stackId).toBe(0);
      else if (stack.stack === 'foundation') expect(items, stack.stackId).toContain("public hosted zone (the environment's domain)");
      // the GCP stacks are not priced, and say so
      else if (stack.stack.startsWith('gcp-')) expect(stack, stack.stackId).toMatchObject({ monthlyUsd: 0, notPriced: GCP_NOT_PRICED });
      else expect(stack.monthlyUsd, stack.stackId).toBeGreaterThan(0);
    }
    expect(env?.notPricedResources, name).toBeGreaterThan(0);
  });

  it.each(ENVIRONMENTS.map((env) => [env.name, env.monthlyBudgetUsd]))('gives %s a budget (%d USD) at or above its estimate, so that a normal month notifies no one', (name, budgetUsd) => {
    expect(budgetUsd).toBeGreaterThanOrEqual(monthlyTotal(estimate, name));
  });

  it('charges what prod keeps in its copy region (replica bucket, copy vault key, copied and replicated backups) at that region\'s prices, and what it sends there at its own', () => {
    const copyRegion = ENVIRONMENTS.find((env) => env.name === 'prod')?.backup?.copyRegion;
    const prod = estimate.environments.find((env) => env.env === 'prod');
    const charges = (region: string | undefined) =>
      (prod?.stacks ?? []).flatMap((stack) => stack.resources.flatMap((resource) => resource.lines.filter((line) => line.region === region).map((line) => `${stack.stack}: ${line.item}`))).sort();
    expect(copyRegion).toBe('eu-central-1');
    expect(charges(copyRegion)).toEqual([
      'data: copies of rule daily in the copy region (35 days kept) [eu-central-1]',
      'data: copies of rule hourly in the copy region (2 days kept) [eu-central-1]',
      'data: point-in-time backups replicated to the copy region (30 days) [eu-central-1]',
      'data: replicas of the document bodies (6 months kept) [eu-central-1]',
      'data: replication PUT requests (one per document) [eu-central-1]',
      'foundation: customer-managed KMS key [eu-central-1]',
    ]);
    expect(charges(prod?.region)).toEqual(expect.arrayContaining(['data: database changes sent to the copy region', 'data: document bodies sent to the replica region']));
  });

  it('charges the worker as each profile runs it: one Spot task per message in lean, a service in standard', () => {
    const items = (name: string) => estimate.environments.find((env) => env.env === name)?.stacks.find((stack) => stack.stack === 'worker')?.resources.flatMap((resource) => resource.lines.map((line) => line.item));
    expect(items('dev')).toContain('one task per message: Fargate Spot x86 vCPU');
    expect(items('staging')).toContain('docflow-staging-worker tasks: Fargate Spot x86 vCPU');
    expect(items('prod')).toContain('docflow-prod-worker tasks: Fargate x86 vCPU');
  });
});
