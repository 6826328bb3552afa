import { Annotations, TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { isPlaceholderProject, pascalCase, resourceName, warnPlaceholder } from '@docflow/infra';
import { GcpStack, GithubFederation, grantOnBucket, PrivateBucket, ProjectServices, projectBucketName, workloadServiceAccount, type GcpStackProps, type WorkloadServiceAccount } from '@docflow/infra-gcp';

export interface GcpFoundationStackProps extends Omit<GcpStackProps, 'foundation'> {
  /**
   * `owner/name` whose GitHub Actions workflows may deploy (and plan) through Workload Identity
   * Federation. @default - no federation and no state bucket: the foundation only turns on the APIs
   */
  readonly githubRepository?: string;
  /** The repository's numeric id, pinned beside its name. @default - the name only, and synth warns */
  readonly githubRepositoryId?: string;
}

/** Days a replaced state file is kept (the versioned state bucket's noncurrent versions). */
export const STATE_VERSION_DAYS = 90;

/**
 * `<env>-gcp-foundation`: what the other GCP stacks need before their first apply, deployed once
 * by an administrator of the project (it grants roles in the project, which the deploy service
 * account itself cannot): the APIs, the service accounts the export job and its schedule run as
 * (here, so that the deploy account needs no right to create or administer service accounts), and
 * with a repository the GitHub federation (pool, provider, deploy and plan service accounts, the
 * deploy account's custom role, its right to act as those two accounts only) and the versioned
 * GCS bucket the GCP stacks keep their state in.
 */
export class GcpFoundationStack extends GcpStack {
  readonly services: ProjectServices;
  readonly federation?: GithubFederation;
  readonly stateBucket?: PrivateBucket;
  /** What the export job runs as (ExportJob): creates archive objects, uses the work bucket, reads the API key. */
  readonly exportServiceAccount: WorkloadServiceAccount;
  /** What Cloud Scheduler calls the job with (JobSchedule): runs that job, nothing else. */
  readonly schedulerServiceAccount: WorkloadServiceAccount;

  constructor(scope: Construct, props: GcpFoundationStackProps) {
    super(scope, 'gcp-foundation', props);
    const { env, gcp } = this;
    if (isPlaceholderProject(gcp.projectId)) {
      warnPlaceholder(this, `gcp.projectId "${gcp.projectId}" is a placeholder: set the environment's Google Cloud project in the environment table`);
    }
    this.services = new ProjectServices(this, 'Services');
    const workloadAccount = (id: string, part: string, description: string) =>
      workloadServiceAccount(this, id, { accountId: resourceName(env, part), displayName: `docflow ${part} (${env.name})`, description, dependsOn: this.services.services });
    this.exportServiceAccount = workloadAccount('ExportServiceAccount', 'export', 'Runs the nightly export: creates archive objects, uses the work bucket, reads the API key');
    this.schedulerServiceAccount = workloadAccount('SchedulerServiceAccount', 'scheduler', `Runs the Cloud Run job ${resourceName(env, 'export')} on its schedule`);
    if (props.githubRepository === undefined) return;

    this.federation = new GithubFederation(this, 'GithubFederation', {
      projectId: gcp.projectId,
      poolId: resourceName(env, 'github'),
      repository: props.githubRepository,
      ...(props.githubRepositoryId !== undefined ? { repositoryId: props.githubRepositoryId } : {}),
      githubEnvironment: env.name,
      deployServiceAccountId: resourceName(env, 'deploy'),
      deployCustomRoleId: `docflow${pascalCase(env.name)}Deploy`,
      planServiceAccountId: resourceName(env, 'plan'),
      dependsOn: this.services.services,
    });
    if (props.githubRepositoryId === undefined) {
      Annotations.of(this).addWarning(
        `DOCFLOW_GITHUB_REPOSITORY_ID is not set: the federation admits any repository named ${props.githubRepository}, one re-created under that name included; set it to the repository's id (gh api repos/${props.githubRepository} --jq .id; GitHub's runners set it as GITHUB_REPOSITORY_ID)`,
      );
    }
    this.stateBucket = new PrivateBucket(this, 'StateBucket', {
      name: projectBucketName(gcp.projectId, resourceName(env, 'tfstate')),
      location: gcp.region,
      versioning: true,
      noncurrentVersionDays: STATE_VERSION_DAYS,
      dependsOn: this.services.services,
    });
    this.stateBucket.bucket.addOverride('lifecycle.prevent_destroy', true);
    // terraform plan takes the state lock (an object beside the state): the plan identity writes it
    grantOnBucket(this, 'PlanTakesStateLock', this.stateBucket.bucket, 'roles/storage.objectUser', this.federation.planServiceAccount.email);
    // the deploy account reads and writes the state here, and no other object in the project
    grantOnBucket(this, 'DeployWritesState', this.stateBucket.bucket, 'roles/storage.objectUser', this.federation.deployServiceAccount.email);
    // it attaches these two accounts to the job and the schedule, and may act as no other
    this.federation.letDeployActAs('Export', this.exportServiceAccount);
    this.federation.letDeployActAs('Scheduler', this.schedulerServiceAccount);

    new TerraformOutput(this, 'workload_identity_provider', {
      value: this.federation.provider.name,
      description: 'google-github-actions/auth workload_identity_provider (repository variable GCP_WORKLOAD_IDENTITY_PROVIDER_<ENV>)',
    });
    new TerraformOutput(this, 'deploy_service_account', { value: this.federation.deployServiceAccount.email, description: 'GCP_DEPLOY_SERVICE_ACCOUNT_<ENV>' });
    new TerraformOutput(this, 'plan_service_account', { value: this.federation.planServiceAccount.email, description: 'GCP_PLAN_SERVICE_ACCOUNT_<ENV>' });
    new TerraformOutput(this, 'state_bucket', { value: this.stateBucket.bucket.name, description: 'DOCFLOW_GCP_STATE_BUCKET_<ENV>' });
  }
}
