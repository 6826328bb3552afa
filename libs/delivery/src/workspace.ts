import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { DeliveryError } from './errors.js';

/** Where the cdktf app is and where it writes: what cdktf.json says, in `dir`. */
export interface DeliveryWorkspace {
  /** The folder holding cdktf.json (the workspace root, or a fixture app's folder). */
  readonly dir: string;
  /** The command that synthesizes (cdktf.json `app`), run in `dir`. */
  readonly appCommand: string;
  /** Absolute synth output folder (cdktf.json `output`, or CDKTF_OUTDIR). */
  readonly outdir: string;
  /** Environments the workspace knows (nx.json, the delivery plugin's options), when it says. */
  readonly environments?: readonly string[];
}

/** A stack of one environment, as synthesized: `cdktf.out/stacks/<env>-<stack>`. */
export interface StackRef {
  readonly env: string;
  readonly stack: string;
  /** `<env>-<stack>` */
  readonly id: string;
  /** Absolute path of the synthesized stack folder (Terraform's working directory). */
  readonly dir: string;
}

interface CdktfJson {
  readonly app?: string;
  readonly output?: string;
}

/**
 * Reads cdktf.json in `dir` (default: DOCFLOW_DELIVERY_DIR, else the current folder). The fixture
 * test points DOCFLOW_DELIVERY_DIR at its own cdktf app; everything else is the same code.
 */
export function openWorkspace(dir?: string, vars: NodeJS.ProcessEnv = process.env): DeliveryWorkspace {
  const root = resolve(dir ?? vars['DOCFLOW_DELIVERY_DIR'] ?? process.cwd());
  const configFile = join(root, 'cdktf.json');
  if (!existsSync(configFile)) throw new DeliveryError(`${configFile} not found: run from the repository root or pass --dir <folder with cdktf.json>`);
  let config: CdktfJson;
  try {
    config = JSON.parse(readFileSync(configFile, 'utf8')) as CdktfJson;
  } catch (error) {
    throw new DeliveryError(`${configFile} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof config.app !== 'string' || config.app.trim() === '') throw new DeliveryError(`${configFile} has no "app" (the command that synthesizes)`);
  const environments = readEnvironments(root);
  return {
    dir: root,
    appCommand: config.app,
    outdir: resolve(root, vars['CDKTF_OUTDIR'] ?? config.output ?? 'cdktf.out'),
    ...(environments ? { environments } : {}),
  };
}

/** The environments nx.json gives the delivery plugin (the workspace's -c configurations). */
function readEnvironments(root: string): readonly string[] | undefined {
  const nxJson = join(root, 'nx.json');
  if (!existsSync(nxJson)) return undefined;
  const plugins = (JSON.parse(readFileSync(nxJson, 'utf8')) as { plugins?: unknown[] }).plugins ?? [];
  for (const plugin of plugins) {
    if (typeof plugin !== 'object' || plugin === null) continue;
    const { plugin: path, options } = plugin as { plugin?: string; options?: { environments?: string[] } };
    if (path?.endsWith('delivery/src/nx/plugin.mjs') && Array.isArray(options?.environments)) return options.environments;
  }
  return undefined;
}

/** Stack ids synthesized in the workspace's output folder. */
export function synthesizedStacks(workspace: DeliveryWorkspace): string[] {
  const stacksDir = join(workspace.outdir, 'stacks');
  if (!existsSync(stacksDir)) return [];
  return readdirSync(stacksDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(stacksDir, entry.name, 'cdk.tf.json')))
    .map((entry) => entry.name)
    .sort();
}

/** Checks an environment name against the ones the workspace knows. */
export function requireEnvironment(workspace: DeliveryWorkspace, env: string | undefined): string {
  if (env === undefined || env === '') throw new DeliveryError('--env is required (the environment: dev, staging, prod, ...)');
  if (workspace.environments && !workspace.environments.includes(env)) {
    throw new DeliveryError(`unknown environment "${env}" (known: ${workspace.environments.join(', ')}; nx.json lists them for the delivery plugin)`);
  }
  return env;
}

/**
 * The stack projects of the Nx workspace in `dir`: the folders `stacks/<name>` with a package.json
 * (the delivery plugin's pattern; Nx project `stack-<name>`), by name. None where `dir` holds no
 * nx.json (a fixture app, another cdktf project).
 */
export function stackProjects(dir: string): string[] {
  const stacksDir = join(dir, 'stacks');
  if (!existsSync(join(dir, 'nx.json')) || !existsSync(stacksDir)) return [];
  return readdirSync(stacksDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(stacksDir, entry.name, 'package.json')))
    .map((entry) => entry.name)
    .sort();
}

/**
 * The synthesized stack `<env>-<stack>`, or a message that says what to do: which stacks exist
 * (the workspace's stack projects, else what is synthesized), or which synth to run.
 */
export function requireStack(workspace: DeliveryWorkspace, env: string, stack: string): StackRef {
  requireEnvironment(workspace, env);
  const id = `${env}-${stack}`;
  const dir = join(workspace.outdir, 'stacks', id);
  if (existsSync(join(dir, 'cdk.tf.json'))) return { env, stack, id, dir };
  const projects = stackProjects(workspace.dir);
  if (projects.length > 0 && !projects.includes(stack)) {
    throw new DeliveryError(`unknown stack "${stack}": the stacks are ${projects.join(', ')} (stacks/<name>, Nx project stack-<name>)`);
  }
  const known = synthesizedStacks(workspace).filter((other) => other.startsWith(`${env}-`));
  const where = relative(process.cwd(), join(dir, 'cdk.tf.json')) || join(dir, 'cdk.tf.json');
  const synth = `run npx nx run stack-${stack}:synth -c ${env} (or npx nx run stacks:synth -c ${env})`;
  if (known.length === 0) throw new DeliveryError(`${where} not found: nothing is synthesized for ${env} yet; ${synth}`);
  if (projects.includes(stack)) throw new DeliveryError(`${where} not found: ${id} is not synthesized (${env} has ${known.join(', ')}); ${synth}`);
  throw new DeliveryError(`unknown stack "${id}": ${env} has ${known.join(', ')}`);
}

/** Splits `<env>-<stack>` (the environment is the part before the first dash). */
export function parseStackId(id: string): { env: string; stack: string } {
  const dash = id.indexOf('-');
  if (dash <= 0 || dash === id.length - 1) throw new DeliveryError(`"${id}" is not a stack id (<env>-<stack>, e.g. dev-network)`);
  return { env: id.slice(0, dash), stack: id.slice(dash + 1) };
}

/** The synthesized Terraform JSON of a stack. */
export function readStackJson(ref: StackRef): TerraformConfig {
  return JSON.parse(readFileSync(join(ref.dir, 'cdk.tf.json'), 'utf8')) as TerraformConfig;
}

/** The parts of cdk.tf.json delivery reads. */
export interface TerraformConfig {
  readonly '//'?: { readonly metadata?: Record<string, unknown> };
  readonly terraform?: { readonly backend?: Record<string, unknown>; readonly required_version?: string };
  readonly provider?: Record<string, unknown>;
  readonly variable?: Record<string, unknown>;
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly output?: Record<string, { readonly value?: unknown; readonly sensitive?: boolean }>;
}
