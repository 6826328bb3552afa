/** The parts of `terraform show -json <plan>` delivery reads (format 1.x). */
export interface PlanJson {
  readonly format_version?: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly ResourceChange[];
  readonly output_changes?: Readonly<Record<string, Change>>;
  readonly resource_drift?: readonly ResourceChange[];
}

export type PlanAction = 'no-op' | 'create' | 'read' | 'update' | 'delete';

export interface Change {
  readonly actions: readonly PlanAction[];
  readonly before?: unknown;
  readonly after?: unknown;
  readonly after_unknown?: unknown;
  readonly before_sensitive?: unknown;
  readonly after_sensitive?: unknown;
  readonly replace_paths?: readonly (readonly (string | number)[])[];
}

export interface ResourceChange {
  readonly address: string;
  readonly mode?: 'managed' | 'data';
  readonly type: string;
  readonly name?: string;
  readonly change: Change;
  readonly action_reason?: string;
}

/** What a plan does, counted as Terraform's "Plan:" line counts it, plus replacements on their own. */
export interface PlanCounts {
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  /** Resources destroyed and created again (also counted in add and destroy). */
  readonly replace: number;
  /** Outputs whose value changes. */
  readonly outputs: number;
}

export type ChangeKind = 'create' | 'update' | 'delete' | 'replace' | 'no-op' | 'read';

/** One change's kind: a delete and a create together are a replacement. */
export function changeKind(actions: readonly PlanAction[]): ChangeKind {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  if (actions.includes('create')) return 'create';
  if (actions.includes('delete')) return 'delete';
  if (actions.includes('update')) return 'update';
  if (actions.includes('read')) return 'read';
  return 'no-op';
}

export function countPlan(plan: PlanJson): PlanCounts {
  let add = 0;
  let change = 0;
  let destroy = 0;
  let replace = 0;
  for (const resource of plan.resource_changes ?? []) {
    if (resource.mode === 'data') continue;
    const kind = changeKind(resource.change.actions);
    if (kind === 'create') add++;
    else if (kind === 'update') change++;
    else if (kind === 'delete') destroy++;
    else if (kind === 'replace') {
      add++;
      destroy++;
      replace++;
    }
  }
  const outputs = Object.values(plan.output_changes ?? {}).filter((output) => changeKind(output.actions) !== 'no-op').length;
  return { add, change, destroy, replace, outputs };
}

/** Whether applying the plan would change anything (resources or outputs). */
export function hasChanges(counts: PlanCounts): boolean {
  return counts.add + counts.change + counts.destroy + counts.outputs > 0;
}
