import type { AttributeChange, BlockChange } from '../config-diff/diff.js';
import type { ConfigDiff } from '../config-diff/config-diff.js';
import { code, paint, plural, type Style } from './format.js';

const SYMBOL = { create: '+', delete: '-', update: '~' } as const;
/** Longest rendering of one value; the rest is cut with an ellipsis (the JSON output keeps it whole). */
const VALUE_CHARS = 240;

function show(value: unknown): string {
  const text = value === undefined ? '(none)' : JSON.stringify(value);
  return text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS)}…` : text;
}

function changeLines(change: AttributeChange): string[] {
  if (!('before' in change)) return [`    ${change.path}: added ${show(change.after)}`];
  if (!('after' in change)) return [`    ${change.path}: removed (was ${show(change.before)})`];
  return [`    ${change.path}: ${show(change.before)} -> ${show(change.after)}`];
}

function blockLines(block: BlockChange): string[] {
  return [`  ${SYMBOL[block.action]} ${block.address}${block.constructPath ? `  (${block.constructPath})` : ''}`, ...block.changes.flatMap(changeLines)];
}

function headline(diff: ConfigDiff): string {
  const { summary } = diff;
  const against = `${diff.base.ref === diff.base.commit ? '' : `${diff.base.ref} `}(${diff.base.commit.slice(0, 12)})`;
  if (summary.stacks === 0) return `${diff.head} against ${against}: no change`;
  return `${diff.head} against ${against}: ${plural(summary.stacks, 'stack')} change; ${summary.create} to create, ${summary.update} to update, ${summary.delete} to delete`;
}

/** The diff for a terminal: per stack, per block, attribute by attribute. */
export function configDiffText(diff: ConfigDiff, style: Style): string {
  const lines = [`docflow config-diff: ${headline(diff)}`];
  for (const stack of diff.stacks) {
    lines.push('', paint(style, 'bold', `${stack.stackId} (${stack.env} / ${stack.stack})${stack.action === 'update' ? '' : `: the whole stack is ${stack.action === 'create' ? 'new' : 'gone'}`}`));
    for (const block of stack.blocks) {
      const [first, ...rest] = blockLines(block);
      lines.push(paint(style, block.action === 'create' ? 'green' : block.action === 'delete' ? 'red' : 'yellow', first ?? ''), ...rest);
    }
  }
  return lines.join('\n');
}

/** A block in GitHub's `diff` highlighting: `+`/`-` for whole blocks, a hunk header and -/+ pairs for updates. */
function markdownBlockLines(block: BlockChange): string[] {
  if (block.action !== 'update') return [`${SYMBOL[block.action]} ${block.address}`];
  return [
    `@@ ${block.address} @@`,
    ...block.changes.flatMap((change) => [...('before' in change ? [`-   ${change.path}: ${show(change.before)}`] : []), ...('after' in change ? [`+   ${change.path}: ${show(change.after)}`] : [])]),
  ];
}

/** The one line that sums the config diff up. */
export function configDiffHeadline(diff: ConfigDiff): string {
  const { summary } = diff;
  return summary.stacks === 0 ? '🔀 no change' : `🔀 ${plural(summary.stacks, 'stack')}: +${summary.create} ~${summary.update} -${summary.delete}`;
}

/**
 * The config-diff section of the pull-request comment (the comment gives it its heading): one
 * folded diff block per stack, within `maxChars`.
 */
export function configDiffMarkdown(diff: ConfigDiff, maxChars = 20_000): string {
  const lines = [`**${configDiffHeadline(diff)}**: ${headline(diff).replace(diff.head, 'this change')}.`];
  let used = lines[0]?.length ?? 0;
  let left = 0;
  for (const stack of diff.stacks) {
    const body = stack.blocks.flatMap(markdownBlockLines).join('\n');
    const section = ['', `<details><summary>${code(stack.stackId)}: ${stack.blocks.length} changed</summary>`, '', '```diff', body.replace(/```/g, "'''"), '```', '', '</details>'].join('\n');
    if (used + section.length > maxChars) {
      left++;
      continue;
    }
    used += section.length;
    lines.push(section);
  }
  if (left > 0) lines.push('', `${plural(left, 'more stack')} left out to keep the comment short: run \`npm run config-diff\` to see them.`);
  return lines.join('\n');
}
