import { StackContext, type Resource } from '../context.js';
import { environmentsOf, type SynthesizedApp } from '../synthesized.js';
import { priceResource, regionOf, type CostLine } from './model.js';
import { OTHER_REGION_PRICES, REGION, TAKEN_ON } from './prices.js';
import { USAGE, usageFor, type UsageAssumptions } from './usage.js';

/** One resource's monthly charges. */
export interface ResourceCost {
  readonly address: string;
  readonly constructPath?: string;
  readonly type: string;
  readonly monthlyUsd: number;
  readonly lines: readonly CostLine[];
}

/** A resource the model has no price for: reported, never counted as $0. */
export interface UnpricedResource {
  readonly address: string;
  readonly constructPath?: string;
  readonly type: string;
  readonly reason: string;
}

export interface StackCost {
  readonly stackId: string;
  /** The stack's short name (`data`). */
  readonly stack: string;
  readonly monthlyUsd: number;
  /**
   * Why the whole stack is left out of the estimate: a Google Cloud stack (the price table holds
   * AWS list prices only). Its resources are counted in `notPricedResources`, not as unpriced.
   */
  readonly notPriced?: string;
  readonly resources: readonly ResourceCost[];
  readonly unpriced: readonly UnpricedResource[];
}

export interface EnvironmentCost {
  readonly env: string;
  readonly region: string;
  readonly profile?: string;
  /** The environment's estimated monthly total, USD (what issue 8's budgets are compared with). */
  readonly monthlyUsd: number;
  readonly stacks: readonly StackCost[];
  /** Resources left out of the total because the model cannot price them. */
  readonly unpriced: number;
  /** Resources of stacks the estimate does not price at all (the GCP stacks): left out, and said so. */
  readonly notPricedResources: number;
  readonly usage: UsageAssumptions;
}

export interface CostEstimate {
  readonly currency: 'USD';
  /**
   * The pinned price table: its region, the other regions it prices the charges billed there of
   * (the copy region), and the date its prices were taken.
   */
  readonly prices: { readonly region: string; readonly otherRegions: readonly string[]; readonly takenOn: string };
  readonly environments: readonly EnvironmentCost[];
}

export interface CostOptions {
  /** @default USAGE (libs/guardrails/src/cost/usage.ts) */
  readonly usage?: typeof USAGE;
}

const round = (usd: number) => Math.round(usd * 100) / 100;

/** The monthly estimate of every environment of the app, per stack and resource. */
export function estimateCost(app: SynthesizedApp, options: CostOptions = {}): CostEstimate {
  return {
    currency: 'USD',
    prices: { region: REGION, otherRegions: Object.keys(OTHER_REGION_PRICES), takenOn: TAKEN_ON },
    environments: environmentsOf(app).map((env) => estimateEnvironment(app, env, options.usage ?? USAGE)),
  };
}

function estimateEnvironment(app: SynthesizedApp, env: string, usageTable: typeof USAGE): EnvironmentCost {
  const usage = usageFor(env, usageTable);
  const stacks = app.stacks.filter((stack) => stack.env === env);
  const region = String(stacks[0]?.json.provider?.['aws']?.[0]?.['region'] ?? REGION);
  const stackCosts = stacks.map((stack): StackCost => {
    const context = new StackContext(app, stack);
    if (isGoogleStack(stack.json)) {
      return { stackId: stack.id, stack: stack.name, monthlyUsd: 0, resources: [], unpriced: [], notPriced: GCP_NOT_PRICED };
    }
    const resources: ResourceCost[] = [];
    const unpriced: UnpricedResource[] = [];
    const homeRegion = String(stack.json.provider?.['aws']?.[0]?.['region'] ?? REGION);
    for (const resource of allResources(context)) {
      const where = { address: resource.address, ...(resource.constructPath ? { constructPath: resource.constructPath } : {}), type: resource.type };
      // each resource in its own region (a per-resource `region`, a provider alias), each charge where it is billed
      const priced = priceResource(resource, { context, usage, region: regionOf(resource), homeRegion });
      if ('unpriced' in priced) unpriced.push({ ...where, reason: priced.unpriced });
      else if ('lines' in priced) {
        if (priced.notPricedThere.length > 0) {
          const table = [REGION, ...Object.keys(OTHER_REGION_PRICES)].join(', ');
          unpriced.push({ ...where, reason: `the price table (${table}) has no price for ${priced.notPricedThere.join('; ')}` });
        }
        if (priced.lines.length > 0) {
          const lines = priced.lines.map((item) => ({ ...item, monthlyUsd: round(item.monthlyUsd) }));
          resources.push({ ...where, monthlyUsd: round(lines.reduce((sum, item) => sum + item.monthlyUsd, 0)), lines });
        }
      }
    }
    return { stackId: stack.id, stack: stack.name, monthlyUsd: round(resources.reduce((sum, item) => sum + item.monthlyUsd, 0)), resources, unpriced };
  });
  return {
    env,
    region,
    ...(stacks[0]?.profile ? { profile: stacks[0].profile } : {}),
    monthlyUsd: round(stackCosts.reduce((sum, stack) => sum + stack.monthlyUsd, 0)),
    stacks: stackCosts,
    unpriced: stackCosts.reduce((sum, stack) => sum + stack.unpriced.length, 0),
    notPricedResources: stacks.filter((stack) => isGoogleStack(stack.json)).reduce((sum, stack) => sum + countResources(stack.json), 0),
    usage,
  };
}

/** Why a GCP stack is left out: said in every report, so that a total is never read as covering Google Cloud. */
export const GCP_NOT_PRICED = 'Google Cloud: not priced (the price table holds AWS list prices only)';

/** A stack for Google Cloud only: a google provider and no aws provider. */
function isGoogleStack(json: SynthesizedApp['stacks'][number]['json']): boolean {
  return json.provider?.['google'] !== undefined && json.provider?.['aws'] === undefined;
}

function countResources(json: SynthesizedApp['stacks'][number]['json']): number {
  return Object.values(json.resource ?? {}).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
}

function allResources(context: StackContext): Resource[] {
  return Object.keys(context.stack.json.resource ?? {}).flatMap((type) => context.resources(type));
}

/** The estimated monthly total of one environment, USD: what a budget for it should be at least. */
export function monthlyTotal(estimate: CostEstimate, env: string): number {
  const found = estimate.environments.find((candidate) => candidate.env === env);
  if (!found) throw new Error(`monthlyTotal: no environment ${env} in the estimate (it has ${estimate.environments.map((candidate) => candidate.env).join(', ')})`);
  return found.monthlyUsd;
}
