import type { CostEstimate } from './estimate.js';

/** How one monthly figure moves between a base (a git ref) and the head (the working tree). */
export interface CostDelta {
  readonly baseUsd: number;
  readonly headUsd: number;
  readonly deltaUsd: number;
}

export interface ItemDelta extends CostDelta {
  readonly stack: string;
  /** `<resource address>: <item>`. */
  readonly item: string;
}

export interface EnvironmentDelta extends CostDelta {
  readonly env: string;
  /** Stacks whose total moved (or that exist on one side only). */
  readonly stacks: readonly (CostDelta & { readonly stack: string })[];
  /** Line items that moved, largest change first. */
  readonly items: readonly ItemDelta[];
}

export interface CostComparison {
  readonly environments: readonly EnvironmentDelta[];
}

const round = (usd: number) => Math.round(usd * 100) / 100;
const delta = (baseUsd: number, headUsd: number): CostDelta => ({ baseUsd: round(baseUsd), headUsd: round(headUsd), deltaUsd: round(headUsd - baseUsd) });

/** What changes in the monthly estimate from `base` to `head`, per environment, stack and line item. */
export function compareCosts(base: CostEstimate, head: CostEstimate): CostComparison {
  const envs = [...new Set([...head.environments.map((env) => env.env), ...base.environments.map((env) => env.env)])];
  return {
    environments: envs.map((env) => {
      const [before, after] = [base, head].map((estimate) => estimate.environments.find((candidate) => candidate.env === env));
      const stackNames = [...new Set([...(after?.stacks ?? []), ...(before?.stacks ?? [])].map((stack) => stack.stack))];
      const stackTotal = (side: typeof before, stack: string) => side?.stacks.find((candidate) => candidate.stack === stack)?.monthlyUsd ?? 0;
      const itemsOf = (side: typeof before) =>
        new Map(
          (side?.stacks ?? []).flatMap((stack) =>
            stack.resources.flatMap((resource) => resource.lines.map((line) => [`${stack.stack}\u0000${resource.address}: ${line.item}`, line.monthlyUsd] as const)),
          ),
        );
      const [beforeItems, afterItems] = [itemsOf(before), itemsOf(after)];
      const items = [...new Set([...afterItems.keys(), ...beforeItems.keys()])]
        .map((key) => {
          const [stack = '', item = ''] = key.split('\u0000');
          return { stack, item, ...delta(beforeItems.get(key) ?? 0, afterItems.get(key) ?? 0) };
        })
        .filter((item) => item.deltaUsd !== 0)
        .sort((a, b) => Math.abs(b.deltaUsd) - Math.abs(a.deltaUsd));
      return {
        env,
        ...delta(before?.monthlyUsd ?? 0, after?.monthlyUsd ?? 0),
        stacks: stackNames.map((stack) => ({ stack, ...delta(stackTotal(before, stack), stackTotal(after, stack)) })).filter((stack) => stack.deltaUsd !== 0),
        items,
      };
    }),
  };
}
