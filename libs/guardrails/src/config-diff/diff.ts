import type { SynthesizedApp, SynthesizedStack } from '../synthesized.js';
import type { TerraformBlock, TerraformJson } from '../terraform-json.js';

/**
 * What changes in the synthesized Terraform between two apps, per stack, resource and attribute.
 * JSON-string attributes (container definitions, policies) are compared as JSON, so one changed
 * environment variable is one change, not a whole new string. Every value in the result has been
 * through `mask`, so a secret never reaches a report.
 */
export interface AttributeChange {
  /** `tags.env`, `container_definitions (JSON)[name=worker].environment[name=LOG_LEVEL].value`. */
  readonly path: string;
  /** Absent when the attribute is new. */
  readonly before?: unknown;
  /** Absent when the attribute is gone. */
  readonly after?: unknown;
}

export type Action = 'create' | 'delete' | 'update';

export interface BlockChange {
  /** `aws_sqs_queue.Data_Queues_Queue_A9A7699B`, `data.aws_caller_identity.X`, `output.x`, `provider.aws`, `terraform`. */
  readonly address: string;
  readonly constructPath?: string;
  readonly action: Action;
  /** For an update, each attribute that differs; for a create or delete, none (the whole block). */
  readonly changes: readonly AttributeChange[];
}

export interface StackChange {
  readonly stackId: string;
  readonly env: string;
  readonly stack: string;
  readonly action: Action;
  readonly blocks: readonly BlockChange[];
}

export interface DiffSummary {
  readonly stacks: number;
  readonly create: number;
  readonly update: number;
  readonly delete: number;
}

export interface AppDiff {
  /** Only the stacks that differ. */
  readonly stacks: readonly StackChange[];
  readonly summary: DiffSummary;
}

/** Masks a value stored under `key` (an attribute name, or the `name` of a list entry). */
export type Mask = (value: unknown, key: string | undefined) => unknown;

/** Compares two synthesized apps stack by stack. */
export function diffApps(base: SynthesizedApp, head: SynthesizedApp, mask: Mask): AppDiff {
  const ids = [...new Set([...head.stacks.map((stack) => stack.id), ...base.stacks.map((stack) => stack.id)])];
  const stacks = ids.flatMap((id): StackChange[] => {
    const before = base.stacks.find((stack) => stack.id === id);
    const after = head.stacks.find((stack) => stack.id === id);
    const described = (after ?? before) as SynthesizedStack;
    const blocks = diffStacks(before?.json ?? {}, after?.json ?? {}, mask);
    if (blocks.length === 0) return [];
    return [{ stackId: id, env: described.env, stack: described.name, action: !before ? 'create' : !after ? 'delete' : 'update', blocks }];
  });
  const count = (action: Action) => stacks.reduce((sum, stack) => sum + stack.blocks.filter((block) => block.action === action).length, 0);
  return { stacks, summary: { stacks: stacks.length, create: count('create'), update: count('update'), delete: count('delete') } };
}

/** The addressable blocks of a stack: resources, data sources, outputs, variables, providers and the terraform block. */
function blocksOf(json: TerraformJson): Map<string, TerraformBlock> {
  const blocks = new Map<string, TerraformBlock>();
  for (const [type, byName] of Object.entries(json.resource ?? {})) for (const [name, block] of Object.entries(byName)) blocks.set(`${type}.${name}`, block);
  for (const [type, byName] of Object.entries(json.data ?? {})) for (const [name, block] of Object.entries(byName)) blocks.set(`data.${type}.${name}`, block);
  for (const [name, block] of Object.entries(json.output ?? {})) blocks.set(`output.${name}`, block);
  for (const [name, block] of Object.entries(json.variable ?? {})) blocks.set(`variable.${name}`, block);
  for (const [name, list] of Object.entries(json.provider ?? {})) {
    for (const block of list) blocks.set(block['alias'] ? `provider.${name}.${String(block['alias'])}` : `provider.${name}`, block);
  }
  if (json.terraform) blocks.set('terraform', json.terraform);
  return blocks;
}

function constructPathOf(block: TerraformBlock | undefined): string | undefined {
  return (block?.['//'] as { metadata?: { path?: string } } | undefined)?.metadata?.path;
}

function diffStacks(before: TerraformJson, after: TerraformJson, mask: Mask): BlockChange[] {
  const [old, current] = [blocksOf(before), blocksOf(after)];
  const addresses = [...new Set([...current.keys(), ...old.keys()])].sort();
  return addresses.flatMap((address): BlockChange[] => {
    const [a, b] = [old.get(address), current.get(address)];
    const path = constructPathOf(b) ?? constructPathOf(a);
    const where = { address, ...(path ? { constructPath: path } : {}) };
    if (!a) return [{ ...where, action: 'create', changes: [] }];
    if (!b) return [{ ...where, action: 'delete', changes: [] }];
    const changes: AttributeChange[] = [];
    diffValues(withoutMetadata(a), withoutMetadata(b), '', undefined, mask, changes);
    return changes.length > 0 ? [{ ...where, action: 'update', changes }] : [];
  });
}

function withoutMetadata(block: TerraformBlock): TerraformBlock {
  const { '//': _metadata, ...rest } = block;
  return rest;
}

/** A string that holds a JSON object or list, parsed; anything else undefined. */
function jsonString(value: unknown): unknown {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (!/^[[{]/.test(trimmed)) return undefined;
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A list whose entries are objects with distinct string names (environment variables, containers, parameters). */
function namedEntries(list: unknown[]): Map<string, unknown> | undefined {
  if (list.length === 0 || !list.every((item) => isRecord(item) && typeof item['name'] === 'string')) return undefined;
  const byName = new Map(list.map((item) => [String((item as Record<string, unknown>)['name']), item] as const));
  return byName.size === list.length ? byName : undefined;
}

const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

function diffValues(before: unknown, after: unknown, path: string, key: string | undefined, mask: Mask, out: AttributeChange[]): void {
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  const [parsedBefore, parsedAfter] = [jsonString(before), jsonString(after)];
  if (parsedBefore !== undefined && parsedAfter !== undefined) {
    return diffValues(parsedBefore, parsedAfter, `${path} (JSON)`, key, mask, out);
  }
  if (isRecord(before) && isRecord(after)) {
    for (const field of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      if (!(field in after)) out.push({ path: join(path, field), before: mask(before[field], field) });
      else if (!(field in before)) out.push({ path: join(path, field), after: mask(after[field], field) });
      else diffValues(before[field], after[field], join(path, field), field, mask, out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const [named, namedAfter] = [namedEntries(before), namedEntries(after)];
    if (named && namedAfter) {
      for (const name of [...new Set([...named.keys(), ...namedAfter.keys()])]) {
        const entryPath = `${path}[name=${name}]`;
        if (!namedAfter.has(name)) out.push({ path: entryPath, before: mask(named.get(name), key) });
        else if (!named.has(name)) out.push({ path: entryPath, after: mask(namedAfter.get(name), key) });
        else diffEntry(named.get(name) as Record<string, unknown>, namedAfter.get(name) as Record<string, unknown>, entryPath, name, mask, out);
      }
      return;
    }
    if (before.length === after.length) {
      before.forEach((item, index) => diffValues(item, after[index], `${path}[${index}]`, key, mask, out));
      return;
    }
  }
  out.push({ path, before: mask(before, key), after: mask(after, key) });
}

/** A named entry: its `value` is masked under the entry's name (`{ name: "DB_PASSWORD", value }`). */
function diffEntry(before: Record<string, unknown>, after: Record<string, unknown>, path: string, name: string, mask: Mask, out: AttributeChange[]): void {
  for (const field of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const fieldKey = field === 'value' ? name : field;
    if (!(field in after)) out.push({ path: join(path, field), before: mask(before[field], fieldKey) });
    else if (!(field in before)) out.push({ path: join(path, field), after: mask(after[field], fieldKey) });
    else diffValues(before[field], after[field], join(path, field), fieldKey, mask, out);
  }
}
