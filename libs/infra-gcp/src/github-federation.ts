import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { IamWorkloadIdentityPool } from '@cdktf/provider-google/lib/iam-workload-identity-pool/index.js';
import { IamWorkloadIdentityPoolProvider } from '@cdktf/provider-google/lib/iam-workload-identity-pool-provider/index.js';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member/index.js';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member/index.js';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account/index.js';
import { pascalCase } from '@docflow/infra';
import { serviceAccountId, serviceAccountMember } from './naming.js';

/** GitHub Actions' OIDC issuer: one for every organization and repository on github.com. */
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
/** Lets a principal of the pool act as the service account. */
export const WORKLOAD_IDENTITY_USER_ROLE = 'roles/iam.workloadIdentityUser';

/**
 * The predefined role the deploy service account needs for each kind of resource the GCP stacks
 * (but the foundation, deployed by an administrator) create. A stack with a new kind of resource
 * fails stacks/src/ci-roles.test.ts until it is here.
 */
export const DEPLOY_ROLE_BY_RESOURCE_TYPE: Readonly<Record<string, string>> = {
  google_artifact_registry_repository: 'roles/artifactregistry.admin',
  google_cloud_run_v2_job: 'roles/run.admin',
  google_cloud_run_v2_job_iam_member: 'roles/run.admin',
  google_cloud_scheduler_job: 'roles/cloudscheduler.admin',
  google_dns_managed_zone: 'roles/dns.admin',
  google_dns_record_set: 'roles/dns.admin',
  google_secret_manager_secret: 'roles/secretmanager.admin',
  google_secret_manager_secret_iam_member: 'roles/secretmanager.admin',
  google_service_account: 'roles/iam.serviceAccountAdmin',
  google_storage_bucket: 'roles/storage.admin',
  google_storage_bucket_iam_member: 'roles/storage.admin',
};

/**
 * What the deploy service account may do: create and change exactly the kinds of resources the
 * GCP stacks hold (predefined roles, no basic role), act as the job's and the schedule's service
 * accounts when it attaches them (roles/iam.serviceAccountUser), and push images (within
 * artifactregistry.admin). It cannot change the project's IAM policy, so it cannot grant itself
 * more (the foundation, which does, is deployed by an administrator).
 */
export const DEPLOY_ROLES: readonly string[] = [...new Set([...Object.values(DEPLOY_ROLE_BY_RESOURCE_TYPE), 'roles/iam.serviceAccountUser'])].sort();

/** What the plan service account may do: read every resource and IAM policy the stacks hold (no secret values). */
export const PLAN_ROLES = [
  'roles/artifactregistry.reader',
  'roles/cloudscheduler.viewer',
  'roles/dns.reader',
  'roles/iam.securityReviewer',
  'roles/iam.serviceAccountViewer',
  'roles/iam.workloadIdentityPoolViewer',
  'roles/run.viewer',
  'roles/secretmanager.viewer',
  'roles/serviceusage.serviceUsageViewer',
  'roles/storage.bucketViewer',
] as const;

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const POOL_ID = /^(?!gcp-)[a-z0-9-]{4,32}$/;

export interface GithubFederationProps {
  /** The project the roles are granted in. */
  readonly projectId: string;
  /** The pool's id (4-32 of a-z, 0-9, -; not starting with `gcp-`). */
  readonly poolId: string;
  /** `owner/name`: the only repository whose workflows the provider accepts. */
  readonly repository: string;
  /** The GitHub environment whose jobs may deploy (the deploy role of the AWS foundation trusts the same). */
  readonly githubEnvironment: string;
  readonly deployServiceAccountId: string;
  readonly planServiceAccountId: string;
  /** @default DEPLOY_ROLES */
  readonly deployRoles?: readonly string[];
  /** @default PLAN_ROLES */
  readonly planRoles?: readonly string[];
  /** What must exist first (the IAM APIs, in the same stack). @default - nothing */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * Workload Identity Federation for GitHub Actions: a pool, and an OIDC provider for GitHub's
 * issuer that accepts only tokens of one repository. The issuer is shared by every repository on
 * github.com, so the attribute condition is what keeps other people's workflows out; it reads
 * the mapped `attribute.repository`. Two service accounts the pool may impersonate, each only
 * from one kind of job (by the token's subject, as the AWS roles trust it): deploy from jobs in
 * the GitHub environment, plan from pull requests and the main branch (the nightly drift run).
 */
export class GithubFederation extends Construct {
  readonly pool: IamWorkloadIdentityPool;
  readonly provider: IamWorkloadIdentityPoolProvider;
  readonly deployServiceAccount: ServiceAccount;
  readonly planServiceAccount: ServiceAccount;
  private readonly dependsOn: { dependsOn?: ITerraformDependable[] };

  constructor(scope: Construct, id: string, props: GithubFederationProps) {
    super(scope, id);
    if (!REPOSITORY.test(props.repository)) throw new Error(`GithubFederation: repository "${props.repository}" must be "owner/name"`);
    if (!POOL_ID.test(props.poolId)) throw new Error(`GithubFederation: poolId "${props.poolId}" must be 4-32 of a-z, 0-9 and hyphens, not starting with "gcp-"`);

    const dependsOn = props.dependsOn !== undefined ? { dependsOn: [...props.dependsOn] } : {};
    this.dependsOn = dependsOn;
    this.pool = new IamWorkloadIdentityPool(this, 'Pool', {
      ...dependsOn,
      workloadIdentityPoolId: props.poolId,
      displayName: 'GitHub Actions',
      description: `Workflows of ${props.repository}`,
    });
    this.provider = new IamWorkloadIdentityPoolProvider(this, 'Provider', {
      workloadIdentityPoolId: this.pool.workloadIdentityPoolId,
      workloadIdentityPoolProviderId: 'github',
      displayName: 'GitHub',
      description: `GitHub Actions OIDC tokens of ${props.repository} only`,
      attributeMapping: {
        'google.subject': 'assertion.sub',
        'attribute.repository': 'assertion.repository',
        'attribute.repository_owner': 'assertion.repository_owner',
      },
      attributeCondition: `attribute.repository == ${JSON.stringify(props.repository)}`,
      oidc: { issuerUri: GITHUB_ISSUER },
    });

    const subject = (value: string) => `principal://iam.googleapis.com/${this.pool.name}/subject/repo:${props.repository}:${value}`;
    this.deployServiceAccount = this.serviceAccount('Deploy', props.deployServiceAccountId, props.projectId, props.deployRoles ?? DEPLOY_ROLES, [
      subject(`environment:${props.githubEnvironment}`),
    ]);
    this.planServiceAccount = this.serviceAccount('Plan', props.planServiceAccountId, props.projectId, props.planRoles ?? PLAN_ROLES, [
      subject('pull_request'),
      subject('ref:refs/heads/main'),
    ]);
  }

  private serviceAccount(kind: string, accountId: string, project: string, roles: readonly string[], principals: readonly string[]): ServiceAccount {
    const account = new ServiceAccount(this, `${kind}ServiceAccount`, {
      ...this.dependsOn,
      accountId: serviceAccountId(accountId),
      displayName: `docflow GitHub ${kind.toLowerCase()}`,
      description: `Impersonated by GitHub Actions (${kind.toLowerCase()} jobs) through workload identity federation`,
    });
    for (const role of roles) {
      new ProjectIamMember(this, `${kind}${pascalCase(role.replace('roles/', ''))}`, { project, role, member: serviceAccountMember(account.email) });
    }
    principals.forEach((principal, index) => {
      new ServiceAccountIamMember(this, `${kind}Federated${index === 0 ? '' : index + 1}`, { serviceAccountId: account.name, role: WORKLOAD_IDENTITY_USER_ROLE, member: principal });
    });
    return account;
  }
}
