import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { GuardrailsError } from './errors.js';
import { synthesize } from './synthesize.js';

/**
 * Synthesizing a git ref without `npm ci`: the ref is checked out in a temporary worktree, given a
 * node_modules whose third-party packages are this checkout's (symlinked) and whose workspace
 * packages (`@docflow/*`) are the ref's own, and synthesized with the ref's cdktf.json command. The
 * worktree and its folder are removed afterwards, also when synthesis fails or the process is
 * interrupted. A ref whose dependencies differ from this checkout's fails with the synthesis
 * error, which names the missing package.
 */
const run = promisify(execFile);

async function git(cwd: string, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
  } catch (error) {
    const failure = error as { code?: string | number; stderr?: string };
    if (failure.code === 'ENOENT') throw new GuardrailsError('git is not on the PATH: a git ref needs git');
    throw new GuardrailsError(`git ${args.join(' ')} failed: ${(failure.stderr ?? '').trim().split('\n')[0] ?? ''}`);
  }
}

/** The commit a ref names; an unknown ref is one clear message. */
export async function resolveCommit(root: string, ref: string): Promise<string> {
  try {
    const { stdout } = await run('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: root });
    return stdout.trim();
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') throw new GuardrailsError('git is not on the PATH: a git ref needs git');
    throw new GuardrailsError(`unknown git ref "${ref}" in ${root}`);
  }
}

/**
 * The merge base of HEAD and `branch` (the default base of a config diff: what the branch changed),
 * or of `origin/<branch>` in a clone without a local branch of that name (a CI checkout).
 */
export async function mergeBase(root: string, branch = 'main'): Promise<string> {
  const candidates = [branch, `origin/${branch}`];
  for (const candidate of candidates) {
    const known = await resolveCommit(root, candidate).then(
      () => true,
      () => false,
    );
    if (known) return git(root, 'merge-base', 'HEAD', candidate);
  }
  throw new GuardrailsError(`neither ${candidates.join(' nor ')} exists in ${root}: pass --base <git ref>`);
}

export interface RefSynthesisOptions {
  /** The working tree whose repository holds the ref and whose node_modules is reused. */
  readonly root: string;
  readonly ref: string;
  /** Where the ref's synthesized app is written. */
  readonly outdir: string;
  /** Only these environments. @default - every environment */
  readonly environments?: readonly string[];
  /** Where the temporary worktree's folder is made. @default - the system's temporary folder */
  readonly tempRoot?: string;
}

/** Synthesizes `ref` into `outdir`; returns the commit it resolved to. */
export async function synthesizeRef(options: RefSynthesisOptions): Promise<string> {
  const root = resolve(options.root);
  const commit = await resolveCommit(root, options.ref);
  const modules = join(root, 'node_modules');
  if (!existsSync(modules)) throw new GuardrailsError(`${root} has no node_modules: run \`npm install\` first (the ref is synthesized with them)`);
  const folder = mkdtempSync(join(options.tempRoot ?? tmpdir(), 'guardrails-ref-'));
  const checkout = join(folder, 'checkout');
  const cleanUp = () => {
    rmSync(folder, { recursive: true, force: true });
  };
  // an interrupted run still removes the worktree's folder (git prunes its entry later)
  const onSignal = (signal: NodeJS.Signals) => {
    cleanUp();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await git(root, 'worktree', 'add', '--detach', '--quiet', checkout, commit);
    linkNodeModules(modules, checkout);
    await synthesize({
      root: checkout,
      outdir: resolve(options.outdir),
      ...(options.environments ? { environments: options.environments } : {}),
      label: `${options.ref} (${commit.slice(0, 12)})`,
    });
    return commit;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await git(root, 'worktree', 'remove', '--force', checkout).catch(() => undefined);
    cleanUp();
    await git(root, 'worktree', 'prune').catch(() => undefined);
  }
}

/**
 * `checkout/node_modules`: every entry of this checkout's node_modules as a symlink, except the
 * workspace scope, which points at the checkout's own packages (so the ref's libraries are used),
 * and the cache folder (the ref's synthesis writes its bundle there).
 */
export function linkNodeModules(modules: string, checkout: string): void {
  const target = join(checkout, 'node_modules');
  mkdirSync(target);
  const workspace = workspacePackages(checkout);
  const scopes = new Set([...workspace.keys()].map((name) => name.split('/')[0]).filter((scope): scope is string => scope?.startsWith('@') === true));
  for (const entry of readdirSync(modules)) {
    if (entry === '.cache' || scopes.has(entry)) continue;
    symlinkSync(join(modules, entry), join(target, entry));
  }
  for (const scope of scopes) {
    mkdirSync(join(target, scope));
    // third-party packages under a workspace scope (none today) keep coming from this checkout
    if (existsSync(join(modules, scope))) {
      for (const entry of readdirSync(join(modules, scope))) {
        if (!workspace.has(`${scope}/${entry}`)) symlinkSync(join(modules, scope, entry), join(target, scope, entry));
      }
    }
  }
  for (const [name, dir] of workspace) symlinkSync(dir, join(target, ...name.split('/')));
}

/** The workspace packages of a checkout (its package.json `workspaces`: `dir/*` or `dir`), by package name. */
function workspacePackages(checkout: string): Map<string, string> {
  const manifest = JSON.parse(readFileSync(join(checkout, 'package.json'), 'utf8')) as { workspaces?: string[] };
  const packages = new Map<string, string>();
  for (const pattern of manifest.workspaces ?? []) {
    const dirs = pattern.endsWith('/*')
      ? existsSync(join(checkout, pattern.slice(0, -2)))
        ? readdirSync(join(checkout, pattern.slice(0, -2)), { withFileTypes: true })
            .filter((entry) => entry.isDirectory())
            .map((entry) => join(checkout, pattern.slice(0, -2), entry.name))
        : []
      : [join(checkout, pattern)];
    for (const dir of dirs) {
      const file = join(dir, 'package.json');
      if (existsSync(file)) packages.set((JSON.parse(readFileSync(file, 'utf8')) as { name: string }).name, dir);
    }
  }
  return packages;
}
