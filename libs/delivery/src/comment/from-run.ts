import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanJson } from '../plan.js';
import type { RunSummary } from '../run.js';
import { PLAN_JSON_FILE } from '../stack-ops.js';
import type { DeliveryWorkspace } from '../workspace.js';
import type { StackPlan } from './render.js';

/**
 * The stacks of a `delivery run diff` (its `--summary` file) with their saved plans
 * (`cdktf.out/stacks/<id>/plan.json`), or why a stack has none.
 */
export function stackPlansFromRun(summary: RunSummary, workspace: DeliveryWorkspace): StackPlan[] {
  return summary.stacks.map((entry): StackPlan => {
    if (entry.status === 'skipped') return { id: entry.id, error: `not planned (${entry.note ?? 'a stack it depends on failed'})` };
    if (entry.status === 'failed') return { id: entry.id, error: entry.result?.message ?? entry.note ?? 'the plan failed' };
    const file = join(workspace.outdir, 'stacks', entry.id, PLAN_JSON_FILE);
    if (!existsSync(file)) return { id: entry.id, error: `${file} is missing` };
    return { id: entry.id, plan: JSON.parse(readFileSync(file, 'utf8')) as PlanJson };
  });
}
