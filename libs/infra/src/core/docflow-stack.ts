import { Aspects, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import type { EnvironmentConfig } from '../environments/types.js';
import { accountIdOf } from './account.js';
import { configureBackend, type StateBackendSettings } from './backend.js';
import { VisibleCrossStackOutputs } from './cross-stack-outputs.js';
import { setIamDefaults, workloadBoundaryName, workloadRolePath } from './iam.js';
import { stackIdFor, tagsFor } from './naming.js';

export interface DocflowStackProps {
  /** The environment this stack belongs to (one entry of the environment table). */
  readonly env: EnvironmentConfig;
  /** Remote state settings. @default - local state */
  readonly stateBackend?: StateBackendSettings;
  /**
   * Put every IAM role under the environment's path and permissions boundary (from the bootstrap
   * stack). Off only for the bootstrap stack, whose roles are the deployers. @default true
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
    this.env = props.env;
    this.stackName = stackName;
    new AwsProvider(this, 'Aws', {
      region: props.env.region,
      ...(props.env.accountId ? { allowedAccountIds: [props.env.accountId] } : {}),
      defaultTags: [{ tags: { ...tagsFor(props.env, stackName) } }],
    });
    configureBackend(this, this.node.id, props.env.region, props.stateBackend);
    Aspects.of(this).add(new VisibleCrossStackOutputs());
    if (props.workloadIam ?? true) {
      setIamDefaults(this, {
        path: workloadRolePath(props.env.name),
        permissionsBoundaryArn: `arn:aws:iam::${accountIdOf(this)}:policy/${workloadBoundaryName(props.env.name)}`,
      });
    }
  }
}
