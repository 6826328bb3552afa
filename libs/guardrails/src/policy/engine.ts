import { appFromStacks, environmentsOf, type SynthesizedApp } from '../synthesized.js';
import type { TerraformJson } from '../terraform-json.js';
import { StackContext, type Evaluation, type Rule } from './rule.js';
import { RULES } from './rules/index.js';
import { DOCFLOW_WAIVERS } from './docflow-waivers.js';
import { validateWaivers, waiverCovers, waiverCoversEnvironment, waiverExpired, type Waiver } from './waivers.js';

/** A verdict in context: which rule, environment, stack, and whether a waiver covers it. */
export interface Finding extends Evaluation {
  readonly rule: string;
  readonly env: string;
  /** The stack's short name (`data`). */
  readonly stack: string;
  /** `<env>-<stack>`. */
  readonly stackId: string;
  /** `waived`: a fail or unknown that a live waiver covers (its index in `PolicyReport.waivers`). */
  readonly outcome: 'pass' | 'fail' | 'unknown' | 'waived';
  readonly waiver?: number;
}

export interface RuleSummary {
  readonly id: string;
  readonly title: string;
  /** Verdicts the rule gave (0: nothing in these stacks it applies to). */
  readonly evaluated: number;
  readonly passed: number;
  readonly failed: number;
  readonly unknown: number;
  readonly waived: number;
}

export interface WaiverStatus {
  readonly waiver: Waiver;
  /** Findings it waives in this report. */
  readonly covers: number;
  /** Past its date: it waives nothing. */
  readonly expired: boolean;
  /** Covers nothing although its environments were evaluated: the fix landed, remove it. */
  readonly stale: boolean;
}

export interface PolicySummary {
  readonly stacks: number;
  readonly rules: number;
  readonly verdicts: number;
  readonly passed: number;
  readonly failed: number;
  readonly unknown: number;
  readonly waived: number;
  readonly waivers: number;
  readonly staleWaivers: number;
  readonly expiredWaivers: number;
}

export interface PolicyReport {
  readonly environments: readonly string[];
  readonly summary: PolicySummary;
  readonly today: string;
  readonly rules: readonly RuleSummary[];
  /** Every verdict, by rule, then stack, then address. */
  readonly findings: readonly Finding[];
  readonly waivers: readonly WaiverStatus[];
  /** Unwaived failures and unknowns: what makes `npm run policy` (and `npm test`) fail. */
  readonly blocking: readonly Finding[];
}

export interface PolicyOptions {
  /** @default RULES, every rule */
  readonly rules?: readonly Rule[];
  /** @default DOCFLOW_WAIVERS */
  readonly waivers?: readonly Waiver[];
  /** The date waivers are judged on (YYYY-MM-DD). @default - today (UTC) */
  readonly today?: string;
}

/** Runs every rule over every stack of the app and applies the waivers. */
export function evaluatePolicy(app: SynthesizedApp, options: PolicyOptions = {}): PolicyReport {
  const rules = options.rules ?? RULES;
  const waivers = options.waivers ?? DOCFLOW_WAIVERS;
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  validateWaivers(waivers, RULES);

  const findings: Finding[] = [];
  const covered = waivers.map(() => 0);
  for (const rule of rules) {
    for (const stack of app.stacks) {
      if (rule.environments && !rule.environments.includes(stack.env)) continue;
      const evaluations = [...rule.evaluate(new StackContext(app, stack))].sort((a, b) => a.address.localeCompare(b.address));
      for (const evaluation of evaluations) {
        const index = evaluation.status === 'pass' ? -1 : waivers.findIndex((waiver) => waiver.rule === rule.id && waiverCovers(waiver, stack) && !waiverExpired(waiver, today));
        if (index >= 0) covered[index] = (covered[index] ?? 0) + 1;
        findings.push({
          ...evaluation,
          rule: rule.id,
          env: stack.env,
          stack: stack.name,
          stackId: stack.id,
          outcome: index >= 0 ? 'waived' : evaluation.status,
          ...(index >= 0 ? { waiver: index } : {}),
        });
      }
    }
  }
  const count = (id: string, outcome: Finding['outcome']) => findings.filter((finding) => finding.rule === id && finding.outcome === outcome).length;
  const total = (outcome: Finding['outcome']) => findings.filter((finding) => finding.outcome === outcome).length;
  const waiverStatuses = waivers.map((waiver, index): WaiverStatus => {
    const expired = waiverExpired(waiver, today);
    const evaluated = app.stacks.some((stack) => waiverCoversEnvironment(waiver, stack)) && rules.some((rule) => rule.id === waiver.rule);
    return { waiver, covers: covered[index] ?? 0, expired, stale: evaluated && !expired && covered[index] === 0 };
  });
  return {
    environments: environmentsOf(app),
    summary: {
      stacks: app.stacks.length,
      rules: rules.length,
      verdicts: findings.length,
      passed: total('pass'),
      failed: total('fail'),
      unknown: total('unknown'),
      waived: total('waived'),
      waivers: waivers.length,
      staleWaivers: waiverStatuses.filter((status) => status.stale).length,
      expiredWaivers: waiverStatuses.filter((status) => status.expired).length,
    },
    today,
    rules: rules.map((rule) => ({
      id: rule.id,
      title: rule.title,
      evaluated: findings.filter((finding) => finding.rule === rule.id).length,
      passed: count(rule.id, 'pass'),
      failed: count(rule.id, 'fail'),
      unknown: count(rule.id, 'unknown'),
      waived: count(rule.id, 'waived'),
    })),
    findings,
    waivers: waiverStatuses,
    blocking: findings.filter((finding) => finding.outcome === 'fail' || finding.outcome === 'unknown'),
  };
}

/**
 * For tests of constructs and stacks: the failures and unknowns of `rules` on stacks synthesized in
 * memory (keyed by stack id), one line each (`FAIL <rule> <address>: <message>`), no waivers, and how many verdicts were given (a check
 * over nothing proves nothing).
 */
export function checkStacks(stacks: Readonly<Record<string, TerraformJson>>, rules: readonly string[]): { problems: string[]; evaluated: number } {
  const unknownIds = rules.filter((id) => !RULES.some((rule) => rule.id === id));
  if (unknownIds.length > 0) throw new Error(`checkStacks: no rule ${unknownIds.join(', ')}`);
  const report = evaluatePolicy(appFromStacks(stacks), { rules: RULES.filter((rule) => rules.includes(rule.id)), waivers: [] });
  return { problems: report.blocking.map((finding) => `${finding.outcome.toUpperCase()} ${finding.rule} ${finding.address}: ${finding.message}`), evaluated: report.findings.length };
}

/** `checkStacks` on one stack synthesized alone. */
export function checkStack(json: TerraformJson, rules: readonly string[]): { problems: string[]; evaluated: number } {
  return checkStacks({ 'test-stack': json }, rules);
}
