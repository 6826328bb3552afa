import { describe, expect, it } from 'vitest';
import type { ConfigDiff } from '../config-diff/config-diff.js';
import { configDiffMarkdown } from './config-diff.js';
import { markdownTable } from './format.js';

/** The pull-request sections stay within what a GitHub comment holds, and tables survive any cell. */
function diffWith(stacks: number, changesPerStack: number): ConfigDiff {
  return {
    base: { ref: 'main', commit: 'a'.repeat(40) },
    head: 'the working tree',
    summary: { stacks, create: 0, update: stacks, delete: 0 },
    stacks: Array.from({ length: stacks }, (_, index) => ({
      stackId: `dev-stack${index}`,
      env: 'dev',
      stack: `stack${index}`,
      action: 'update' as const,
      blocks: [
        {
          address: `aws_sqs_queue.Queue${index}`,
          action: 'update' as const,
          changes: Array.from({ length: changesPerStack }, (_, change) => ({ path: `tags.t${change}`, before: 'x'.repeat(50), after: 'y'.repeat(50) })),
        },
      ],
    })),
  };
}

describe('configDiffMarkdown', () => {
  it('GIVEN more changes than a comment should hold THEN whole stacks are left out, counted, and the section stays under the limit', () => {
    const markdown = configDiffMarkdown(diffWith(30, 40), 20_000);
    expect(markdown.length).toBeLessThanOrEqual(20_000 + 200);
    const shown = markdown.match(/<details>/g)?.length ?? 0;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(30);
    expect(markdown).toContain(`${30 - shown} more stacks left out to keep the comment short: run \`npm run config-diff\` to see them.`);
  });

  it('GIVEN a value with a code fence THEN it cannot close the diff block early', () => {
    const diff = diffWith(1, 1);
    const stacks = diff.stacks.map((stack) => ({ ...stack, blocks: [{ address: 'x.y', action: 'update' as const, changes: [{ path: 'p', before: 'a```b', after: 'c' }] }] }));
    const markdown = configDiffMarkdown({ ...diff, stacks });
    expect(markdown.match(/```/g)).toHaveLength(2);
  });
});

describe('markdownTable', () => {
  it('GIVEN cells with pipes and line breaks THEN they stay in their cell', () => {
    expect(markdownTable(['a', 'b'], [['x|y', 'line\nbreak']], [1])).toBe('| a | b |\n| --- | ---: |\n| x\\|y | line break |');
  });
});
