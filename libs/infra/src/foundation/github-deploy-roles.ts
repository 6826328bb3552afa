import { Construct } from 'constructs';
import { DataAwsIamOpenidConnectProvider } from '@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider/index.js';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider/index.js';
import type { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment/index.js';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import { accountIdOf } from '../core/account.js';
import {
  allow,
  policyDocument,
  statementProblems,
  workloadRolePath,
  type PolicyStatement,
  type TrustStatement,
} from '../core/iam.js';

const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
const REPOSITORY_PATTERN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export interface GithubDeployRolesProps {
  readonly envName: string;
  /** `owner/name` of the GitHub repository whose workflows may assume the roles. */
  readonly repository: string;
  readonly stateBucket: S3Bucket;
  /** The workload permissions boundary the deploy role must attach to every role it creates. */
  readonly boundary: IamPolicy;
  /**
   * ARN of the account's existing GitHub OIDC provider (there can be only one per account, so the
   * second environment in a shared account passes the first one's). @default - the provider is created
   */
  readonly existingOidcProviderArn?: string;
}

/**
 * GitHub Actions' way into the environment's account, without stored keys (OIDC):
 * - the deploy role, for workflow jobs in the GitHub environment named like this environment:
 *   AWS-managed PowerUserAccess (no IAM) plus IAM on roles under `/docflow/<env>/` only, and only
 *   with the workload permissions boundary attached;
 * - the plan role, for pull requests and the main branch's nightly drift run: ReadOnlyAccess plus
 *   the state bucket (read, and the lock file `terraform plan` writes).
 */
export class GithubDeployRoles extends Construct {
  readonly oidcProviderArn: string;
  readonly deployRole: IamRole;
  readonly planRole: IamRole;

  constructor(scope: Construct, id: string, props: GithubDeployRolesProps) {
    super(scope, id);
    if (!REPOSITORY_PATTERN.test(props.repository)) {
      throw new Error(`GithubDeployRoles: repository "${props.repository}" must be "owner/name"`);
    }
    const account = accountIdOf(this);

    if (props.existingOidcProviderArn !== undefined) {
      this.oidcProviderArn = new DataAwsIamOpenidConnectProvider(this, 'GithubOidc', { arn: props.existingOidcProviderArn }).arn;
    } else {
      this.oidcProviderArn = new IamOpenidConnectProvider(this, 'GithubOidc', {
        url: `https://${GITHUB_OIDC_HOST}`,
        clientIdList: ['sts.amazonaws.com'],
      }).arn;
    }


    const trust = (subject: string | readonly string[]): TrustStatement => ({
      Effect: 'Allow',
      Action: 'sts:AssumeRoleWithWebIdentity',
      Principal: { Federated: this.oidcProviderArn },
      Condition: {
        StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com', [`${GITHUB_OIDC_HOST}:sub`]: subject },
      },
    });

    const workloadRoles = `arn:aws:iam::${account}:role${workloadRolePath(props.envName)}*`;
    const deployStatements: PolicyStatement[] = [
      allow(
        ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:PutRolePermissionsBoundary'],
        [workloadRoles],
        { StringEquals: { 'iam:PermissionsBoundary': props.boundary.arn } },
      ),
      allow(
        [
          'iam:GetRole',
          'iam:GetRolePolicy',
          'iam:ListRolePolicies',
          'iam:ListAttachedRolePolicies',
          'iam:ListInstanceProfilesForRole',
          'iam:UpdateRole',
          'iam:UpdateRoleDescription',
          'iam:UpdateAssumeRolePolicy',
          'iam:TagRole',
          'iam:UntagRole',
          'iam:DeleteRole',
          'iam:PassRole',
        ],
        [workloadRoles],
      ),
      allow(['iam:GetPolicy', 'iam:GetPolicyVersion'], [props.boundary.arn]),
    ];
    const problems = statementProblems(deployStatements);
    if (problems.length > 0) throw new Error(`GithubDeployRoles: ${problems.join('; ')}`);

    this.deployRole = new IamRole(this, 'DeployRole', {
      name: `docflow-${props.envName}-github-deploy`,
      path: '/docflow-foundation/',
      description: `GitHub Actions deploys docflow ${props.envName} (environment "${props.envName}")`,
      assumeRolePolicy: policyDocument([trust(`repo:${props.repository}:environment:${props.envName}`)]),
      maxSessionDuration: 7200,
    });
    new IamRolePolicyAttachment(this, 'DeployPowerUser', {
      role: this.deployRole.name,
      policyArn: 'arn:aws:iam::aws:policy/PowerUserAccess',
    });
    new IamRolePolicy(this, 'DeployIam', {
      name: 'workload-roles-only',
      role: this.deployRole.id,
      policy: policyDocument(deployStatements),
    });

    this.planRole = new IamRole(this, 'PlanRole', {
      name: `docflow-${props.envName}-github-plan`,
      path: '/docflow-foundation/',
      description: `GitHub Actions plans docflow ${props.envName} for pull requests (read-only)`,
      // pull requests (pr-diff.yml) and the main branch (the nightly drift.yml)
      assumeRolePolicy: policyDocument([trust([`repo:${props.repository}:pull_request`, `repo:${props.repository}:ref:refs/heads/main`])]),
    });
    new IamRolePolicyAttachment(this, 'PlanReadOnly', {
      role: this.planRole.name,
      policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    });
    new IamRolePolicy(this, 'PlanState', {
      name: 'terraform-state',
      role: this.planRole.id,
      policy: policyDocument([
        allow(['s3:ListBucket'], [props.stateBucket.arn]),
        allow(['s3:GetObject'], [`${props.stateBucket.arn}/*`]),
        // `terraform plan` takes the S3 lock (use_lockfile) too
        allow(['s3:PutObject', 's3:DeleteObject'], [`${props.stateBucket.arn}/*.tflock`]),
      ]),
    });
  }
}
