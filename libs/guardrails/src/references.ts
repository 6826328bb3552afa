import type { SynthesizedApp, SynthesizedStack } from './synthesized.js';

/**
 * Terraform references in synthesized JSON (`${aws_sqs_queue.Queue_1A2B.arn}`), followed across
 * stacks: cdktf turns a cross-stack reference into an output upstream and a
 * `data.terraform_remote_state.cross-stack-reference-input-<stack id>.outputs.<output>` downstream,
 * so a reference resolves to the resource that really holds the value.
 */
export interface ResourceRef {
  /** The stack that declares the resource. */
  readonly stackId: string;
  /** `aws_sqs_queue`, or `data.<type>` for a data source. */
  readonly type: string;
  readonly name: string;
  /** `arn`, `id`, `url`, ... @default - the whole resource */
  readonly attribute?: string;
}

const INTERPOLATION = /\$\{([^{}]*)\}/g;
const REMOTE_OUTPUT = /^data\.terraform_remote_state\.([^.]+)\.outputs\.([^.[\s]+)$/;
const TRAVERSAL = /^(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_.[\]]+))?$/;
const NOT_RESOURCES = new Set(['var', 'local', 'module', 'each', 'count', 'path', 'terraform', 'self']);
/** cdktf's name for the remote state of an upstream stack. */
const CROSS_STACK_INPUT = 'cross-stack-reference-input-';

/** Whether `value` holds a Terraform expression (a value only known at plan or apply time). */
export function hasReference(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

/** The expressions interpolated in `value`, in order (`"${a.b.c}:*"` gives `["a.b.c"]`). */
export function expressionsIn(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  return [...value.matchAll(INTERPOLATION)].map((match) => (match[1] ?? '').trim());
}

/** Every resource `value` refers to, resolved across stacks (an expression that is no resource, such as `var.x`, is left out). */
export function resourcesReferencedBy(app: SynthesizedApp, stack: SynthesizedStack, value: unknown): ResourceRef[] {
  return expressionsIn(value).flatMap((expression) => {
    const ref = resolveExpression(app, stack, expression, 0);
    return ref ? [ref] : [];
  });
}

/** The resource `value` refers to when it is exactly one reference (`"${aws_x.y.arn}"`), else undefined. */
export function resourceReferencedBy(app: SynthesizedApp, stack: SynthesizedStack, value: unknown): ResourceRef | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^\$\{([^{}]*)\}$/.exec(value);
  return match ? resolveExpression(app, stack, (match[1] ?? '').trim(), 0) : undefined;
}

/** Whether two references name the same resource (attributes aside). */
export function sameResource(a: ResourceRef | undefined, b: ResourceRef | undefined): boolean {
  return a !== undefined && b !== undefined && a.stackId === b.stackId && a.type === b.type && a.name === b.name;
}

/** `aws_sqs_queue.Queue_1A2B` in stack `dev-data`, for messages. */
export function describeRef(ref: ResourceRef, from?: SynthesizedStack): string {
  const address = `${ref.type}.${ref.name}`;
  return from && from.id === ref.stackId ? address : `${address} (${ref.stackId})`;
}

function resolveExpression(app: SynthesizedApp, stack: SynthesizedStack, expression: string, depth: number): ResourceRef | undefined {
  if (depth > 8) return undefined;
  const remote = REMOTE_OUTPUT.exec(expression);
  if (remote) {
    const [, stateName = '', outputName = ''] = remote;
    const upstreamId = upstreamStackId(stack, stateName);
    const upstream = app.stacks.find((candidate) => candidate.id === upstreamId);
    const value = upstream?.json.output?.[outputName]?.['value'];
    const inner = typeof value === 'string' ? /^\$\{([^{}]*)\}$/.exec(value) : null;
    return upstream && inner ? resolveExpression(app, upstream, (inner[1] ?? '').trim(), depth + 1) : undefined;
  }
  const traversal = TRAVERSAL.exec(expression);
  if (!traversal) return undefined;
  const [, data, type = '', name = '', attribute] = traversal;
  if (!data && NOT_RESOURCES.has(type)) return undefined;
  return { stackId: stack.id, type: data ? `data.${type}` : type, name, ...(attribute ? { attribute } : {}) };
}

function upstreamStackId(stack: SynthesizedStack, stateName: string): string | undefined {
  if (stateName.startsWith(CROSS_STACK_INPUT)) return stateName.slice(CROSS_STACK_INPUT.length);
  const config = stack.json.data?.['terraform_remote_state']?.[stateName]?.['config'] as Record<string, unknown> | undefined;
  const path = String(config?.['path'] ?? config?.['key'] ?? '');
  return /([^/]+?)\.tfstate$/.exec(path)?.[1]?.replace(/^terraform\./, '');
}
