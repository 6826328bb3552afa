import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
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
// the worktrees are made here, so that what is left behind is this test's alone
const tempRoot = mkdtempSync(join(tmpdir(), 'guardrails-ref-test-root-'));
const refFolders = () => readdirSync(tempRoot);
/** Processes whose environment holds `variable` (Linux: /proc/<pid>/environ). */
const processesRunning = (variable: string) =>
  readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid) && Number(pid) !== process.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').some((entry) => entry.startsWith(`${variable}=`));
      } catch {
        return false;
      }
    });
afterEach(() => outdirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
afterAll(() => {
  repo.remove();
  rmSync(tempRoot, { recursive: true, force: true });
});

describe('synthesizeRef', () => {
  it('GIVEN a ref THEN its own workspace packages are synthesized with this checkout\'s third-party packages, and the worktree is gone afterwards', async () => {
    const dir = outdir();
    expect(await synthesizeRef({ root: repo.root, ref: 'main', outdir: dir, tempRoot })).toBe(first);
    expect(gateways(dir)).toEqual(['A']);
    expect(JSON.parse(readFileSync(join(dir, 'stacks', 'dev-network', 'cdk.tf.json'), 'utf8'))['//']).toEqual({ marker: 'from this checkout' });
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(1);
    expect(refFolders()).toEqual([]);
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

  it('GIVEN the default base THEN it is the merge base of HEAD and main, or of origin/main in a clone without a local main', async () => {
    expect(await mergeBase(repo.root)).toBe(first);
    const clone = mkdtempSync(join(tmpdir(), 'guardrails-clone-'));
    try {
      execFileSync('git', ['clone', '--quiet', '--branch', 'feature', repo.root, clone]);
      expect(execFileSync('git', ['branch', '--list', 'main'], { cwd: clone, encoding: 'utf8' })).toBe('');
      expect(await mergeBase(clone)).toBe(first);
      await expect(mergeBase(clone, 'trunk')).rejects.toThrow(`neither trunk nor origin/trunk exists in ${clone}: pass --base <git ref>`);
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });

  it('GIVEN an unknown ref THEN one clear message', async () => {
    await expect(synthesizeRef({ root: repo.root, ref: 'no-such-branch', outdir: outdir() })).rejects.toThrow(`unknown git ref "no-such-branch" in ${repo.root}`);
  });

  it('GIVEN a ref that fails to synthesize THEN the error carries its output, and the worktree is still removed', async () => {
    process.env['FIXTURE_FAIL_SYNTH'] = '1';
    try {
      await expect(synthesizeRef({ root: repo.root, ref: 'main', outdir: outdir(), tempRoot })).rejects.toThrow(
        /^synthesizing main \([0-9a-f]{12}\) failed \(`node synth.mjs` exited 3\):\nthe fixture app refuses to synthesize$/,
      );
    } finally {
      delete process.env['FIXTURE_FAIL_SYNTH'];
    }
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(1);
    expect(refFolders()).toEqual([]);
    const entries = join(repo.root, '.git', 'worktrees');
    expect(existsSync(entries) ? readdirSync(entries) : []).toEqual([]);
  });

  it('GIVEN a run interrupted while the ref synthesizes THEN the worktree folder is removed (git prunes its entry on the next run)', async () => {
    const module = join(import.meta.dirname, 'git-ref.ts');
    const script = `import { synthesizeRef } from ${JSON.stringify(module)}; await synthesizeRef({ root: ${JSON.stringify(repo.root)}, ref: 'main', outdir: ${JSON.stringify(outdir())}, tempRoot: ${JSON.stringify(tempRoot)} });`;
    const child = spawn(process.execPath, ['--import', createRequire(import.meta.url).resolve('tsx'), '--input-type=module', '-e', script], {
      env: { ...process.env, FIXTURE_SLOW_SYNTH: '1' },
      stdio: 'ignore',
    });
    let exit: string | undefined;
    const exited = new Promise<string>((resolve) =>
      child.on('exit', (code, signal) => {
        exit = signal ?? `exit ${code}`;
        resolve(exit);
      }),
    );
    const pause = () => new Promise((resolve) => setTimeout(resolve, 100));
    // wait until the worktree exists and synthesis is under way (a loaded machine may take a while)
    const started = () => refFolders().length > 0 && existsSync(join(tempRoot, refFolders()[0] ?? '', 'checkout', 'node_modules'));
    for (const deadline = Date.now() + 120_000; !started(); await pause()) {
      if (exit !== undefined) throw new Error(`the synthesis ended (${exit}) before its worktree appeared`);
      if (Date.now() > deadline) throw new Error('the worktree never appeared');
    }
    child.kill('SIGINT');
    // it ends, interrupted or failing, never as a success
    expect(await exited).not.toBe('exit 0');
    expect(refFolders()).toEqual([]);
    // the synthesis it had started is stopped too (the fixture app would otherwise sleep a minute);
    // a killed process may take a moment to leave /proc
    for (const deadline = Date.now() + 10_000; processesRunning('FIXTURE_SLOW_SYNTH').length > 0 && Date.now() < deadline; ) await pause();
    expect(processesRunning('FIXTURE_SLOW_SYNTH')).toEqual([]);
    repo.git('worktree', 'prune');
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(1);
  }, 180_000);
});
