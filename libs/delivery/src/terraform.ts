import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';
import { DeliveryError } from './errors.js';

/** The oldest Terraform delivery drives: 1.10 brought the S3 backend's native locking. */
export const MIN_TERRAFORM_VERSION = [1, 10] as const;

export interface TerraformRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface TerraformOptions {
  readonly cwd: string;
  /** Extra environment (TF_VAR_image_tag, ...). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Stream output to the console (plan, apply) instead of capturing it; stderr is still captured
   * (and then printed) so that a failure can say what Terraform said. @default false
   */
  readonly stream?: boolean;
}

const NO_COLOR = { TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' };

/** Runs `terraform <args>`; a missing binary is a DeliveryError, a non-zero exit is the caller's to judge. */
export function terraform(args: readonly string[], options: TerraformOptions): TerraformRun {
  // colour only on a terminal (CI logs and captured output stay plain)
  const colour = options.stream && process.stdout.isTTY ? [] : ['-no-color'];
  const withColour = args.length > 0 && ['plan', 'apply', 'destroy', 'init', 'output', 'show'].includes(args[0] as string) && !args.includes('-no-color') ? [args[0] as string, ...colour, ...args.slice(1)] : [...args];
  const result: SpawnSyncReturns<string> = spawnSync('terraform', withColour, {
    cwd: options.cwd,
    env: { ...process.env, ...NO_COLOR, ...options.env },
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    stdio: options.stream ? ['ignore', 'inherit', 'pipe'] : ['ignore', 'pipe', 'pipe'],
  });
  if (options.stream && result.stderr) process.stderr.write(result.stderr);
  if (result.error) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT') throw terraformMissing();
    throw new DeliveryError(`terraform ${args[0] ?? ''} could not run: ${result.error.message}`);
  }
  return { code: result.status ?? 1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function terraformMissing(): DeliveryError {
  const [major, minor] = MIN_TERRAFORM_VERSION;
  return new DeliveryError(
    `Terraform is not installed (no terraform on the PATH): diff, deploy, destroy and state need Terraform >= ${major}.${minor} (https://developer.hashicorp.com/terraform/install; in CI hashicorp/setup-terraform)`,
  );
}

/** The installed Terraform version, checked against the minimum. */
export function requireTerraform(): string {
  const run = terraform(['version', '-json'], { cwd: process.cwd() });
  let version: string | undefined;
  try {
    version = (JSON.parse(run.stdout) as { terraform_version?: string }).terraform_version;
  } catch {
    version = undefined;
  }
  if (run.code !== 0 || version === undefined) throw new DeliveryError(`terraform version failed: ${lastLines(run.stderr || run.stdout)}`);
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [minMajor, minMinor] = MIN_TERRAFORM_VERSION;
  if (major < minMajor || (major === minMajor && minor < minMinor)) {
    throw new DeliveryError(`Terraform ${version} is too old: docflow's stacks need >= ${minMajor}.${minMinor} (native S3 state locking)`);
  }
  return version;
}

/**
 * Terraform's own error, without the noise: the `Error:` blocks (or the last lines). Terraform
 * warns on every run when TF_CLI_CONFIG_FILE names a missing file; that warning is dropped.
 */
export function lastLines(output: string, count = 12): string {
  const lines = stripVTControlCharacters(output).split('\n');
  const errorStart = lines.findIndex((line) => /^\s*[│╷]?\s*Error: /.test(line));
  const relevant = (errorStart >= 0 ? lines.slice(errorStart) : lines).map((line) => line.replace(/^[│╷╵]\s?/, '')).filter((line) => line.trim() !== '');
  return relevant.slice(0, count).join('\n  ');
}

/** `terraform init` in a stack folder; a failure (provider download, backend access) says what Terraform said. */
export function init(cwd: string, id: string, extraArgs: readonly string[] = []): void {
  const run = terraform(['init', '-input=false', '-no-color', ...extraArgs], { cwd });
  if (run.code !== 0) throw new DeliveryError(`${id}: terraform init failed:\n  ${lastLines(run.stderr || run.stdout)}`);
}
