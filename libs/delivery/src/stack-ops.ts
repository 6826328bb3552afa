import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireAwsCredentials, requireGoogleCredentials } from './credentials.js';
import { refusePlaceholders } from './placeholders.js';
import { checkFirstApply, firstApplyNeeds, sdkChecks, type AwsChecks } from './preflight.js';
import { DeliveryError } from './errors.js';
import { imageTag } from './image-tag.js';
import { countPlan, hasChanges, type PlanCounts, type PlanJson } from './plan.js';
import { init, lastLines, requireTerraform, terraform } from './terraform.js';
import { readStackJson, type StackRef, type TerraformConfig } from './workspace.js';

/** Environments whose destroy needs `--confirm <env>`. */
export const PROTECTED_ENVIRONMENTS: readonly string[] = ['prod'];

/** The Terraform variable a service stack reads its image tag from (libs/infra's IMAGE_TAG_VARIABLE). */
export const IMAGE_TAG_VARIABLE = 'image_tag';

/** Names of the files a plan leaves in the stack folder (the pull-request comment reads plan.json). */
export const PLAN_FILE = 'plan.tfplan';
export const PLAN_JSON_FILE = 'plan.json';

export type StackAction = 'diff' | 'deploy' | 'destroy';

/** How one stack's action ended. */
export type StackOutcome = 'unchanged' | 'changes' | 'applied' | 'destroyed' | 'failed';

export interface StackResult {
  readonly id: string;
  /** The Nx project that ran it, when Nx did (NX_TASK_TARGET_PROJECT). */
  readonly project?: string;
  readonly action: StackAction;
  readonly outcome: StackOutcome;
  readonly counts?: PlanCounts;
  readonly imageTag?: string;
  readonly seconds: number;
  /** Why it failed. */
  readonly message?: string;
}

export interface StackActionOptions {
  /** App folders whose image this stack runs (`--image apps/api`): their content-hash tag becomes TF_VAR_image_tag. */
  readonly images?: readonly string[];
  /** Process environment (credentials, DOCFLOW_DELIVERY_RUN). @default process.env */
  readonly vars?: NodeJS.ProcessEnv;
  /**
   * Move the existing state to the backend the stack now names (`terraform init -migrate-state`):
   * once, when the foundation's state moves from local into the bucket it created. @default false
   */
  readonly migrateState?: boolean;
  /** How a deploy asks AWS whether a service's image and secrets exist before its first apply. @default the AWS SDK */
  readonly checks?: AwsChecks;
}

/** Where every stack result of one `delivery run` is collected (set by the run command for the Nx tasks it starts). */
export const RUN_DIR_VARIABLE = 'DOCFLOW_DELIVERY_RUN';

function record(stackResult: StackResult, ref: StackRef, vars: NodeJS.ProcessEnv): StackResult {
  const project = vars['NX_TASK_TARGET_PROJECT'];
  const result = project ? { ...stackResult, project } : stackResult;
  writeFileSync(join(ref.dir, `delivery-${result.action}.json`), `${JSON.stringify(result, null, 2)}\n`);
  const runDir = vars[RUN_DIR_VARIABLE];
  if (runDir) {
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, `${ref.id}.json`), `${JSON.stringify(result, null, 2)}\n`);
  }
  return result;
}

/** What a destroy passes as the (required) image tag: a destroy plan deletes the service whatever it runs. */
const DESTROY_IMAGE_TAG = 'destroyed';

/** TF_VAR_image_tag for a stack that declares `image_tag`, from the content hash of its app. */
function imageVariables(ref: StackRef, config: TerraformConfig, images: readonly string[], action: StackAction): { env: NodeJS.ProcessEnv; tag?: string } {
  if (config.variable?.[IMAGE_TAG_VARIABLE] === undefined) return { env: {} };
  if (action === 'destroy' && images.length === 0) return { env: { TF_VAR_image_tag: DESTROY_IMAGE_TAG } };
  if (images.length !== 1) {
    throw new DeliveryError(`${ref.id} declares the variable ${IMAGE_TAG_VARIABLE} but ${images.length === 0 ? 'no app' : `${images.length} apps`} (--image <app folder>) was given; its stack project names its app in nx.implicitDependencies`);
  }
  const tag = imageTag(images[0] as string);
  return { env: { TF_VAR_image_tag: tag }, tag };
}

interface Prepared {
  readonly config: TerraformConfig;
  readonly env: NodeJS.ProcessEnv;
  readonly tag?: string;
}

/** Everything before the plan: Terraform present, credentials when AWS is involved, image tag, init. */
function prepare(ref: StackRef, action: StackAction, options: StackActionOptions): Prepared {
  const config = readStackJson(ref);
  if (action === 'deploy') refusePlaceholders(ref, config);
  requireTerraform();
  requireAwsCredentials(ref.id, config, options.vars ?? process.env);
  requireGoogleCredentials(ref.id, config, options.vars ?? process.env);
  const image = imageVariables(ref, config, options.images ?? [], action);
  init(ref.dir, ref.id, options.migrateState ? ['-migrate-state', '-force-copy'] : []);
  return { config, env: image.env, ...(image.tag !== undefined ? { tag: image.tag } : {}) };
}

/** `terraform plan -out`, then its JSON; exit 1 is an error, 0 and 2 (changes) are plans. */
function plan(ref: StackRef, env: NodeJS.ProcessEnv, destroy = false): { counts: PlanCounts; json: PlanJson } {
  rmSync(join(ref.dir, PLAN_FILE), { force: true });
  const args = ['plan', '-input=false', '-lock-timeout=120s', `-out=${PLAN_FILE}`, '-detailed-exitcode', ...(destroy ? ['-destroy'] : [])];
  const run = terraform(args, { cwd: ref.dir, env, stream: true });
  if (run.code === 1) throw new DeliveryError(`${ref.id}: terraform plan failed: ${lastLines(run.stderr) || 'its error is above'}`);
  const show = terraform(['show', '-json', PLAN_FILE], { cwd: ref.dir, env });
  if (show.code !== 0) throw new DeliveryError(`${ref.id}: terraform show -json failed:\n  ${lastLines(show.stderr)}`);
  writeFileSync(join(ref.dir, PLAN_JSON_FILE), show.stdout);
  const json = JSON.parse(show.stdout) as PlanJson;
  return { counts: countPlan(json), json };
}

/** Seconds since it was called, each time the returned function is. */
function stopwatch(): () => number {
  const started = process.hrtime.bigint();
  return () => Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * The Terraform plan of a synthesized stack (what `cdktf diff` shows), kept as plan.tfplan and
 * plan.json for the pull-request comment. With `detailedExitCode`, changes are exit 2 (drift).
 */
export function diffStack(ref: StackRef, options: StackActionOptions & { detailedExitCode?: boolean } = {}): StackResult {
  const vars = options.vars ?? process.env;
  const elapsed = stopwatch();
  let tag: string | undefined;
  let counts: PlanCounts;
  try {
    const prepared = prepare(ref, 'diff', options);
    tag = prepared.tag;
    counts = plan(ref, prepared.env).counts;
  } catch (error) {
    // a failed plan is a result too: the run summary and the pull-request comment show its message
    const message = error instanceof Error ? error.message : String(error);
    record({ id: ref.id, action: 'diff', outcome: 'failed', ...(tag ? { imageTag: tag } : {}), seconds: elapsed(), message }, ref, vars);
    throw error;
  }
  const outcome: StackOutcome = hasChanges(counts) ? 'changes' : 'unchanged';
  const stackResult = record({ id: ref.id, action: 'diff', outcome, counts, ...(tag ? { imageTag: tag } : {}), seconds: elapsed() }, ref, vars);
  if (options.detailedExitCode && outcome === 'changes') {
    throw new DeliveryError(`${ref.id}: the plan has changes (${describeCounts(counts)}): the infrastructure differs from the configuration`, 2);
  }
  return stackResult;
}

/**
 * Plans and applies a stack; an unchanged stack is not applied. Before a service stack's first
 * apply, its image and secrets must exist. A failed apply is recorded, then thrown.
 */
export async function deployStack(ref: StackRef, options: StackActionOptions = {}): Promise<StackResult> {
  return applyStack(ref, 'deploy', options);
}

export interface DestroyOptions extends StackActionOptions {
  /** For a protected environment: its name, typed again (`--confirm prod`). */
  readonly confirm?: string;
}

/** Destroys a stack's resources (after the stacks that depend on it, which Nx orders). */
export async function destroyStack(ref: StackRef, options: DestroyOptions = {}): Promise<StackResult> {
  if (PROTECTED_ENVIRONMENTS.includes(ref.env) && options.confirm !== ref.env) {
    throw new DeliveryError(`${ref.id}: destroying ${ref.env} needs --confirm ${ref.env} (it deletes the environment's resources)`);
  }
  return applyStack(ref, 'destroy', options);
}

/** Whether Terraform holds no managed resource of the stack yet (its first apply is coming). */
function isFirstApply(ref: StackRef): boolean {
  const list = terraform(['state', 'list'], { cwd: ref.dir });
  return list.code === 0 && !list.stdout.split('\n').some((address) => address.trim() !== '' && !address.startsWith('data.'));
}

async function applyStack(ref: StackRef, action: 'deploy' | 'destroy', options: StackActionOptions): Promise<StackResult> {
  const vars = options.vars ?? process.env;
  const elapsed = stopwatch();
  let counts: PlanCounts | undefined;
  let tag: string | undefined;
  try {
    const prepared = prepare(ref, action, options);
    tag = prepared.tag;
    counts = plan(ref, prepared.env, action === 'destroy').counts;
    if (!hasChanges(counts)) {
      console.log(`${ref.id}: no changes`);
      return record({ id: ref.id, action, outcome: 'unchanged', counts, ...(tag ? { imageTag: tag } : {}), seconds: elapsed() }, ref, vars);
    }
    if (action === 'deploy') {
      const app = options.images?.[0];
      const needs = firstApplyNeeds(ref, prepared.config, app !== undefined && tag !== undefined ? { root: app, tag } : undefined);
      if (needs && isFirstApply(ref)) await checkFirstApply(ref, needs, options.checks ?? sdkChecks());
    }
    const run = terraform(['apply', '-input=false', '-lock-timeout=120s', '-auto-approve', PLAN_FILE], { cwd: ref.dir, env: prepared.env, stream: true });
    if (run.code !== 0) {
      const notDone = `the stacks that depend on it are not ${action === 'deploy' ? 'deployed' : 'destroyed'}`;
      throw new DeliveryError(`${ref.id}: terraform apply failed (${notDone}): ${lastLines(run.stderr) || 'its error is above'}`);
    }
    return record({ id: ref.id, action, outcome: action === 'deploy' ? 'applied' : 'destroyed', counts, ...(tag ? { imageTag: tag } : {}), seconds: elapsed() }, ref, vars);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    record({ id: ref.id, action, outcome: 'failed', ...(counts ? { counts } : {}), ...(tag ? { imageTag: tag } : {}), seconds: elapsed(), message }, ref, vars);
    throw error;
  }
}

/** `2 to add, 1 to change, 0 to destroy (1 replaced)` */
export function describeCounts(counts: PlanCounts): string {
  const replaced = counts.replace > 0 ? ` (${counts.replace} replaced)` : '';
  const outputs = counts.add + counts.change + counts.destroy === 0 && counts.outputs > 0 ? `, ${counts.outputs} outputs` : '';
  return `${counts.add} to add, ${counts.change} to change, ${counts.destroy} to destroy${replaced}${outputs}`;
}

/** The last recorded result of an action on a stack (delivery-<action>.json), if any. */
export function lastResult(ref: StackRef, action: StackAction): StackResult | undefined {
  try {
    return JSON.parse(readFileSync(join(ref.dir, `delivery-${action}.json`), 'utf8')) as StackResult;
  } catch {
    return undefined;
  }
}
