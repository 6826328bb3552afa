/**
 * `npm run delivery -- <command>`: the delivery CLI the Nx targets run. It only parses, calls the
 * library and prints; every user mistake is one line on stderr (exit 1), never a stack trace.
 * Exit codes: 0 ok, 1 error, 2 found something (changes where none were expected, drift).
 */
import { parseArgs } from 'node:util';
import { DeliveryError } from '../errors.js';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { stackPlansFromRun } from '../comment/from-run.js';
import { commentTargetFromEnvironment, upsertComment } from '../comment/github.js';
import { renderPlanComment, type CommentSection } from '../comment/render.js';
import { buildImage, imageRepositoryVariable } from '../image.js';
import { changedFiles, formatRunSummary, runStacks, type RunScope, type RunSummary } from '../run.js';
import { deployStack, describeCounts, destroyStack, diffStack, type StackResult } from '../stack-ops.js';
import { exploreStack, exploreStateFile } from '../state/explorer.js';
import { formatStateReport } from '../state/format.js';
import { synthApp } from '../synth.js';
import { openWorkspace, parseStackId, requireEnvironment, requireStack, type DeliveryWorkspace } from '../workspace.js';

const USAGE = `Usage: npm run delivery -- <command> [options]

Commands (each also runs as an Nx target: npx nx run stack-<name>:<command> -c <env>):
  synth [--env <env>]                  synthesize an environment (every environment without --env)
  diff <stack> --env <env>             terraform plan of the stack (saves plan.tfplan and plan.json)
       [--detailed-exitcode]           exit 2 when the plan has changes (drift)
  deploy <stack> --env <env>           plan and apply (nothing when the plan is empty)
       [--migrate-state]               first move the state to the backend the stack now names
  destroy <stack> --env <env>          destroy the stack's resources; prod needs --confirm prod
  state <env>-<stack> | <state file>   what Terraform holds: resources by construct and type, masked
                                       outputs, drift of addresses against the synthesized config
  image <app folder> --env <env>       the app's content-hash image tag; builds and pushes the image
                                       when DOCFLOW_IMAGE_REGISTRY is set (CI)
  run <diff|deploy|destroy> --env <env> [--affected --base <ref> [--head <ref>] | --files a,b]
                                       the action on every stack (or the affected ones) through Nx,
                                       in the graph's order, then a summary: applied, unchanged,
                                       failed, skipped (downstream of a failure)
       [--exclude <projects>]          leave projects out (Nx patterns, e.g. tag:cloud:gcp: the GCP
                                       stacks, where CI has no Google credentials set up); an empty
                                       value leaves nothing out
       [--summary <file>]              also write the summary as JSON (for comment)
  comment --summary <file>             the pull-request comment from a diff run's summary: counts,
       [--section <Title>=<file.md>]   one row per stack, each plan folded, extra sections (policy,
       [--footer <text>] [--out <file>] cost, config diff) sharing the size budget; --post updates
       [--post [--pr <number>]]        the one sticky comment (GITHUB_TOKEN, GITHUB_REPOSITORY)

Options:
  --env <env>        environment (dev, staging, prod); a stack id <env>-<stack> works too
  --dir <folder>     folder with cdktf.json (default: DOCFLOW_DELIVERY_DIR, else the current folder)
  --image <app>      app folder whose image the stack runs (its tag becomes TF_VAR_image_tag)
  --json             machine-readable output (stable fields, documented in libs/delivery/README.md)
  --confirm <env>    destroy: the protected environment's name, typed again
  -h, --help         this help

Examples:
  npm run delivery -- diff network --env dev
  npm run state -- dev-network
  npm run state -- terraform.dev-network.tfstate --json
  npm run delivery -- run deploy --env dev --affected --base origin/main
  npx nx run-many -t deploy -c dev`;

const OPTIONS = {
  env: { type: 'string' },
  dir: { type: 'string' },
  image: { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
  confirm: { type: 'string' },
  'detailed-exitcode': { type: 'boolean', default: false },
  'migrate-state': { type: 'boolean', default: false },
  affected: { type: 'boolean', default: false },
  base: { type: 'string' },
  head: { type: 'string' },
  files: { type: 'string' },
  exclude: { type: 'string' },
  summary: { type: 'string' },
  section: { type: 'string', multiple: true },
  footer: { type: 'string' },
  out: { type: 'string' },
  post: { type: 'boolean', default: false },
  pr: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Values = {
  env?: string;
  dir?: string;
  image?: string[];
  json: boolean;
  confirm?: string;
  'detailed-exitcode': boolean;
  'migrate-state': boolean;
  affected: boolean;
  base?: string;
  head?: string;
  files?: string;
  exclude?: string;
  summary?: string;
  section?: string[];
  footer?: string;
  out?: string;
  post: boolean;
  pr?: string;
  help: boolean;
};

/** `<stack> --env <env>` or `<env>-<stack>`. */
function stackOf(workspace: DeliveryWorkspace, target: string | undefined, values: Values) {
  if (target === undefined) throw new DeliveryError('which stack? pass <stack> --env <env> or <env>-<stack> (e.g. dev-network)');
  const { env, stack } = values.env !== undefined ? { env: values.env, stack: target } : parseStackId(target);
  return requireStack(workspace, env, stack);
}

function printResult(result: StackResult, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const counts = result.counts ? `: ${describeCounts(result.counts)}` : '';
  const image = result.imageTag ? ` (image ${result.imageTag})` : '';
  console.log(`${result.id} ${result.action} ${result.outcome}${counts}${image} in ${result.seconds.toFixed(1)} s`);
}

export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true }) as { values: Values; positionals: string[] };
  const [command, target, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    console.log(USAGE);
    return command === undefined && !values.help ? 1 : 0;
  }
  if (rest.length > 0) throw new DeliveryError(`unexpected argument "${rest[0]}" (see --help)`);
  const workspace = () => openWorkspace(values.dir);
  const images = values.image ?? [];

  switch (command) {
    case 'synth':
      if (target !== undefined) throw new DeliveryError('synth takes no stack: an environment synthesizes as a whole (npx nx run stack-<name>:synth shows one stack)');
      synthApp(workspace(), values.env);
      return 0;
    case 'diff':
      printResult(diffStack(stackOf(workspace(), target, values), { images, detailedExitCode: values['detailed-exitcode'] }), values.json);
      return 0;
    case 'deploy':
      printResult(await deployStack(stackOf(workspace(), target, values), { images, migrateState: values['migrate-state'] }), values.json);
      return 0;
    case 'destroy':
      printResult(await destroyStack(stackOf(workspace(), target, values), { images, ...(values.confirm !== undefined ? { confirm: values.confirm } : {}) }), values.json);
      return 0;
    case 'state': {
      if (target === undefined) throw new DeliveryError('which state? pass <env>-<stack> (or <stack> --env <env>) or a state file');
      const looksLikeFile = target.endsWith('.tfstate') || target.includes('/') || target.endsWith('.json');
      const report = looksLikeFile ? exploreStateFile(target, tryWorkspace(values.dir)) : exploreStack(stackOf(workspace(), target, values));
      console.log(values.json ? JSON.stringify(report, null, 2) : formatStateReport(report));
      return report.drift && report.drift.missingFromState.length + report.drift.notInConfiguration.length > 0 ? 2 : 0;
    }
    case 'image': {
      if (target === undefined) throw new DeliveryError('which app? pass its folder, e.g. apps/api');
      const env = requireEnvironment(workspace(), values.env);
      const result = buildImage(target, env);
      if (values.json) console.log(JSON.stringify(result, null, 2));
      else if (result.outcome === 'tagged') console.log(`${result.app}: image tag ${result.tag} (not pushed: neither DOCFLOW_IMAGE_REGISTRY nor ${imageRepositoryVariable(result.app)} is set; CI pushes)`);
      else console.log(`${result.app}: ${result.reference} ${result.outcome === 'exists' ? 'already in the registry' : 'pushed'}`);
      return 0;
    }
    case 'run': {
      const action = target;
      if (action !== 'diff' && action !== 'deploy' && action !== 'destroy') throw new DeliveryError('run what? pass diff, deploy or destroy (see --help)');
      const ws = workspace();
      const env = requireEnvironment(ws, values.env);
      const root = process.cwd();
      let scope: RunScope = { kind: 'all' };
      if (values.files !== undefined) scope = { kind: 'affected', files: values.files.split(',').map((file) => file.trim()).filter(Boolean) };
      else if (values.affected) {
        if (values.base === undefined) throw new DeliveryError('--affected needs --base <git ref> (and optionally --head, default HEAD)');
        scope = { kind: 'affected', files: changedFiles(root, values.base, values.head) };
      }
      const taskArgs = [...(values.confirm !== undefined ? [`--confirm=${values.confirm}`] : []), ...(values['detailed-exitcode'] ? ['--detailed-exitcode'] : [])];
      const exclude = (values.exclude ?? '').split(',').map((pattern) => pattern.trim()).filter(Boolean);
      const summary = runStacks({ action, env, scope, root, taskArgs, ...(exclude.length > 0 ? { exclude } : {}) });
      console.log(values.json ? JSON.stringify(summary, null, 2) : `\n${formatRunSummary(summary)}`);
      if (values.summary !== undefined) writeFileSync(values.summary, `${JSON.stringify(summary, null, 2)}\n`);
      writeJobSummary(summary, ws);
      if (summary.ok) return 0;
      return action === 'diff' && values['detailed-exitcode'] && summary.stacks.every((entry) => entry.status === 'changes' || entry.status === 'unchanged') ? 2 : 1;
    }
    case 'comment':
      return await comment(values);
    default:
      throw new DeliveryError(`unknown command "${command}" (see --help)`);
  }
}

/** `--section Title=file.md` */
function parseSection(spec: string): CommentSection {
  const equals = spec.indexOf('=');
  if (equals <= 0) throw new DeliveryError(`--section "${spec}": expected <Title>=<markdown file>`);
  const file = spec.slice(equals + 1);
  try {
    return { title: spec.slice(0, equals), markdown: readFileSync(file, 'utf8') };
  } catch {
    throw new DeliveryError(`--section "${spec}": cannot read ${file}`);
  }
}

function readRunSummary(file: string): RunSummary {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunSummary;
  } catch {
    throw new DeliveryError(`--summary ${file}: not a run summary (write one with: npm run delivery -- run diff --env <env> --summary ${file})`);
  }
}

/** Renders the pull-request comment; prints it, writes it, or posts it as the sticky comment. */
async function comment(values: Values): Promise<number> {
  if (values.summary === undefined) throw new DeliveryError('comment needs --summary <file> (from: npm run delivery -- run diff --env <env> --summary <file>)');
  const summary = readRunSummary(values.summary);
  const body = renderPlanComment(stackPlansFromRun(summary, openWorkspace(values.dir)), {
    env: summary.env,
    sections: (values.section ?? []).map(parseSection),
    ...(values.footer !== undefined ? { footer: values.footer } : {}),
  });
  if (values.out !== undefined) writeFileSync(values.out, body);
  if (!values.post) {
    if (values.out === undefined) console.log(body);
    return 0;
  }
  const pr = values.pr === undefined ? undefined : Number(values.pr);
  if (pr !== undefined && !Number.isInteger(pr)) throw new DeliveryError(`--pr "${values.pr}" is not a pull request number`);
  const target = commentTargetFromEnvironment(process.env, pr);
  const result = await upsertComment(target, body);
  console.log(`comment ${result.action} on ${target.repository}#${target.issue} (id ${result.id})`);
  return 0;
}

/**
 * In GitHub Actions, the summary also goes to the job summary page; a diff run adds the plan of
 * every stack that changed (the drift of a nightly run), as the pull-request comment shows it.
 */
function writeJobSummary(summary: RunSummary, ws: DeliveryWorkspace): void {
  const file = process.env['GITHUB_STEP_SUMMARY'];
  if (!file) return;
  appendFileSync(file, `\n\`\`\`\n${formatRunSummary(summary)}\n\`\`\`\n`);
  if (summary.action === 'diff' && summary.stacks.some((entry) => entry.status !== 'unchanged')) {
    appendFileSync(file, `\n${renderPlanComment(stackPlansFromRun(summary, ws), { env: summary.env, limit: 1_000_000 })}\n`);
  }
}

/** The workspace when there is one (a state file can be read without any). */
function tryWorkspace(dir: string | undefined): DeliveryWorkspace | undefined {
  try {
    return openWorkspace(dir);
  } catch {
    return undefined;
  }
}

/** Runs the CLI: a DeliveryError or a bad option is one line and exit 1 (or its own code). */
export async function run(argv: readonly string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (error) {
    if (error instanceof DeliveryError) {
      console.error(`error: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`error: ${error.message} (see --help)`);
      return 1;
    }
    throw error;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await run(process.argv.slice(2));
