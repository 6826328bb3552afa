import type { TerraformBlock } from '../terraform-json.js';
import { fail, pass, unknown, type Verdict } from './rule.js';
import { flag } from '../values.js';

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
