import type { EventRuleDefinition, InputTransformer } from '@docflow/contracts';

/**
 * The part of EventBridge's rule matching and input transformation that docflow's rules use,
 * for the local emulation: values, `prefix`, `anything-but` (values or a prefix), `exists` and
 * `$or`; JSON paths with dots and array indices; text and JSON-string templates, filled unescaped
 * (a string template keeps its quotes, as EventBridge delivers it). Any other operator or a JSON
 * object template throws, so the emulation never quietly differs from AWS. Hand-written
 * because no maintained npm package implements EventBridge patterns offline (docs/decisions.md).
 */

type Matcher = unknown;

/** Whether `event` matches an EventBridge event pattern. */
export function matchesEventPattern(pattern: Readonly<Record<string, unknown>>, event: unknown): boolean {
  return matchFields(pattern, [event]);
}

function matchFields(pattern: Readonly<Record<string, unknown>>, nodes: readonly unknown[]): boolean {
  for (const [key, expected] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(expected) || expected.length < 2) throw new Error('$or takes a list of at least two patterns');
      if (!expected.some((alternative) => matchFields(alternative as Record<string, unknown>, nodes))) return false;
      continue;
    }
    const values = nodes.flatMap((node) => valuesAt(node, key));
    const matched = Array.isArray(expected) ? matchLeaf(expected, values) : matchFields(expected as Record<string, unknown>, values);
    if (!matched) return false;
  }
  return true;
}

/** The values under `key`, arrays flattened as EventBridge flattens them. */
function valuesAt(node: unknown, key: string): unknown[] {
  if (Array.isArray(node)) return node.flatMap((element) => valuesAt(element, key));
  if (typeof node !== 'object' || node === null || !(key in node)) return [];
  const value = (node as Record<string, unknown>)[key];
  return Array.isArray(value) ? value : [value];
}

function matchLeaf(matchers: readonly Matcher[], values: readonly unknown[]): boolean {
  return matchers.some((matcher) => {
    if (matcher === null || typeof matcher !== 'object') return values.some((value) => value === matcher);
    const [operator, argument, ...more] = Object.entries(matcher as Record<string, unknown>).flat();
    if (more.length > 0) throw new Error(`one operator per matcher, got ${JSON.stringify(matcher)}`);
    switch (operator) {
      case 'prefix':
        return values.some((value) => typeof value === 'string' && value.startsWith(argument as string));
      case 'exists':
        return (values.length > 0) === argument;
      case 'anything-but':
        return values.length > 0 && values.every((value) => !isExcluded(argument, value));
      default:
        throw new Error(`the local emulation does not know the pattern operator ${JSON.stringify(operator)}`);
    }
  });
}

function isExcluded(excluded: unknown, value: unknown): boolean {
  if (Array.isArray(excluded)) return excluded.includes(value);
  if (excluded !== null && typeof excluded === 'object') {
    const { prefix, ...rest } = excluded as { prefix?: unknown };
    if (typeof prefix !== 'string' || Object.keys(rest).length > 0) {
      throw new Error(`the local emulation knows anything-but with values or a prefix, got ${JSON.stringify(excluded)}`);
    }
    return typeof value === 'string' && value.startsWith(prefix);
  }
  return value === excluded;
}

/** What EventBridge sends the target: the template with each `<variable>` filled from the event. */
export function applyInputTransformer(transformer: InputTransformer, event: unknown): string {
  if (transformer.inputTemplate.trimStart().startsWith('{')) {
    throw new Error('the local emulation fills text and JSON-string templates only (JSON object templates quote and escape differently)');
  }
  return transformer.inputTemplate.replace(/<([A-Za-z0-9_.-]+)>/g, (placeholder, name: string) => {
    const path = transformer.inputPaths[name];
    if (path === undefined) return placeholder;
    const value = valueAtPath(event, path);
    // a path that is not in the event creates no variable: it fills nothing
    if (value === undefined) return '';
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}

/** `$.detail.overrides.containerOverrides[0].environment[0].value` → the value there. */
function valueAtPath(event: unknown, path: string): unknown {
  if (!path.startsWith('$.')) throw new Error(`JSON path must start with $., got ${path}`);
  let node = event;
  for (const step of path.slice(2).split('.')) {
    const [, key, indices = ''] = /^([^[\]]+)((?:\[\d+\])*)$/.exec(step) ?? [];
    if (key === undefined) throw new Error(`the local emulation cannot read the JSON path step ${step} of ${path}`);
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
    for (const [, index] of indices.matchAll(/\[(\d+)\]/g)) {
      node = Array.isArray(node) ? node[Number(index)] : undefined;
    }
  }
  return node;
}

/** Both halves of a rule: whether it matches, and what it sends when it does. */
export function evaluateRule(rule: EventRuleDefinition, event: unknown): string | undefined {
  return matchesEventPattern(rule.eventPattern, event) ? applyInputTransformer(rule.inputTransformer, event) : undefined;
}
