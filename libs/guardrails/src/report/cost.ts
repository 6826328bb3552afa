import type { CostComparison } from '../cost/compare.js';
import type { CostEstimate, EnvironmentCost } from '../cost/estimate.js';
import type { CostLine } from '../cost/model.js';
import { markdownTable, paint, plural, textTable, type Style } from './format.js';

const usd = (value: number) => value.toFixed(2);
const signed = (value: number) => `${value > 0 ? '+' : value < 0 ? '-' : '±'}${Math.abs(value).toFixed(2)}`;
const quantity = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toPrecision(2));

/** Line items of a stack with the same item and unit price summed (ten alarms are one row with count 10). */
function itemRows(env: EnvironmentCost): string[][] {
  const rows: string[][] = [];
  for (const stack of env.stacks) {
    const grouped = new Map<string, { line: CostLine; count: number; quantity: number; monthlyUsd: number }>();
    for (const line of stack.resources.flatMap((resource) => resource.lines)) {
      const key = `${line.item}\u0000${line.unitUsd}`;
      const entry = grouped.get(key) ?? { line, count: 0, quantity: 0, monthlyUsd: 0 };
      grouped.set(key, { ...entry, count: entry.count + 1, quantity: entry.quantity + line.quantity, monthlyUsd: entry.monthlyUsd + line.monthlyUsd });
    }
    for (const { line, count, quantity: total, monthlyUsd } of [...grouped.values()].sort((a, b) => b.monthlyUsd - a.monthlyUsd)) {
      if (monthlyUsd < 0.005) continue;
      rows.push([stack.stack, `${line.item}${count > 1 ? ` (x${count})` : ''}`, `${quantity(total)} ${line.unit}`, String(line.unitUsd), line.basis, usd(monthlyUsd)]);
    }
  }
  return rows;
}

const hasNotPriced = (estimate: CostEstimate) => estimate.environments.some((env) => env.notPricedResources > 0);

function headline(estimate: CostEstimate): string {
  const gcp = hasNotPriced(estimate) ? '; Google Cloud stacks are not priced (not in the totals)' : '';
  const others = estimate.prices.otherRegions.length > 0 ? ` (${estimate.prices.otherRegions.join(', ')} for what is billed there)` : '';
  return `monthly estimate in USD from ${estimate.prices.region} list prices${others} taken ${estimate.prices.takenOn} and the usage in libs/guardrails/src/cost/usage.ts${gcp}`;
}

/** The stacks an environment leaves out entirely, in one line: `not priced: gcp-archive, ... (27 resources): <why>`. */
function notPricedLine(env: EnvironmentCost): string | undefined {
  const stacks = env.stacks.filter((stack) => stack.notPriced !== undefined);
  if (stacks.length === 0) return undefined;
  return `not priced: ${stacks.map((stack) => stack.stack).join(', ')} (${plural(env.notPricedResources, 'resource')}): ${stacks[0]?.notPriced ?? ''}`;
}

/** The estimate for a terminal: totals per environment, then per stack, then the line items. */
export function costText(estimate: CostEstimate, style: Style, comparison?: CostComparison): string {
  const lines = [`docflow cost: ${headline(estimate)}`, ''];
  lines.push(
    textTable(
      ['environment', 'profile', 'monthly', ...(comparison ? ['base', 'change'] : []), 'unpriced'],
      estimate.environments.map((env) => {
        const change = comparison?.environments.find((candidate) => candidate.env === env.env);
        return [env.env, env.profile ?? '', usd(env.monthlyUsd), ...(change ? [usd(change.baseUsd), signed(change.deltaUsd)] : comparison ? ['', ''] : []), String(env.unpriced)];
      }),
      comparison ? [2, 3, 4, 5] : [2, 3],
    ),
  );
  for (const env of estimate.environments) {
    lines.push('', paint(style, 'bold', `${env.env}${env.profile ? ` (${env.profile})` : ''}: ${usd(env.monthlyUsd)} USD a month`));
    lines.push(textTable(['stack', 'monthly'], env.stacks.filter((stack) => stack.notPriced === undefined).map((stack) => [stack.stack, usd(stack.monthlyUsd)]), [1]));
    const notPriced = notPricedLine(env);
    if (notPriced !== undefined) lines.push(paint(style, 'yellow', notPriced));
    lines.push('', textTable(['stack', 'item', 'quantity', 'unit USD', 'from', 'monthly'], itemRows(env), [5]));
    const unpriced = env.stacks.flatMap((stack) => stack.unpriced.map((item) => `  ${stack.stack}  ${item.address}: ${item.reason}`));
    if (unpriced.length > 0) lines.push('', paint(style, 'yellow', `UNPRICED (${unpriced.length}, left out of the total):`), ...unpriced);
    const change = comparison?.environments.find((candidate) => candidate.env === env.env);
    if (change && change.items.length > 0) {
      lines.push('', `changes against the base (${signed(change.deltaUsd)}):`);
      lines.push(textTable(['stack', 'item', 'base', 'head', 'change'], change.items.map((item) => [item.stack, item.item, usd(item.baseUsd), usd(item.headUsd), signed(item.deltaUsd)]), [2, 3, 4]));
    }
  }
  return lines.join('\n');
}

/** The one line that sums the estimate up: each environment's total, and its change against the base. */
export function costHeadline(estimate: CostEstimate, comparison?: CostComparison): string {
  const totals = estimate.environments.map((env) => {
    const change = comparison?.environments.find((candidate) => candidate.env === env.env);
    return `${env.env} ${usd(env.monthlyUsd)}${change && change.deltaUsd !== 0 ? ` (${signed(change.deltaUsd)})` : ''}`;
  });
  return `💰 ${totals.join(' · ')} USD a month${hasNotPriced(estimate) ? ' (AWS; GCP not priced)' : ''}`;
}

/** The cost section of the pull-request comment (the comment gives it its heading). */
export function costMarkdown(estimate: CostEstimate, comparison?: CostComparison): string {
  const lines = [`**${costHeadline(estimate, comparison)}**: ${headline(estimate)}.`];
  if (comparison) {
    const moved = comparison.environments.filter((env) => env.deltaUsd !== 0);
    lines.push('', moved.length === 0 ? 'No change against the base.' : markdownTable(['environment', 'base', 'head', 'change'], moved.map((env) => [env.env, usd(env.baseUsd), usd(env.headUsd), signed(env.deltaUsd)]), [1, 2, 3]));
    for (const env of moved) {
      lines.push('', `<details><summary>${env.env}: ${plural(env.items.length, 'line item')} changed</summary>`, '', markdownTable(['stack', 'item', 'base', 'head', 'change'], env.items.map((item) => [item.stack, item.item, usd(item.baseUsd), usd(item.headUsd), signed(item.deltaUsd)]), [2, 3, 4]), '', '</details>');
    }
  }
  for (const env of estimate.environments) {
    const unpriced = env.unpriced > 0 ? `, ${plural(env.unpriced, 'resource')} unpriced` : '';
    lines.push(
      '',
      `<details><summary>${env.env}${env.profile ? ` (${env.profile})` : ''}: ${usd(env.monthlyUsd)} USD a month${unpriced}</summary>`,
      '',
      markdownTable(['stack', 'monthly'], env.stacks.filter((stack) => stack.notPriced === undefined).map((stack) => [stack.stack, usd(stack.monthlyUsd)]), [1]),
      ...(notPricedLine(env) !== undefined ? ['', `_${notPricedLine(env) ?? ''}_`] : []),
      '',
      markdownTable(['stack', 'item', 'quantity', 'unit USD', 'from', 'monthly'], itemRows(env), [5]),
      '',
      '</details>',
    );
  }
  return lines.join('\n');
}
