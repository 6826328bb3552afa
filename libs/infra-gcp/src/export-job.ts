import { Construct } from 'constructs';
import { CloudRunV2Job } from '@cdktf/provider-google/lib/cloud-run-v2-job/index.js';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret/index.js';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member/index.js';
import type { ServiceAccount } from '@cdktf/provider-google/lib/service-account/index.js';
import type { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket/index.js';
import { cloudRunSizeProblems, EXPORTER_HEAP_HEADROOM_MIB, MAX_TASK_RETRIES, MAX_TASK_TIMEOUT_MINUTES } from '@docflow/infra';
import { grantOnBucket } from './bucket.js';
import { gcpResourceName, serviceAccountMember } from './naming.js';

/** The role that lets the job create objects in the archive bucket, and nothing else there. */
export const ARCHIVE_WRITER_ROLE = 'roles/storage.objectCreator';
/** The role on the work bucket: read, write and delete the unfinished export's parts and progress. */
export const WORK_BUCKET_ROLE = 'roles/storage.objectUser';
export const SECRET_ACCESSOR_ROLE = 'roles/secretmanager.secretAccessor';

/** Where the in-memory scratch volume is mounted (TMPDIR points there). */
export const SCRATCH_PATH = '/scratch';

export interface ExportJobProps {
  /** The job's name (`docflow-<env>-export`). */
  readonly name: string;
  readonly region: string;
  /**
   * The job's own service account. The foundation creates it (an administrator), and lets the
   * deploy account act as it and no other: the deploy account creates no service accounts.
   */
  readonly serviceAccount: ServiceAccount;
  /** The image with its tag (`<registry>/<image>:<content hash>`): a new tag is a new revision of the job. */
  readonly image: string;
  /** The finished archives go here, under `archivePrefix` (the job may only create objects). */
  readonly archiveBucket: StorageBucket;
  /** The unfinished export's parts and progress go here (read, write, delete). */
  readonly workBucket: StorageBucket;
  /** @default 'nightly' */
  readonly archivePrefix?: string;
  /** The api the export reads (https). */
  readonly apiUrl: string;
  /** Secret Manager secret id of the API key (`docflow-<env>-api-key`); its value is set by hand, never by Terraform. */
  readonly apiKeySecretId: string;
  /** DOCFLOW_ENV of the exporter. */
  readonly environmentName: string;
  /** 1, 2, 4, 6 or 8. */
  readonly cpu: number;
  readonly memoryMiB: number;
  /**
   * The in-memory scratch volume (TMPDIR) where the archive is assembled: about twice the
   * compressed size of an export plus its book. It counts against memoryMiB, and at least
   * EXPORTER_HEAP_HEADROOM_MIB must be left for the process.
   */
  readonly scratchMiB: number;
  /** How long one attempt may run: from a minute to 24 hours (Cloud Run's limit for jobs in GA). */
  readonly timeoutSeconds: number;
  /** Attempts after the first that fail (0-10); each continues the export from its stored progress. */
  readonly maxRetries: number;
  /** Refuse `terraform destroy` of the job. @default true */
  readonly deletionProtection?: boolean;
}

const MAX_TIMEOUT_SECONDS = MAX_TASK_TIMEOUT_MINUTES * 60;

/**
 * The nightly export as a Cloud Run job: one task, its own service account that may create
 * objects in the archive bucket, use the work bucket and read one secret (the API key, arriving
 * as DOCFLOW_API_KEY), the image pinned by its content-hash tag, the archive assembled in an
 * in-memory volume of a fixed size (Cloud Run has no disk: a full volume fails the write with
 * ENOSPC instead of the task being killed for memory), a task timeout and retries. The job
 * depends on its grants, so its first execution already has them.
 */
export class ExportJob extends Construct {
  readonly serviceAccount: ServiceAccount;
  readonly apiKeySecret: SecretManagerSecret;
  readonly job: CloudRunV2Job;
  /** The `--to` and `--work` locations the job exports to. */
  readonly archiveLocation: string;
  readonly workLocation: string;

  constructor(scope: Construct, id: string, props: ExportJobProps) {
    super(scope, id);
    const archivePrefix = props.archivePrefix ?? 'nightly';
    const deletionProtection = props.deletionProtection ?? true;
    const problems = [
      ...cloudRunSizeProblems(props.cpu, props.memoryMiB),
      ...(Number.isInteger(props.scratchMiB) && props.scratchMiB >= 64 && props.scratchMiB <= props.memoryMiB - EXPORTER_HEAP_HEADROOM_MIB
        ? []
        : [`scratchMiB must be from 64 to memoryMiB - ${EXPORTER_HEAP_HEADROOM_MIB} (${props.memoryMiB - EXPORTER_HEAP_HEADROOM_MIB}), got ${props.scratchMiB}`]),
      ...(Number.isInteger(props.timeoutSeconds) && props.timeoutSeconds >= 60 && props.timeoutSeconds <= MAX_TIMEOUT_SECONDS
        ? []
        : [`timeoutSeconds must be from 60 to ${MAX_TIMEOUT_SECONDS}, got ${props.timeoutSeconds}`]),
      ...(Number.isInteger(props.maxRetries) && props.maxRetries >= 0 && props.maxRetries <= MAX_TASK_RETRIES ? [] : [`maxRetries must be from 0 to ${MAX_TASK_RETRIES}, got ${props.maxRetries}`]),
      ...(props.apiUrl.startsWith('https://') ? [] : [`apiUrl must be https (the API key travels with every request), got ${props.apiUrl}`]),
    ];
    if (problems.length > 0) throw new Error(`ExportJob ${props.name}: ${problems.join('; ')}`);

    this.serviceAccount = props.serviceAccount;
    const member = serviceAccountMember(this.serviceAccount.email);
    this.apiKeySecret = new SecretManagerSecret(this, 'ApiKeySecret', {
      secretId: gcpResourceName(props.apiKeySecretId, 'secret id'),
      replication: { userManaged: { replicas: [{ location: props.region }] } },
    });
    const grants = [
      new SecretManagerSecretIamMember(this, 'ReadsApiKey', { secretId: this.apiKeySecret.id, role: SECRET_ACCESSOR_ROLE, member }),
      grantOnBucket(this, 'CreatesArchiveObjects', props.archiveBucket, ARCHIVE_WRITER_ROLE, this.serviceAccount.email),
      grantOnBucket(this, 'UsesWorkBucket', props.workBucket, WORK_BUCKET_ROLE, this.serviceAccount.email),
    ];

    this.archiveLocation = `gs://${props.archiveBucket.name}/${archivePrefix}`;
    this.workLocation = `gs://${props.workBucket.name}/${archivePrefix}`;
    this.job = new CloudRunV2Job(this, 'Job', {
      name: gcpResourceName(props.name, 'job name'),
      location: props.region,
      deletionProtection,
      template: {
        taskCount: 1,
        parallelism: 1,
        template: {
          serviceAccount: this.serviceAccount.email,
          timeout: `${props.timeoutSeconds}s`,
          maxRetries: props.maxRetries,
          executionEnvironment: 'EXECUTION_ENVIRONMENT_GEN2',
          volumes: [{ name: 'scratch', emptyDir: { medium: 'MEMORY', sizeLimit: `${props.scratchMiB}Mi` } }],
          containers: [
            {
              name: 'exporter',
              image: props.image,
              // the image's CMD runs the bundle; args alone would replace it (the image has no ENTRYPOINT)
              command: ['node', '--enable-source-maps', 'main.js'],
              args: ['export', '--to', this.archiveLocation, '--work', this.workLocation, '--since', 'last', '--json'],
              resources: { limits: { cpu: String(props.cpu), memory: `${props.memoryMiB}Mi` } },
              volumeMounts: [{ name: 'scratch', mountPath: SCRATCH_PATH }],
              env: [
                { name: 'DOCFLOW_ENV', value: props.environmentName },
                { name: 'DOCFLOW_API_URL', value: props.apiUrl },
                { name: 'DOCFLOW_API_KEY', valueSource: { secretKeyRef: { secret: this.apiKeySecret.secretId, version: 'latest' } } },
                { name: 'GOOGLE_CLOUD_PROJECT', value: this.serviceAccount.project },
                { name: 'TMPDIR', value: SCRATCH_PATH },
              ],
            },
          ],
        },
      },
      dependsOn: grants,
    });
  }
}
