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

/** Container definitions of a task definition, parsed from the JSON string ECS takes. */
export function containerDefinitionsOf(taskDefinition: TerraformBlock): TerraformBlock[] {
  return JSON.parse(taskDefinition['container_definitions'] as string) as TerraformBlock[];
}

/** A policy document stored as a JSON string, parsed. */
export function parsePolicy(policy: string): { Statement: TerraformBlock[] } {
  const parsed = JSON.parse(policy) as { Statement: TerraformBlock | TerraformBlock[] };
  return { Statement: Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement] };
}
