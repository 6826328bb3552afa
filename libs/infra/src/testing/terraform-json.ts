import { parsePolicy, resourcesOf, type NamedBlock, type TerraformBlock, type TerraformJson } from '@docflow/guardrails';

/** Test helpers over synthesized JSON; the reading functions themselves live in @docflow/guardrails. */

/** The one resource of `type`; throws (naming the count) when there is not exactly one. */
export function onlyResource(json: TerraformJson, type: string): TerraformBlock {
  const [first, ...others] = resourcesOf(json, type);
  if (!first || others.length > 0) throw new Error(`expected exactly one ${type}, found ${others.length + (first ? 1 : 0)}`);
  return first.block;
}

/** The resource of `type` that `matches`; throws when none does. */
export function findResource(json: TerraformJson, type: string, matches: (resource: NamedBlock) => boolean): NamedBlock {
  const found = resourcesOf(json, type).find(matches);
  if (!found) throw new Error(`no ${type} matches`);
  return found;
}

/** Statements of the inline role policy whose resource name contains `namePart`. */
export function rolePolicyStatements(json: TerraformJson, namePart: string): TerraformBlock[] {
  return parsePolicy(findResource(json, 'aws_iam_role_policy', ({ name }) => name.includes(namePart)).block['policy'] as string).Statement;
}

/** `items[index]`, or an error naming the index (instead of a non-null assertion). */
export function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`no item at index ${index} (length ${items.length})`);
  return item;
}
