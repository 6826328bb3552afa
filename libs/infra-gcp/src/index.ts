export { GcpStack, gcpStatePrefix, type GcpStackProps, type GcpStateBackendSettings } from './gcp-stack.js';
export { bucketName, gcpResourceName, projectBucketName, serviceAccountId, serviceAccountMember } from './naming.js';
export { workloadServiceAccount, type WorkloadServiceAccount, type WorkloadServiceAccountProps } from './service-account.js';
export { DockerRepository, type DockerRepositoryProps } from './registry.js';
export { grantOnBucket, PrivateBucket, STORAGE_CLASSES, type PrivateBucketProps, type StorageClass, type StorageTransition } from './bucket.js';
export { ARCHIVE_WRITER_ROLE, ExportJob, SCRATCH_PATH, SECRET_ACCESSOR_ROLE, WORK_BUCKET_ROLE, type ExportJobProps } from './export-job.js';
export { JOB_INVOKER_ROLE, JobSchedule, type JobScheduleProps } from './schedule.js';
export { DelegatedZone, type DelegatedZoneProps } from './dns-zone.js';
export { DOCFLOW_GCP_SERVICES, ProjectServices, type ProjectServicesProps } from './project-services.js';
export {
  DEPLOY_CUSTOM_PERMISSIONS,
  DEPLOY_CUSTOM_ROLE,
  DEPLOY_ROLE_BY_RESOURCE_TYPE,
  DEPLOY_ROLES,
  GITHUB_ISSUER,
  GithubFederation,
  PLAN_ROLES,
  SERVICE_ACCOUNT_USER_ROLE,
  WORKLOAD_IDENTITY_USER_ROLE,
  type GithubFederationProps,
} from './github-federation.js';
