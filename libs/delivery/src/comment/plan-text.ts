import { maskSecrets, maskSecretsInText } from '../masking.js';
import { changeKind, countPlan, type Change, type ChangeKind, type PlanJson, type ResourceChange } from '../plan.js';
import { describeCounts } from '../stack-ops.js';

const SYMBOL: Record<ChangeKind, string> = { create: '+', update: '~', delete: '-', replace: '-/+', 'no-op': ' ', read: '<=' };
const VERB: Record<ChangeKind, string> = { create: 'created', update: 'updated in place', delete: 'destroyed', replace: 'replaced', 'no-op': 'unchanged', read: 'read' };

type Flags = unknown;
const flagAt = (flags: Flags, key: string): Flags => (flags !== null && typeof flags === 'object' && !Array.isArray(flags) ? (flags as Record<string, unknown>)[key] : flags === true);

/** A value as a plan shows it: masked when sensitive or secret-looking, `(known after apply)` when unknown. */
function show(value: unknown, key: string, sensitive: Flags, unknown: Flags): string {
  if (unknown === true) return '(known after apply)';
  if (sensitive === true) return '(sensitive value)';
  if (value === undefined || value === null) return 'null';
  const masked = maskSecrets(value, key);
  return typeof masked === 'string' ? JSON.stringify(masked) : JSON.stringify(masked);
}

/** The attribute lines of one change: every attribute that differs (updates), or every set one (creates). */
function attributeLines(change: Change, kind: ChangeKind): string[] {
  if (kind === 'delete' || kind === 'no-op' || kind === 'read') return [];
  const before = (change.before ?? {}) as Record<string, unknown>;
  const after = (change.after ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys((change.after_unknown ?? {}) as object)])].sort();
  const replacePaths = new Set((change.replace_paths ?? []).map((path) => String(path[0])));
  const lines: string[] = [];
  for (const key of keys) {
    const unknown = flagAt(change.after_unknown, key);
    const shownAfter = show(after[key], key, flagAt(change.after_sensitive, key), unknown);
    if (kind === 'create') {
      if (after[key] === null || after[key] === undefined) {
        if (unknown === true) lines.push(`      + ${key} = (known after apply)`);
        continue;
      }
      lines.push(`      + ${key} = ${shownAfter}`);
      continue;
    }
    const shownBefore = show(before[key], key, flagAt(change.before_sensitive, key), false);
    if (unknown !== true && JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    const forces = replacePaths.has(key) ? '  # forces replacement' : '';
    lines.push(`      ~ ${key} = ${shownBefore} -> ${shownAfter}${forces}`);
  }
  return lines;
}

function resourceBlock(resource: ResourceChange): string[] {
  const kind = changeKind(resource.change.actions);
  const reason = resource.action_reason ? ` (${resource.action_reason.replace(/_/g, ' ').toLowerCase()})` : '';
  return [`${SYMBOL[kind]} ${resource.address} will be ${VERB[kind]}${reason}`, ...attributeLines(resource.change, kind)];
}

/**
 * A plan as readable text, from its JSON (`terraform show -json`): one block per resource that
 * changes, the attributes that differ (masked), output changes, and the summary line last, as
 * `terraform plan` prints it.
 */
export function planText(plan: PlanJson): string {
  const changes = (plan.resource_changes ?? []).filter((resource) => resource.mode !== 'data' && changeKind(resource.change.actions) !== 'no-op');
  const lines: string[] = [];
  for (const resource of changes) lines.push(...resourceBlock(resource), '');
  const outputs = Object.entries(plan.output_changes ?? {}).filter(([, output]) => changeKind(output.actions) !== 'no-op');
  if (outputs.length > 0) {
    lines.push('Changes to Outputs:');
    for (const [name, output] of outputs) lines.push(`  ${SYMBOL[changeKind(output.actions)]} ${name}`);
    lines.push('');
  }
  const counts = countPlan(plan);
  lines.push(changes.length === 0 && outputs.length === 0 ? 'No changes. Your infrastructure matches the configuration.' : `Plan: ${describeCounts(counts)}.`);
  return maskSecretsInText(lines.join('\n'));
}

/** Resources a plan replaces or destroys (what a reviewer must not miss). */
export function destructiveChanges(plan: PlanJson): { readonly replaced: readonly string[]; readonly destroyed: readonly string[] } {
  const managed = (plan.resource_changes ?? []).filter((resource) => resource.mode !== 'data');
  return {
    replaced: managed.filter((resource) => changeKind(resource.change.actions) === 'replace').map((resource) => resource.address),
    destroyed: managed.filter((resource) => changeKind(resource.change.actions) === 'delete').map((resource) => resource.address),
  };
}
