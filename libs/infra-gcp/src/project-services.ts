import { Construct } from 'constructs';
import { ProjectService } from '@cdktf/provider-google/lib/project-service/index.js';
import { pascalCase } from '@docflow/infra';

/** The APIs docflow's GCP stacks call (a new project has most of them off). */
export const DOCFLOW_GCP_SERVICES = [
  'artifactregistry.googleapis.com',
  'cloudscheduler.googleapis.com',
  'dns.googleapis.com',
  'iam.googleapis.com',
  'iamcredentials.googleapis.com',
  'run.googleapis.com',
  'secretmanager.googleapis.com',
  'storage.googleapis.com',
  'sts.googleapis.com',
] as const;

export interface ProjectServicesProps {
  /** @default DOCFLOW_GCP_SERVICES */
  readonly services?: readonly string[];
}

/**
 * Turns on the APIs the other stacks use. Destroying the stack leaves them on: turning an API off
 * breaks whatever else in the project uses it.
 */
export class ProjectServices extends Construct {
  readonly services: ProjectService[];

  constructor(scope: Construct, id: string, props: ProjectServicesProps = {}) {
    super(scope, id);
    this.services = (props.services ?? DOCFLOW_GCP_SERVICES).map(
      (service) => new ProjectService(this, pascalCase(service.split('.')[0] ?? service), { service, disableOnDestroy: false, disableDependentServices: false }),
    );
  }
}
