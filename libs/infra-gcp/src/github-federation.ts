import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { IamWorkloadIdentityPool } from '@cdktf/provider-google/lib/iam-workload-identity-pool/index.js';
import { IamWorkloadIdentityPoolProvider } from '@cdktf/provider-google/lib/iam-workload-identity-pool-provider/index.js';
import { ProjectIamCustomRole } from '@cdktf/provider-google/lib/project-iam-custom-role/index.js';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member/index.js';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member/index.js';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account/index.js';
import { pascalCase } from '@docflow/infra';
import { serviceAccountId, serviceAccountMember } from './naming.js';

/** GitHub Actions' OIDC issuer: one for every organization and repository on github.com. */
export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
/** Lets a principal of the pool act as the service account. */
export const WORKLOAD_IDENTITY_USER_ROLE = 'roles/iam.workloadIdentityUser';
/** Lets the deploy account attach a workload's service account (iam.serviceAccounts.actAs), granted on that account only. */
export const SERVICE_ACCOUNT_USER_ROLE = 'roles/iam.serviceAccountUser';
/** In DEPLOY_ROLE_BY_RESOURCE_TYPE: the deploy account's custom role (DEPLOY_CUSTOM_PERMISSIONS), not a predefined one. */
export const DEPLOY_CUSTOM_ROLE = 'custom:deploy';

/**
 * The role the deploy service account needs for each kind of resource the GCP stacks (but the
 * foundation, deployed by an administrator) create: a predefined role, or DEPLOY_CUSTOM_ROLE where
 * the predefined one would also read secrets or delete archives (roles/secretmanager.admin reads
 * every secret's value; roles/storage.admin deletes buckets and objects). A stack with a new kind
 * of resource fails stacks/src/ci-roles.test.ts until it is here. Service accounts are not among
 * them: the foundation creates the workloads' accounts, so the deploy account needs no
 * iam.serviceAccountAdmin (which could grant itself the use of any account in the project).
 */
export const DEPLOY_ROLE_BY_RESOURCE_TYPE: Readonly<Record<string, string>> = {
  google_artifact_registry_repository: 'roles/artifactregistry.admin',
  google_cloud_run_v2_job: 'roles/run.admin',
  google_cloud_run_v2_job_iam_member: 'roles/run.admin',
  google_cloud_scheduler_job: 'roles/cloudscheduler.admin',
  google_dns_managed_zone: 'roles/dns.admin',
  google_dns_record_set: 'roles/dns.admin',
  google_secret_manager_secret: DEPLOY_CUSTOM_ROLE,
  google_secret_manager_secret_iam_member: DEPLOY_CUSTOM_ROLE,
  google_storage_bucket: DEPLOY_CUSTOM_ROLE,
  google_storage_bucket_iam_member: DEPLOY_CUSTOM_ROLE,
};

/**
 * The deploy account's custom role: what Terraform calls to create, read, change and grant on the
 * GCS buckets and the Secret Manager secret of the GCP stacks (storage.buckets.update also locks a
 * retention policy), and nothing else. Not in it: storage.buckets.delete and every
 * storage.objects.* (it never deletes a bucket or reads, writes or deletes an object; an
 * administrator destroys an archive stack), secretmanager.versions.* (it never reads or sets the
 * API key's value). setIamPolicy stays: the stacks grant the job its roles on the buckets and the
 * secret (docs/decisions.md says what that still allows, and why prod's archive does not depend on it).
 */
export const DEPLOY_CUSTOM_PERMISSIONS: readonly string[] = [
  'secretmanager.secrets.create',
  'secretmanager.secrets.delete',
  'secretmanager.secrets.get',
  'secretmanager.secrets.getIamPolicy',
  'secretmanager.secrets.list',
  'secretmanager.secrets.setIamPolicy',
  'secretmanager.secrets.update',
  'storage.buckets.create',
  'storage.buckets.get',
  'storage.buckets.getIamPolicy',
  'storage.buckets.list',
  'storage.buckets.setIamPolicy',
  'storage.buckets.update',
];

/**
 * The predefined roles the deploy service account holds in the project: those of
 * DEPLOY_ROLE_BY_RESOURCE_TYPE (beside the custom role). No iam.serviceAccountUser on the project:
 * it may act only as the accounts the foundation names (GithubFederation.letDeployActAs), and it
 * cannot change the project's IAM policy, so it cannot grant itself more (the foundation, which
 * does, is deployed by an administrator).
 */
export const DEPLOY_ROLES: readonly string[] = [...new Set(Object.values(DEPLOY_ROLE_BY_RESOURCE_TYPE).filter((role) => role.startsWith('roles/')))].sort();

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
/** Custom role ids: 3-64 letters, digits, underscores and periods (no hyphens). */
const CUSTOM_ROLE_ID = /^[A-Za-z0-9_.]{3,64}$/;
const POOL_ID = /^(?!gcp-)[a-z0-9-]{4,32}$/;

export interface GithubFederationProps {
  /** The project the roles are granted in. */
  readonly projectId: string;
  /** The pool's id (4-32 of a-z, 0-9, -; not starting with `gcp-`). */
  readonly poolId: string;
  /** `owner/name`: the only repository whose workflows the provider accepts. */
  readonly repository: string;
  /**
   * Its numeric id (the token's `repository_id` claim), pinned beside the name: a deleted
   * repository's name can be registered again by anyone, its id never. @default - the name only
   */
  readonly repositoryId?: string;
  /** The GitHub environment whose jobs may deploy (the deploy role of the AWS foundation trusts the same). */
  readonly githubEnvironment: string;
  readonly deployServiceAccountId: string;
  /** The deploy account's custom role (DEPLOY_CUSTOM_PERMISSIONS) in the project: 3-64 of letters, digits, `_`, `.`. */
  readonly deployCustomRoleId: string;
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
  readonly deployCustomRole: ProjectIamCustomRole;
  private readonly dependsOn: { dependsOn?: ITerraformDependable[] };

  constructor(scope: Construct, id: string, props: GithubFederationProps) {
    super(scope, id);
    if (!REPOSITORY.test(props.repository)) throw new Error(`GithubFederation: repository "${props.repository}" must be "owner/name"`);
    if (props.repositoryId !== undefined && !/^[1-9]\d*$/.test(props.repositoryId)) throw new Error(`GithubFederation: repositoryId "${props.repositoryId}" must be GitHub's numeric repository id`);
    if (!POOL_ID.test(props.poolId)) throw new Error(`GithubFederation: poolId "${props.poolId}" must be 4-32 of a-z, 0-9 and hyphens, not starting with "gcp-"`);
    if (!CUSTOM_ROLE_ID.test(props.deployCustomRoleId)) throw new Error(`GithubFederation: deployCustomRoleId "${props.deployCustomRoleId}" must be 3-64 of letters, digits, "_" and "."`);

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
        ...(props.repositoryId !== undefined ? { 'attribute.repository_id': 'assertion.repository_id' } : {}),
      },
      attributeCondition: [
        `attribute.repository == ${JSON.stringify(props.repository)}`,
        ...(props.repositoryId !== undefined ? [`attribute.repository_id == ${JSON.stringify(props.repositoryId)}`] : []),
      ].join(' && '),
      oidc: { issuerUri: GITHUB_ISSUER },
    });

    const subject = (value: string) => `principal://iam.googleapis.com/${this.pool.name}/subject/repo:${props.repository}:${value}`;
    this.deployCustomRole = new ProjectIamCustomRole(this, 'DeployRole', {
      ...dependsOn,
      project: props.projectId,
      roleId: props.deployCustomRoleId,
      title: 'docflow GitHub deploy (buckets and secrets)',
      description: 'Creates and configures the GCP stacks\' buckets and secret and grants on them; never deletes a bucket, never reads or deletes objects, never reads a secret value',
      permissions: [...DEPLOY_CUSTOM_PERMISSIONS],
    });
    this.deployServiceAccount = this.serviceAccount('Deploy', props.deployServiceAccountId, props.projectId, props.deployRoles ?? DEPLOY_ROLES, [
      subject(`environment:${props.githubEnvironment}`),
    ]);
    new ProjectIamMember(this, 'DeployCustomRole', { project: props.projectId, role: this.deployCustomRole.name, member: serviceAccountMember(this.deployServiceAccount.email) });
    this.planServiceAccount = this.serviceAccount('Plan', props.planServiceAccountId, props.projectId, props.planRoles ?? PLAN_ROLES, [
      subject('pull_request'),
      subject('ref:refs/heads/main'),
    ]);
  }

  /**
   * Lets the deploy account attach `account` to what it deploys (a Cloud Run job's identity, a
   * schedule's token): roles/iam.serviceAccountUser on that account alone, never on the project.
   */
  letDeployActAs(id: string, account: ServiceAccount): ServiceAccountIamMember {
    return new ServiceAccountIamMember(this, `DeployActsAs${id}`, { serviceAccountId: account.name, role: SERVICE_ACCOUNT_USER_ROLE, member: serviceAccountMember(this.deployServiceAccount.email) });
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
