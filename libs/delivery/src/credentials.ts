import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DeliveryError } from './errors.js';
import type { TerraformConfig } from './workspace.js';

/** Whether a stack talks to AWS: an AWS provider, or state in S3. */
export function needsAws(config: TerraformConfig): boolean {
  return config.provider?.['aws'] !== undefined || config.terraform?.backend?.['s3'] !== undefined;
}

/** Where the AWS SDK (and so Terraform's AWS provider) finds credentials, in the order it looks. */
export function awsCredentialSource(vars: NodeJS.ProcessEnv, home = homedir()): string | undefined {
  if (vars['AWS_ACCESS_KEY_ID'] && vars['AWS_SECRET_ACCESS_KEY']) return 'AWS_ACCESS_KEY_ID';
  if (vars['AWS_PROFILE']) return `AWS_PROFILE=${vars['AWS_PROFILE']}`;
  if (vars['AWS_WEB_IDENTITY_TOKEN_FILE'] && vars['AWS_ROLE_ARN']) return 'web identity (AWS_ROLE_ARN)';
  if (vars['AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'] || vars['AWS_CONTAINER_CREDENTIALS_FULL_URI']) return 'container credentials';
  for (const file of [vars['AWS_SHARED_CREDENTIALS_FILE'], vars['AWS_CONFIG_FILE'], join(home, '.aws', 'credentials'), join(home, '.aws', 'config')]) {
    if (file && existsSync(file)) return file;
  }
  return undefined;
}

/** Whether a stack talks to Google Cloud: a google provider, or state in GCS. */
export function needsGoogle(config: TerraformConfig): boolean {
  return config.provider?.['google'] !== undefined || config.terraform?.backend?.['gcs'] !== undefined;
}

/**
 * Where Terraform's google provider finds credentials, in the order it looks (Application Default
 * Credentials; google-github-actions/auth sets GOOGLE_APPLICATION_CREDENTIALS to its federated
 * credentials file). On a Google Cloud machine the metadata server answers too: set
 * GOOGLE_APPLICATION_CREDENTIALS there, or the check cannot see it.
 */
export function googleCredentialSource(vars: NodeJS.ProcessEnv, home = homedir()): string | undefined {
  for (const name of ['GOOGLE_OAUTH_ACCESS_TOKEN', 'GOOGLE_CREDENTIALS', 'GOOGLE_APPLICATION_CREDENTIALS', 'CLOUDSDK_AUTH_ACCESS_TOKEN']) {
    if (vars[name]) return name;
  }
  const adc = join(vars['CLOUDSDK_CONFIG'] ?? join(home, '.config', 'gcloud'), 'application_default_credentials.json');
  return existsSync(adc) ? adc : undefined;
}

/**
 * Stops before Terraform when a stack needs AWS and no credentials are anywhere, with what to do
 * (instead of a provider error after the init).
 */
export function requireAwsCredentials(id: string, config: TerraformConfig, vars: NodeJS.ProcessEnv = process.env): void {
  if (!needsAws(config) || awsCredentialSource(vars) !== undefined) return;
  throw new DeliveryError(
    `${id} needs AWS credentials and none were found (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_ROLE_ARN with a web identity token, ~/.aws). ` +
      'Locally: sign in (e.g. aws sso login) and export AWS_PROFILE; in GitHub Actions the workflows assume the plan or deploy role by OIDC.',
  );
}

/** The same for a GCP stack: Google credentials, before Terraform. */
export function requireGoogleCredentials(id: string, config: TerraformConfig, vars: NodeJS.ProcessEnv = process.env): void {
  if (!needsGoogle(config) || googleCredentialSource(vars) !== undefined) return;
  throw new DeliveryError(
    `${id} needs Google Cloud credentials and none were found (GOOGLE_APPLICATION_CREDENTIALS, GOOGLE_CREDENTIALS, GOOGLE_OAUTH_ACCESS_TOKEN, gcloud's application default credentials). ` +
      'Locally: gcloud auth application-default login; in GitHub Actions google-github-actions/auth impersonates the deploy or plan service account through workload identity federation.',
  );
}
