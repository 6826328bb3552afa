/** The parts of a synthesized cdk.tf.json the tests and policy checks read. */
export interface TerraformJson {
  readonly resource?: Record<string, Record<string, TerraformBlock>>;
  readonly data?: Record<string, Record<string, TerraformBlock>>;
  readonly output?: Record<string, TerraformBlock>;
  readonly provider?: Record<string, TerraformBlock[]>;
  readonly terraform?: TerraformBlock;
  readonly variable?: Record<string, TerraformBlock>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized JSON is untyped by nature
export type TerraformBlock = Record<string, any>;

export interface NamedBlock {
  /** The Terraform resource name (cdktf's unique id). */
  readonly name: string;
  readonly block: TerraformBlock;
}

/** Every resource of `type` in the stack. */
export function resourcesOf(json: TerraformJson, type: string): NamedBlock[] {
  return Object.entries(json.resource?.[type] ?? {}).map(([name, block]) => ({ name, block }));
}

/** The one resource of `type`; throws (naming the count) when there is not exactly one. */
export function onlyResource(json: TerraformJson, type: string): TerraformBlock {
  const [first, ...others] = resourcesOf(json, type);
  if (!first || others.length > 0) throw new Error(`expected exactly one ${type}, found ${others.length + (first ? 1 : 0)}`);
  return first.block;
}

/** Every data source of `type`. */
export function dataSourcesOf(json: TerraformJson, type: string): NamedBlock[] {
  return Object.entries(json.data?.[type] ?? {}).map(([name, block]) => ({ name, block }));
}

/** Container definitions of a task definition, parsed from the JSON string ECS takes. */
export function containerDefinitionsOf(taskDefinition: TerraformBlock): TerraformBlock[] {
  return JSON.parse(taskDefinition['container_definitions'] as string) as TerraformBlock[];
}

/** A policy document stored as a JSON string, parsed. */
export function parsePolicy(policy: string): { Statement: TerraformBlock[] } {
  const parsed = JSON.parse(policy) as { Statement: TerraformBlock | TerraformBlock[] };
  return { Statement: Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement] };
}

/** Actions of a statement as an array. */
export function actionsOf(statement: TerraformBlock): string[] {
  const action = statement['Action'] as string | string[] | undefined;
  return action === undefined ? [] : Array.isArray(action) ? action : [action];
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
