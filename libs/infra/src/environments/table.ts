import type { EnvironmentConfig } from './types.js';
import { defineEnvironments } from './validate.js';

/**
 * docflow's environments: dev is lean, staging and prod are standard. Adding an environment is one
 * more entry here (see docs/infrastructure.md); `stacks/main.ts` instantiates every stack for every
 * entry. `defineEnvironments` rejects an inconsistent entry with a message naming the field.
 */
export const ENVIRONMENTS = defineEnvironments([
  {
    name: 'dev',
    profile: 'lean',
    region: 'eu-west-1',
    vpcCidr: '10.0.0.0/16',
    azCount: 2,
    natMode: 'none',
    database: {
      instanceClass: 'db.t4g.micro',
      allocatedStorageGiB: 20,
      maxAllocatedStorageGiB: 50,
      backupRetentionDays: 1,
      multiAz: false,
      deletionProtection: false,
      connectionsAlarmThreshold: 60,
      credentialRotationDays: 30,
      masterPasswordRotationDays: 7,
    },
    api: { cpu: 256, memoryMiB: 512, desiredCount: 1, maxCount: 1 },
    ingest: { cpu: 256, memoryMiB: 512, desiredCount: 1, maxCount: 1 },
    worker: {
      mode: 'pipe',
      cpu: 1024,
      memoryMiB: 2048,
      processingTimeoutSeconds: 120,
      maxCount: 1,
      backlogPerTask: 10,
      capacityProvider: 'FARGATE_SPOT',
    },
    alarmEmail: 'docflow-alerts@example.com',
    monthlyBudgetUsd: 90,
    logRetentionDays: 7,
    // the HTTP API's own https URL; a custom domain is optional here
    keys: 'aws-managed',
    audit: { cloudTrail: false, guardDuty: false, accessAnalyzer: true, trailRetentionDays: 365 },
    // placeholders (a project id with "example", a reserved example domain): synth warns until they are real
    gcp: {
      projectId: 'docflow-dev-example',
      region: 'europe-west1',
      dnsName: 'archive.dev.docflow.example.com',
      // dev has no domain: the HTTP API's own URL (the platform stack's `url` output)
      apiUrl: 'https://api.dev.docflow.example.com',
      archive: { retentionDays: 7, lockRetention: false },
      exportJob: { cpu: 1, memoryMiB: 1024, scratchMiB: 512, timeoutMinutes: 60, maxRetries: 3, schedule: '0 2 * * *', timeZone: 'Etc/UTC' },
    },
  },
  {
    name: 'staging',
    profile: 'standard',
    region: 'eu-west-1',
    vpcCidr: '10.0.0.0/16',
    azCount: 2,
    natMode: 'single-gateway',
    database: {
      instanceClass: 'db.t3.small',
      allocatedStorageGiB: 50,
      maxAllocatedStorageGiB: 100,
      backupRetentionDays: 7,
      multiAz: false,
      deletionProtection: false,
      connectionsAlarmThreshold: 150,
      credentialRotationDays: 30,
      masterPasswordRotationDays: 7,
    },
    api: { cpu: 512, memoryMiB: 1024, desiredCount: 2, maxCount: 4 },
    ingest: { cpu: 512, memoryMiB: 1024, desiredCount: 2, maxCount: 4 },
    worker: {
      mode: 'poll',
      cpu: 1024,
      memoryMiB: 2048,
      processingTimeoutSeconds: 120,
      maxCount: 4,
      backlogPerTask: 10,
      capacityProvider: 'FARGATE_SPOT',
    },
    alarmEmail: 'docflow-alerts@example.com',
    monthlyBudgetUsd: 400,
    logRetentionDays: 30,
    // placeholders (a reserved example domain): synth warns, deploy refuses until they are real
    domain: { name: 'staging.docflow.example.com', hostedZone: { createZone: true } },
    firewall: { requestsPerIpPer5Minutes: 2000 },
    keys: 'aws-managed',
    audit: { cloudTrail: true, guardDuty: true, accessAnalyzer: true, trailRetentionDays: 365 },
    // daily snapshots that outlive the instance (RDS's point-in-time backups go with it)
    backup: { dailyRetentionDays: 14 },
    gcp: {
      projectId: 'docflow-staging-example',
      region: 'europe-west1',
      dnsName: 'archive.staging.docflow.example.com',
      archive: { retentionDays: 30, lockRetention: false },
      exportJob: { cpu: 1, memoryMiB: 2048, scratchMiB: 1024, timeoutMinutes: 120, maxRetries: 3, schedule: '0 2 * * *', timeZone: 'Etc/UTC' },
    },
  },
  {
    name: 'prod',
    profile: 'standard',
    region: 'eu-west-1',
    vpcCidr: '10.0.0.0/16',
    azCount: 2,
    natMode: 'gateway-per-az',
    database: {
      instanceClass: 'db.t3.medium',
      allocatedStorageGiB: 100,
      maxAllocatedStorageGiB: 500,
      backupRetentionDays: 30,
      multiAz: true,
      deletionProtection: true,
      connectionsAlarmThreshold: 320,
      credentialRotationDays: 30,
      masterPasswordRotationDays: 7,
    },
    api: { cpu: 1024, memoryMiB: 2048, desiredCount: 2, maxCount: 8 },
    ingest: { cpu: 1024, memoryMiB: 2048, desiredCount: 2, maxCount: 8 },
    worker: {
      mode: 'poll',
      cpu: 2048,
      memoryMiB: 4096,
      processingTimeoutSeconds: 120,
      maxCount: 10,
      backlogPerTask: 10,
      capacityProvider: 'FARGATE',
    },
    alarmEmail: 'docflow-alerts@example.com',
    monthlyBudgetUsd: 800,
    logRetentionDays: 90,
    domain: { name: 'docflow.example.com', hostedZone: { createZone: true } },
    firewall: { requestsPerIpPer5Minutes: 2000 },
    keys: 'customer-managed',
    audit: { cloudTrail: true, guardDuty: true, accessAnalyzer: true, trailRetentionDays: 365 },
    // hourly and daily snapshots, each copied to eu-central-1: region loss costs at most the last hour (docs/infrastructure.md, "Restore")
    // the documents bucket replicates to the copy region too (RTC: 15 minutes), or a region loss would cost the day since the GCP export
    backup: { dailyRetentionDays: 35, hourlyRetentionDays: 2, copyRegion: 'eu-central-1', replicateDocuments: true },
    gcp: {
      projectId: 'docflow-prod-example',
      region: 'europe-west1',
      archiveLocation: 'EU',
      dnsName: 'archive.docflow.example.com',
      // locked: no identity (CI's, an owner's) can delete an archive younger than a year, shorten the period or remove the policy.
      // IRREVERSIBLE once applied: the period can then only grow, and the bucket goes only when every object is a year old
      archive: { retentionDays: 365, lockRetention: true },
      // 3 GiB of scratch: a night's export at 5,000 documents a day needs about 0.4 (docs/infrastructure.md)
      exportJob: { cpu: 2, memoryMiB: 4096, scratchMiB: 3072, timeoutMinutes: 360, maxRetries: 3, schedule: '0 2 * * *', timeZone: 'Etc/UTC' },
    },
  },
] as const satisfies readonly EnvironmentConfig[]);
