/**
 * GCP's naming rules, checked when a name is made so that a bad one fails at synth with the rule
 * in the message rather than at apply. Names follow AWS's scheme (`docflow-<env>-<part>`,
 * @docflow/infra's resourceName); bucket names are global, so they also carry the project id.
 */

/** Service account ids: 6-30 characters, lower-case letters, digits and hyphens, starting with a letter. */
const SERVICE_ACCOUNT_ID = /^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$/;
/** Bucket names without dots: 3-63 characters of lower-case letters, digits, hyphens and underscores. */
const BUCKET_NAME = /^[a-z0-9][-_a-z0-9]{1,61}[a-z0-9]$/;
/** Cloud Run jobs, Artifact Registry repositories, Cloud DNS zones: a letter, then up to 62 letters, digits, hyphens. */
const RESOURCE_NAME = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

export function serviceAccountId(name: string): string {
  if (!SERVICE_ACCOUNT_ID.test(name)) {
    throw new Error(`service account id "${name}" is not 6-30 lower-case letters, digits and hyphens starting with a letter`);
  }
  return name;
}

export function bucketName(name: string): string {
  if (!BUCKET_NAME.test(name) || name.startsWith('goog') || name.includes('google')) {
    throw new Error(`bucket name "${name}" is not 3-63 lower-case letters, digits, hyphens and underscores (without "goog" at the start or "google")`);
  }
  return name;
}

export function gcpResourceName(name: string, what: string): string {
  if (!RESOURCE_NAME.test(name)) throw new Error(`${what} "${name}" is not a letter followed by up to 62 lower-case letters, digits and hyphens`);
  return name;
}

/** `serviceAccount:<email>`: how IAM names a service account as a member. */
export function serviceAccountMember(email: string): string {
  return `serviceAccount:${email}`;
}

/** A bucket name made unique across Google Cloud by the project id: `<base>-<project id>`. */
export function projectBucketName(projectId: string, base: string): string {
  return bucketName(`${base}-${projectId}`);
}
