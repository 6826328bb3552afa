import { GcsBackend, LocalBackend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider/index.js';
import { localStatePath, REQUIRED_TERRAFORM_VERSION, stackIdFor, tagsFor, type EnvironmentConfig, type GcpSettings } from '@docflow/infra';

/** Where a GCP stack keeps its Terraform state. */
export interface GcpStateBackendSettings {
  /** GCS bucket of the remote state (the GCP foundation's `state_bucket` output). */
  readonly bucket: string;
}

/** The GCS object prefix of a stack's state (`<prefix>/default.tfstate`). */
export function gcpStatePrefix(stackId: string): string {
  return `docflow/${stackId}`;
}

export interface GcpStackProps {
  /** The environment (its `gcp` section says which project and region). */
  readonly env: EnvironmentConfig;
  /** Remote state in GCS (native locking, no extra setting). @default - local state, like the AWS stacks */
  readonly stateBackend?: GcpStateBackendSettings;
  /**
   * The environment's GCP foundation (its APIs enabled, the deploy identity): applied first.
   * @default - none (only for the GCP foundation itself)
   */
  readonly foundation?: TerraformStack;
}

/**
 * Base of every GCP stack: id `<env>-<stack>`, the google provider of the environment's project
 * and region with the project/env/stack/profile labels on every resource that takes labels, and
 * the backend (GCS, or local like the AWS stacks). No AWS provider: a GCP stack needs Google
 * credentials only.
 */
export abstract class GcpStack extends TerraformStack {
  readonly env: EnvironmentConfig;
  readonly gcp: GcpSettings;
  /** The stack's short name (`gcp-registry`, ...). */
  readonly stackName: string;

  protected constructor(scope: Construct, stackName: string, props: GcpStackProps) {
    super(scope, stackIdFor(props.env.name, stackName));
    const gcp = props.env.gcp;
    if (gcp === undefined) {
      throw new Error(`${this.node.id}: environment "${props.env.name}" has no gcp section in the environment table (libs/infra/src/environments/table.ts)`);
    }
    this.env = props.env;
    this.gcp = gcp;
    this.stackName = stackName;
    this.addOverride('terraform.required_version', REQUIRED_TERRAFORM_VERSION);
    new GoogleProvider(this, 'Google', { project: gcp.projectId, region: gcp.region, defaultLabels: { ...tagsFor(props.env, stackName) } });
    if (props.stateBackend === undefined) {
      new LocalBackend(this, { path: localStatePath(this.node.id) });
    } else {
      new GcsBackend(this, { bucket: props.stateBackend.bucket, prefix: gcpStatePrefix(this.node.id) });
    }
    if (props.foundation !== undefined) this.addDependency(props.foundation);
  }
}
