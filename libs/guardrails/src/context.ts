import { resourceReferencedBy, resourcesReferencedBy, sameResource, type ResourceRef } from './references.js';
import type { SynthesizedApp, SynthesizedStack } from './synthesized.js';
import type { TerraformBlock } from './terraform-json.js';

/** A resource (or data source, `data.<type>`) of a stack. */
export interface Resource {
  readonly stack: SynthesizedStack;
  readonly type: string;
  readonly name: string;
  /** `aws_db_instance.Data_Database_Instance_6D623BFA`: its Terraform address in the stack. */
  readonly address: string;
  /** cdktf's construct path (`prod-data/Data/Database/Instance`), when the JSON carries it. */
  readonly constructPath?: string;
  readonly block: TerraformBlock;
}

/**
 * One stack of a synthesized app, with what a rule or a cost model needs to look beyond it: the
 * resources of the whole environment, and references followed across stacks.
 */
export class StackContext {
  constructor(
    readonly app: SynthesizedApp,
    readonly stack: SynthesizedStack,
  ) {}

  /** Every resource of `type` in this stack (`data.<type>` for data sources). */
  resources(type: string): Resource[] {
    return resourcesIn(this.stack, type);
  }

  /** Every resource of `type` in every stack of this stack's environment. */
  environmentResources(type: string): Resource[] {
    return this.app.stacks.filter((stack) => stack.env === this.stack.env).flatMap((stack) => resourcesIn(stack, type));
  }

  /** The resource a value is exactly a reference to (`"${aws_x.y.arn}"`), followed across stacks. */
  referenced(value: unknown, from: Resource | SynthesizedStack = this.stack): ResourceRef | undefined {
    return resourceReferencedBy(this.app, 'stack' in from ? from.stack : from, value);
  }

  /** Every resource a value mentions (`"${aws_x.y.arn}/*"` mentions aws_x.y). */
  mentioned(value: unknown, from: Resource | SynthesizedStack = this.stack): ResourceRef[] {
    return resourcesReferencedBy(this.app, 'stack' in from ? from.stack : from, value);
  }

  /** The resource a reference resolves to, wherever it lives. */
  lookup(ref: ResourceRef | undefined): Resource | undefined {
    if (!ref) return undefined;
    const stack = this.app.stacks.find((candidate) => candidate.id === ref.stackId);
    return stack ? resourcesIn(stack, ref.type).find((resource) => resource.name === ref.name) : undefined;
  }

  /** Whether `value` refers to `resource` (exactly, or inside a longer string when `inside`). */
  refersTo(value: unknown, resource: Resource, from: Resource | SynthesizedStack = this.stack, inside = false): boolean {
    const target = { stackId: resource.stack.id, type: resource.type, name: resource.name };
    return inside ? this.mentioned(value, from).some((ref) => sameResource(ref, target)) : sameResource(this.referenced(value, from), target);
  }
}

/** Whether two resources are the same one (rules look resources up afresh, so never compare objects). */
export function isSame(a: Resource | undefined, b: Resource | undefined): boolean {
  return a !== undefined && b !== undefined && a.stack.id === b.stack.id && a.address === b.address;
}

function resourcesIn(stack: SynthesizedStack, type: string): Resource[] {
  const isData = type.startsWith('data.');
  const bareType = isData ? type.slice('data.'.length) : type;
  const blocks = (isData ? stack.json.data : stack.json.resource)?.[bareType] ?? {};
  return Object.entries(blocks).map(([name, block]) => {
    const path = (block['//'] as { metadata?: { path?: string } } | undefined)?.metadata?.path;
    return { stack, type, name, address: `${type}.${name}`, ...(path ? { constructPath: path } : {}), block };
  });
}
