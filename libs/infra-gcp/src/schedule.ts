import { Construct } from 'constructs';
import { CloudRunV2JobIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-job-iam-member/index.js';
import type { CloudRunV2Job } from '@cdktf/provider-google/lib/cloud-run-v2-job/index.js';
import { CloudSchedulerJob } from '@cdktf/provider-google/lib/cloud-scheduler-job/index.js';
import type { ServiceAccount } from '@cdktf/provider-google/lib/service-account/index.js';
import { gcpResourceName, serviceAccountMember } from './naming.js';

/** Runs a Cloud Run job (run.jobs.run) and nothing else; overrides would need roles/run.jobsExecutorWithOverrides. */
export const JOB_INVOKER_ROLE = 'roles/run.invoker';

/** Minute, hour, day of month, month, day of week: the unix-cron Cloud Scheduler reads. */
const CRON = /^(\S+\s+){4}\S+$/;
/** An IANA time zone (Europe/Berlin, Etc/UTC, UTC). */
const TIME_ZONE = /^(UTC|[A-Z][A-Za-z_]+(\/[A-Za-z0-9_+-]+)+)$/;

export interface JobScheduleProps {
  /** The scheduler job's name. */
  readonly name: string;
  readonly region: string;
  /** The Cloud Run job to run. */
  readonly job: CloudRunV2Job;
  /** The schedule's own service account (it runs the job, nothing else; created by the foundation, as the job's). */
  readonly serviceAccount: ServiceAccount;
  /** unix-cron, e.g. `0 2 * * *`. */
  readonly schedule: string;
  /** @default 'Etc/UTC' */
  readonly timeZone?: string;
}

/**
 * Cloud Scheduler runs a Cloud Run job on a schedule: a POST to the job's `:run` method of the
 * Cloud Run Admin API v2, authenticated with an OAuth token of the schedule's own service account,
 * which may run this job and nothing else. A failed call is retried; the job's own retries cover a
 * failed export.
 */
export class JobSchedule extends Construct {
  readonly serviceAccount: ServiceAccount;
  readonly schedulerJob: CloudSchedulerJob;

  constructor(scope: Construct, id: string, props: JobScheduleProps) {
    super(scope, id);
    const timeZone = props.timeZone ?? 'Etc/UTC';
    const problems = [
      ...(CRON.test(props.schedule.trim()) ? [] : [`schedule must be a unix-cron expression of five fields, got "${props.schedule}"`]),
      ...(TIME_ZONE.test(timeZone) ? [] : [`timeZone must be an IANA time zone (Etc/UTC, Europe/Berlin), got "${timeZone}"`]),
    ];
    if (problems.length > 0) throw new Error(`JobSchedule ${props.name}: ${problems.join('; ')}`);

    this.serviceAccount = props.serviceAccount;
    const invoker = new CloudRunV2JobIamMember(this, 'RunsTheJob', {
      name: props.job.name,
      location: props.job.location,
      role: JOB_INVOKER_ROLE,
      member: serviceAccountMember(this.serviceAccount.email),
    });
    this.schedulerJob = new CloudSchedulerJob(this, 'Schedule', {
      name: gcpResourceName(props.name, 'scheduler job name'),
      region: props.region,
      description: `Runs ${props.job.name}`,
      schedule: props.schedule.trim(),
      timeZone,
      attemptDeadline: '60s',
      retryConfig: { retryCount: 3, minBackoffDuration: '30s', maxBackoffDuration: '300s' },
      httpTarget: {
        httpMethod: 'POST',
        uri: `https://run.googleapis.com/v2/${props.job.id}:run`,
        oauthToken: { serviceAccountEmail: this.serviceAccount.email, scope: 'https://www.googleapis.com/auth/cloud-platform' },
      },
      dependsOn: [invoker],
    });
  }
}
