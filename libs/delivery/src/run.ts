import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { minimatch } from 'minimatch';
import { DeliveryError } from './errors.js';
import { describeCounts, RUN_DIR_VARIABLE, type StackAction, type StackResult } from './stack-ops.js';

/** Which projects a run covers: all of them, or those Nx finds affected by some files. */
export type RunScope = { readonly kind: 'all' } | { readonly kind: 'affected'; readonly files: readonly string[] };

export interface RunOptions {
  readonly action: StackAction;
  readonly env: string;
  readonly scope: RunScope;
  /** The workspace root (where nx runs). */
  readonly root: string;
  /** Environment of the Nx run (DOCFLOW_DELIVERY_DIR, credentials, ...). @default process.env */
  readonly vars?: NodeJS.ProcessEnv;
  /** Extra arguments for every task (e.g. `--confirm prod`, `--detailed-exitcode`). */
  readonly taskArgs?: readonly string[];
  /** Extra Nx arguments (e.g. `--skip-nx-cache`, `--parallel=1`). */
  readonly nxArgs?: readonly string[];
  /** Projects left out (Nx's `--exclude`: names, globs, `tag:cloud:gcp`): said in the summary. @default - none */
  readonly exclude?: readonly string[];
  /** Show Nx's output as it runs; false keeps it in the summary's `log` instead (tests). @default true */
  readonly stream?: boolean;
}

export type StackRunStatus = StackResult['outcome'] | 'skipped';

export interface RunSummaryEntry {
  /** Nx task id, e.g. `stack-network:deploy:dev`. */
  readonly task: string;
  readonly project: string;
  /** `<env>-<stack>` */
  readonly id: string;
  readonly status: StackRunStatus;
  readonly result?: StackResult;
  /**
   * Why a stack has no result of its own: which stacks it waits for failed (skipped), or that its
   * task reported nothing (failed: it stopped before planning, or a synth, build or image it
   * needs failed; Nx's output says which).
   */
  readonly note?: string;
}

export interface RunSummary {
  readonly action: StackAction;
  readonly env: string;
  /** Stack tasks in the order Nx may run them (dependencies first). */
  readonly stacks: readonly RunSummaryEntry[];
  readonly ok: boolean;
  /** Why nothing ran, when nothing did. */
  readonly note?: string;
  /** What the run left out on purpose (`--exclude`). */
  readonly excluded?: readonly string[];
  /** Nx's output, when it was not streamed. */
  readonly log?: string;
}

/** What `nx ... --graph=<file>` writes (the parts delivery reads). */
export interface TaskGraphFile {
  readonly graph?: { readonly nodes?: Record<string, { readonly data?: { readonly root?: string } }> };
  readonly tasks: {
    readonly tasks: Record<string, { readonly target: { readonly project: string; readonly target: string; readonly configuration?: string } }>;
    readonly dependencies: Record<string, readonly ({ readonly id: string } | string)[]>;
  };
}

/** A task graph from Nx (`--graph=<file>`): the tasks of one target and the edges between them. */
export interface TargetGraph {
  /** Task ids of the target, dependencies before dependents. */
  readonly order: readonly string[];
  /** task -> the tasks of the same target it waits for (directly or through other tasks). */
  readonly waitsFor: ReadonlyMap<string, ReadonlySet<string>>;
  readonly projectOf: ReadonlyMap<string, string>;
  /** project -> its folder (stacks/<name>: the stack name is the folder's). */
  readonly rootOf: ReadonlyMap<string, string>;
}

const dependencyId = (dependency: { readonly id: string } | string) => (typeof dependency === 'string' ? dependency : dependency.id);

/** Keeps the tasks of `target` from Nx's task graph, with their transitive ordering. */
export function targetGraph(parsed: TaskGraphFile, target: string): TargetGraph {
  const graph = parsed.tasks;
  const rootOf = new Map(Object.entries(parsed.graph?.nodes ?? {}).flatMap(([project, node]) => (node.data?.root ? [[project, node.data.root] as const] : [])));
  const all = Object.keys(graph.tasks);
  const memo = new Map<string, Set<string>>();
  const reach = (task: string): Set<string> => {
    const known = memo.get(task);
    if (known) return known;
    const found = new Set<string>();
    memo.set(task, found);
    for (const dependency of (graph.dependencies[task] ?? []).map(dependencyId)) {
      found.add(dependency);
      for (const further of reach(dependency)) found.add(further);
    }
    return found;
  };
  const ofTarget = all.filter((task) => graph.tasks[task]?.target.target === target);
  const waitsFor = new Map(ofTarget.map((task) => [task, new Set([...reach(task)].filter((other) => ofTarget.includes(other)))]));
  // dependencies first; ties in task id order so the listing is stable
  const order: string[] = [];
  const pending = [...ofTarget].sort();
  while (pending.length > 0) {
    const next = pending.findIndex((task) => [...(waitsFor.get(task) ?? [])].every((dependency) => order.includes(dependency)));
    if (next < 0) throw new DeliveryError(`the ${target} task graph has a cycle among ${pending.join(', ')}`);
    order.push(...pending.splice(next, 1));
  }
  return { order, waitsFor, projectOf: new Map(ofTarget.map((task) => [task, graph.tasks[task]?.target.project ?? task])), rootOf };
}

/** Globs (from nx.json's `production` named input) of files that never change what is deployed. */
export function nonProductionGlobs(root: string): string[] {
  const nxJson = JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8')) as { namedInputs?: Record<string, unknown[]> };
  return (nxJson.namedInputs?.['production'] ?? [])
    .filter((input): input is string => typeof input === 'string' && input.startsWith('!'))
    .map((input) => input.slice(1).replace('{projectRoot}/', '**/').replace('{workspaceRoot}/', ''));
}

/**
 * The changed files that can change a deployment: Nx's `affected` goes by which project owns a
 * file, so a test or README change would mark every dependent stack affected. delivery feeds it
 * only the files that `production` (nx.json) counts as inputs.
 */
export function deployableFiles(files: readonly string[], root: string): string[] {
  const globs = nonProductionGlobs(root);
  return files.filter((file) => !globs.some((glob) => minimatch(file, glob, { dot: true })));
}

/** Files changed between two git revisions (three-dot: since they diverged). */
export function changedFiles(root: string, base: string, head = 'HEAD'): string[] {
  const result = spawnSync('git', ['diff', '--name-only', '--no-renames', `${base}...${head}`], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new DeliveryError(`git diff ${base}...${head} failed: ${(result.stderr ?? '').trim() || 'is git installed?'}`);
  return result.stdout.split('\n').filter(Boolean);
}

function nxArgs(options: RunOptions, files: readonly string[]): string[] {
  const base = options.scope.kind === 'all' ? ['run-many'] : ['affected', `--files=${files.join(',')}`];
  const exclude = options.exclude && options.exclude.length > 0 ? [`--exclude=${options.exclude.join(',')}`] : [];
  return [...base, '-t', options.action, '-c', options.env, '--output-style=stream', ...exclude, ...(options.nxArgs ?? [])];
}

function nx(args: readonly string[], root: string, vars: NodeJS.ProcessEnv, stream: boolean) {
  const result = spawnSync(process.execPath, [join(root, 'node_modules', '.bin', 'nx'), ...args], {
    cwd: root,
    env: { NX_DAEMON: 'false', NX_TUI: 'false', ...vars },
    encoding: 'utf8',
    stdio: stream ? 'inherit' : 'pipe',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new DeliveryError(`nx could not run: ${result.error.message}`);
  return result;
}

/**
 * Nx's own task graph for `nx <args> --graph=<file>` (nothing runs), reduced to the tasks of
 * `target` and their ordering.
 */
export function nxTaskGraph(args: readonly string[], root: string, vars: NodeJS.ProcessEnv = process.env): TaskGraphFile {
  const dir = mkdtempSync(join(tmpdir(), 'docflow-graph-'));
  try {
    const file = join(dir, 'graph.json');
    const run = nx([...args, `--graph=${file}`], root, vars, false);
    if (run.status !== 0 || !existsSync(file)) throw new DeliveryError(`nx could not compute the task graph:\n${(run.stderr || run.stdout).trim()}`);
    return JSON.parse(readFileSync(file, 'utf8')) as TaskGraphFile;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs one delivery action over the stacks Nx selects, in the order of Nx's task graph (Nx runs
 * the tasks; this only collects what each stack reported), and says which stacks applied, did not
 * change, failed, or were skipped because something they depend on failed.
 */
export function runStacks(options: RunOptions): RunSummary {
  const summary = runSelected(options);
  return options.exclude && options.exclude.length > 0 ? { ...summary, excluded: [...options.exclude] } : summary;
}

function runSelected(options: RunOptions): RunSummary {
  const vars = options.vars ?? process.env;
  const files = options.scope.kind === 'affected' ? deployableFiles(options.scope.files, options.root) : [];
  if (options.scope.kind === 'affected' && files.length === 0) {
    return { action: options.action, env: options.env, stacks: [], ok: true, note: 'no changed file is a production input: nothing to do' };
  }
  const runDir = mkdtempSync(join(tmpdir(), 'docflow-run-'));
  try {
    const args = nxArgs(options, files);
    const graph = targetGraph(nxTaskGraph(args, options.root, vars), options.action);
    if (graph.order.length === 0) return { action: options.action, env: options.env, stacks: [], ok: true, note: 'no stack is affected' };

    const taskArgs = options.taskArgs && options.taskArgs.length > 0 ? ['--', ...options.taskArgs] : [];
    const stream = options.stream ?? true;
    const run = nx([...args, ...taskArgs], options.root, { ...vars, [RUN_DIR_VARIABLE]: join(runDir, 'results') }, stream);
    const results = new Map<string, StackResult>();
    const resultsDir = join(runDir, 'results');
    if (existsSync(resultsDir)) {
      for (const file of readdirSync(resultsDir)) {
        const result = JSON.parse(readFileSync(join(resultsDir, file), 'utf8')) as StackResult & { project?: string };
        if (result.project) results.set(result.project, result);
      }
    }
    const stacks = summarizeTasks(graph, results, options.env);
    const ok = run.status === 0 && stacks.every((entry) => entry.status !== 'failed' && entry.status !== 'skipped');
    return { action: options.action, env: options.env, stacks, ok, ...(stream ? {} : { log: `${run.stdout}${run.stderr}` }) };
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

/**
 * One entry per stack task, dependencies first. A task without a result is `skipped` only when a
 * stack task it waits for failed (Nx does not start it then); otherwise it is `failed`: it ran
 * and stopped before reporting, or a task it needs that is not a stack's (synth, build, image)
 * failed.
 */
export function summarizeTasks(graph: TargetGraph, results: ReadonlyMap<string, StackResult>, env: string): RunSummaryEntry[] {
  const entries = new Map<string, RunSummaryEntry>();
  for (const task of graph.order) {
    const project = graph.projectOf.get(task) ?? task;
    const id = `${env}-${basename(graph.rootOf.get(project) ?? project)}`;
    const result = results.get(project);
    if (result) {
      entries.set(task, { task, project, id, status: result.outcome, result });
      continue;
    }
    const failedUpstream = [...(graph.waitsFor.get(task) ?? [])].map((upstream) => entries.get(upstream)).filter((entry) => entry?.status === 'failed');
    entries.set(
      task,
      failedUpstream.length > 0
        ? { task, project, id, status: 'skipped', note: `not run: ${failedUpstream.map((entry) => entry?.id).join(', ')} failed` }
        : { task, project, id, status: 'failed', note: `${task} reported no result: it stopped before it could, or a task it needs (synth, build, image) failed; the Nx output says which` },
    );
  }
  return graph.order.map((task) => entries.get(task) as RunSummaryEntry);
}

/** The summary as a table: one row per stack in graph order, counts first. */
export function formatRunSummary(summary: RunSummary): string {
  const count = (status: StackRunStatus) => summary.stacks.filter((entry) => entry.status === status).length;
  const done = summary.action === 'destroy' ? 'destroyed' : summary.action === 'diff' ? 'changes' : 'applied';
  const lines = [
    `${summary.action} ${summary.env}: ${count(done === 'changes' ? 'changes' : done)} ${done}, ${count('unchanged')} unchanged, ${count('failed')} failed, ${count('skipped')} skipped` +
      (summary.note ? ` (${summary.note})` : ''),
    ...(summary.excluded ? [`  left out (--exclude): ${summary.excluded.join(', ')}`] : []),
  ];
  const width = Math.max(0, ...summary.stacks.map((entry) => entry.id.length));
  for (const entry of summary.stacks) {
    const counts = entry.result?.counts ? `  ${describeCounts(entry.result.counts)}` : '';
    const message = entry.result?.message ?? entry.note;
    const why = message === undefined ? '' : entry.status === 'skipped' ? `  (${message})` : `  ${message.split('\n')[0]}`;
    lines.push(`  ${entry.id.padEnd(width)}  ${entry.status.padEnd(9)}${counts}${why}`);
  }
  return lines.join('\n');
}
