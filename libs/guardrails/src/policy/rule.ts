import { resourceReferencedBy, resourcesReferencedBy, sameResource, type ResourceRef } from '../references.js';
import type { SynthesizedApp, SynthesizedStack } from '../synthesized.js';
import type { TerraformBlock } from '../terraform-json.js';

/**
 * What a rule concluded about one resource. `unknown` means the rule could not read a value it
 * needs (an unparsable JSON string, a reference it cannot follow): it never counts as a pass.
 */
export type Status = 'pass' | 'fail' | 'unknown';

export interface Verdict {
  readonly status: Status;
  /** What was found, in words; it names attributes and variables, never a secret's value. */
  readonly message: string;
}

export const pass = (message: string): Verdict => ({ status: 'pass', message });
export const fail = (message: string): Verdict => ({ status: 'fail', message });
export const unknown = (message: string): Verdict => ({ status: 'unknown', message });

/** A resource (or data source, `data.<type>`) of a stack as a rule sees it. */
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

/** One verdict on one resource (or on the stack itself, address `provider.aws`). */
export interface Evaluation extends Verdict {
  readonly address: string;
  readonly constructPath?: string;
}

export interface Rule {
  /** The Checkov id the rule mirrors (`CKV_AWS_16`, `CKV2_AWS_69`), or `DOCFLOW_<NAME>` for docflow's own. */
  readonly id: string;
  readonly title: string;
  /** Only these environments (CKV_AWS_157 is a production rule). @default - every environment */
  readonly environments?: readonly string[];
  /** Every verdict of the rule on one stack; the stack's resources it does not apply to yield none. */
  evaluate(context: RuleContext): Evaluation[];
}

/** What a rule may look at: its stack, and the whole app for references that cross stacks. */
export class RuleContext {
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

function resourcesIn(stack: SynthesizedStack, type: string): Resource[] {
  const isData = type.startsWith('data.');
  const bareType = isData ? type.slice('data.'.length) : type;
  const blocks = (isData ? stack.json.data : stack.json.resource)?.[bareType] ?? {};
  return Object.entries(blocks).map(([name, block]) => {
    const path = (block['//'] as { metadata?: { path?: string } } | undefined)?.metadata?.path;
    return { stack, type, name, address: `${type}.${name}`, ...(path ? { constructPath: path } : {}), block };
  });
}

/**
 * The common shape: one verdict per resource of the listed types. `check` returns undefined for a
 * resource the rule does not apply to (an EC2 service for a Fargate rule).
 */
export function resourceRule(spec: {
  readonly id: string;
  readonly title: string;
  readonly types: readonly string[];
  readonly environments?: readonly string[];
  readonly check: (resource: Resource, context: RuleContext) => Verdict | undefined;
}): Rule {
  return {
    id: spec.id,
    title: spec.title,
    ...(spec.environments ? { environments: spec.environments } : {}),
    evaluate: (context) =>
      spec.types
        .flatMap((type) => context.resources(type))
        .flatMap((resource) => {
          const verdict = spec.check(resource, context);
          return verdict ? [evaluationOf(resource, verdict)] : [];
        }),
  };
}

/** Whether two resources are the same one (rules look resources up afresh, so never compare objects). */
export function isSame(a: Resource | undefined, b: Resource | undefined): boolean {
  return a !== undefined && b !== undefined && a.stack.id === b.stack.id && a.address === b.address;
}

export function evaluationOf(resource: Resource, verdict: Verdict): Evaluation {
  return { ...verdict, address: resource.address, ...(resource.constructPath ? { constructPath: resource.constructPath } : {}) };
}
