import { DeliveryError } from './errors.js';
import type { StackRef, TerraformConfig } from './workspace.js';

/** Addresses and domains reserved for examples (RFC 2606 and 6761): a value there reaches nobody. */
const PLACEHOLDER = /(^|[@./])(example\.(com|net|org)|[a-z0-9-]+\.(example|test|invalid))($|[/:?#"\\,])/i;

export interface Placeholder {
  /** `<resource address>.<attribute path>` */
  readonly where: string;
  readonly value: string;
}

function collect(value: unknown, where: string, found: Placeholder[]): void {
  if (typeof value === 'string') {
    if (PLACEHOLDER.test(value)) found.push({ where, value });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => collect(item, `${where}[${index}]`, found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) if (key !== '//') collect(item, `${where}.${key}`, found);
  }
}

/** Every placeholder value (an alarm address or a domain at a reserved example domain) a stack's resources carry. */
export function placeholders(config: TerraformConfig): Placeholder[] {
  const found: Placeholder[] = [];
  for (const [type, byName] of Object.entries(config.resource ?? {})) {
    for (const [name, block] of Object.entries(byName)) collect(block, `${type}.${name}`, found);
  }
  ((config.provider?.['google'] ?? []) as { project?: string }[]).forEach((provider, index) => {
    if (provider.project !== undefined && PLACEHOLDER_PROJECT.test(provider.project)) found.push({ where: `provider.google[${index}].project`, value: provider.project });
  });
  return found;
}

/** The profile a stack's provider tags (AWS) or labels (Google) every resource with (`lean`, `standard`), when it says. */
export function profileOf(config: TerraformConfig): string | undefined {
  const providers = (config.provider?.['aws'] ?? []) as { default_tags?: { tags?: Record<string, string> }[] }[];
  const google = (config.provider?.['google'] ?? []) as { default_labels?: Record<string, string> }[];
  return [
    ...providers.flatMap((provider) => provider.default_tags ?? []).map((tags) => tags.tags?.['profile']),
    ...google.map((provider) => provider.default_labels?.['profile']),
  ].find((profile) => profile !== undefined);
}

/** A Google Cloud project id of the shipped table: it has the word `example` (libs/infra isPlaceholderProject). */
const PLACEHOLDER_PROJECT = /(^|-)example(-|$)/;

/**
 * A standard environment serves real users: its deploy stops while it still carries a placeholder
 * (synth only warns, so that anyone can synthesize the shipped table). Lean environments may.
 */
export function refusePlaceholders(ref: StackRef, config: TerraformConfig): void {
  if (profileOf(config) !== 'standard') return;
  const found = placeholders(config);
  if (found.length === 0) return;
  const list = found.map((placeholder) => `${placeholder.where} = "${placeholder.value}"`).join('; ');
  throw new DeliveryError(`${ref.id}: a standard environment is not deployed with placeholders (${list}); set the real values in libs/infra/src/environments/table.ts`);
}
