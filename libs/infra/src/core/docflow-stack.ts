import { Aspects, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import type { EnvironmentConfig } from '../environments/types.js';
import type { WorkloadBoundary } from '../foundation/workload-boundary.js';
import { configureBackend, type StateBackendSettings } from './backend.js';
import { VisibleCrossStackOutputs } from './cross-stack-outputs.js';
import { setIamDefaults, workloadRolePath } from './iam.js';
import { stackIdFor, tagsFor } from './naming.js';

/** Terraform version every stack requires: 1.10 brought the S3 backend's native locking (`use_lockfile`). */
export const REQUIRED_TERRAFORM_VERSION = '>= 1.10';

/** What every other stack of an environment needs from its foundation stack, before its first apply. */
export interface Foundation extends TerraformStack {
  /** The workload permissions boundary every role of the environment names. */
  readonly workloadBoundary: WorkloadBoundary;
}

export interface DocflowStackProps {
  /** The environment this stack belongs to (one entry of the environment table). */
  readonly env: EnvironmentConfig;
  /** Remote state settings. @default - local state */
  readonly stateBackend?: StateBackendSettings;
  /**
   * The environment's foundation stack. Every stack depends on it (in cdktf's manifest through the
   * boundary reference and an explicit dependency, in the Nx graph through the import), so it is
   * applied first. Required unless `workloadIam` is false. @default - none (only for the foundation itself)
   */
  readonly foundation?: Foundation;
  /**
   * Put every IAM role under the environment's path and the foundation's permissions boundary. Off
   * only for the foundation stack, whose roles are the deployers. @default true
   */
  readonly workloadIam?: boolean;
}

/**
 * Base of every docflow stack: id `<env>-<stack>`, the AWS provider of the environment's region with
 * the project/env/stack tags on every resource, and the backend. Subclasses add one or two constructs.
 */
export abstract class DocflowStack extends TerraformStack {
  readonly env: EnvironmentConfig;
  /** The stack's short name (`network`, `data`, ...). */
  readonly stackName: string;

  protected constructor(scope: Construct, stackName: string, props: DocflowStackProps) {
    super(scope, stackIdFor(props.env.name, stackName));
    const workloadIam = props.workloadIam ?? true;
    if (workloadIam && props.foundation === undefined) {
      throw new Error(`${this.node.id}: props.foundation is required (the foundation stack owns the workload permissions boundary every role names); only a stack with workloadIam: false may go without`);
    }
    if (!workloadIam && props.foundation !== undefined) {
      throw new Error(`${this.node.id}: props.foundation and workloadIam: false conflict (only the foundation stack itself opts out of the workload boundary)`);
    }
    this.env = props.env;
    this.addOverride('terraform.required_version', REQUIRED_TERRAFORM_VERSION);
    this.stackName = stackName;
    new AwsProvider(this, 'Aws', {
      region: props.env.region,
      ...(props.env.accountId ? { allowedAccountIds: [props.env.accountId] } : {}),
      defaultTags: [{ tags: { ...tagsFor(props.env, stackName) } }],
    });
    configureBackend(this, this.node.id, props.env.region, props.stateBackend);
    Aspects.of(this).add(new VisibleCrossStackOutputs());
    if (props.foundation !== undefined) {
      this.addDependency(props.foundation);
      setIamDefaults(this, { path: workloadRolePath(props.env.name), permissionsBoundaryArn: props.foundation.workloadBoundary.arn });
    }
  }
}
