import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DeliveryError } from '../errors.js';
import { MASKED, maskSecrets } from '../masking.js';
import { init, lastLines, requireTerraform, terraform } from '../terraform.js';
import { openWorkspace, readStackJson, type DeliveryWorkspace, type StackRef, type TerraformConfig } from '../workspace.js';

/** Terraform state (format version 4), the parts the explorer reads. */
export interface TerraformState {
  readonly version: number;
  readonly terraform_version?: string;
  readonly serial?: number;
  readonly lineage?: string;
  readonly outputs?: Readonly<Record<string, { readonly value: unknown; readonly sensitive?: boolean; readonly type?: unknown }>>;
  readonly resources?: readonly StateResource[];
}

interface StateResource {
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly module?: string;
  readonly instances?: readonly { readonly index_key?: string | number }[];
}

export interface StateResourceEntry {
  /** Terraform address, e.g. `aws_vpc.Network_Vpc_1A2B3C4D` or `terraform_data.x[0]`. */
  readonly address: string;
  readonly type: string;
  readonly mode: 'managed' | 'data';
  /** The construct path from cdk.tf.json's `//` metadata (`dev-network/Network/Vpc`), when known. */
  readonly construct?: string;
}

export interface StateOutput {
  readonly name: string;
  /** The value, masked when sensitive or secret-looking. */
  readonly value: unknown;
  readonly sensitive: boolean;
  /** Masked although not flagged sensitive (it looked like a secret). */
  readonly masked: boolean;
}

/** The explorer's findings; `--json` prints exactly this. */
export interface StateReport {
  /** The stack id, or the state file read. */
  readonly source: string;
  readonly serial: number | null;
  readonly lineage: string | null;
  readonly terraformVersion: string | null;
  /** The synthesized configuration (cdk.tf.json) that maps construct paths and compares addresses, when one was found. */
  readonly configuration: string | null;
  /** The cdk.tf.json files looked for, in order (a state file's own project first, then the workspace). */
  readonly configurationSearched: readonly string[];
  readonly resources: readonly StateResourceEntry[];
  /** Managed resources grouped by construct path (without the stack id), in path order. */
  readonly byConstruct: readonly { readonly construct: string; readonly addresses: readonly string[] }[];
  /** Resource count per type. */
  readonly byType: Readonly<Record<string, number>>;
  readonly outputs: readonly StateOutput[];
  /** Addresses in the configuration but not in the state, and the other way round (null without a configuration). */
  readonly drift: { readonly missingFromState: readonly string[]; readonly notInConfiguration: readonly string[] } | null;
}

/** The construct group of a state resource the configuration does not hold. */
export const NOT_IN_CONFIGURATION = '(not in the configuration)';
/** The construct group of every resource when no configuration was found. */
export const NO_CONFIGURATION = '(no construct path: no configuration found)';

/** resource address (type.name) -> construct path, from the `//` metadata cdktf writes on every block. */
export function constructPaths(config: TerraformConfig): Map<string, string> {
  const paths = new Map<string, string>();
  for (const [mode, blocks] of [
    ['', config.resource],
    ['data.', config.data],
  ] as const) {
    for (const [type, byName] of Object.entries(blocks ?? {})) {
      for (const [name, block] of Object.entries(byName)) {
        const path = (block['//'] as { metadata?: { path?: string } } | undefined)?.metadata?.path;
        if (typeof path === 'string') paths.set(`${mode}${type}.${name}`, path);
      }
    }
  }
  return paths;
}

function configuredAddresses(config: TerraformConfig): string[] {
  return Object.entries(config.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
}

function instanceAddress(base: string, indexKey: string | number | undefined): string {
  if (indexKey === undefined) return base;
  return typeof indexKey === 'number' ? `${base}[${indexKey}]` : `${base}["${indexKey}"]`;
}

/** Reads what Terraform holds, by construct and type, with outputs masked and drift of addresses. */
export function exploreState(state: TerraformState, source: string, config?: { readonly json: TerraformConfig; readonly file: string }, searched: readonly string[] = config ? [config.file] : []): StateReport {
  if (state.version !== 4) throw new DeliveryError(`${source}: state format version ${String(state.version)} is not supported (Terraform >= 0.12 writes 4)`);
  const paths = config ? constructPaths(config.json) : new Map<string, string>();
  const resources: StateResourceEntry[] = [];
  for (const resource of state.resources ?? []) {
    const base = `${resource.module ? `${resource.module}.` : ''}${resource.mode === 'data' ? 'data.' : ''}${resource.type}.${resource.name}`;
    const construct = paths.get(`${resource.mode === 'data' ? 'data.' : ''}${resource.type}.${resource.name}`);
    const instances = resource.instances && resource.instances.length > 0 ? resource.instances : [{}];
    for (const instance of instances) {
      resources.push({ address: instanceAddress(base, instance.index_key), type: resource.type, mode: resource.mode, ...(construct ? { construct } : {}) });
    }
  }
  resources.sort((a, b) => a.address.localeCompare(b.address));

  const groups = new Map<string, string[]>();
  for (const resource of resources.filter((entry) => entry.mode === 'managed')) {
    // the stack id is the first path segment: group by what is inside the stack
    const construct = resource.construct ? resource.construct.split('/').slice(1).join('/') || resource.construct : config ? NOT_IN_CONFIGURATION : NO_CONFIGURATION;
    groups.set(construct, [...(groups.get(construct) ?? []), resource.address]);
  }
  const byType: Record<string, number> = {};
  for (const resource of resources.filter((entry) => entry.mode === 'managed')) byType[resource.type] = (byType[resource.type] ?? 0) + 1;

  const outputs: StateOutput[] = Object.entries(state.outputs ?? {})
    .map(([name, output]) => {
      if (output.sensitive) return { name, value: MASKED, sensitive: true, masked: true };
      const value = maskSecrets(output.value, name);
      return { name, value, sensitive: false, masked: JSON.stringify(value) !== JSON.stringify(output.value) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));

  let drift: StateReport['drift'] = null;
  if (config) {
    const inState = new Set(resources.filter((entry) => entry.mode === 'managed').map((entry) => entry.address.replace(/\[.*\]$/, '')));
    const inConfig = new Set(configuredAddresses(config.json));
    drift = {
      missingFromState: [...inConfig].filter((address) => !inState.has(address)).sort(),
      notInConfiguration: [...inState].filter((address) => !inConfig.has(address)).sort(),
    };
  }

  return {
    source,
    serial: state.serial ?? null,
    lineage: state.lineage ?? null,
    terraformVersion: state.terraform_version ?? null,
    configuration: config?.file ?? null,
    configurationSearched: searched,
    resources,
    byConstruct: [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([construct, addresses]) => ({ construct, addresses })),
    byType: Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b))),
    outputs,
    drift,
  };
}

function parseState(text: string, source: string): TerraformState {
  try {
    return JSON.parse(text) as TerraformState;
  } catch {
    throw new DeliveryError(`${source} is not a Terraform state file (not JSON)`);
  }
}

/**
 * The state of a synthesized stack, through `terraform state pull` (any backend: local, S3, ...).
 * An empty state (never applied) reads as version 4 with no resources.
 */
export function pullState(ref: StackRef): TerraformState {
  requireTerraform();
  init(ref.dir, ref.id);
  const run = terraform(['state', 'pull'], { cwd: ref.dir });
  if (run.code !== 0) throw new DeliveryError(`${ref.id}: terraform state pull failed:\n  ${lastLines(run.stderr)}`);
  if (run.stdout.trim() === '') return { version: 4, resources: [], outputs: {} };
  return parseState(run.stdout, ref.id);
}

/** Explores a synthesized stack's state, with its cdk.tf.json for construct paths and drift. */
export function exploreStack(ref: StackRef): StateReport {
  return exploreState(pullState(ref), ref.id, { json: readStackJson(ref), file: join(ref.dir, 'cdk.tf.json') });
}

/**
 * The output folder of the cdktf project a state file belongs to: the nearest folder, from the
 * file's own upwards, with a cdktf.json (its `output`; the workspace's own settings when it is the
 * workspace) or else a cdktf.out folder. docflow's local state sits beside cdktf.json
 * (libs/infra localStatePath).
 */
function projectOutdir(stateFile: string, workspace: DeliveryWorkspace | undefined): string | undefined {
  for (let dir = dirname(stateFile); ; dir = dirname(dir)) {
    if (workspace && dir === workspace.dir) return workspace.outdir;
    if (existsSync(join(dir, 'cdktf.json'))) {
      try {
        return openWorkspace(dir, {}).outdir;
      } catch {
        return join(dir, 'cdktf.out');
      }
    }
    if (existsSync(join(dir, 'cdktf.out'))) return join(dir, 'cdktf.out');
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Explores a state file (no Terraform, no credentials needed). Its configuration, for construct
 * paths and drift, is a cdk.tf.json beside it (a stack folder's own state), else the stack of the
 * same id (`terraform.<env>-<stack>.tfstate`) in the cdktf project the file sits in, else, when
 * the file is in no cdktf project, in the workspace's.
 */
export function exploreStateFile(file: string, workspace?: DeliveryWorkspace): StateReport {
  const path = resolve(file);
  if (!existsSync(path)) throw new DeliveryError(`${file} not found (a state file, or a stack id such as dev-network)`);
  const state = parseState(readFileSync(path, 'utf8'), file);
  const id = /^terraform\.(.+)\.tfstate$/.exec(basename(path))?.[1];
  const outdir = projectOutdir(path, workspace) ?? workspace?.outdir;
  const candidates = [join(dirname(path), 'cdk.tf.json'), ...(id && outdir ? [join(outdir, 'stacks', id, 'cdk.tf.json')] : [])];
  const configFile = candidates.find((candidate) => existsSync(candidate));
  const config = configFile ? { json: JSON.parse(readFileSync(configFile, 'utf8')) as TerraformConfig, file: configFile } : undefined;
  return exploreState(state, file, config, candidates);
}
