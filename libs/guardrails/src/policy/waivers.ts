import { GuardrailsError } from '../errors.js';
import type { SynthesizedStack } from '../synthesized.js';
import type { Rule } from './rule.js';

/**
 * An explicit exception to one rule: for named environments (or every environment of a profile),
 * optionally some stacks, with a reason and what ends it. Every report lists every waiver.
 */
export interface Waiver {
  readonly rule: string;
  /** Environment names it covers. */
  readonly environments?: readonly string[];
  /** Profiles it covers (the `profile` default tag): a new environment of that profile is covered too. */
  readonly profiles?: readonly string[];
  /** Only these stacks (short names, `platform`). @default - every stack of the environments */
  readonly stacks?: readonly string[];
  /** Why the rule does not hold there, and what is accepted meanwhile. */
  readonly reason: string;
  /** The issue whose fix removes the waiver, or the date it lapses (YYYY-MM-DD): an expired waiver waives nothing. */
  readonly until: { readonly issue: number } | { readonly date: string };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Refuses a waiver that is not explicit: unknown rule, no environment or profile, no reason, no end. */
export function validateWaivers(waivers: readonly Waiver[], rules: readonly Rule[]): void {
  const problems = waivers.flatMap((waiver, index) => {
    const where = `waiver ${index + 1} (${waiver.rule})`;
    const found: string[] = [];
    if (!rules.some((rule) => rule.id === waiver.rule)) found.push(`${where}: no rule has the id ${waiver.rule}`);
    if (!waiver.environments?.length && !waiver.profiles?.length) found.push(`${where}: name the environments or profiles it covers`);
    if (!waiver.reason.trim()) found.push(`${where}: give a reason`);
    if ('date' in waiver.until && !(DATE.test(waiver.until.date) && !Number.isNaN(Date.parse(waiver.until.date)))) found.push(`${where}: until.date must be YYYY-MM-DD, got "${waiver.until.date}"`);
    if ('issue' in waiver.until && !(Number.isInteger(waiver.until.issue) && waiver.until.issue > 0)) found.push(`${where}: until.issue must be an issue number`);
    return found;
  });
  if (problems.length > 0) throw new GuardrailsError(`invalid waivers: ${problems.join('; ')}`);
}

/** Whether the waiver names this stack's environment (or its profile). */
export function waiverCoversEnvironment(waiver: Waiver, stack: SynthesizedStack): boolean {
  return Boolean(waiver.environments?.includes(stack.env) || (stack.profile !== undefined && waiver.profiles?.includes(stack.profile)));
}

/** Whether the waiver names this stack's environment (or profile) and stack. */
export function waiverCovers(waiver: Waiver, stack: SynthesizedStack): boolean {
  return waiverCoversEnvironment(waiver, stack) && (waiver.stacks === undefined || waiver.stacks.includes(stack.name));
}

/** Whether a dated waiver has lapsed on `today` (YYYY-MM-DD); an issue-bound waiver lapses when it is removed. */
export function waiverExpired(waiver: Waiver, today: string): boolean {
  return 'date' in waiver.until && waiver.until.date < today;
}

/** `issue 7` or `2027-03-31`. */
export function waiverEnd(waiver: Waiver): string {
  return 'issue' in waiver.until ? `issue ${waiver.until.issue}` : waiver.until.date;
}
