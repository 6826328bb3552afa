import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { exportApiUrl, imageTagVariable, isPlaceholderDomain, resourceName, warnPlaceholder } from '@docflow/infra';
import { ExportJob, GcpStack, JobSchedule, type GcpStackProps } from '@docflow/infra-gcp';
import type { GcpArchiveStack } from '@docflow/stack-gcp-archive';
import type { GcpFoundationStack } from '@docflow/stack-gcp-foundation';
import { EXPORTER_IMAGE, type GcpRegistryStack } from '@docflow/stack-gcp-registry';

export interface GcpExportStackProps extends GcpStackProps {
  readonly foundation: GcpFoundationStack;
  readonly registry: GcpRegistryStack;
  readonly archive: GcpArchiveStack;
}

/**
 * `<env>-gcp-export`: the nightly export. A Cloud Run job runs the exporter image under the
 * required Terraform variable `image_tag` (the content hash of its bundle and Dockerfile, as for
 * every app: a new image is a new job revision, an unchanged one changes nothing):
 * `export --to gs://<archive>/nightly --work gs://<work>/nightly --since last`. Cloud Scheduler
 * starts it every night with a service account of its own.
 */
export class GcpExportStack extends GcpStack {
  readonly exportJob: ExportJob;
  readonly schedule: JobSchedule;

  constructor(scope: Construct, props: GcpExportStackProps) {
    super(scope, 'gcp-export', props);
    const { env, gcp } = this;
    const job = gcp.exportJob;
    const apiUrl = exportApiUrl(env);
    if (apiUrl === undefined) throw new Error(`${this.node.id}: environment "${env.name}" has neither gcp.apiUrl nor a domain: the export job has no api to read`);
    this.exportJob = new ExportJob(this, 'Export', {
      name: resourceName(env, 'export'),
      region: gcp.region,
      serviceAccount: props.foundation.exportServiceAccount,
      image: `${props.registry.repository.imageRepository(EXPORTER_IMAGE)}:${imageTagVariable(this)}`,
      archiveBucket: props.archive.archive.bucket,
      workBucket: props.archive.work.bucket,
      apiUrl,
      apiKeySecretId: resourceName(env, 'api-key'),
      environmentName: env.name,
      cpu: job.cpu,
      memoryMiB: job.memoryMiB,
      scratchMiB: job.scratchMiB,
      timeoutSeconds: job.timeoutMinutes * 60,
      maxRetries: job.maxRetries,
      deletionProtection: env.database.deletionProtection,
    });
    this.schedule = new JobSchedule(this, 'Nightly', {
      name: resourceName(env, 'nightly-export'),
      region: gcp.region,
      job: this.exportJob.job,
      serviceAccount: props.foundation.schedulerServiceAccount,
      schedule: job.schedule,
      timeZone: job.timeZone,
    });
    if (isPlaceholderDomain(new URL(apiUrl).hostname)) warnPlaceholder(this, `the export job reads a placeholder api URL (${apiUrl}): set gcp.apiUrl or domain in the environment table`);
    new TerraformOutput(this, 'api_key_secret', {
      value: this.exportJob.apiKeySecret.secretId,
      description: 'Set its value once: gcloud secrets versions add <this> --data-file=- (one key the api accepts)',
    });
    new TerraformOutput(this, 'job', { value: this.exportJob.job.name, description: 'gcloud run jobs execute <this> --region <region> runs it now' });
  }
}
