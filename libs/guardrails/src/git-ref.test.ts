import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mergeBase, synthesizeRef } from './git-ref.js';
import { createFixtureRepo, fixtureStack } from './testing/fixture-repo.js';

/** Synthesizing a git ref in a temporary worktree, on a real git repository made for the test. */
const repo = createFixtureRepo();
const first = repo.commit({ 'dev-network': fixtureStack('dev', 'network', { aws_nat_gateway: { A: {} } }) }, 'one NAT gateway');
repo.git('checkout', '--quiet', '-b', 'feature');
const second = repo.commit({ 'dev-network': fixtureStack('dev', 'network', { aws_nat_gateway: { A: {}, B: {} } }) }, 'two NAT gateways');
repo.write({ 'dev-network': fixtureStack('dev', 'network', { aws_nat_gateway: { A: {}, B: {}, C: {} } }) });

const outdirs: string[] = [];
const outdir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'guardrails-ref-test-'));
  outdirs.push(dir);
  return dir;
};
const gateways = (dir: string) => Object.keys(JSON.parse(readFileSync(join(dir, 'stacks', 'dev-network', 'cdk.tf.json'), 'utf8')).resource.aws_nat_gateway);
const refFolders = () => readdirSync(tmpdir()).filter((name) => name.startsWith('guardrails-ref-') && !name.startsWith('guardrails-ref-test-'));
afterEach(() => outdirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
afterAll(() => repo.remove());

describe('synthesizeRef', () => {
  it('GIVEN a ref THEN its own workspace packages are synthesized with this checkout\'s third-party packages, and the worktree is gone afterwards', async () => {
    const before = refFolders();
    const dir = outdir();
    expect(await synthesizeRef({ root: repo.root, ref: 'main', outdir: dir })).toBe(first);
    expect(gateways(dir)).toEqual(['A']);
    expect(JSON.parse(readFileSync(join(dir, 'stacks', 'dev-network', 'cdk.tf.json'), 'utf8'))['//']).toEqual({ marker: 'from this checkout' });
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(1);
    expect(refFolders()).toEqual(before);
    // the working tree itself is untouched (three gateways, uncommitted)
    expect(repo.git('status', '--porcelain')).toBe('M libs/fixture-stacks/index.js');
  });

  it('GIVEN HEAD~1 and a commit id THEN each resolves to its commit', async () => {
    const dir = outdir();
    expect(await synthesizeRef({ root: repo.root, ref: 'HEAD~1', outdir: dir })).toBe(first);
    const other = outdir();
    expect(await synthesizeRef({ root: repo.root, ref: second.slice(0, 10), outdir: other })).toBe(second);
    expect(gateways(other)).toEqual(['A', 'B']);
  });

  it('GIVEN the default base THEN it is the merge base of HEAD and main', async () => {
    expect(await mergeBase(repo.root)).toBe(first);
  });

  it('GIVEN an unknown ref THEN one clear message', async () => {
    await expect(synthesizeRef({ root: repo.root, ref: 'no-such-branch', outdir: outdir() })).rejects.toThrow(`unknown git ref "no-such-branch" in ${repo.root}`);
  });

  it('GIVEN a ref that fails to synthesize THEN the error carries its output, and the worktree is still removed', async () => {
    const before = refFolders();
    process.env['FIXTURE_FAIL_SYNTH'] = '1';
    try {
      await expect(synthesizeRef({ root: repo.root, ref: 'main', outdir: outdir() })).rejects.toThrow(
        /^synthesizing main \([0-9a-f]{12}\) failed \(`node synth.mjs` exited 3\):\nthe fixture app refuses to synthesize$/,
      );
    } finally {
      delete process.env['FIXTURE_FAIL_SYNTH'];
    }
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(1);
    expect(refFolders()).toEqual(before);
    const entries = join(repo.root, '.git', 'worktrees');
    expect(existsSync(entries) ? readdirSync(entries) : []).toEqual([]);
  });
});
