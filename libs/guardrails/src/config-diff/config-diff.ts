import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeBase, resolveCommit, synthesizeRef } from '../git-ref.js';
import { loadSynthesizedApp, type SynthesizedApp } from '../synthesized.js';
import { diffApps, type AppDiff, type Mask } from './diff.js';

/** The config diff of the working tree (or a synthesized folder) against a git ref. */
export interface ConfigDiff extends AppDiff {
  readonly base: {
    /** The ref as given, or `merge-base HEAD main` by default (origin/main in a clone without main). */
    readonly ref: string;
    readonly commit: string;
  };
  /** `the working tree`, or the folder given with --dir. */
  readonly head: string;
}

export interface ConfigDiffOptions {
  /** The checkout whose repository holds the ref (and whose node_modules synthesizes it). */
  readonly root: string;
  /** The app to compare: the working tree already synthesized, or a folder given by the user. */
  readonly head: SynthesizedApp;
  readonly headLabel: string;
  /** @default - the merge base of HEAD and main */
  readonly base?: string;
  readonly environments?: readonly string[];
  /** How secrets are masked in every value of the result. */
  readonly mask: Mask;
}

/** Synthesizes the base ref in a temporary worktree and compares the head with it. */
export async function diffAgainstRef(options: ConfigDiffOptions): Promise<ConfigDiff> {
  const ref = options.base ?? 'merge-base HEAD main';
  const commit = options.base === undefined ? await mergeBase(options.root) : await resolveCommit(options.root, options.base);
  const outdir = mkdtempSync(join(tmpdir(), 'guardrails-base-'));
  try {
    // every environment: the base may not know an environment the working tree adds
    await synthesizeRef({ root: options.root, ref: commit, outdir });
    const all = loadSynthesizedApp(outdir);
    const base = { stacks: all.stacks.filter((stack) => options.environments === undefined || options.environments.includes(stack.env)) };
    return { base: { ref, commit }, head: options.headLabel, ...diffApps(base, options.head, options.mask) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
