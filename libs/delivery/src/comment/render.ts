import { maskSecretsInText } from '../masking.js';
import { countPlan, hasChanges, type PlanCounts, type PlanJson } from '../plan.js';
import { describeCounts } from '../stack-ops.js';
import { destructiveChanges, planText } from './plan-text.js';

/** The hidden marker that finds the comment again, so each run updates it in place. */
export const COMMENT_MARKER = '<!-- docflow:plan-comment -->';

/** GitHub refuses a comment body over 65,536 characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** One stack of the comment: its plan, or why there is none. */
export interface StackPlan {
  /** `<env>-<stack>` */
  readonly id: string;
  /** `terraform show -json` of its saved plan. */
  readonly plan?: PlanJson;
  /** Why the plan is missing (the plan failed; a stack it depends on failed). */
  readonly error?: string;
}

/**
 * A section another tool adds to the comment (the guardrails issue: policy, cost, config diff).
 * Sections share the comment's size budget with the plans.
 */
export interface CommentSection {
  /** Heading of the section (`Policy`, `Cost`, `Config diff`). */
  readonly title: string;
  /** One line for the top of the comment, beside the plan counts (e.g. `2 violations`). */
  readonly headline?: string;
  /** The section's markdown. */
  readonly markdown: string;
  /** What survives when the section must be cut: its beginning (`head`, default) or its end. */
  readonly keep?: 'head' | 'tail';
}

export interface RenderOptions {
  /** The environment the plans are for. */
  readonly env: string;
  /** Extra sections, after the plans. @default - none */
  readonly sections?: readonly CommentSection[];
  /** Size budget of the whole comment in characters. @default GITHUB_COMMENT_LIMIT */
  readonly limit?: number;
  /** A line at the end (e.g. a link to the workflow run with the full plans). @default - none */
  readonly footer?: string;
}

interface Block {
  readonly text: string;
  /** When the block must be cut, keep its tail (a plan's summary line) or its head. */
  readonly keep: 'head' | 'tail';
  /** Fixed markdown around the text (summary line, fences) that is never cut. */
  readonly open: string;
  readonly close: string;
}

const ZERO: PlanCounts = { add: 0, change: 0, destroy: 0, replace: 0, outputs: 0 };

function statusOf(stack: StackPlan, counts: PlanCounts | undefined): string {
  if (stack.error !== undefined || counts === undefined) return ':x: no plan';
  if (counts.replace > 0 || counts.destroy > 0) return ':warning: destroys or replaces';
  return hasChanges(counts) ? 'changes' : 'no changes';
}

/** Cuts `text` to `size` characters, keeping whole lines from the end (or the start) and saying what was cut. */
export function cutText(text: string, size: number, keep: 'head' | 'tail'): string {
  if (text.length <= size) return text;
  const lines = text.split('\n');
  const kept: string[] = [];
  let length = 0;
  const notice = (cut: number) => (keep === 'tail' ? `… ${cut} lines above cut to fit the comment …` : `… ${cut} lines below cut to fit the comment …`);
  const room = Math.max(0, size - notice(lines.length).length - 1);
  const ordered = keep === 'tail' ? [...lines].reverse() : lines;
  for (const line of ordered) {
    if (length + line.length + 1 > room) break;
    kept.push(line);
    length += line.length + 1;
  }
  const cut = lines.length - kept.length;
  return keep === 'tail' ? [notice(cut), ...kept.reverse()].join('\n') : [...kept, notice(cut)].join('\n');
}

/**
 * Sizes for blocks that share `budget` characters: a block that needs less than an equal share
 * leaves the rest to the others (smallest first), so one huge plan cannot crowd out the rest.
 */
export function shareBudget(sizes: readonly number[], budget: number): number[] {
  const order = sizes.map((size, index) => ({ size, index })).sort((a, b) => a.size - b.size);
  const shares = new Array<number>(sizes.length).fill(0);
  let left = Math.max(0, budget);
  order.forEach(({ size, index }, position) => {
    const fair = Math.floor(left / (order.length - position));
    shares[index] = Math.min(size, fair);
    left -= shares[index] as number;
  });
  return shares;
}

/**
 * The pull-request comment: counts at the top (stacks, add, change, destroy, replace), one row
 * per stack, replacements and destroys called out, each plan folded in `<details>`, then the extra
 * sections; all of it under `limit` characters (each plan keeps its tail, its summary line), with
 * every secret-looking value masked. Starts with the hidden marker that finds it again.
 */
export function renderPlanComment(stacks: readonly StackPlan[], options: RenderOptions): string {
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  const counted = stacks.map((stack) => ({ stack, counts: stack.plan ? countPlan(stack.plan) : undefined }));
  const total = counted.reduce(
    (sum, { counts }) => (counts ? { add: sum.add + counts.add, change: sum.change + counts.change, destroy: sum.destroy + counts.destroy, replace: sum.replace + counts.replace, outputs: sum.outputs + counts.outputs } : sum),
    ZERO,
  );
  const failed = counted.filter(({ counts, stack }) => counts === undefined || stack.error !== undefined).length;
  const changed = counted.filter(({ counts }) => counts !== undefined && hasChanges(counts)).length;

  const head: string[] = [
    COMMENT_MARKER,
    `## docflow plan: ${options.env}`,
    '',
    `**${stacks.length} stack${stacks.length === 1 ? '' : 's'}** (${changed} with changes${failed > 0 ? `, ${failed} without a plan` : ''}) · **${total.add}** to add · **${total.change}** to change · **${total.destroy}** to destroy · **${total.replace}** to replace`,
  ];
  for (const section of options.sections ?? []) if (section.headline) head.push(`**${section.title}**: ${section.headline}`);

  const destructive = counted.flatMap(({ stack }) => {
    if (!stack.plan) return [];
    const { replaced, destroyed } = destructiveChanges(stack.plan);
    return [...replaced.map((address) => `\`${stack.id}\` replaces \`${address}\``), ...destroyed.map((address) => `\`${stack.id}\` destroys \`${address}\``)];
  });
  if (destructive.length > 0) {
    head.push('', '> [!WARNING]', '> Destroys and replacements:');
    for (const line of destructive.slice(0, 20)) head.push(`> - ${line}`);
    if (destructive.length > 20) head.push(`> - … and ${destructive.length - 20} more (in the plans below)`);
  }

  head.push('', '| stack | status | add | change | destroy | replace |', '|---|---|--:|--:|--:|--:|');
  for (const { stack, counts } of counted) {
    const c = counts ?? ZERO;
    head.push(`| \`${stack.id}\` | ${statusOf(stack, counts)} | ${c.add} | ${c.change} | ${c.destroy} | ${c.replace} |`);
  }
  head.push('');

  const blocks: Block[] = [];
  for (const { stack, counts } of counted) {
    if (counts === undefined || stack.error !== undefined) {
      blocks.push({ open: `<details><summary><code>${stack.id}</code>: no plan</summary>\n\n\`\`\`\n`, text: stack.error ?? 'no plan', close: '\n```\n</details>\n', keep: 'tail' });
      continue;
    }
    if (!hasChanges(counts)) continue;
    blocks.push({
      open: `<details><summary><code>${stack.id}</code>: ${describeCounts(counts)}</summary>\n\n\`\`\`diff\n`,
      text: planText(stack.plan as PlanJson),
      close: '\n```\n</details>\n',
      keep: 'tail',
    });
  }
  for (const section of options.sections ?? []) {
    blocks.push({ open: `### ${section.title}\n\n`, text: section.markdown.trimEnd(), close: '\n', keep: section.keep ?? 'head' });
  }

  const footer = options.footer ? `\n${options.footer}\n` : '';
  const fixed = head.join('\n').length + 1 + footer.length + blocks.reduce((sum, block) => sum + block.open.length + block.close.length + 1, 0);
  const texts = blocks.map((block) => maskSecretsInText(block.text));
  const shares = shareBudget(
    texts.map((text) => text.length),
    limit - fixed,
  );
  const body = blocks.map((block, index) => `${block.open}${cutText(texts[index] ?? '', shares[index] ?? 0, block.keep)}${block.close}`);
  const comment = [head.join('\n'), ...body].join('\n') + footer;
  if (comment.length > limit) throw new Error(`the comment's fixed parts alone (${fixed} characters) exceed the limit of ${limit}`);
  return comment;
}
