/**
 * `npm run delivery -- <command>`: the delivery CLI the Nx targets run. It only parses, calls the
 * library and prints; every user mistake is one line on stderr (exit 1), never a stack trace.
 * Exit codes: 0 ok, 1 error, 2 found something (changes where none were expected, drift).
 */
import { parseArgs } from 'node:util';
import { DeliveryError } from '../errors.js';
import { appendFileSync } from 'node:fs';
import { buildImage } from '../image.js';
import { changedFiles, formatRunSummary, runStacks, type RunScope, type RunSummary } from '../run.js';
import { deployStack, describeCounts, destroyStack, diffStack, type StackResult } from '../stack-ops.js';
import { exploreStack, exploreStateFile } from '../state/explorer.js';
import { formatStateReport } from '../state/format.js';
import { describeSynthesized, synthApp } from '../synth.js';
import { openWorkspace, parseStackId, requireEnvironment, requireStack, type DeliveryWorkspace } from '../workspace.js';

const USAGE = `Usage: npm run delivery -- <command> [options]

Commands (each also runs as an Nx target: npx nx run stack-<name>:<command> -c <env>):
  synth [<stack>] [--env <env>]        synthesize an environment (every environment without --env);
                                       with a stack, show what was synthesized for it
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

export function main(argv: readonly string[]): number {
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
    case 'synth': {
      const ws = workspace();
      if (target === undefined) {
        synthApp(ws, values.env);
        return 0;
      }
      console.log(describeSynthesized(stackOf(ws, target, values)));
      return 0;
    }
    case 'diff':
      printResult(diffStack(stackOf(workspace(), target, values), { images, detailedExitCode: values['detailed-exitcode'] }), values.json);
      return 0;
    case 'deploy':
      printResult(deployStack(stackOf(workspace(), target, values), { images, migrateState: values['migrate-state'] }), values.json);
      return 0;
    case 'destroy':
      printResult(destroyStack(stackOf(workspace(), target, values), { images, ...(values.confirm !== undefined ? { confirm: values.confirm } : {}) }), values.json);
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
      else if (result.outcome === 'tagged') console.log(`${result.app}: image tag ${result.tag} (not pushed: DOCFLOW_IMAGE_REGISTRY is not set; CI pushes)`);
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
      const summary = runStacks({ action, env, scope, root, taskArgs });
      console.log(values.json ? JSON.stringify(summary, null, 2) : `\n${formatRunSummary(summary)}`);
      writeJobSummary(summary);
      if (summary.ok) return 0;
      return action === 'diff' && values['detailed-exitcode'] && summary.stacks.every((entry) => entry.status === 'changes' || entry.status === 'unchanged') ? 2 : 1;
    }
    default:
      throw new DeliveryError(`unknown command "${command}" (see --help)`);
  }
}

/** In GitHub Actions, the summary also goes to the job summary page. */
function writeJobSummary(summary: RunSummary): void {
  const file = process.env['GITHUB_STEP_SUMMARY'];
  if (file) appendFileSync(file, `\n\`\`\`\n${formatRunSummary(summary)}\n\`\`\`\n`);
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
export function run(argv: readonly string[]): number {
  try {
    return main(argv);
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

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = run(process.argv.slice(2));
