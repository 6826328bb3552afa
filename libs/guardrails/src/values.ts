import { hasReference } from './references.js';
import type { TerraformBlock } from './terraform-json.js';

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
