import { LocalBackend, S3Backend, type TerraformBackend, type TerraformStack } from 'cdktf';

/** Where Terraform keeps a stack's state. */
export interface StateBackendSettings {
  /** S3 bucket of the remote state (from the foundation stack); without it the state stays local. @default - local backend */
  readonly bucket?: string;
  /** Region of the state bucket. @default - the environment's region */
  readonly region?: string;
}

/**
 * Local state lives at the repository root (`terraform.<stack id>.tfstate`, git-ignored), written as a
 * path relative to the stack's working directory `cdktf.out/stacks/<stack id>/`: every stack sits at
 * the same depth, so the remote-state data sources cdktf generates for cross-stack references
 * resolve from any stack, and the synthesized JSON does not depend on the machine.
 */
export function localStatePath(stackId: string): string {
  return `../../../terraform.${stackId}.tfstate`;
}

/** The S3 object key of a stack's state. */
export function stateKey(stackId: string): string {
  return `docflow/${stackId}.tfstate`;
}

/**
 * The stack's backend: S3 (encrypted, with Terraform's native S3 locking) when a state bucket is
 * configured, else local so that a newcomer can synth and plan without an AWS account.
 */
export function configureBackend(
  stack: TerraformStack,
  stackId: string,
  defaultRegion: string,
  settings: StateBackendSettings = {},
): TerraformBackend {
  if (settings.bucket === undefined) {
    return new LocalBackend(stack, { path: localStatePath(stackId) });
  }
  const backend = new S3Backend(stack, {
    bucket: settings.bucket,
    key: stateKey(stackId),
    region: settings.region ?? defaultRegion,
    encrypt: true,
  });
  // cdktf 0.21 predates `use_lockfile` (Terraform >= 1.10 native S3 locking, no DynamoDB table)
  backend.addOverride('use_lockfile', true);
  return backend;
}
