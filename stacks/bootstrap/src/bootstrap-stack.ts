import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { DocflowStack, GithubDeployRoles, StateBucket, type DocflowStackProps } from '@docflow/infra';

export interface BootstrapStackProps extends Omit<DocflowStackProps, 'workloadIam'> {
  /** `owner/name` of the GitHub repository that deploys this environment. */
  readonly githubRepository: string;
  /** The account's GitHub OIDC provider, when another environment in the account created it. @default - created here */
  readonly existingOidcProviderArn?: string;
}

/**
 * `<env>-bootstrap`: applied once per environment by an administrator, before everything else: the
 * state bucket every other stack's backend points at, the workload permissions boundary, and the
 * GitHub OIDC deploy and plan roles. Its own state starts local and moves into the bucket it created
 * (docs/infrastructure.md).
 */
export class BootstrapStack extends DocflowStack {
  readonly stateBucket: StateBucket;
  readonly github: GithubDeployRoles;

  constructor(scope: Construct, props: BootstrapStackProps) {
    super(scope, 'bootstrap', { ...props, workloadIam: false });
    const { env } = props;
    this.stateBucket = new StateBucket(this, 'StateBucket', { envName: env.name });
    this.github = new GithubDeployRoles(this, 'Github', {
      envName: env.name,
      repository: props.githubRepository,
      stateBucket: this.stateBucket.bucket,
      ...(props.existingOidcProviderArn !== undefined ? { existingOidcProviderArn: props.existingOidcProviderArn } : {}),
    });
    new TerraformOutput(this, 'state_bucket', { value: this.stateBucket.bucket.bucket, description: `Set DOCFLOW_STATE_BUCKET_${env.name.toUpperCase()} to this` });
    new TerraformOutput(this, 'deploy_role_arn', { value: this.github.deployRole.arn, description: 'GitHub environment secret for deploy jobs' });
    new TerraformOutput(this, 'plan_role_arn', { value: this.github.planRole.arn, description: 'Role for pull-request plans' });
  }
}
