import { hasReference } from '../references.js';
import type { TerraformBlock } from '../terraform-json.js';
import { fail, pass, unknown, type Verdict } from './rule.js';

/**
 * Reading attribute values the way Terraform does: booleans may be strings, nested blocks may be
 * rendered as one object or as a list, and any value may be an expression known only at apply time.
 */
export type Flag = 'true' | 'false' | 'absent' | 'expression';

export function flag(value: unknown): Flag {
  if (value === undefined || value === null) return 'absent';
  if (value === true || value === 'true') return 'true';
  if (value === false || value === 'false') return 'false';
  return hasReference(value) ? 'expression' : 'false';
}

/** A nested block as a list: cdktf writes a single block as an object and repeated blocks as a list. */
export function blocks(value: unknown): TerraformBlock[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((item): item is TerraformBlock => typeof item === 'object' && item !== null);
}

/** A value that may be one string or a list of them, as a list. */
export function strings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** A number, or undefined when absent; NaN when it is an expression or not a number. */
export function numberOf(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return Number.NaN;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly verdict: Verdict };

/**
 * A JSON-string attribute (container definitions, policies, redrive policies) parsed, or an
 * `unknown` verdict naming the attribute when it cannot be: a rule that cannot read a value never passes it.
 */
export function parseJsonAttribute<T = unknown>(block: TerraformBlock, attribute: string): Parsed<T> {
  const raw = block[attribute];
  if (typeof raw !== 'string') {
    return { ok: false, verdict: unknown(`${attribute} is ${raw === undefined ? 'missing' : 'not a JSON string'}, so it cannot be read`) };
  }
  try {
    return { ok: true, value: JSON.parse(raw) as T };
  } catch {
    const why = /^\s*\$\{/.test(raw) ? 'it is computed at apply time' : 'it is not valid JSON';
    return { ok: false, verdict: unknown(`${attribute} cannot be read: ${why}`) };
  }
}

/** A verdict on a boolean attribute that must be true (`absentPasses` when the provider's default is true). */
export function requireTrue(block: TerraformBlock, attribute: string, absentPasses = false): Verdict {
  const actual = flag(block[attribute]);
  if (actual === 'expression') return unknown(`${attribute} is computed at apply time`);
  if (actual === 'absent') return absentPasses ? pass(`${attribute} is left at its default (true)`) : fail(`${attribute} is not set (it must be true)`);
  return actual === 'true' ? pass(`${attribute} is true`) : fail(`${attribute} is false (it must be true)`);
}
