import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GuardrailsError } from '../errors.js';
import { maskSecrets } from '@docflow/delivery/masking';
import { diffAgainstRef } from '../config-diff/config-diff.js';
import { compareCosts } from '../cost/compare.js';
import { estimateCost } from '../cost/estimate.js';
import { synthesizeRef } from '../git-ref.js';
import { evaluatePolicy } from '../policy/engine.js';
import { configDiffMarkdown, configDiffText } from '../report/config-diff.js';
import { costMarkdown, costText } from '../report/cost.js';
import { policyMarkdown, policyText } from '../report/policy.js';
import { loadSynthesizedApp, selectEnvironments, type SynthesizedApp } from '../synthesized.js';
import { findWorkspaceRoot, synthesize } from '../synthesize.js';

const USAGE = `guardrails: checks on the synthesized Terraform, before anything deploys (no cloud credentials)

  policy        docflow's security and reliability rules over every stack (Checkov ids where one
                exists); exit 2 when a finding is neither passed nor waived
  cost          the monthly estimate per environment and stack from a pinned, dated price table
                and the usage assumptions (libs/guardrails/src/cost/usage.ts)
                  --compare <git ref>   also the change against that ref (synthesized in a
                                        temporary worktree)
  config-diff   what the synthesized Terraform changes against a git ref, per stack, resource and
                attribute (JSON strings compared as JSON, secrets masked); exit 2 when it changes
                  --base <git ref>      the ref to compare with (default: the merge base with main)

Options (every command):
  --dir <path>   read an existing cdktf.out instead of synthesizing the working tree
  --env <name>   only this environment (repeat it, or separate names with commas)
  --json         the report as JSON (stable; documented in libs/guardrails/README.md)
  --markdown     the report as the pull-request comment section
  -h, --help     this text

Examples:
  npm run policy                              synthesize the working tree, check every environment
  npm run policy -- --env prod --json         only prod, as JSON
  npm run policy -- --dir cdktf.out           check what \`npm run synth\` already wrote
  npm run cost                                the estimate of every environment
  npm run cost -- --compare main --env prod   what the working tree changes in prod's bill
  npm run config-diff -- --base HEAD~1        what the last commit changed in every stack

Exit codes: 0 clean, 1 error (a message says which), 2 found something.`;

export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
}

const COMMANDS = ['policy', 'cost', 'config-diff'] as const;
type Command = (typeof COMMANDS)[number];

interface Options {
  readonly command: Command;
  readonly dir?: string;
  /** cost: the git ref to compare with. */
  readonly compare?: string;
  /** config-diff: the git ref to compare with. */
  readonly base?: string;
  readonly environments?: readonly string[];
  readonly format: 'text' | 'json' | 'markdown';
}

/** Parses, runs one command, prints; returns the exit code. A user mistake is one line on stderr and exit 1. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        dir: { type: 'string' },
        env: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        markdown: { type: 'boolean', default: false },
        compare: { type: 'string' },
        base: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const [command, ...extra] = positionals;
    if (values.help || command === undefined || command === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return command === undefined && !values.help ? 1 : 0;
    }
    if (!COMMANDS.includes(command as Command)) throw new GuardrailsError(`unknown command "${command}": use one of ${COMMANDS.join(', ')} (see --help)`);
    if (extra.length > 0) throw new GuardrailsError(`unexpected argument "${extra[0]}" (see --help)`);
    if (values.json && values.markdown) throw new GuardrailsError('--json and --markdown exclude each other');
    const environments = values.env?.flatMap((names) => names.split(',')).map((name) => name.trim()).filter((name) => name !== '');
    if (values.compare !== undefined && command !== 'cost') throw new GuardrailsError(`--compare belongs to cost, not ${command}`);
    if (values.base !== undefined && command !== 'config-diff') throw new GuardrailsError(`--base belongs to config-diff, not ${command}`);
    const options: Options = {
      command: command as Command,
      ...(values.dir !== undefined ? { dir: values.dir } : {}),
      ...(values.compare !== undefined ? { compare: values.compare } : {}),
      ...(values.base !== undefined ? { base: values.base } : {}),
      ...(environments && environments.length > 0 ? { environments } : {}),
      format: values.json ? 'json' : values.markdown ? 'markdown' : 'text',
    };
    if (options.command === 'cost') return await withApp(options, async (app) => cost(app, options, io));
    if (options.command === 'config-diff') return await withApp(options, async (app) => configDiff(app, options, io));
    return await withApp(options, async (app) => policy(app, options, io));
  } catch (error) {
    if (error instanceof GuardrailsError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`guardrails: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }
}

/** The app to judge: `--dir` as it is, or the working tree synthesized into a temporary folder (removed after). */
async function withApp<T>(options: Options, use: (app: SynthesizedApp) => Promise<T>): Promise<T> {
  if (options.dir !== undefined) return use(selectEnvironments(loadSynthesizedApp(options.dir), options.environments));
  const outdir = mkdtempSync(join(tmpdir(), 'guardrails-synth-'));
  try {
    await synthesize({ root: findWorkspaceRoot(), outdir, ...(options.environments ? { environments: options.environments } : {}) });
    return await use(selectEnvironments(loadSynthesizedApp(outdir), options.environments));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

async function policy(app: SynthesizedApp, options: Options, io: Io): Promise<number> {
  const report = evaluatePolicy(app);
  if (options.format === 'json') io.stdout.write(`${JSON.stringify({ command: 'policy', ...report }, null, 2)}\n`);
  else if (options.format === 'markdown') io.stdout.write(`${policyMarkdown(report)}\n`);
  else io.stdout.write(`${policyText(report, { color: io.stdout.isTTY === true })}\n`);
  return report.blocking.length > 0 ? 2 : 0;
}

async function cost(app: SynthesizedApp, options: Options, io: Io): Promise<number> {
  const estimate = estimateCost(app);
  const comparison = options.compare === undefined ? undefined : await withRef(options.compare, options.environments, (base) => compareCosts(estimateCost(base), estimate));
  if (options.format === 'json') io.stdout.write(`${JSON.stringify({ command: 'cost', ...estimate, ...(comparison ? { compare: { ref: options.compare, ...comparison } } : {}) }, null, 2)}\n`);
  else if (options.format === 'markdown') io.stdout.write(`${costMarkdown(estimate, comparison)}\n`);
  else io.stdout.write(`${costText(estimate, { color: io.stdout.isTTY === true }, comparison)}\n`);
  return 0;
}

/** A git ref synthesized in a temporary worktree into a temporary folder (both removed after). */
async function withRef<T>(ref: string, environments: readonly string[] | undefined, use: (app: SynthesizedApp) => T): Promise<T> {
  const outdir = mkdtempSync(join(tmpdir(), 'guardrails-base-'));
  try {
    await synthesizeRef({ root: findWorkspaceRoot(), ref, outdir, ...(environments ? { environments } : {}) });
    return use(selectEnvironments(loadSynthesizedApp(outdir), environments));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

async function configDiff(head: SynthesizedApp, options: Options, io: Io): Promise<number> {
  const diff = await diffAgainstRef({
    root: findWorkspaceRoot(),
    head,
    headLabel: options.dir === undefined ? 'the working tree' : options.dir,
    ...(options.base !== undefined ? { base: options.base } : {}),
    ...(options.environments ? { environments: options.environments } : {}),
    mask: maskSecrets,
  });
  if (options.format === 'json') io.stdout.write(`${JSON.stringify({ command: 'config-diff', ...diff }, null, 2)}\n`);
  else if (options.format === 'markdown') io.stdout.write(`${configDiffMarkdown(diff)}\n`);
  else io.stdout.write(`${configDiffText(diff, { color: io.stdout.isTTY === true })}\n`);
  return diff.stacks.length > 0 ? 2 : 0;
}
