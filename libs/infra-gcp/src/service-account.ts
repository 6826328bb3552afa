import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account/index.js';
import { serviceAccountId } from './naming.js';

/** A service account one workload runs as. */
export type WorkloadServiceAccount = ServiceAccount;

export interface WorkloadServiceAccountProps {
  /** 6-30 lower-case letters, digits and hyphens, starting with a letter (`docflow-<env>-export`). */
  readonly accountId: string;
  readonly displayName: string;
  /** What runs as it, and what it may do. */
  readonly description: string;
  /** The IAM API, in the same stack. @default - nothing */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * A workload's own service account (the export job's, its schedule's). The GCP foundation creates
 * them, deployed by an administrator, so that CI's deploy account needs no right to create or
 * administer service accounts and may act as these alone (GithubFederation.letDeployActAs).
 */
export function workloadServiceAccount(scope: Construct, id: string, props: WorkloadServiceAccountProps): ServiceAccount {
  return new ServiceAccount(scope, id, {
    accountId: serviceAccountId(props.accountId),
    displayName: props.displayName,
    description: props.description,
    ...(props.dependsOn !== undefined ? { dependsOn: [...props.dependsOn] } : {}),
  });
}
