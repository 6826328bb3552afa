import { Construct } from 'constructs';
import { DataAwsIamOpenidConnectProvider } from '@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider/index.js';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider/index.js';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment/index.js';
import type { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket/index.js';
import { accountIdOf } from '../core/account.js';
import {
  allow,
  FOUNDATION_ROLE_PATH,
  policyDocument,
  statementProblems,
  workloadRolePath,
  type PolicyStatement,
  type TrustStatement,
} from '../core/iam.js';
import type { NatMode, Profile } from '../environments/types.js';
import { DEPLOY_GRANTS, type DeployScope } from './deploy-permissions.js';

const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
const REPOSITORY_PATTERN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
/** The only branch whose jobs may deploy (the OIDC token's `ref` claim). */
export const DEPLOY_BRANCH_REF = 'refs/heads/main';
/** AWS's read-only managed policy: what Terraform's refresh reads, minus the data reads denied below. */
export const READ_ONLY_ACCESS = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
/** IAM's ceiling on a customer-managed policy document (characters, whitespace excluded). */
export const MANAGED_POLICY_MAX_CHARS = 6_144;

export interface GithubDeployRolesProps {
  readonly envName: string;
  readonly region: string;
  /** `owner/name` of the GitHub repository whose workflows may assume the roles. */
  readonly repository: string;
  readonly stateBucket: S3Bucket;
  /** The workload permissions boundary the deploy role must attach to every role it creates. */
  readonly boundary: IamPolicy;
  /** The environment's public host: the deploy role may change DNS records of this name and below only. @default - no DNS changes */
  readonly domainName?: string;
  /** The environment's profile and NAT: grants for resource types it does not create are left out. @default - every grant */
  readonly profile?: Profile;
  readonly natMode?: NatMode;
  /** KMS keys the deployed resources are encrypted with (the deploy role creates grants and data keys with them). @default [] */
  readonly keyArns?: readonly string[];
  /**
   * ARN of the account's existing GitHub OIDC provider (there can be only one per account, so the
   * second environment in a shared account passes the first one's). @default - the provider is created
   */
  readonly existingOidcProviderArn?: string;
}

/**
 * Reads neither role may make, whatever ReadOnlyAccess says: stored documents and logs in the
 * environment's buckets, secret values, log events, queued messages, database log files.
 */
export function dataReadDenies(envName: string): PolicyStatement[] {
  const prefix = `docflow-${envName}`;
  return [
    {
      Sid: 'DenyStoredObjects',
      Effect: 'Deny',
      Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectAttributes'],
      Resource: [`arn:aws:s3:::${prefix}-documents-*/*`, `arn:aws:s3:::${prefix}-dr-documents-*/*`, `arn:aws:s3:::${prefix}-alb-logs-*/*`, `arn:aws:s3:::${prefix}-audit-*/*`],
    },
    { Sid: 'DenySecretValues', Effect: 'Deny', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue'], Resource: ['*'] },
    {
      Sid: 'DenyLogEvents',
      Effect: 'Deny',
      Action: ['logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:StartQuery', 'logs:GetQueryResults', 'logs:StartLiveTail', 'logs:GetLogRecord', 'logs:Unmask'],
      Resource: ['*'],
    },
    { Sid: 'DenyQueuedMessages', Effect: 'Deny', Action: ['sqs:ReceiveMessage'], Resource: ['*'] },
    { Sid: 'DenyDatabaseLogFiles', Effect: 'Deny', Action: ['rds:DownloadDBLogFilePortion', 'rds:DownloadCompleteDBLogFile'], Resource: ['*'] },
  ];
}

/** The deploy role's grants for one environment, as statements (the table in deploy-permissions.ts). */
export function deployStatements(scope: DeployScope): PolicyStatement[] {
  return DEPLOY_GRANTS.filter((grant) => grant.when?.(scope) ?? true).map((grant) => ({
    Sid: grant.sid,
    Effect: 'Allow' as const,
    Action: [...grant.actions],
    Resource: [...grant.resources(scope)],
    ...(grant.condition ? { Condition: grant.condition(scope) } : {}),
  }));
}

/** Room a reference takes once synthesized (`${data.aws_caller_identity.CallerIdentity.account_id}` is 53 characters). */
const REFERENCE_CHARS = 80;

/** Statements packed into policy documents that each stay under IAM's size limit, references counted at their synthesized length. */
function packDocuments(statements: readonly PolicyStatement[]): PolicyStatement[][] {
  const documents: PolicyStatement[][] = [];
  const size = (document: readonly PolicyStatement[]) =>
    policyDocument(document)
      .replace(/\$\{TfToken\[[^\]]+\]\}/g, 'x'.repeat(REFERENCE_CHARS))
      .replace(/\s/g, '').length;
  for (const statement of statements) {
    const last = documents.at(-1);
    if (last !== undefined && size([...last, statement]) <= MANAGED_POLICY_MAX_CHARS) last.push(statement);
    else documents.push([statement]);
  }
  return documents;
}

/**
 * GitHub Actions' way into the environment's account, without stored keys (OIDC):
 * - the deploy role, only for workflow jobs in the GitHub environment named like this environment
 *   (whose deployment-branch rule admits main only): AWS's ReadOnlyAccess for Terraform's refresh;
 *   the writes Terraform makes for docflow's resource types, on docflow's names and tags only
 *   (DEPLOY_GRANTS); IAM on roles under `/docflow/<env>/` only, with the workload boundary attached;
 *   never the foundation's own resources (its roles, boundary, trail, detector, keys: an
 *   administrator applies those); and explicit denies on data reads and on the boundary;
 * - the plan role, for pull requests and the main branch's nightly drift run: ReadOnlyAccess, the
 *   state bucket (read, and the lock file `terraform plan` writes), and the same explicit denies.
 * Pull requests from forks get no OIDC token from GitHub, so they assume nothing.
 */
export class GithubDeployRoles extends Construct {
  readonly oidcProviderArn: string;
  readonly deployRole: IamRole;
  readonly planRole: IamRole;
  readonly deployPolicies: readonly IamPolicy[];

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

    const trust = (subject: string | readonly string[], claims: Readonly<Record<string, string>> = {}): TrustStatement => ({
      Effect: 'Allow',
      Action: 'sts:AssumeRoleWithWebIdentity',
      Principal: { Federated: this.oidcProviderArn },
      Condition: {
        StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com', [`${GITHUB_OIDC_HOST}:sub`]: subject, ...claims },
      },
    });

    const workloadRoles = `arn:aws:iam::${account}:role${workloadRolePath(props.envName)}*`;
    const iamStatements: PolicyStatement[] = [
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
      allow(['iam:CreateServiceLinkedRole'], [`arn:aws:iam::${account}:role/aws-service-role/*`], {
        StringEquals: {
          'iam:AWSServiceName': ['ecs.amazonaws.com', 'ecs.application-autoscaling.amazonaws.com', 'elasticloadbalancing.amazonaws.com', 'rds.amazonaws.com'],
        },
      }),
      ...((props.keyArns ?? []).length > 0
        ? [allow(['kms:DescribeKey', 'kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKey'], [...(props.keyArns ?? [])])]
        : []),
      {
        Sid: 'DenyBoundaryChanges',
        Effect: 'Deny',
        Action: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeleteRolePermissionsBoundary'],
        Resource: [props.boundary.arn, workloadRoles],
      },
      {
        // The role may create and re-trust workload roles (their trust policies are not something IAM
        // can condition on), so it must not be able to become one: a role it made to trust itself
        // would carry none of the denies below. Nothing in a deploy assumes a workload role.
        Sid: 'DenyAssumingWorkloadRoles',
        Effect: 'Deny',
        Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
        Resource: [workloadRoles],
      },
    ];
    const writes = deployStatements({
      envName: props.envName,
      region: props.region,
      account,
      ...(props.domainName !== undefined ? { domainName: props.domainName } : {}),
      ...(props.profile !== undefined ? { profile: props.profile } : {}),
      ...(props.natMode !== undefined ? { natMode: props.natMode } : {}),
    });
    const problems = statementProblems([...iamStatements, ...writes]);
    if (problems.length > 0) throw new Error(`GithubDeployRoles: ${problems.join('; ')}`);

    this.deployRole = new IamRole(this, 'DeployRole', {
      name: `docflow-${props.envName}-github-deploy`,
      path: FOUNDATION_ROLE_PATH,
      description: `GitHub Actions deploys docflow ${props.envName} (environment "${props.envName}")`,
      // the default subject names the environment but not the branch: STS also checks the token's ref claim
      // (token.actions.githubusercontent.com:ref, a condition key of AssumeRoleWithWebIdentity since January 2026)
      assumeRolePolicy: policyDocument([trust(`repo:${props.repository}:environment:${props.envName}`, { [`${GITHUB_OIDC_HOST}:ref`]: DEPLOY_BRANCH_REF })]),
      maxSessionDuration: 7200,
    });
    new IamRolePolicyAttachment(this, 'DeployReadOnly', { role: this.deployRole.name, policyArn: READ_ONLY_ACCESS });
    new IamRolePolicy(this, 'DeployIam', {
      name: 'workload-roles-only',
      role: this.deployRole.id,
      policy: policyDocument(iamStatements),
    });
    new IamRolePolicy(this, 'DeployDataDenies', { name: 'no-data-reads', role: this.deployRole.id, policy: policyDocument(dataReadDenies(props.envName)) });
    new IamRolePolicy(this, 'DeployState', {
      name: 'terraform-state',
      role: this.deployRole.id,
      policy: policyDocument([allow(['s3:ListBucket'], [props.stateBucket.arn]), allow(['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], [`${props.stateBucket.arn}/*`])]),
    });
    this.deployPolicies = packDocuments(writes).map((statements, index) => {
      const policy = new IamPolicy(this, `DeployResources${index + 1}`, {
        name: `docflow-${props.envName}-github-deploy-${index + 1}`,
        path: FOUNDATION_ROLE_PATH,
        description: `What GitHub Actions may change in docflow ${props.envName} (part ${index + 1})`,
        policy: policyDocument(statements),
      });
      new IamRolePolicyAttachment(this, `DeployResources${index + 1}Attachment`, { role: this.deployRole.name, policyArn: policy.arn });
      return policy;
    });

    this.planRole = new IamRole(this, 'PlanRole', {
      name: `docflow-${props.envName}-github-plan`,
      path: FOUNDATION_ROLE_PATH,
      description: `GitHub Actions plans docflow ${props.envName} for pull requests and the nightly drift run (read-only)`,
      // pull requests (pr-diff.yml) and the main branch (the nightly drift.yml)
      assumeRolePolicy: policyDocument([trust([`repo:${props.repository}:pull_request`, `repo:${props.repository}:ref:refs/heads/main`])]),
    });
    new IamRolePolicyAttachment(this, 'PlanReadOnly', { role: this.planRole.name, policyArn: READ_ONLY_ACCESS });
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
    new IamRolePolicy(this, 'PlanDataDenies', { name: 'no-data-reads', role: this.planRole.id, policy: policyDocument(dataReadDenies(props.envName)) });
  }
}
